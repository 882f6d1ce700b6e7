import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectSandbox, ProcessSandbox } from '../../src/runtime/sandbox.js';

const base = mkdtempSync(join(tmpdir(), 'sandbox-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('sandbox', () => {
  const sandbox = detectSandbox();

  it('runs a command with its environment and working directory, capturing output', async () => {
    const work = mkdtempSync(join(base, 'w'));
    let out = '';
    const cwd = sandbox.mapsPaths ? '/codebuild/output/src1/src' : work;
    const result = await sandbox.run({
      argv: ['bash', '-c', 'echo "$GREETING from $(pwd)"; echo oops >&2; echo made > file.txt; exit 3'],
      cwd,
      env: { PATH: process.env.PATH!, GREETING: 'hello' },
      binds: [{ source: work, target: '/codebuild/output/src1/src' }],
      onOutput: (t) => (out += t),
    });
    expect(result).toMatchObject({ exitCode: 3, timedOut: false });
    expect(out).toContain(`hello from ${cwd}`);
    expect(out).toContain('oops');
    expect(readFileSync(join(work, 'file.txt'), 'utf8')).toBe('made\n');
  });

  it.each([
    ['the detected backend', sandbox],
    ['the plain-process backend', new ProcessSandbox()],
  ])('kills a command whose stop came before it was started (%s)', async (_name, backend) => {
    const stopped = new AbortController();
    stopped.abort();
    const started = Date.now();
    const result = await backend.run({ argv: ['bash', '-c', 'sleep 600'], cwd: '/', env: { PATH: process.env.PATH! }, signal: stopped.signal });
    expect(result.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills the whole process tree on timeout', async () => {
    const marker = join(base, 'late');
    const result = await sandbox.run({
      argv: ['bash', '-c', `(sleep 2; touch ${marker}) & sleep 30`],
      cwd: '/',
      env: { PATH: process.env.PATH! },
      timeoutMs: 200,
    });
    expect(result.timedOut).toBe(true);
    await new Promise((r) => setTimeout(r, 2500));
    expect(() => readFileSync(marker)).toThrow();
  });

  it.each([
    ['the detected backend', sandbox],
    ['the plain-process backend', new ProcessSandbox()],
  ])('ends when the command exits, taking its background processes along (%s)', async (_name, backend) => {
    let out = '';
    const result = await backend.run({
      argv: ['bash', '-c', 'sleep 600 & echo started'],
      cwd: '/',
      env: { PATH: process.env.PATH! },
      onOutput: (t) => (out += t),
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(out).toBe('started\n');
  }, 10_000);

  it.runIf(sandbox.kind === 'bubblewrap')('hides directories from the sandboxed process', async () => {
    const secret = mkdtempSync(join(base, 'data'));
    writeFileSync(join(secret, 'slipway.db'), 'secret');
    let out = '';
    const result = await sandbox.run({
      argv: ['bash', '-c', `ls -A ${secret} | wc -l; echo pid=$$`],
      cwd: '/',
      env: { PATH: process.env.PATH! },
      hide: [secret],
      onOutput: (t) => (out += t),
    });
    expect(result.exitCode).toBe(0);
    expect(out).toContain('0\n');
    expect(out).toMatch(/pid=\d\b/);
  });
});
