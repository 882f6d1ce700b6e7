import {
  CreatePipelineCommand, DeletePipelineCommand, GetPipelineCommand, ListActionTypesCommand, ListPipelinesCommand, ListTagsForResourceCommand, TagResourceCommand,
  UntagResourceCommand, UpdatePipelineCommand,
} from '@aws-sdk/client-codepipeline';
import type { PipelineDeclaration } from '../../../src/aws/models/generated/codepipeline.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucket, start, workerPipeline, type Env } from './support.js';

type Mutate = (p: PipelineDeclaration) => void;
const s3Source = { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' } as const;
const s3Deploy = { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' } as const;

/** A valid two-stage pipeline (S3 source → S3 deploy) for each case to break. */
function base(): PipelineDeclaration {
  return {
    name: 'shape',
    roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      { name: 'Source', actions: [{ name: 'Src', actionTypeId: s3Source, configuration: { S3Bucket: 'b', S3ObjectKey: 'k.zip' }, outputArtifacts: [{ name: 'Out' }] }] },
      { name: 'Deploy', actions: [{ name: 'Dep', actionTypeId: s3Deploy, configuration: { BucketName: 'site', Extract: 'true' }, inputArtifacts: [{ name: 'Out' }] }] },
    ],
  };
}

const CASES: [string, string, RegExp, Mutate][] = [
  ['one stage', 'InvalidStructureException', /Pipeline has only 1 stage\(s\)\. There should be a minimum of 2 stages in a pipeline/, (p) => void p.stages.pop()],
  ['duplicate stage names', 'InvalidStructureException', /duplicate stage names: Source/, (p) => (p.stages[1].name = 'Source')],
  ['a stage without actions', 'InvalidStageDeclarationException', /Stage Deploy should have at least one action/, (p) => (p.stages[1].actions = [])],
  ['a build action in the first stage', 'InvalidStructureException', /first stage .* must contain only source actions/, (p) => p.stages[0].actions.push({ name: 'X', actionTypeId: s3Deploy, configuration: { BucketName: 'x', Extract: 'true' }, inputArtifacts: [{ name: 'Out' }], runOrder: 2 })],
  ['a source action after the first stage', 'InvalidStructureException', /Source actions are allowed only in the first stage/, (p) => p.stages[1].actions.push({ name: 'Src2', actionTypeId: s3Source, configuration: { S3Bucket: 'b', S3ObjectKey: 'k' }, outputArtifacts: [{ name: 'O2' }] })],
  ['an unknown provider', 'InvalidActionDeclarationException', /ActionType \(Category: 'Deploy', Provider: 'Nope', Owner: 'AWS', Version: '1'\) in action 'Dep' is not available in region 'US_EAST_1'/, (p) => (p.stages[1].actions[0].actionTypeId = { ...s3Deploy, provider: 'Nope' })],
  ['a wrong category for a provider', 'InvalidActionDeclarationException', /Category: 'Build', Provider: 'S3'/, (p) => (p.stages[1].actions[0].actionTypeId = { ...s3Deploy, category: 'Build' })],
  ['an unregistered custom action', 'InvalidActionDeclarationException', /Owner: 'Custom'/, (p) => (p.stages[1].actions[0].actionTypeId = { ...s3Deploy, owner: 'Custom', provider: 'Mine' })],
  ['a missing configuration key', 'InvalidActionDeclarationException', /Action configuration for action 'Src' is missing required configuration 'S3ObjectKey'/, (p) => delete p.stages[0].actions[0].configuration!.S3ObjectKey],
  ['an unknown configuration key', 'InvalidActionDeclarationException', /Action configuration for action 'Dep' contains unknown configuration 'Colour'/, (p) => (p.stages[1].actions[0].configuration!.Colour = 'blue')],
  ['S3 deploy without extract and key', 'InvalidActionDeclarationException', /missing required configuration 'ObjectKey'/, (p) => (p.stages[1].actions[0].configuration!.Extract = 'false')],
  ['too few input artifacts', 'InvalidActionDeclarationException', /Action Dep declares 0 input artifacts which is less than the minimum count \(1\)/, (p) => (p.stages[1].actions[0].inputArtifacts = [])],
  ['too many output artifacts', 'InvalidActionDeclarationException', /Action Src declares 2 output artifacts which exceeds the maximum count \(1\)/, (p) => p.stages[0].actions[0].outputArtifacts!.push({ name: 'Out2' })],
  ['an input nobody produced', 'InvalidStructureException', /Input Artifact Bundle Missing in action 'Dep' is not declared as an output artifact/, (p) => (p.stages[1].actions[0].inputArtifacts = [{ name: 'Missing' }])],
  ['an input produced at the same run order', 'InvalidStructureException', /Input Artifact Bundle Mid in action 'Dep'/, (p) => p.stages[1].actions.push({ name: 'Copy', actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, configuration: { ProjectName: 'x' }, inputArtifacts: [{ name: 'Out' }], outputArtifacts: [{ name: 'Mid' }] }) && (p.stages[1].actions[0].inputArtifacts = [{ name: 'Mid' }])],
  ['a duplicate output artifact', 'InvalidStructureException', /Output Artifact Bundle name must be unique within the pipeline\. Out has been used more than once/, (p) => p.stages[1].actions.push({ name: 'B', actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, configuration: { ProjectName: 'x' }, inputArtifacts: [{ name: 'Out' }], outputArtifacts: [{ name: 'Out' }] })],
  ['duplicate action names', 'InvalidStructureException', /duplicate action names: Dep/, (p) => p.stages[1].actions.push({ ...p.stages[1].actions[0], runOrder: 2 })],
  ['a duplicate namespace', 'InvalidStructureException', /Namespace Vars is used by more than one action/, (p) => ((p.stages[0].actions[0].namespace = 'Vars'), (p.stages[1].actions[0].namespace = 'Vars'))],
  ['no artifact store', 'InvalidStructureException', /either artifactStore or artifactStores/, (p) => delete p.artifactStore],
  ['variables on a V1 pipeline', 'ValidationException', /only supported for V2 pipelines/, (p) => (p.variables = [{ name: 'env', defaultValue: 'dev' }])],
  ['QUEUED mode on a V1 pipeline', 'ValidationException', /Execution mode QUEUED is only supported for V2 pipelines/, (p) => (p.executionMode = 'QUEUED')],
  ['a trigger on an unknown source action', 'ValidationException', /sourceActionName Nope does not match a source action/, (p) => ((p.pipelineType = 'V2'), (p.triggers = [{ providerType: 'CodeStarSourceConnection', gitConfiguration: { sourceActionName: 'Nope', push: [{ branches: { includes: ['main'] } }] } }]))],
  ['a runOrder out of range', 'ValidationException', /runOrder/, (p) => (p.stages[1].actions[0].runOrder = 1000)],
];

describe('CodePipeline structure validation and the pipelines API', () => {
  let env: Env;
  beforeAll(async () => {
    env = await start();
    await bucket(env.s3, 'artifacts');
  });
  afterAll(() => env.sw.close());

  it.each(CASES)('refuses %s with %s', async (_what, code, message, mutate) => {
    const p = base();
    mutate(p);
    const error = await env.cp.send(new CreatePipelineCommand({ pipeline: p })).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe(code);
    expect(error?.message).toMatch(message);
    expect((await env.cp.send(new ListPipelinesCommand({}))).pipelines!.map((x) => x.name)).not.toContain('shape');
  });

  it('keeps versions, metadata and tags; refuses a stale update; deletes', async () => {
    const created = await env.cp.send(new CreatePipelineCommand({ pipeline: workerPipeline('versions', { stages: base().stages }), tags: [{ key: 'team', value: 'web' }] }));
    expect(created.tags).toEqual([{ key: 'team', value: 'web' }]);
    const got = await env.cp.send(new GetPipelineCommand({ name: 'versions' }));
    expect(got.metadata?.pipelineArn).toBe('arn:aws:codepipeline:us-east-1:000000000000:versions');
    expect(got.pipeline).toMatchObject({ version: 1, pipelineType: 'V1', executionMode: 'SUPERSEDED' });
    const changed = { ...got.pipeline!, stages: got.pipeline!.stages!.map((s, i) => (i === 1 ? { ...s, name: 'Publish' } : s)) };
    expect((await env.cp.send(new UpdatePipelineCommand({ pipeline: changed }))).pipeline?.version).toBe(2);
    await expect(env.cp.send(new UpdatePipelineCommand({ pipeline: changed }))).rejects.toMatchObject({ name: 'InvalidStructureException' });
    expect((await env.cp.send(new GetPipelineCommand({ name: 'versions', version: 1 }))).pipeline!.stages![1].name).toBe('Deploy');
    expect((await env.cp.send(new GetPipelineCommand({ name: 'versions' }))).pipeline!.stages![1].name).toBe('Publish');
    await expect(env.cp.send(new GetPipelineCommand({ name: 'versions', version: 9 }))).rejects.toMatchObject({ name: 'PipelineVersionNotFoundException' });
    const arn = got.metadata!.pipelineArn!;
    await env.cp.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'stage', value: 'prod' }] }));
    await env.cp.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    expect((await env.cp.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'stage', value: 'prod' }]);
    expect((await env.cp.send(new ListPipelinesCommand({}))).pipelines!.find((p) => p.name === 'versions')).toMatchObject({ version: 2, pipelineType: 'V1' });
    await env.sw.slipway.settled();
    await env.cp.send(new DeletePipelineCommand({ name: 'versions' }));
    await expect(env.cp.send(new GetPipelineCommand({ name: 'versions' }))).rejects.toMatchObject({ name: 'PipelineNotFoundException', message: "Account '000000000000' does not have a pipeline with name 'versions'" });
  });

  it('lists AWS action types and custom ones', async () => {
    const types = (await env.cp.send(new ListActionTypesCommand({ actionOwnerFilter: 'AWS' }))).actionTypes!;
    expect(types.map((t) => `${t.id!.category}/${t.id!.provider}`)).toEqual(expect.arrayContaining(['Source/CodeCommit', 'Build/CodeBuild', 'Deploy/CodeDeploy', 'Deploy/S3', 'Approval/Manual']));
    const cc = types.find((t) => t.id!.provider === 'CodeCommit')!;
    expect(cc.actionConfigurationProperties!.filter((c) => c.required).map((c) => c.name)).toEqual(['RepositoryName', 'BranchName']);
  });
});
