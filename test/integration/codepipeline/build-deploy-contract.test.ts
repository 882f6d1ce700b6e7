import { CodePipelineClient, CreatePipelineCommand, ListActionExecutionsCommand, StartPipelineExecutionCommand, StopPipelineExecutionCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { execution, putZip, stage, zip } from './support.js';

type Input = Record<string, unknown>;

/**
 * Stand-ins for CodeBuild and CodeDeploy speaking their API contract: builds and deployments
 * stay in progress until the test finishes them, so polling and stopping can be observed.
 */
function fakes(s3: () => S3Client) {
  const calls: { op: string; input: Input }[] = [];
  const builds = new Map<string, { status: string; input: Input }>();
  const deployments = new Map<string, string>();
  const codebuild: ServiceDefinition = {
    name: 'codebuild',
    create: () => ({
      provider: {
        async StartBuild(input: Input) {
          calls.push({ op: 'StartBuild', input });
          const id = `${String(input.projectName)}:${builds.size + 1}`;
          builds.set(id, { status: 'IN_PROGRESS', input });
          return { build: { id, buildStatus: 'IN_PROGRESS' } };
        },
        async BatchGetBuilds(input: { ids: string[] }) {
          calls.push({ op: 'BatchGetBuilds', input });
          return {
            builds: input.ids.map((id) => {
              const b = builds.get(id)!;
              if (b.status === 'FAILED') return { id, buildStatus: 'FAILED', phases: [{ phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: npm test. Reason: exit status 1' }] }] };
              return { id, buildStatus: b.status, exportedEnvironmentVariables: b.status === 'SUCCEEDED' ? [{ name: 'IMAGE_TAG', value: 'v42' }] : [] };
            }),
            buildsNotFound: [],
          };
        },
        async StopBuild(input: { id: string }) {
          calls.push({ op: 'StopBuild', input });
          builds.get(input.id)!.status = 'STOPPED';
          return { build: { id: input.id, buildStatus: 'STOPPED' } };
        },
      },
    }),
  };
  const codedeploy: ServiceDefinition = {
    name: 'codedeploy',
    create: () => ({
      provider: {
        async CreateDeployment(input: Input) {
          calls.push({ op: 'CreateDeployment', input });
          const id = `d-${deployments.size + 1}ABCDEFG`;
          deployments.set(id, 'InProgress');
          return { deploymentId: id };
        },
        async GetDeployment(input: { deploymentId: string }) {
          calls.push({ op: 'GetDeployment', input });
          return { deploymentInfo: { deploymentId: input.deploymentId, status: deployments.get(input.deploymentId) } };
        },
      },
    }),
  };
  /** Finishes a build: writes its output zip where the override said, then reports the status. */
  async function finishBuild(id: string, status: 'SUCCEEDED' | 'FAILED') {
    const b = builds.get(id)!;
    const art = b.input.artifactsOverride as { location: string; path: string; name: string };
    if (status === 'SUCCEEDED') await s3().send(new PutObjectCommand({ Bucket: art.location, Key: `${art.path}/${art.name}`, Body: zip({ 'dist/app.js': 'built' }) }));
    b.status = status;
  }
  return { calls, builds, deployments, finishBuild, services: [...SERVICES.filter((s) => s.name !== 'codebuild' && s.name !== 'codedeploy'), codebuild, codedeploy] };
}

const pipeline: PipelineDeclaration = {
  name: 'contract',
  roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
  artifactStore: { type: 'S3', location: 'artifacts' },
  stages: [
    { name: 'Source', actions: [
      { name: 'App', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'SourceOutput' }] },
      { name: 'Lib', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'lib.zip', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'LibOutput' }] },
    ] },
    { name: 'Build', actions: [{ name: 'BuildAction', namespace: 'BuildVariables', actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, configuration: { ProjectName: 'my-build-project', PrimarySource: 'SourceOutput', EnvironmentVariables: '[{"name":"STAGE","value":"prod","type":"PLAINTEXT"}]' }, inputArtifacts: [{ name: 'SourceOutput' }, { name: 'LibOutput' }], outputArtifacts: [{ name: 'BuildOutput' }] }] },
    { name: 'Deploy', actions: [{ name: 'DeployAction', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CodeDeploy', version: '1' }, configuration: { ApplicationName: 'my-application', DeploymentGroupName: 'production' }, inputArtifacts: [{ name: 'BuildOutput' }] }] },
  ],
};

describe('CodeBuild and CodeDeploy actions against their API contract', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 26));
  let sw: TestSlipway;
  let cp: CodePipelineClient;
  let s3: S3Client;
  const f = fakes(() => s3);
  beforeAll(async () => {
    sw = await startSlipway({ clock, services: f.services });
    cp = new CodePipelineClient(sdkConfig(sw.url));
    s3 = new S3Client(sdkConfig(sw.url));
    for (const b of ['artifacts', 'sources']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await putZip(s3, 'sources', 'app.zip', { 'package.json': '{}' });
    await putZip(s3, 'sources', 'lib.zip', { 'lib.txt': 'lib' });
  });
  afterAll(() => sw.close());

  const tick = async () => {
    clock.advance(100);
    await sw.slipway.settled();
  };

  it('starts the build with S3 sources and artifact overrides, polls it, then deploys its output zip', async () => {
    await cp.send(new CreatePipelineCommand({ pipeline }));
    await sw.slipway.settled();
    const start = f.calls.find((c) => c.op === 'StartBuild')!.input;
    expect(start).toMatchObject({
      projectName: 'my-build-project',
      sourceTypeOverride: 'S3',
      sourceLocationOverride: expect.stringMatching(/^artifacts\/contract\/SourceOutp\/[A-Za-z0-9]{7}$/),
      secondarySourcesOverride: [{ type: 'S3', location: expect.stringMatching(/^artifacts\/contract\/LibOutput\//), sourceIdentifier: 'LibOutput' }],
      artifactsOverride: { type: 'S3', location: 'artifacts', path: 'contract/BuildOutpu', name: expect.stringMatching(/^[A-Za-z0-9]{7}$/), packaging: 'ZIP', namespaceType: 'NONE' },
      environmentVariablesOverride: [{ name: 'STAGE', value: 'prod', type: 'PLAINTEXT' }],
    });
    const [id] = [...f.builds.keys()];
    const build = await stage(cp, 'contract', 'Build');
    expect(build.actionStates![0].latestExecution).toMatchObject({ status: 'InProgress', externalExecutionId: id, externalExecutionUrl: `https://console.aws.amazon.com/codebuild/home?region=us-east-1#/builds/${encodeURIComponent(id)}/view/new` });
    await tick();
    await tick();
    expect(f.calls.filter((c) => c.op === 'BatchGetBuilds').length).toBeGreaterThanOrEqual(2);
    await f.finishBuild(id, 'SUCCEEDED');
    await tick();
    const deploy = f.calls.find((c) => c.op === 'CreateDeployment')!.input;
    const art = start.artifactsOverride as { path: string; name: string };
    expect(deploy).toMatchObject({ applicationName: 'my-application', deploymentGroupName: 'production', revision: { revisionType: 'S3', s3Location: { bucket: 'artifacts', key: `${art.path}/${art.name}`, bundleType: 'zip' } } });
    const [deploymentId] = [...f.deployments.keys()];
    f.deployments.set(deploymentId, 'Succeeded');
    await tick();
    const [summary] = (await cp.send(new ListActionExecutionsCommand({ pipelineName: 'contract' }))).actionExecutionDetails!.filter((a) => a.actionName === 'BuildAction');
    expect(summary.output?.outputVariables).toEqual({ IMAGE_TAG: 'v42' });
    const deployState = (await stage(cp, 'contract', 'Deploy')).actionStates![0].latestExecution!;
    expect(deployState).toMatchObject({ status: 'Succeeded', externalExecutionId: deploymentId, externalExecutionUrl: `https://console.aws.amazon.com/codedeploy/home?region=us-east-1#/deployments/${deploymentId}` });
  });

  it('reports a failed build with its failing phase, code and message', async () => {
    const { pipelineExecutionId: id } = await cp.send(new StartPipelineExecutionCommand({ name: 'contract' }));
    await sw.slipway.settled();
    const buildId = [...f.builds.keys()].pop()!;
    await f.finishBuild(buildId, 'FAILED');
    await tick();
    expect((await execution(cp, 'contract', id!)).status).toBe('Failed');
    expect((await stage(cp, 'contract', 'Build')).actionStates![0].latestExecution!.errorDetails).toEqual({
      code: 'JobFailed', message: 'Build terminated with state: FAILED. Phase: BUILD. Code: COMMAND_EXECUTION_ERROR. Message: Error while executing command: npm test. Reason: exit status 1',
    });
  });

  it('stops the running build when the execution is stopped and abandoned', async () => {
    const { pipelineExecutionId: id } = await cp.send(new StartPipelineExecutionCommand({ name: 'contract' }));
    await sw.slipway.settled();
    const buildId = [...f.builds.keys()].pop()!;
    await cp.send(new StopPipelineExecutionCommand({ pipelineName: 'contract', pipelineExecutionId: id, abandon: true }));
    await tick();
    expect(f.calls.filter((c) => c.op === 'StopBuild').map((c) => c.input)).toEqual([{ id: buildId }]);
    expect(f.builds.get(buildId)!.status).toBe('STOPPED');
    expect((await execution(cp, 'contract', id!)).status).toBe('Stopped');
  });
});
