import { readFileSync } from 'node:fs';
import { CodeBuildClient, CreateProjectCommand, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { buildLog, inlineProject, phase, waitForBuild } from './support.js';

/** A user every Debian-like machine has, other than root. */
const NOBODY = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))?.split(':');
const isRoot = process.getuid?.() === 0;
const reason = !isRoot ? 'Slipway runs as a non-root user here, so builds cannot switch users' : !NOBODY ? 'this machine has no "nobody" user' : '';
if (reason) console.warn(`run-as tests skipped: ${reason}`);

describe('buildspec run-as: commands run as that Linux user', () => {
  let sw: TestSlipway;
  let cb: CodeBuildClient;

  const run = async (buildspec: string) => {
    const started = await cb.send(new StartBuildCommand({ projectName: 'runas', buildspecOverride: buildspec }));
    const b = await waitForBuild(cb, started.build!.id!);
    return { b, log: await buildLog(sw.url, sdkConfig(sw.url), b) };
  };

  beforeAll(async () => {
    sw = await startSlipway();
    cb = new CodeBuildClient(sdkConfig(sw.url));
    await cb.send(new CreateProjectCommand(inlineProject('runas')));
  });
  afterAll(() => sw.close());

  it.skipIf(reason !== '')('runs every phase as the top-level user, and a phase run-as overrides it for that phase', async () => {
    const { b, log } = await run([
      'version: 0.2',
      'run-as: nobody',
      'phases:',
      '  install:',
      '    run-as: root',
      '    commands:',
      '      - echo "install-as=$(id -un) home=$HOME"',
      '  build:',
      '    commands:',
      '      - echo "build-as=$(id -un) whoami=$(whoami) home=$HOME user=$USER"',
      '      - echo made-by-nobody > out.txt && ls -n out.txt | cut -d" " -f3',
      '      - MY_VAR=kept',
      '    finally:',
      '      - echo "finally-as=$(id -un) var=$MY_VAR"',
    ].join('\n'));
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log).toContain('install-as=root home=/root');
    expect(log).toContain(`build-as=nobody whoami=nobody home=${NOBODY![5]} user=nobody`);
    expect(log).toContain(NOBODY![2]); // the file written in the source directory belongs to nobody
    expect(log).toContain('finally-as=nobody var=kept');
  });

  it.skipIf(reason !== '')('goes back to root and the build HOME after a run-as phase', async () => {
    const { b, log } = await run([
      'version: 0.2',
      'phases:',
      '  pre_build:',
      '    run-as: nobody',
      '    commands:',
      '      - echo "pre-as=$(id -un)"',
      '  build:',
      '    commands:',
      '      - echo "build-as=$(id -un) home=$HOME user=${USER-unset}"',
    ].join('\n'));
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log).toContain('pre-as=nobody');
    expect(log.some((l) => /^build-as=root home=\S*\/codebuild\/home user=unset$/.test(l))).toBe(true);
  });

  it('fails the phase before its first command when the user does not exist', async () => {
    const { b, log } = await run([
      'version: 0.2',
      'phases:',
      '  build:',
      '    run-as: no-such-user',
      '    commands:',
      '      - echo should-not-run',
    ].join('\n'));
    expect(b.buildStatus).toBe('FAILED');
    expect(phase(b, 'BUILD')?.phaseStatus).toBe('FAILED');
    expect(phase(b, 'BUILD')?.contexts?.[0]).toEqual({ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: echo should-not-run. Reason: user: unknown user no-such-user' });
    expect(log).not.toContain('should-not-run');
  });
});
