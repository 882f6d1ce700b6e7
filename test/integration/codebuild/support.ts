import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BatchGetBuildsCommand, type Build, type CodeBuildClient, type CreateProjectCommandInput } from '@aws-sdk/client-codebuild';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';

const run = promisify(execFile);

export const NODE_APP = join(import.meta.dirname, '../../fixtures/codebuild/node-app');

/**
 * A project without a source or artifacts, whose real buildspec comes with each build
 * (`buildspecOverride`); `extra` replaces what a test needs otherwise.
 */
export function inlineProject(name: string, extra: Partial<CreateProjectCommandInput> = {}): CreateProjectCommandInput {
  return {
    name,
    source: { type: 'NO_SOURCE', buildspec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - "true"\n' },
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
    serviceRole: 'arn:aws:iam::000000000000:role/CodeBuildRole',
    ...extra,
  };
}

/** Polls BatchGetBuilds until the build is complete (builds run real processes, so they take real time). */
export async function waitForBuild(cb: CodeBuildClient, id: string, limitMs = 45_000): Promise<Build> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const b = (await cb.send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0];
    if (b.buildComplete) return b;
    if (Date.now() > deadline) throw new Error(`build ${id} did not complete: ${JSON.stringify(b.phases?.map((p) => [p.phaseType, p.phaseStatus]))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The build's log lines, read back from CloudWatch Logs. */
export async function buildLog(url: string, config: object, b: Build): Promise<string[]> {
  const logs = new CloudWatchLogsClient(config);
  const out = await logs.send(new GetLogEventsCommand({ logGroupName: b.logs!.groupName!, logStreamName: b.logs!.streamName!, startFromHead: true }));
  void url;
  return (out.events ?? []).map((e) => e.message ?? '');
}

export function phaseTable(b: Build): [string, string | undefined][] {
  return (b.phases ?? []).map((p) => [p.phaseType!, p.phaseStatus]);
}

export function phase(b: Build, type: string) {
  return b.phases!.find((p) => p.phaseType === type);
}

/** Pushes a directory (with extra or replaced files) to a Slipway CodeCommit repository's branch. */
export async function pushTree(cloneUrl: string, files: Record<string, string>, branch = 'main', from = NODE_APP): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cb-push-'));
  try {
    if (from) cpSync(from, dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      execFileSync('mkdir', ['-p', dirname(join(dir, name))]);
      writeFileSync(join(dir, name), text);
    }
    // Asynchronous: the push goes to the Slipway running in this very process.
    const git = async (...args: string[]) => (await run('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } })).stdout.trim();
    await git('init', '-q', '-b', branch);
    await git('add', '-A');
    await git('commit', '-q', '-m', 'sample app');
    await git('push', '-q', '--force', cloneUrl, `HEAD:refs/heads/${branch}`);
    return await git('rev-parse', 'HEAD');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToByteArray();
}

export async function getZip(s3: S3Client, bucket: string, key: string): Promise<Record<string, string>> {
  const files = unzipSync(await getBytes(s3, bucket, key));
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
}
