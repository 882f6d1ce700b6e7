import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaOperations } from '../../../src/aws/models/generated/lambda.js';
import type { ClientOf } from '../../../src/aws/gateway/aws-client.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { ROLE, nodeEcho } from './zip.js';

/** What CodeDeploy's Lambda deployments call through the in-process client while shifting an alias. */
describe('Lambda through the in-process client (as CodeDeploy calls it)', () => {
  let s: TestSlipway;
  let lambda: ClientOf<LambdaOperations>;

  beforeAll(async () => {
    s = await startSlipway();
    lambda = s.slipway.aws.service<LambdaOperations>('lambda', { accountId: '000000000000', region: 'us-east-1' });
    await lambda.CreateFunction({ FunctionName: 'api', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: nodeEcho('blue') }, Publish: true });
    await lambda.UpdateFunctionCode({ FunctionName: 'api', ZipFile: nodeEcho('green'), Publish: true });
    await lambda.CreateAlias({ FunctionName: 'api', Name: 'live', FunctionVersion: '1' });
  });
  afterAll(() => s.close());

  it('reads versions by qualifier, shifts the alias by weight, invokes through it, and completes the shift', async () => {
    expect((await lambda.GetFunctionConfiguration({ FunctionName: 'api', Qualifier: '2' })).Version).toBe('2');
    expect((await lambda.GetFunction({ FunctionName: 'api', Qualifier: 'live' })).Configuration).toMatchObject({ Version: '1', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:api:live' });
    const alias = await lambda.GetAlias({ FunctionName: 'api', Name: 'live' });
    // The canary step: 10% to the new version, guarded by the alias's revision.
    const canary = await lambda.UpdateAlias({ FunctionName: 'api', Name: 'live', RevisionId: alias.RevisionId, RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } });
    expect(canary.RoutingConfig).toEqual({ AdditionalVersionWeights: { '2': 0.1 } });
    const out = await lambda.Invoke({ FunctionName: 'api', Qualifier: 'live', Payload: Buffer.from('{"x":1}') });
    expect(['1', '2']).toContain(out.ExecutedVersion);
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ tag: out.ExecutedVersion === '2' ? 'green' : 'blue', event: { x: 1 } });
    // The final step: everything on the new version, no routing left.
    const done = await lambda.UpdateAlias({ FunctionName: 'api', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } });
    expect(done).toMatchObject({ FunctionVersion: '2' });
    expect(done.RoutingConfig).toBeUndefined();
    const after = await lambda.Invoke({ FunctionName: 'api:live' });
    expect(after.ExecutedVersion).toBe('2');
    const stale = await lambda.UpdateAlias({ FunctionName: 'api', Name: 'live', RevisionId: alias.RevisionId, FunctionVersion: '1' }).catch((e: Error) => e);
    expect(stale).toMatchObject({ code: 'PreconditionFailedException' });
  });
});
