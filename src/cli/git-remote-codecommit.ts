#!/usr/bin/env node
// git-remote-codecommit for Slipway. Git runs it for codecommit:// URLs:
//   git clone codecommit://my-repo
//   git clone codecommit://profile@my-repo
//   git clone codecommit::us-east-1://my-repo
// It asks Slipway's CodeCommit API for the repository's clone URL (GetRepository, signed
// with the caller's AWS credentials and region) and hands the connection to git's own
// HTTP transport. The endpoint is AWS_ENDPOINT_URL_CODECOMMIT, else AWS_ENDPOINT_URL,
// else the profile's endpoint_url, else http://localhost:4566.
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface RemoteTarget {
  region?: string;
  profile?: string;
  repository: string;
}

/** Reads codecommit://[profile@]repo, codecommit::<region>://[profile@]repo (git passes "<region>://..."). */
export function parseRemoteUrl(url: string): RemoteTarget {
  const m = /^(?:codecommit:\/\/|([a-z]{2}(?:-[a-z]+)+-\d+):\/\/)(?:([^@/]+)@)?([\w.-]+)\/?$/.exec(url);
  if (!m) throw new Error(`${url} is not a CodeCommit URL; use codecommit://[profile@]repository or codecommit::<region>://[profile@]repository`);
  return { region: m[1], profile: m[2], repository: m[3] };
}

/** A minimal INI reader for ~/.aws/config and ~/.aws/credentials. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      section = out[header[1].replace(/^profile\s+/, '')] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

function readIniFile(path: string): Record<string, Record<string, string>> {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

export interface Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Endpoint, region and credentials, in the order the AWS CLI and SDKs use them. */
export function resolveSettings(target: RemoteTarget, env: NodeJS.ProcessEnv): Settings {
  const home = env.HOME ?? homedir();
  const config = readIniFile(env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'));
  const credentials = readIniFile(env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'));
  const profile = target.profile ?? env.AWS_PROFILE ?? 'default';
  const conf = config[profile] ?? {};
  const cred = { ...conf, ...(credentials[profile] ?? {}) };
  const fromEnv = !target.profile && env.AWS_ACCESS_KEY_ID;
  return {
    endpoint: (env.AWS_ENDPOINT_URL_CODECOMMIT || env.AWS_ENDPOINT_URL || conf.endpoint_url || 'http://localhost:4566').replace(/\/+$/, ''),
    region: target.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || conf.region || 'us-east-1',
    accessKeyId: (fromEnv ? env.AWS_ACCESS_KEY_ID : cred.aws_access_key_id) || 'test',
    secretAccessKey: (fromEnv ? env.AWS_SECRET_ACCESS_KEY : cred.aws_secret_access_key) || 'test',
    sessionToken: (fromEnv ? env.AWS_SESSION_TOKEN : cred.aws_session_token) || undefined,
  };
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** SigV4 headers for a JSON 1.1 CodeCommit call. */
export function signedHeaders(s: Settings, target: string, body: string, now = new Date()): Record<string, string> {
  const url = new URL(s.endpoint);
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-target': target,
  };
  if (s.sessionToken) headers['x-amz-security-token'] = s.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = ['POST', url.pathname || '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), sha256(body)].join('\n');
  const scope = `${day}/${s.region}/codecommit/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${s.secretAccessKey}`, day), s.region), 'codecommit'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${s.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

/** The repository's cloneUrlHttp, from GetRepository. */
export async function cloneUrl(s: Settings, repository: string): Promise<string> {
  const body = JSON.stringify({ repositoryName: repository });
  const res = await fetch(`${s.endpoint}/`, { method: 'POST', headers: signedHeaders(s, 'CodeCommit_20150413.GetRepository', body), body });
  const out = (await res.json().catch(() => ({}))) as { repositoryMetadata?: { cloneUrlHttp?: string }; __type?: string; message?: string };
  if (!res.ok || !out.repositoryMetadata?.cloneUrlHttp) {
    throw new Error(`${out.__type ?? `HTTP ${res.status}`}: ${out.message ?? `repository ${repository} could not be looked up at ${s.endpoint}`}`);
  }
  return out.repositoryMetadata.cloneUrlHttp;
}

async function main(argv: string[]): Promise<number> {
  const [remote, url] = argv.length >= 2 ? argv : [argv[0], argv[0]];
  if (!url) {
    process.stderr.write('usage: git-remote-codecommit <remote> <codecommit://[profile@]repository>\n');
    return 2;
  }
  const target = parseRemoteUrl(url);
  const http = await cloneUrl(resolveSettings(target, process.env), target.repository);
  const helper = http.startsWith('https:') ? 'remote-https' : 'remote-http';
  const child = spawn('git', [helper, remote, http], { stdio: 'inherit' });
  return new Promise((resolve) => child.once('close', (code) => resolve(code ?? 1)));
}

// Run as a program (directly or through an npm bin link), not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`fatal: git-remote-codecommit: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(128);
    },
  );
}
