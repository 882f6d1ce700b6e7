import { afterAll, describe, expect, it } from 'vitest';
import { Spawner } from '../../src/runtime/spawner.js';

const spawner = new Spawner();
afterAll(() => spawner.stop());
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe.runIf(Spawner.available())('spawner', () => {
  it('runs commands with their environment and reports output and exit codes', async () => {
    let out = '';
    const r = await spawner.run('/bin/sh', ['-c', 'echo "hi $WHO"; echo err >&2; exit 4'], { env: { ...env, WHO: 'there' }, onOutput: (t, s) => (out += `${s}:${t}`) });
    expect(r).toMatchObject({ exitCode: 4, aborted: false });
    expect(out).toContain('stdout:hi there');
    expect(out).toContain('stderr:err');
  });

  it('resolves when the command exits even if a background child keeps its output open', async () => {
    const r = await spawner.run('/bin/sh', ['-c', 'sleep 5 & echo started'], { env });
    expect(r.exitCode).toBe(0);
  });

  it('kills the process group on abort', async () => {
    const ac = new AbortController();
    const p = spawner.run('/bin/sh', ['-c', 'sleep 30; echo never'], { env, signal: ac.signal });
    ac.abort();
    expect(await p).toMatchObject({ exitCode: null, signal: 'SIGKILL', aborted: true });
  });

  it('reports a command that cannot start', async () => {
    expect((await spawner.run('/nonexistent/cmd', [], { env })).exitCode).toBe(127);
  });
});
