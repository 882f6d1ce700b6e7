import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, spawnSlipway } from '../helpers/process.js';

const run = promisify(execFile);

describe('the slipway command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints help and its version', async () => {
    const help = await run(process.execPath, [CLI, '--help']);
    expect(help.stdout).toContain('slipway start [options]');
    expect(help.stdout).toContain('--data-dir');
    const version = await run(process.execPath, [CLI, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('starts with flags, serves health, keeps state in --data-dir and stops cleanly on SIGTERM', async () => {
    const p = await spawnSlipway(['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir]);
    const health = await fetch(`${p.url}/_slipway/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; services: Record<string, string> };
    expect(body.status).toBe('running');
    expect(body.services).toMatchObject({ iam: 'running', sts: 'running' });
    expect(existsSync(join(dataDir, 'slipway.db'))).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('takes its settings from the environment and stops on SIGINT', async () => {
    const p = await spawnSlipway([], { SLIPWAY_PORT: '0', SLIPWAY_DATA_DIR: dataDir, SLIPWAY_REGION: 'eu-west-1' });
    expect(p.output()).toContain('AWS_DEFAULT_REGION=eu-west-1');
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
  });

  it('explains bad flags and a port in use', async () => {
    const bad = await run(process.execPath, [CLI, 'start', '--port', 'x']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain("--port must be a positive integer, got 'x'");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const busy = await run(process.execPath, [CLI, 'start', '--port', String(port), '--data-dir', dataDir]).catch((e: { code: number; stderr: string }) => e);
    blocker.close();
    expect(busy).toMatchObject({ code: 2 });
    expect((busy as { stderr: string }).stderr).toContain(`port ${port} is already in use`);
  });
});
