import type { RedirectActionConfig } from '../../../aws/models/generated/elbv2.js';

export interface RedirectRequest {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** The path without its leading slash replaced: '/a/b' → path 'a/b' for #{path}. */
  path: string;
  query: string;
}

/**
 * The Location of a redirect action: #{protocol}, #{host}, #{port}, #{path} and #{query}
 * are replaced by the request's parts (AWS's reserved keywords); the default port of the
 * protocol is left out of the URL.
 */
export function redirectLocation(config: RedirectActionConfig, req: RedirectRequest): string {
  const fill = (template: string) =>
    template
      .replace(/#\{protocol\}/g, req.protocol)
      .replace(/#\{host\}/g, req.host)
      .replace(/#\{port\}/g, String(req.port))
      .replace(/#\{path\}/g, req.path.replace(/^\//, ''))
      .replace(/#\{query\}/g, req.query);
  const protocol = fill(config.Protocol ?? '#{protocol}').toLowerCase();
  const port = fill(config.Port ?? '#{port}');
  const host = fill(config.Host ?? '#{host}');
  const path = fill(config.Path ?? '/#{path}');
  const query = fill(config.Query ?? '#{query}');
  const defaultPort = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80');
  return `${protocol}://${host}${defaultPort ? '' : `:${port}`}${path}${query ? `?${query}` : ''}`;
}
