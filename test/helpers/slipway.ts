import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Slipway, type SlipwayOptions } from '../../src/slipway.js';

export interface TestSlipway {
  slipway: Slipway;
  url: string;
  dataDir: string;
  /** Environment for the aws CLI and other clients pointed at this Slipway. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export function awsEnv(url: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    ...extra,
  };
}

/** Starts Slipway in this process on an OS-chosen port with a fresh data dir. */
export async function startSlipway(options: SlipwayOptions = {}): Promise<TestSlipway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'slipway-test-'));
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, logLevel: 'error', ...options, dataDir });
  return {
    slipway,
    url: slipway.url,
    dataDir,
    env: awsEnv(slipway.url),
    async close() {
      await slipway.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** SDK v3 client settings for a Slipway at `url`. */
export function sdkConfig(url: string, region = 'us-east-1') {
  return {
    endpoint: url,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
    maxAttempts: 1,
  };
}
