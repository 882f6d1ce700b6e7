import { describe, expect, it } from 'vitest';
import { s3LogFields, s3LogObject } from '../../../src/services/codebuild/s3-logs.js';

describe('S3 build log locations', () => {
  it.each([
    ['logs', { bucket: 'logs', key: 'u-1.gz' }],
    ['logs/', { bucket: 'logs', key: 'u-1.gz' }],
    ['logs/a/b', { bucket: 'logs', key: 'a/b/u-1.gz' }],
    ['logs/a/b/', { bucket: 'logs', key: 'a/b/u-1.gz' }],
    ['arn:aws:s3:::logs/a', { bucket: 'logs', key: 'a/u-1.gz' }],
  ])('%s', (location, expected) => {
    expect(s3LogObject({ s3Logs: { status: 'ENABLED', location } }, 'u-1')).toEqual(expected);
  });

  it('writes nothing when S3 logs are disabled or absent', () => {
    expect(s3LogObject({ s3Logs: { status: 'DISABLED', location: 'logs' } }, 'u')).toBeUndefined();
    expect(s3LogObject({ cloudWatchLogs: { status: 'ENABLED' } }, 'u')).toBeUndefined();
    expect(s3LogFields(undefined, 'u', 'us-east-1')).toEqual({});
  });

  it('links the object from the build', () => {
    expect(s3LogFields({ s3Logs: { status: 'ENABLED', location: 'logs/p' } }, 'u', 'eu-west-1')).toEqual({
      s3DeepLink: 'https://s3.console.aws.amazon.com/s3/object/logs/p/u.gz?region=eu-west-1',
      s3LogsArn: 'arn:aws:s3:::logs/p/u.gz',
    });
  });
});
