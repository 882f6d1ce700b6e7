import { randomBytes, randomUUID } from 'node:crypto';

export function requestId(): string {
  return randomUUID();
}

export function uuid(): string {
  return randomUUID();
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random upper-case base32 text, the alphabet of IAM unique ids and access key ids. */
export function base32Id(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += UPPER_ALNUM[bytes[i] & 31];
  return out;
}

export function hexId(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

/** A secret of the shape AWS uses for secret access keys (40 base64-ish characters). */
export function secretKey(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}
