import { createSecureContext } from 'node:tls';
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
