import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodeCommitClient, CreateRepositoryCommand } from '@aws-sdk/client-codecommit';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { buildLog, getBytes, phase, phaseTable, pushTree, waitForBuild } from './support.js';

describe("the seed's CodeBuild flow through the aws CLI: the Node.js app builds, and a failing test fails BUILD", () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let cb: CodeBuildClient;
  let s3: S3Client;
  let main: string;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
    cb = new CodeBuildClient(sdkConfig(sw.url));
    s3 = new S3Client(sdkConfig(sw.url));
    await new CodeCommitClient(sdkConfig(sw.url)).send(new CreateRepositoryCommand({ repositoryName: 'my-repo' }));
    main = await pushTree(`${sw.url}/v1/repos/my-repo`, {});
    await pushTree(`${sw.url}/v1/repos/my-repo`, { 'src/math.js': 'export function add(a, b) {\n  return a - b;\n}\n' }, 'broken');
    await s3.send(new CreateBucketCommand({ Bucket: 'my-artifacts-bucket' }));
  });
  afterAll(() => sw.close());

  it('creates the project with the seed command, builds the default branch to SUCCEEDED and uploads dist/**/* and package.json', async () => {
    const created = await cli(
      'codebuild', 'create-project', '--name', 'my-build-project',
      '--source', 'type=CODECOMMIT,location=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/my-repo',
      '--artifacts', 'type=S3,location=my-artifacts-bucket',
      '--environment', 'type=LINUX_CONTAINER,image=aws/codebuild/standard:5.0,computeType=BUILD_GENERAL1_SMALL',
      '--service-role', 'arn:aws:iam::000000000000:role/CodeBuildRole',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.json<{ project: { arn: string } }>().project.arn).toBe('arn:aws:codebuild:us-east-1:000000000000:project/my-build-project');

    const started = await cli('codebuild', 'start-build', '--project-name', 'my-build-project');
    expect(started.code, started.stderr).toBe(0);
    const id = started.json<{ build: { id: string; buildNumber: number } }>().build.id;
    expect(id).toMatch(/^my-build-project:[0-9a-f-]{36}$/);
    await waitForBuild(cb, id);

    const got = await cli('codebuild', 'batch-get-builds', '--ids', id);
    const b = got.json<{ builds: Parameters<typeof phaseTable>[0][] }>().builds[0];
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(b.buildNumber).toBe(1);
    expect(b.resolvedSourceVersion).toBe(main);
    expect(b.initiator).toBe('root');
    expect(phaseTable(b).map(([t]) => t)).toEqual(['SUBMITTED', 'QUEUED', 'PROVISIONING', 'DOWNLOAD_SOURCE', 'INSTALL', 'PRE_BUILD', 'BUILD', 'POST_BUILD', 'UPLOAD_ARTIFACTS', 'FINALIZING', 'COMPLETED']);
    expect(phaseTable(b).slice(0, -1).every(([, s]) => s === 'SUCCEEDED')).toBe(true);
    expect(b.logs).toMatchObject({ groupName: '/aws/codebuild/my-build-project', streamName: id.split(':')[1] });
    expect(b.artifacts!.location).toBe('arn:aws:s3:::my-artifacts-bucket/my-build-project');

    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'my-artifacts-bucket' }))).Contents!.map((o) => o.Key).sort();
    expect(keys).toEqual(['my-build-project/dist/index.js', 'my-build-project/dist/lib/math.js', 'my-build-project/package.json']);
    expect(Buffer.from(await getBytes(s3, 'my-artifacts-bucket', 'my-build-project/dist/lib/math.js')).toString()).toContain('return a + b;');

    const log = await buildLog(sw.url, sdkConfig(sw.url), b);
    const text = log.join('\n');
    expect(log[0]).toMatch(/^\[Container\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} Running on Slipway CodeBuild with the local (bubblewrap|process) backend/);
    expect(text).toMatch(/CODEBUILD_SRC_DIR=.*\/codebuild\/output\/src\d+\/src\/git-codecommit\.us-east-1\.amazonaws\.com\/v1\/repos\/my-repo/);
    expect(text).toContain('Running command npm run test');
    expect(text).toContain('1 test passed');
    expect(log).toContain('Pushing to artifact repository...');
    expect(text).toContain('Phase complete: BUILD State: SUCCEEDED');
  });

  it('fails BUILD with the command and exit status when a test fails, still runs POST_BUILD (CODEBUILD_BUILD_SUCCEEDING=0) and attempts UPLOAD_ARTIFACTS', async () => {
    const started = await cli('codebuild', 'start-build', '--project-name', 'my-build-project', '--source-version', 'broken');
    const id = started.json<{ build: { id: string } }>().build.id;
    const b = await waitForBuild(cb, id);
    expect(b.buildStatus).toBe('FAILED');
    expect(b.buildNumber).toBe(2);
    expect(phase(b, 'PRE_BUILD')!.phaseStatus).toBe('SUCCEEDED');
    expect(phase(b, 'BUILD')!.phaseStatus).toBe('FAILED');
    expect(phase(b, 'BUILD')!.contexts).toEqual([{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: npm run test. Reason: exit status 1' }]);
    expect(phase(b, 'POST_BUILD')!.phaseStatus).toBe('SUCCEEDED');
    // dist was never built: the upload is attempted and fails naming the pattern, as on AWS.
    expect(phase(b, 'UPLOAD_ARTIFACTS')!.phaseStatus).toBe('FAILED');
    expect(phase(b, 'UPLOAD_ARTIFACTS')!.contexts![0]).toEqual({ statusCode: 'CLIENT_ERROR', message: 'no matching artifact paths found for pattern dist/**/*' });
    const log = await buildLog(sw.url, sdkConfig(sw.url), b);
    const text = log.join('\n');
    expect(text).toContain('Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: npm run test. Reason: exit status 1');
    expect(text).toContain('add(2, 3) should be 5');
    expect(text).not.toContain('Running command npm run build');
    expect(text).toContain('Build completed successfully');
    expect(log).not.toContain('Pushing to artifact repository...');
  });

  it('lists the builds newest first and refuses an unknown project', async () => {
    const listed = await cli('codebuild', 'list-builds-for-project', '--project-name', 'my-build-project');
    const ids = listed.json<{ ids: string[] }>().ids;
    expect(ids).toHaveLength(2);
    const b = await cb.send(new (await import('@aws-sdk/client-codebuild')).BatchGetBuildsCommand({ ids }));
    expect(b.builds!.map((x) => x.buildNumber)).toEqual([2, 1]);
    const missing = await cli('codebuild', 'start-build', '--project-name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('ResourceNotFoundException');
    expect(missing.stderr).toContain('Project cannot be found: arn:aws:codebuild:us-east-1:000000000000:project/nope');
  });
});
