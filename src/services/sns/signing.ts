import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CERT_PATH = '/SimpleNotificationService-slipway.pem';

/**
 * Signs notifications the way SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA,
 * over the message's canonical string), with an RSA key Slipway keeps in its data dir.
 * SigningCertURL serves the matching public key in PEM form.
 */
export class Signer {
  private privateKey: KeyObject | undefined;

  constructor(private readonly dir: string) {}

  sign(canonical: string, version: string): string {
    return sign(version === '2' ? 'sha256' : 'sha1', Buffer.from(canonical, 'utf8'), this.key()).toString('base64');
  }

  publicKeyPem(): string {
    return createPublicKey(this.key()).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Drops the cached key (the data dir was wiped). */
  forget(): void {
    this.privateKey = undefined;
  }

  private key(): KeyObject {
    if (this.privateKey) return this.privateKey;
    const file = join(this.dir, 'signing-key.pem');
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      renameSync(temp, file);
    }
    this.privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    return this.privateKey;
  }
}

/** The canonical string SNS signs: the listed fields present in the message, each as `Name\nValue\n`. */
export function canonicalString(fields: Record<string, unknown>, type: string): string {
  const names = type === 'Notification'
    ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let out = '';
  for (const name of names) if (fields[name] !== undefined && fields[name] !== null) out += `${name}\n${String(fields[name])}\n`;
  return out;
}
