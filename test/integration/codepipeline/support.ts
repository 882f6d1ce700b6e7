import { CodePipelineClient, GetPipelineExecutionCommand, GetPipelineStateCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

export interface Env {
  sw: TestSlipway;
  clock: ManualClock;
  cp: CodePipelineClient;
  s3: S3Client;
}

/** A Slipway for a test, on a manual clock unless `realTime` (builds and deployments that poll need time to pass). */
export async function start(options: { realTime?: boolean } = {}): Promise<Env> {
  const clock = new ManualClock(Date.UTC(2026, 10, 26));
  const sw = await startSlipway(options.realTime ? {} : { clock });
  return { sw, clock, cp: new CodePipelineClient(sdkConfig(sw.url)), s3: new S3Client(sdkConfig(sw.url)) };
}

export function zip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
}

export function unzip(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(bytes)).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
}

export async function bucket(s3: S3Client, name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
}

export async function putZip(s3: S3Client, b: string, key: string, files: Record<string, string>): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: zip(files) }));
}

export async function objectText(s3: S3Client, b: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
  return out.Body!.transformToString();
}

export async function objectBytes(s3: S3Client, b: string, key: string): Promise<Uint8Array> {
  const out = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
  return out.Body!.transformToByteArray();
}

export async function execution(cp: CodePipelineClient, pipelineName: string, id: string) {
  return (await cp.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId: id }))).pipelineExecution!;
}

export async function stage(cp: CodePipelineClient, name: string, stageName: string) {
  const state = await cp.send(new GetPipelineStateCommand({ name }));
  return state.stageStates!.find((s) => s.stageName === stageName)!;
}

export const WORKER_TYPE = { category: 'Build', owner: 'Custom', provider: 'JenkinsBuild', version: '1' } as const;

/** S3 zip source → a custom action run by a job worker → S3 deploy (extracted). */
export function workerPipeline(name: string, extra: Partial<PipelineDeclaration> = {}): PipelineDeclaration {
  return {
    name,
    roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      {
        name: 'Source',
        actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'SourceOutput' }], namespace: 'SourceVariables' }],
      },
      {
        name: 'Build',
        actions: [{ name: 'Jenkins', actionTypeId: WORKER_TYPE, configuration: { ProjectName: 'app' }, inputArtifacts: [{ name: 'SourceOutput' }], outputArtifacts: [{ name: 'BuildOutput' }], namespace: 'BuildVariables' }],
      },
      {
        name: 'Deploy',
        actions: [{ name: 'Site', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: 'v/#{BuildVariables.Version}' }, inputArtifacts: [{ name: 'BuildOutput' }] }],
      },
    ],
    ...extra,
  };
}
