import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * Encrypts values at rest (SecureString parameters, secret values) with AES-256-GCM. The
 * key lives in a file of its own under the data dir, created with mode 0600 the first time
 * something is encrypted, so the database alone never holds a readable secret. `context`
 * is bound into each ciphertext (as additional authenticated data): a value copied onto
 * another resource does not decrypt.
 */
export class SecretBox {
  private key: Buffer | undefined;

  constructor(private readonly keyFile: string) {}

  /** `context` names what the value belongs to, e.g. `ssm:000000000000:us-east-1:/app/db:3`. */
  encrypt(plaintext: Buffer | string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.loadKey(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(ciphertext: string, context: string): Buffer {
    const raw = Buffer.from(ciphertext, 'base64');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) throw new Error('stored ciphertext is malformed');
    const iv = raw.subarray(1, 1 + IV_BYTES);
    const tag = raw.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.loadKey(), iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  }

  decryptText(ciphertext: string, context: string): string {
    return this.decrypt(ciphertext, context).toString('utf8');
  }

  /** Drops the cached key (after a reset wiped the data dir a new one is made on next use). */
  forget(): void {
    this.key = undefined;
  }

  private loadKey(): Buffer {
    if (this.key) return this.key;
    let key = readKey(this.keyFile);
    if (!key) {
      createKey(this.keyFile);
      key = readKey(this.keyFile);
    }
    if (!key) throw new Error(`encryption key ${this.keyFile} could not be created`);
    this.key = key;
    return key;
  }
}

function readKey(file: string): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (raw.length !== KEY_BYTES) throw new Error(`encryption key ${file} is damaged: expected ${KEY_BYTES} bytes, found ${raw.length}`);
  return raw;
}

/**
 * Writes a fresh key to a private temporary file and links it into place: link fails when
 * the key already exists, so two processes racing here both end up with the same key and
 * a reader never sees half a key.
 */
function createKey(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  try {
    linkSync(temp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(temp, { force: true });
  }
}
