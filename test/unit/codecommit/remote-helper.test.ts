import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIni, parseRemoteUrl, resolveSettings, signedHeaders } from '../../../src/cli/git-remote-codecommit.js';

describe('git-remote-codecommit URLs', () => {
  it.each([
    ['codecommit://my-repo', { repository: 'my-repo' }],
    ['codecommit://dev@my-repo', { profile: 'dev', repository: 'my-repo' }],
    ['us-east-1://my-repo', { region: 'us-east-1', repository: 'my-repo' }],
    ['eu-west-2://ops@my.repo_1', { region: 'eu-west-2', profile: 'ops', repository: 'my.repo_1' }],
  ])('%s', (url, expected) => expect(parseRemoteUrl(url)).toEqual({ region: undefined, profile: undefined, ...expected }));

  it.each(['https://example.com/repo', 'codecommit://', 'codecommit://a/b', 'nowhere://repo'])('refuses %s', (url) => {
    expect(() => parseRemoteUrl(url)).toThrow(/not a CodeCommit URL/);
  });
});

describe('settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'helper-'));
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  writeFileSync(config, '[default]\nregion = eu-west-1\n\n[profile dev]\nregion = ap-south-1\nendpoint_url = http://dev:4566\n');
  writeFileSync(credentials, '[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = devsecret\n');
  const files = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, HOME: dir };

  it('reads INI sections, with or without the profile prefix', () => {
    expect(parseIni('[profile a]\nx = 1\n# c\n[b]\ny=2')).toEqual({ a: { x: '1' }, b: { y: '2' } });
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_CODECOMMIT, then AWS_ENDPOINT_URL, then the profile, then localhost:4566', () => {
    expect(resolveSettings({ repository: 'r' }, { ...files }).endpoint).toBe('http://localhost:4566');
    expect(resolveSettings({ repository: 'r', profile: 'dev' }, { ...files }).endpoint).toBe('http://dev:4566');
    expect(resolveSettings({ repository: 'r' }, { ...files, AWS_ENDPOINT_URL: 'http://a:1/' }).endpoint).toBe('http://a:1');
    expect(resolveSettings({ repository: 'r' }, { ...files, AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_CODECOMMIT: 'http://b:2' }).endpoint).toBe('http://b:2');
  });

  it('takes the region from the URL, then the environment, then the profile', () => {
    expect(resolveSettings({ repository: 'r', region: 'us-west-2' }, { ...files, AWS_REGION: 'ca-central-1' }).region).toBe('us-west-2');
    expect(resolveSettings({ repository: 'r' }, { ...files, AWS_DEFAULT_REGION: 'ca-central-1' }).region).toBe('ca-central-1');
    expect(resolveSettings({ repository: 'r', profile: 'dev' }, { ...files }).region).toBe('ap-south-1');
    expect(resolveSettings({ repository: 'r' }, { ...files }).region).toBe('eu-west-1');
  });

  it("uses a named profile's keys over the environment's", () => {
    const env = { ...files, AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret' };
    expect(resolveSettings({ repository: 'r' }, env)).toMatchObject({ accessKeyId: 'ENVKEY', secretAccessKey: 'envsecret' });
    expect(resolveSettings({ repository: 'r', profile: 'dev' }, env)).toMatchObject({ accessKeyId: 'DEVKEY', secretAccessKey: 'devsecret' });
  });
});

describe('SigV4 signing, checked against the AWS SDK signer', () => {
  it('produces the same Authorization header', async () => {
    const settings = { endpoint: 'http://localhost:4566', region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token' };
    const body = JSON.stringify({ repositoryName: 'my-repo' });
    const now = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));
    const ours = signedHeaders(settings, 'CodeCommit_20150413.GetRepository', body, now);
    const signer = new SignatureV4({ applyChecksum: false, service: 'codecommit', region: 'us-east-1', sha256: NodeSha256, credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, sessionToken: 'token' } });
    const { authorization: _a, ...unsigned } = ours;
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: 'localhost', port: 4566, path: '/', headers: unsigned, body }, { signingDate: now });
    expect(ours.authorization).toBe(signed.headers.authorization);
  });
});

/** The checksum the SDK signer takes, from node:crypto. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as ArrayBuffer));
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}
