import { ServiceError } from '../../core/errors.js';

/** Why a general purpose bucket name breaks AWS's naming rules, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be between 3 and 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'can consist only of lowercase letters, numbers, periods and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or number';
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return 'must not be formatted as an IP address';
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (name.startsWith(prefix)) return `must not start with the prefix '${prefix}'`;
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) if (name.endsWith(suffix)) return `must not end with the suffix '${suffix}'`;
  return undefined;
}

export function checkBucketName(name: string): void {
  if (bucketNameProblem(name) !== undefined) {
    throw new ServiceError('InvalidBucketName', 'The specified bucket is not valid.', { statusCode: 400, fields: { BucketName: name } });
  }
}

/** Object keys are up to 1024 bytes of UTF-8; they are names in a table, never paths. */
export function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new ServiceError('KeyTooLongError', 'Your key is too long', { statusCode: 400, fields: { Key: key.slice(0, 64) } });
  if (key.length === 0) throw new ServiceError('InvalidArgument', 'The key must not be empty.', { statusCode: 400 });
}
