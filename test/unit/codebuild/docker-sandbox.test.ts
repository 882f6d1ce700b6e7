import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerSandbox, dockerEndpoint } from '../../../src/runtime/docker.js';

// A stand-in `docker` that prints its arguments and the value of A from its environment.
const bin = mkdtempSync(join(tmpdir(), 'slipway-fake-docker-'));
writeFileSync(join(bin, 'docker'), '#!/bin/sh\nprintf "%s\\n" "$@"\nprintf "A=%s\\n" "$A"\n');
chmodSync(join(bin, 'docker'), 0o755);
process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('DockerSandbox: the docker run it issues', () => {
  const run = async (privileged: boolean) => {
    const s = new DockerSandbox({ image: 'my/image:1', imageId: 'sha256:abc', path: '/bin', name: 'slipway-codebuild-x', privileged, endpoint: { socketPath: '/var/run/docker.sock', label: 'unix:///var/run/docker.sock' } });
    let out = '';
    const r = await s.run({ argv: ['sh', '-c', 'true'], cwd: '/codebuild/output/src1/src', env: { A: 'secret value' }, binds: [{ source: '/data/ws/codebuild', target: '/codebuild' }], onOutput: (t) => (out += t) });
    return { r, args: out.split('\n') };
  };

  it('runs the image by id, named, as root with host networking, the workspace as a volume, values not in the arguments', async () => {
    const { r, args } = await run(false);
    expect(r.exitCode).toBe(0);
    expect(args.slice(0, 12)).toEqual(['run', '--rm', '--name', 'slipway-codebuild-x', '--network', 'host', '--user', '0:0', '--workdir', '/codebuild/output/src1/src', '--volume', '/data/ws/codebuild:/codebuild']);
    expect(args.slice(12, 18)).toEqual(['--env', 'A', 'sha256:abc', 'sh', '-c', 'true']);
    expect(args).not.toContain('--privileged');
    expect(args.filter((a) => a.includes('secret value'))).toEqual(['A=secret value']);
  });

  it('maps privilegedMode to --privileged', async () => {
    expect((await run(true)).args).toContain('--privileged');
  });
});

describe('dockerEndpoint', () => {
  it.each([
    [{ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, { socketPath: '/run/user/1000/docker.sock', label: 'unix:///run/user/1000/docker.sock' }],
    [{ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, { host: '127.0.0.1', port: 2375, label: 'tcp://127.0.0.1:2375' }],
    [{ DOCKER_HOST: 'ssh://me@host' }, undefined],
  ])('%j', (env, expected) => {
    expect(dockerEndpoint(env)).toEqual(expected);
  });
});
