import { AcknowledgeJobCommand, CodePipelineClient, CreateCustomActionTypeCommand, CreatePipelineCommand, GetPipelineExecutionCommand, ListPipelineExecutionsCommand, PollForJobsCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSlipway } from '../../helpers/process.js';
import { sdkConfig } from '../../helpers/slipway.js';
import { WORKER_TYPE, bucket, objectBytes, objectText, putZip, workerPipeline } from './support.js';

describe('a pipeline execution survives kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cp-kill-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the running action and its job across a SIGKILL, and finishes after the restart', async () => {
    const first = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
    const cp = new CodePipelineClient(sdkConfig(first.url));
    const s3 = new S3Client(sdkConfig(first.url));
    for (const b of ['artifacts', 'sources', 'site']) await bucket(s3, b);
    await putZip(s3, 'sources', 'app.zip', { 'index.html': 'survived' });
    await cp.send(new CreateCustomActionTypeCommand({ category: 'Build', provider: 'JenkinsBuild', version: '1', configurationProperties: [{ name: 'ProjectName', required: true, key: true, secret: false }], inputArtifactDetails: { minimumCount: 0, maximumCount: 5 }, outputArtifactDetails: { minimumCount: 0, maximumCount: 5 } }));
    await cp.send(new CreatePipelineCommand({ pipeline: workerPipeline('killed') }));
    let job;
    for (let i = 0; i < 2000 && !job; i++) job = (await cp.send(new PollForJobsCommand({ actionTypeId: WORKER_TYPE }))).jobs?.[0];
    expect(job).toBeDefined();
    await cp.send(new AcknowledgeJobCommand({ jobId: job!.id!, nonce: job!.nonce! }));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnSlipway(['--port', '0', '--data-dir', dataDir]);
    try {
      const cp2 = new CodePipelineClient(sdkConfig(second.url));
      const s32 = new S3Client(sdkConfig(second.url));
      const input = job!.data!.inputArtifacts![0].location!.s3Location!;
      const out = job!.data!.outputArtifacts![0].location!.s3Location!;
      await s32.send(new PutObjectCommand({ Bucket: out.bucketName, Key: out.objectKey, Body: await objectBytes(s32, input.bucketName!, input.objectKey!) }));
      await cp2.send(new PutJobSuccessResultCommand({ jobId: job!.id!, outputVariables: { Version: 'k9' } }));
      const id = job!.data!.pipelineContext!.pipelineExecutionId!;
      let status = '';
      for (let i = 0; i < 2000 && status !== 'Succeeded'; i++) {
        status = (await cp2.send(new GetPipelineExecutionCommand({ pipelineName: 'killed', pipelineExecutionId: id }))).pipelineExecution!.status!;
        if (status !== 'Succeeded') await new Promise((r) => setImmediate(r));
      }
      expect(status).toBe('Succeeded');
      expect(await objectText(s32, 'site', 'v/k9/index.html')).toBe('survived');
      expect((await cp2.send(new ListPipelineExecutionsCommand({ pipelineName: 'killed' }))).pipelineExecutionSummaries).toHaveLength(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
