import { CodeBuildClient, CreateProjectCommand, StartBuildCommand, type StartBuildCommandInput } from '@aws-sdk/client-codebuild';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { buildLog, inlineProject, phase, waitForBuild } from './support.js';

const ENV = { type: 'LINUX_CONTAINER' as const, image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' as const };

describe('buildspec semantics, run for real: finally, on-failure, retries, variables, secrets, exported variables, bad YAML', () => {
  let sw: TestSlipway;
  let cb: CodeBuildClient;

  const run = async (buildspec: string, extra: Partial<StartBuildCommandInput> = {}) => {
    const started = await cb.send(new StartBuildCommand({ projectName: 'inline', buildspecOverride: buildspec, ...extra }));
    const b = await waitForBuild(cb, started.build!.id!);
    return { b, log: await buildLog(sw.url, sdkConfig(sw.url), b) };
  };

  beforeAll(async () => {
    sw = await startSlipway();
    cb = new CodeBuildClient(sdkConfig(sw.url));
    await cb.send(new CreateProjectCommand(inlineProject('inline', {
      environment: { ...ENV, environmentVariables: [{ name: 'FROM_PROJECT', value: 'project' }, { name: 'BOTH', value: 'project' }] },
    })));
    await new SSMClient(sdkConfig(sw.url)).send(new PutParameterCommand({ Name: '/app/db-password', Value: 'hunter2-ssm', Type: 'SecureString' }));
    await new SecretsManagerClient(sdkConfig(sw.url)).send(new CreateSecretCommand({ Name: 'app/api', SecretString: JSON.stringify({ token: 'tok-secret-42', user: 'svc' }) }));
  });
  afterAll(() => sw.close());

  it('keeps variables and the directory from command to command and phase to phase (0.2), with AWS precedence: override, project, buildspec', async () => {
    const { b, log } = await run(
      [
        'version: 0.2',
        'env:',
        '  variables:',
        '    FROM_SPEC: spec',
        '    BOTH: spec',
        '    OVERRIDDEN: spec',
        '    LITERAL: "$PATH:/x"',
        'phases:',
        '  install:',
        '    commands:',
        '      - MY_VAR=from-install',
        '      - mkdir -p sub && cd sub',
        '  build:',
        '    commands:',
        '      - echo "var=$MY_VAR dir=$(basename $PWD)"',
        '      - echo "spec=$FROM_SPEC project=$FROM_PROJECT both=$BOTH over=$OVERRIDDEN literal=$LITERAL"',
        '      - echo "id=$CODEBUILD_BUILD_ID num=$CODEBUILD_BUILD_NUMBER ok=$CODEBUILD_BUILD_SUCCEEDING src=$CODEBUILD_SRC_DIR init=$CODEBUILD_INITIATOR image=$CODEBUILD_BUILD_IMAGE region=$AWS_REGION"',
      ].join('\n'),
      { environmentVariablesOverride: [{ name: 'OVERRIDDEN', value: 'override' }] },
    );
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log).toContain('var=from-install dir=sub');
    expect(log).toContain('spec=spec project=project both=project over=override literal=$PATH:/x');
    expect(log.find((l) => l.startsWith('id='))).toMatch(new RegExp(`^id=${b.id} num=${b.buildNumber} ok=1 src=\\S*/codebuild/output/src\\d+/src init=root image=aws/codebuild/standard:7.0 region=us-east-1$`));
  });

  it('runs each command in its own shell with version 0.1', async () => {
    const { b, log } = await run('version: 0.1\nphases:\n  build:\n    commands:\n      - X=1; cd /\n      - echo "x=${X:-unset} pwd=$(basename $PWD)"\n');
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log).toContain('x=unset pwd=src');
  });

  it('runs finally after a failing command, fails the phase, and skips to FINALIZING from PRE_BUILD', async () => {
    const { b, log } = await run('version: 0.2\nphases:\n  pre_build:\n    commands:\n      - echo one\n      - exit 3\n      - echo never\n    finally:\n      - echo "cleanup ok=$CODEBUILD_BUILD_SUCCEEDING"\n  build:\n    commands:\n      - echo build-ran\n  post_build:\n    commands:\n      - echo post-ran\n');
    expect(b.buildStatus).toBe('FAILED');
    expect(phase(b, 'PRE_BUILD')).toMatchObject({ phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: exit 3. Reason: exit status 3' }] });
    expect(log).toContain('cleanup ok=0');
    expect(log).not.toContain('never');
    expect(log).not.toContain('build-ran');
    expect(log).not.toContain('post-ran');
    expect(b.phases!.map((p) => p.phaseType)).toEqual(['SUBMITTED', 'QUEUED', 'PROVISIONING', 'DOWNLOAD_SOURCE', 'INSTALL', 'PRE_BUILD', 'FINALIZING', 'COMPLETED']);
  });

  it('goes on after on-failure: CONTINUE, and the build still fails', async () => {
    const { b, log } = await run('version: 0.2\nphases:\n  install:\n    on-failure: CONTINUE\n    commands:\n      - "false"\n  build:\n    commands:\n      - echo "build ran ok=$CODEBUILD_BUILD_SUCCEEDING"\n');
    expect(b.buildStatus).toBe('FAILED');
    expect(phase(b, 'INSTALL')!.phaseStatus).toBe('FAILED');
    expect(phase(b, 'BUILD')!.phaseStatus).toBe('SUCCEEDED');
    expect(log).toContain('build ran ok=0');
  });

  it('retries a phase with RETRY-<n> until it passes, and gives up after n retries', async () => {
    const flaky = 'version: 0.2\nphases:\n  build:\n    on-failure: RETRY-2\n    commands:\n      - echo attempt >> /tmp/attempts\n      - echo x >> ../count; test $(wc -l < ../count) -ge 3\n';
    const ok = await run(flaky);
    expect(ok.b.buildStatus).toBe('SUCCEEDED');
    expect(ok.log.filter((l) => l.includes('Running command echo x >> ../count'))).toHaveLength(3);
    const never = await run('version: 0.2\nphases:\n  build:\n    on-failure: RETRY-1-exit status 7\n    commands:\n      - echo try\n      - exit 7\n');
    expect(never.b.buildStatus).toBe('FAILED');
    expect(never.log.filter((l) => l === 'try')).toHaveLength(2);
    const unmatched = await run('version: 0.2\nphases:\n  build:\n    on-failure: RETRY-3-exit status 9\n    commands:\n      - echo try\n      - exit 7\n');
    expect(unmatched.log.filter((l) => l === 'try')).toHaveLength(1);
  });

  it('ABORT after a BUILD failure skips POST_BUILD and UPLOAD_ARTIFACTS', async () => {
    const { b, log } = await run('version: 0.2\nphases:\n  build:\n    on-failure: ABORT\n    commands:\n      - "false"\n  post_build:\n    commands:\n      - echo post-ran\n');
    expect(b.buildStatus).toBe('FAILED');
    expect(log).not.toContain('post-ran');
    expect(phase(b, 'POST_BUILD')).toBeUndefined();
  });

  it('exports env.exported-variables with the value the commands left', async () => {
    const { b } = await run('version: 0.2\nenv:\n  exported-variables:\n    - IMAGE_TAG\n    - UNSET_ONE\nphases:\n  build:\n    commands:\n      - IMAGE_TAG=v-$CODEBUILD_BUILD_NUMBER\n');
    expect(b.exportedEnvironmentVariables).toEqual([{ name: 'IMAGE_TAG', value: `v-${b.buildNumber}` }, { name: 'UNSET_ONE', value: '' }]);
  });

  it('fetches parameter-store and secrets-manager variables and masks them in the log', async () => {
    const { b, log } = await run('version: 0.2\nenv:\n  parameter-store:\n    DB_PASSWORD: /app/db-password\n  secrets-manager:\n    TOKEN: app/api:token\n    WHOLE: app/api\nphases:\n  build:\n    commands:\n      - echo "db=$DB_PASSWORD token=$TOKEN"\n      - test "$DB_PASSWORD" = hunter2-ssm && test "$TOKEN" = tok-secret-42\n      - echo "$WHOLE" | grep -q svc && echo whole-ok\n');
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log).toContain('db=*** token=***');
    expect(log).toContain('whole-ok');
    expect(log.join('\n')).not.toMatch(/hunter2-ssm|tok-secret-42/);
  });

  it('fails DOWNLOAD_SOURCE when a parameter does not exist', async () => {
    const { b } = await run('version: 0.2\nenv:\n  parameter-store:\n    X: /no/such/param\nphases:\n  build:\n    commands:\n      - echo hi\n');
    expect(b.buildStatus).toBe('FAILED');
    expect(phase(b, 'DOWNLOAD_SOURCE')!.contexts).toEqual([{ statusCode: 'Decrypted Variables Error', message: 'parameter does not exist: /no/such/param' }]);
  });

  it.each([
    ['a YAML syntax error', 'version: 0.2\nphases:\n  build:\n    commands: [echo hi\n  post_build: {}\n', /at line \d+$/],
    ['an unknown key', 'version: 0.2\nphases:\n  build:\n    comands:\n      - echo hi\n', /^Unknown key 'comands' in phases\.build at line 4$/],
    ['a wrong type', 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo: hi\n', /^Expected Commands\[0\] to be of string type: found subkeys instead at line 5, value of the key tag on line 4 might be empty$/],
    ['a missing version', 'phases:\n  build:\n    commands:\n      - echo hi\n', /^Missing required key 'version' at line 1$/],
    ['a phase without commands', 'version: 0.2\nphases:\n  build:\n    finally:\n      - echo hi\n', /^Missing required key 'commands' in phases\.build at line 3$/],
  ])('fails DOWNLOAD_SOURCE with YAML_FILE_ERROR for %s', async (_what, spec, message) => {
    const { b, log } = await run(spec);
    expect(b.buildStatus).toBe('FAILED');
    const ctx = phase(b, 'DOWNLOAD_SOURCE')!.contexts![0];
    expect(ctx.statusCode).toBe('YAML_FILE_ERROR');
    expect(ctx.message).toMatch(message);
    expect(log.some((l) => l.includes('Phase context status code: YAML_FILE_ERROR Message: '))).toBe(true);
    expect(phase(b, 'BUILD')).toBeUndefined();
  });
});
