import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '../../aws/gateway/pipeline.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import { gitEnv } from './git.js';
import type { Repositories } from './repositories.js';
import type { RepositoryRecord } from './store.js';

/** /v1/repos/<name>[/<rest>] or /v1/repos/<region>/<account>/<name>[/<rest>]. */
const CLONE_PATH = /^\/v1\/repos\/(?:([a-z]{2}(?:-[a-z]+)+-\d+)\/(\d{12})\/)?([\w.-]+?)(?:\.git)?(\/.*)?$/;

/** The smart HTTP endpoints and their methods. */
const ENDPOINTS: Record<string, string> = { '/info/refs': 'GET', '/HEAD': 'GET', '/git-upload-pack': 'POST', '/git-receive-pack': 'POST' };

export interface PushObserver {
  /**
   * Called once receive-pack has finished, with whoever pushed, before the response ends:
   * by the time `git push` returns, its ref changes have been recorded and their events queued.
   */
  (repo: RepositoryRecord, callerArn: string): Promise<void>;
}

export interface GitHttpOptions {
  repos: Repositories;
  log: Logger;
  /** The IAM identity a git request acts as (from its Basic credentials, if any). */
  caller(req: IncomingMessage, repo: RepositoryRecord): string;
  onPush: PushObserver;
}

/**
 * Git smart HTTP at each repository's clone URL, served by `git http-backend` as a CGI:
 * request and response bodies stream through (a pack is never held in memory), and git
 * itself handles protocol v2, gzip-encoded requests, shallow clones and atomic ref updates.
 */
export function gitHttpRoute(options: GitHttpOptions): HttpRoute {
  return {
    matches: (_method, path) => path.startsWith('/v1/repos/'),
    handle(req, res, path, query) {
      const m = CLONE_PATH.exec(path);
      const qualified: Scope | undefined = m?.[1] ? { region: m[1], accountId: m[2] } : undefined;
      const repo = m ? options.repos.resolveUrl(m[3], qualified) : undefined;
      if (!m || !repo) return notFound(req, res, m?.[3]);
      const rest = m[4] ?? '/';
      // Only git's smart HTTP endpoints: nothing else under the repository is reachable.
      if (ENDPOINTS[rest] !== req.method) return notFound(req, res, m[3]);
      return serve(options, repo, rest, req, res, query);
    },
  };
}

function notFound(req: IncomingMessage, res: ServerResponse, name: string | undefined): void {
  req.resume();
  const body = `Repository ${name ?? ''} not found\n`;
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function cgiEnv(repos: Repositories, repo: RepositoryRecord, rest: string, req: IncomingMessage, query: URLSearchParams): Record<string, string> {
  const h = req.headers;
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: repos.root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_HTTP_MAX_REQUEST_BUFFER: String(1024 * 1024 * 1024),
    PATH_INFO: `/${repo.id}.git${rest}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: query.toString(),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
  };
  if (h['content-type']) env.CONTENT_TYPE = h['content-type'];
  // No CONTENT_LENGTH, ever: http-backend then reads the body to EOF (receive-pack reads it
  // directly). Given a length, git 2.39's copy loop spins forever on a body cut short.
  if (h['content-encoding']) env.HTTP_CONTENT_ENCODING = String(h['content-encoding']);
  if (h['git-protocol']) env.HTTP_GIT_PROTOCOL = String(h['git-protocol']);
  return env;
}

function serve(options: GitHttpOptions, repo: RepositoryRecord, rest: string, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const isPush = rest === '/git-receive-pack' && req.method === 'POST';
  const child = spawn('git', ['http-backend'], { env: gitEnv(cgiEnv(options.repos, repo, rest, req, query)), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {});
  req.pipe(child.stdin);
  // A client that goes away mid-upload ends git's input: receive-pack then fails and
  // updates no ref, leaving the repository as it was.
  req.once('close', () => {
    if (!req.complete) child.stdin.destroy();
  });
  res.once('close', () => {
    if (!res.writableFinished && !isPush) child.kill('SIGTERM');
  });
  const caller = isPush ? options.caller(req, repo) : '';
  return new Promise((resolve) => {
    forwardCgiOutput(child.stdout, res);
    child.once('error', (e) => {
      options.log.error('git http-backend could not start', { error: errorMessage(e) });
      if (!res.headersSent) res.writeHead(500).end();
      resolve();
    });
    child.once('close', async (code) => {
      if (code !== 0 && stderr) options.log.warn('git http-backend failed', { repository: repo.name, code, stderr: stderr.trim() });
      if (isPush) await options.onPush(repo, caller);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('git http-backend gave no response\n');
      else res.end();
      resolve();
    });
  });
}

/** Reads the CGI header block from git's output, then streams the body to the client. */
function forwardCgiOutput(out: NodeJS.ReadableStream & { unshift(chunk: Buffer): void }, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (end < 0) return;
    out.off('data', onData);
    out.pause();
    const { status, headers } = parseCgiHeaders(head.subarray(0, end).toString('latin1'));
    res.writeHead(status, headers);
    const body = head.subarray(end + (head[end] === 0x0d ? 4 : 2));
    if (body.length) res.write(body);
    // The response ends when git has exited (and a push has been recorded), not at EOF.
    out.pipe(res, { end: false });
    out.resume();
  };
  out.on('data', onData);
}

function headerEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf;
  return lf;
}

export function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers };
}
