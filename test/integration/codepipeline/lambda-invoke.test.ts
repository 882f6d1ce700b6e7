import { CodePipelineClient, CreatePipelineCommand, ListPipelineExecutionsCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { putZip } from './support.js';

describe('CodePipeline Invoke actions (Lambda)', () => {
  const invoked: Record<string, unknown>[] = [];
  // A stand-in Lambda that records the asynchronous invocations it receives.
  const lambda: ServiceDefinition = {
    name: 'lambda',
    create: () => ({
      provider: {
        async Invoke(input: { FunctionName: string; InvocationType?: string; Payload?: Uint8Array }) {
          invoked.push({ FunctionName: input.FunctionName, InvocationType: input.InvocationType, event: JSON.parse(Buffer.from(input.Payload!).toString()) });
          return { StatusCode: 202 };
        },
      },
    }),
  };
  let sw: TestSlipway;
  beforeAll(async () => {
    sw = await startSlipway({ services: [...SERVICES.filter((s) => s.name !== 'lambda'), lambda] });
  });
  afterAll(() => sw.close());

  it('invokes the function with the CodePipeline.job event and waits for its job result', async () => {
    const s3 = new S3Client(sdkConfig(sw.url));
    const cp = new CodePipelineClient(sdkConfig(sw.url));
    for (const b of ['artifacts', 'sources']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await putZip(s3, 'sources', 'app.zip', { a: 'b' });
    await cp.send(new CreatePipelineCommand({
      pipeline: {
        name: 'invoke', roleArn: 'arn:aws:iam::000000000000:role/r', artifactStore: { type: 'S3', location: 'artifacts' },
        stages: [
          { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip' }, outputArtifacts: [{ name: 'Src' }] }] },
          { name: 'Check', actions: [{ name: 'Smoke', actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' }, configuration: { FunctionName: 'smoke-test', UserParameters: 'https://staging' }, inputArtifacts: [{ name: 'Src' }] }] },
        ],
      },
    }));
    await sw.slipway.settled();
    expect(invoked).toHaveLength(1);
    const event = invoked[0].event as { 'CodePipeline.job': { id: string; data: { actionConfiguration: { configuration: Record<string, string> }; inputArtifacts: { name: string }[] } } };
    expect(invoked[0]).toMatchObject({ FunctionName: 'smoke-test', InvocationType: 'Event' });
    expect(event['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters).toBe('https://staging');
    expect(event['CodePipeline.job'].data.inputArtifacts[0].name).toBe('Src');
    const [running] = (await cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'invoke' }))).pipelineExecutionSummaries!;
    expect(running.status).toBe('InProgress');
    await cp.send(new PutJobSuccessResultCommand({ jobId: event['CodePipeline.job'].id }));
    await sw.slipway.settled();
    expect((await cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'invoke' }))).pipelineExecutionSummaries![0].status).toBe('Succeeded');
  });
});
