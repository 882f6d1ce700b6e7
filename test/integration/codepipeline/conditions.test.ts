import { CreatePipelineCommand, GetPipelineStateCommand, ListPipelineExecutionsCommand, ListRuleExecutionsCommand, ListRuleTypesCommand, StartPipelineExecutionCommand, type PipelineDeclaration, type StageDeclaration } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { bucket, objectText, putZip, start, type Env } from './support.js';

const check = (name: string, variable: string, operator: string, value: string) => ({
  name, ruleTypeId: { category: 'Rule' as const, owner: 'AWS' as const, provider: 'VariableCheck', version: '1' }, configuration: { Variable: variable, Operator: operator, Value: value },
});

function gated(name: string, deploy: Partial<StageDeclaration>): PipelineDeclaration {
  return {
    name,
    pipelineType: 'V2',
    roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
    artifactStore: { type: 'S3', location: 'artifacts' },
    variables: [{ name: 'env', defaultValue: 'dev' }],
    stages: [
      { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'Src' }] }] },
      { name: 'Deploy', actions: [{ name: 'Site', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: `${name}/#{variables.env}` }, inputArtifacts: [{ name: 'Src' }] }], ...deploy },
      { name: 'Report', actions: [{ name: 'Done', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: `${name}-done/#{variables.env}` }, inputArtifacts: [{ name: 'Src' }] }] },
    ],
  };
}

