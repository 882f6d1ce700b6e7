import {
  BatchDeleteBuildsCommand, BatchGetProjectsCommand, CodeBuildClient, CreateProjectCommand, DeleteProjectCommand, ListBuildsCommand, ListProjectsCommand,
  RetryBuildCommand, StartBuildCommand, StopBuildCommand, UpdateProjectCommand,
} from '@aws-sdk/client-codebuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { waitForBuild } from './support.js';

const ENV = { type: 'LINUX_CONTAINER' as const, image: 'aws/codebuild/standard:5.0', computeType: 'BUILD_GENERAL1_SMALL' as const };
const base = { source: { type: 'NO_SOURCE' as const, buildspec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "$GREETING"\n' }, artifacts: { type: 'NO_ARTIFACTS' as const }, environment: ENV, serviceRole: 'arn:aws:iam::000000000000:role/r' };

describe('projects and builds API: validation, defaults, sorting, paging, retry, idempotency, deletion', () => {
  let sw: TestSlipway;
  let cb: CodeBuildClient;
  beforeAll(async () => {
    sw = await startSlipway();
    cb = new CodeBuildClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('creates projects with AWS defaults and refuses duplicates and incomplete definitions', async () => {
    const p = (await cb.send(new CreateProjectCommand({ name: 'alpha', ...base }))).project!;
    expect(p).toMatchObject({ name: 'alpha', arn: 'arn:aws:codebuild:us-east-1:000000000000:project/alpha', timeoutInMinutes: 60, queuedTimeoutInMinutes: 480, cache: { type: 'NO_CACHE' }, encryptionKey: 'arn:aws:kms:us-east-1:000000000000:alias/aws/s3', logsConfig: { cloudWatchLogs: { status: 'ENABLED' } }, badge: { badgeEnabled: false } });
    await expect(cb.send(new CreateProjectCommand({ name: 'alpha', ...base }))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException', message: 'Project already exists: arn:aws:codebuild:us-east-1:000000000000:project/alpha' });
    await expect(cb.send(new CreateProjectCommand({ name: 'bad-source', ...base, source: { type: 'CODECOMMIT' } }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(cb.send(new CreateProjectCommand({ name: 'bad-artifacts', ...base, artifacts: { type: 'S3' } }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(cb.send(new CreateProjectCommand({ name: 'bad-pipeline', ...base, source: { type: 'CODEPIPELINE' } }))).rejects.toMatchObject({ name: 'InvalidInputException', message: 'Invalid input: when using CodePipeline both sourceType, and artifactType must be set to: CODEPIPELINE' });
    await expect(cb.send(new CreateProjectCommand({ name: 'bad-timeout', ...base, timeoutInMinutes: 1 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('updates, lists with sort and pages, batch-gets by name or ARN, and deletes', async () => {
    for (const name of ['charlie', 'bravo']) await cb.send(new CreateProjectCommand({ name, ...base }));
    const updated = (await cb.send(new UpdateProjectCommand({ name: 'alpha', description: 'first', timeoutInMinutes: 30 }))).project!;
    expect(updated).toMatchObject({ description: 'first', timeoutInMinutes: 30, source: base.source });
    await expect(cb.send(new UpdateProjectCommand({ name: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await cb.send(new ListProjectsCommand({ sortBy: 'NAME', sortOrder: 'ASCENDING' }))).projects).toEqual(['alpha', 'bravo', 'charlie']);
    expect((await cb.send(new ListProjectsCommand({}))).projects![0]).toBe('alpha'); // last modified first
    const got = await cb.send(new BatchGetProjectsCommand({ names: ['bravo', 'arn:aws:codebuild:us-east-1:000000000000:project/charlie', 'zulu'] }));
    expect(got.projects!.map((p) => p.name)).toEqual(['bravo', 'charlie']);
    expect(got.projectsNotFound).toEqual(['zulu']);
    await cb.send(new DeleteProjectCommand({ name: 'charlie' }));
    expect((await cb.send(new BatchGetProjectsCommand({ names: ['charlie'] }))).projectsNotFound).toEqual(['charlie']);
  });

  it('starts builds with numbers, honours idempotency tokens, retries with the same settings, stops and deletes', async () => {
    const one = (await cb.send(new StartBuildCommand({ projectName: 'bravo', idempotencyToken: 'tok', environmentVariablesOverride: [{ name: 'GREETING', value: 'hi' }] }))).build!;
    const again = (await cb.send(new StartBuildCommand({ projectName: 'bravo', idempotencyToken: 'tok' }))).build!;
    expect(again.id).toBe(one.id);
    expect(one).toMatchObject({ buildNumber: 1, buildStatus: 'IN_PROGRESS', buildComplete: false, initiator: 'root', projectName: 'bravo' });
    await waitForBuild(cb, one.id!);
    const retried = (await cb.send(new RetryBuildCommand({ id: one.arn }))).build!;
    expect(retried.buildNumber).toBe(2);
    const done = await waitForBuild(cb, retried.id!);
    expect(done.environment!.environmentVariables).toEqual([{ name: 'GREETING', value: 'hi' }]);
    const stopped = (await cb.send(new StopBuildCommand({ id: one.id }))).build!;
    expect(stopped.buildStatus).toBe('SUCCEEDED');
    const listed = (await cb.send(new ListBuildsCommand({ sortOrder: 'ASCENDING' }))).ids!;
    expect(listed).toEqual([one.id, retried.id]);
    const deleted = await cb.send(new BatchDeleteBuildsCommand({ ids: [one.id!, 'bravo:00000000-0000-0000-0000-000000000000'] }));
    expect(deleted.buildsDeleted).toEqual([one.id]);
    expect(deleted.buildsNotDeleted).toEqual([{ id: 'bravo:00000000-0000-0000-0000-000000000000', statusCode: 'BUILD_NOT_FOUND' }]);
    await expect(cb.send(new StartBuildCommand({ projectName: 'bravo', environmentVariablesOverride: [{ name: 'CODEBUILD_X', value: '1' }] }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('throttles StartBuild at the project concurrentBuildLimit', async () => {
    await cb.send(new CreateProjectCommand({ name: 'limited', ...base, concurrentBuildLimit: 1 }));
    const first = (await cb.send(new StartBuildCommand({ projectName: 'limited', buildspecOverride: 'version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 0.3\n' }))).build!;
    await expect(cb.send(new StartBuildCommand({ projectName: 'limited' }))).rejects.toMatchObject({ name: 'AccountLimitExceededException', message: 'Cannot have more than 1 active builds for the project limited' });
    expect((await waitForBuild(cb, first.id!)).buildStatus).toBe('SUCCEEDED');
    expect((await cb.send(new StartBuildCommand({ projectName: 'limited' }))).build!.buildNumber).toBe(2);
  });

  it('retries a failed build automatically up to the project autoRetryLimit, chaining the retries', async () => {
    await cb.send(new CreateProjectCommand({ name: 'flaky', ...base, autoRetryLimit: 2 }));
    const first = (await cb.send(new StartBuildCommand({ projectName: 'flaky', buildspecOverride: 'version: 0.2\nphases:\n  build:\n    commands:\n      - exit 1\n' }))).build!;
    expect(first.autoRetryConfig).toEqual({ autoRetryLimit: 2, autoRetryNumber: 0 });
    // The next retry is recorded just after a build completes: wait for it, or for the last one.
    const settled = async (id: string) => {
      for (;;) {
        const b = await waitForBuild(cb, id);
        if (b.autoRetryConfig!.nextAutoRetry || b.autoRetryConfig!.autoRetryNumber === 2) return b;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const chain = [await settled(first.id!)];
    while (chain[chain.length - 1].autoRetryConfig!.nextAutoRetry) chain.push(await settled(chain[chain.length - 1].autoRetryConfig!.nextAutoRetry!));
    expect(chain.map((b) => [b.buildNumber, b.buildStatus, b.autoRetryConfig!.autoRetryNumber, b.autoRetryConfig!.previousAutoRetry])).toEqual([
      [1, 'FAILED', 0, undefined],
      [2, 'FAILED', 1, first.id],
      [3, 'FAILED', 2, chain[1].id],
    ]);
    expect(chain[2].autoRetryConfig!.nextAutoRetry).toBeUndefined();
  });
});
