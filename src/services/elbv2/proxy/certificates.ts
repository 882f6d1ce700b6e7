import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { AwsClient } from '../../../aws/gateway/aws-client.js';
import type { SecretsmanagerOperations } from '../../../aws/models/generated/secretsmanager.js';
import { errorMessage, ServiceError } from '../../../core/errors.js';
import type { Scope } from '../../../core/scope.js';

export interface PemPair {
  cert: string;
  key: string;
}

const notFound = (arn: string, why: string) =>
  new ServiceError(
    'CertificateNotFoundException',
    `Certificate '${arn}' not found: ${why}. Slipway has no ACM; an HTTPS listener's certificate is a Secrets Manager secret whose value is JSON {"certificate": "<PEM>", "privateKey": "<PEM>"} (the certificate may include its chain).`,
  );

/**
 * The certificate and key of an HTTPS listener. Slipway has no ACM, so the certificate ARN
 * names a Secrets Manager secret holding the PEM pair, read through the in-process client
 * each time the listener is bound (so the key is never copied into the load balancer's state).
 */
export async function loadCertificate(aws: AwsClient, scope: Scope, arn: string): Promise<PemPair> {
  if (!/^arn:[^:]+:secretsmanager:/.test(arn)) throw notFound(arn, 'it is not a Secrets Manager secret ARN');
  let text: string | undefined;
  try {
    text = (await aws.service<SecretsmanagerOperations>('secretsmanager', scope).GetSecretValue({ SecretId: arn })).SecretString;
  } catch (e) {
    throw notFound(arn, errorMessage(e));
  }
  let pair: { certificate?: unknown; privateKey?: unknown };
  try {
    pair = JSON.parse(text ?? '') as typeof pair;
  } catch {
    throw notFound(arn, 'the secret is not JSON');
  }
  if (typeof pair.certificate !== 'string' || typeof pair.privateKey !== 'string') throw notFound(arn, "the secret lacks 'certificate' or 'privateKey'");
  try {
    createSecureContext({ cert: pair.certificate, key: pair.privateKey });
  } catch (e) {
    throw notFound(arn, `the PEM pair is not usable (${errorMessage(e)})`);
  }
  return { cert: pair.certificate, key: pair.privateKey };
}

/** The host names a certificate serves: its DNS subject alternative names, else its common name. */
export function certificateNames(pem: string): string[] {
  const x = new X509Certificate(pem);
  const dns = (x.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  if (dns.length) return dns;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}

/** A name matches exactly, or a wildcard name (`*.example.com`) matches one label in its place. */
export function nameMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}

/** The extra certificates of an HTTPS listener (AddListenerCertificates), chosen by the client's SNI name. */
export class SniTable {
  constructor(private readonly entries: { names: string[]; context: SecureContext }[] = []) {}

  static from(pairs: PemPair[]): SniTable {
    return new SniTable(pairs.map((p) => ({ names: certificateNames(p.cert), context: createSecureContext({ cert: p.cert, key: p.key }) })));
  }

  /** The context for a server name; undefined means the listener's default certificate. */
  match(servername: string): SecureContext | undefined {
    const host = servername.toLowerCase();
    return (this.entries.find((e) => e.names.includes(host)) ?? this.entries.find((e) => e.names.some((n) => nameMatches(n, host))))?.context;
  }
}