describe('CodePipeline stage conditions (VariableCheck rules)', () => {
  let env: Env;
  const latest = async (name: string) => (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries![0];
  const run = async (name: string, value: string) => {
    await env.cp.send(new StartPipelineExecutionCommand({ name, variables: [{ name: 'env', value }] }));
    await env.sw.slipway.settled();
    return latest(name);
  };
  const stageState = async (name: string, stage: string) => (await env.cp.send(new GetPipelineStateCommand({ name }))).stageStates!.find((s) => s.stageName === stage)!;

  beforeAll(async () => {
    env = await start();
    for (const b of ['artifacts', 'sources', 'site']) await bucket(env.s3, b);
    await putZip(env.s3, 'sources', 'app.zip', { 'index.html': 'hi' });
  });
  afterAll(() => env?.sw.close());

  it('beforeEntry FAIL: the stage runs only when its rules pass, and says why it did not', async () => {
    const cli = awsCli(env.sw.env);
    const created = await cli('codepipeline', 'create-pipeline', '--pipeline', JSON.stringify(gated('entry', { beforeEntry: { conditions: [{ result: 'FAIL', rules: [check('OnlyProd', '#{variables.env}', 'EQ', 'prod')] }] } })));
    expect(created.code, created.stderr).toBe(0);
    await env.sw.slipway.settled();
    expect(await latest('entry')).toMatchObject({ status: 'Failed', statusSummary: expect.stringContaining('entry conditions') });
    const state = (await cli('codepipeline', 'get-pipeline-state', '--name', 'entry')).json<{ stageStates: { stageName: string; beforeEntryConditionState?: { latestExecution: { status: string }; conditionStates: { ruleStates: { ruleName: string; latestExecution: { status: string } }[] }[] } }[] }>();
    const deploy = state.stageStates.find((s) => s.stageName === 'Deploy')!;
    expect(deploy.beforeEntryConditionState).toMatchObject({ latestExecution: { status: 'Failed' }, conditionStates: [{ ruleStates: [{ ruleName: 'OnlyProd', latestExecution: { status: 'Failed' } }] }] });

    const failedRun = await latest('entry');
    expect(await run('entry', 'prod')).toMatchObject({ status: 'Succeeded' });
    const rules = (await env.cp.send(new ListRuleExecutionsCommand({ pipelineName: 'entry' }))).ruleExecutionDetails!;
    expect(rules.map((r) => [r.ruleName, r.status, r.input?.resolvedConfiguration?.Variable])).toEqual([['OnlyProd', 'Succeeded', 'prod'], ['OnlyProd', 'Failed', 'dev']]);
    const only = await env.cp.send(new ListRuleExecutionsCommand({ pipelineName: 'entry', filter: { pipelineExecutionId: failedRun.pipelineExecutionId } }));
    expect(only.ruleExecutionDetails).toMatchObject([{ stageName: 'Deploy', status: 'Failed', input: { ruleTypeId: { provider: 'VariableCheck' }, configuration: { Variable: '#{variables.env}' } } }]);
    expect(await objectText(env.s3, 'site', 'entry/prod/index.html')).toBe('hi');
    expect((await stageState('entry', 'Deploy')).beforeEntryConditionState?.latestExecution?.status).toBe('Succeeded');
  });

  it('beforeEntry SKIP skips the stage and goes on to the next', async () => {
    await env.cp.send(new CreatePipelineCommand({ pipeline: gated('skip', { beforeEntry: { conditions: [{ result: 'SKIP', rules: [check('NotDocs', '#{variables.env}', 'NE', 'docs')] }] } }) }));
    await env.sw.slipway.settled();
    expect(await run('skip', 'docs')).toMatchObject({ status: 'Succeeded' });
    expect((await stageState('skip', 'Deploy')).latestExecution?.status).toBe('Skipped');
    expect(await objectText(env.s3, 'site', 'skip-done/docs/index.html')).toBe('hi');
    await expect(objectText(env.s3, 'site', 'skip/docs/index.html')).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('onSuccess FAIL fails a stage whose actions succeeded; MATCHES and CONTAINS rules; unknown rule providers fail saying so', async () => {
    await env.cp.send(new CreatePipelineCommand({
      pipeline: gated('after', { onSuccess: { conditions: [{ result: 'FAIL', rules: [check('Semver', '#{variables.env}', 'MATCHES', '^v\\d+\\.\\d+$'), check('NotBeta', '#{variables.env}', 'NE', 'v9.9')] }] } }),
    }));
    await env.sw.slipway.settled();
    expect(await latest('after')).toMatchObject({ status: 'Failed', statusSummary: expect.stringContaining('Semver') });
    expect(await objectText(env.s3, 'site', 'after/dev/index.html')).toBe('hi');
    expect(await run('after', 'v1.2')).toMatchObject({ status: 'Succeeded' });
    expect(await run('after', 'v9.9')).toMatchObject({ status: 'Failed', statusSummary: expect.stringContaining('NotBeta') });

    const alarm = { name: 'Alarm', ruleTypeId: { category: 'Rule' as const, owner: 'AWS' as const, provider: 'CloudWatchAlarm', version: '1' }, configuration: { AlarmName: 'x' } };
    await env.cp.send(new CreatePipelineCommand({ pipeline: gated('alarm', { beforeEntry: { conditions: [{ result: 'FAIL', rules: [alarm] }] } }) }));
    await env.sw.slipway.settled();
    expect(await latest('alarm')).toMatchObject({ status: 'Failed', statusSummary: expect.stringContaining('does not evaluate CloudWatchAlarm rules') });
    expect((await stageState('alarm', 'Deploy')).beforeEntryConditionState?.latestExecution?.status).toBe('Errored');
    const types = (await env.cp.send(new ListRuleTypesCommand({}))).ruleTypes!;
    expect(types.map((t) => t.id!.provider)).toEqual(['VariableCheck']);
  });

  it('onFailure conditions: the result applies only when its rules pass', async () => {
    const failing = gated('retry', {});
    const deploy = failing.stages![1];
    deploy.actions = deploy.actions!.map((a) => ({ ...a, configuration: { ...a.configuration, BucketName: 'no-such-bucket' } }));
    deploy.onFailure = { conditions: [{ result: 'RETRY', rules: [check('RetryProd', '#{variables.env}', 'CONTAINS', 'prod')] }] };
    await env.cp.send(new CreatePipelineCommand({ pipeline: failing }));
    await env.sw.slipway.settled();
    const deployDev = await stageState('retry', 'Deploy');
    expect(deployDev.retryStageMetadata).toBeUndefined();
    expect(deployDev.onFailureConditionState?.latestExecution?.status).toBe('Failed');
    await run('retry', 'preprod');
    const deployProd = await stageState('retry', 'Deploy');
    expect(deployProd.retryStageMetadata).toMatchObject({ autoStageRetryAttempt: 1 });
    expect(deployProd.onFailureConditionState?.latestExecution?.status).toBe('Succeeded');
  });

  it('refuses conditions with a result their kind does not allow, no rules, or a broken VariableCheck', async () => {
    const refused = (deploy: Partial<StageDeclaration>) => {
      const p = gated('bad', deploy);
      return env.cp.send(new CreatePipelineCommand({ pipeline: p })).then(() => undefined, (e: Error) => [e.name, e.message]);
    };
    const ok = check('Ok', '#{variables.env}', 'EQ', 'x');
    expect(await refused({ beforeEntry: { conditions: [{ result: 'ROLLBACK', rules: [ok] }] } })).toEqual(['ValidationException', expect.stringContaining('FAIL or SKIP')]);
    expect(await refused({ onFailure: { conditions: [{ result: 'SKIP', rules: [ok] }] } })).toEqual(['ValidationException', expect.stringContaining('ROLLBACK or RETRY')]);
    expect(await refused({ onSuccess: { conditions: [{ result: 'FAIL' }] } })).toEqual(['ValidationException', expect.stringContaining('at least one rule')]);
    expect(await refused({ onSuccess: { conditions: [{ result: 'FAIL', rules: [check('Bad', '#{variables.env}', 'GT', '1')] }] } })).toEqual(['ValidationException', expect.stringContaining('Operator')]);
    expect(await refused({ beforeEntry: { conditions: [{ result: 'FAIL', rules: [{ ...ok, configuration: { Variable: 'x' } }] }] } })).toEqual(['ValidationException', expect.stringContaining('Value, Operator')]);
    const v1 = gated('bad', { beforeEntry: { conditions: [{ result: 'FAIL', rules: [ok] }] } });
    v1.stages![1].actions = v1.stages![1].actions!.map((a) => ({ ...a, configuration: { ...a.configuration, ObjectKey: 'x' } }));
    delete v1.pipelineType;
    delete v1.variables;
    expect(await env.cp.send(new CreatePipelineCommand({ pipeline: v1 })).then(() => 'created', (e: Error) => e.message)).toContain('only supported for V2');
  });
});
