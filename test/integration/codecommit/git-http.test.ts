import { CodeCommitClient, CreateRepositoryCommand, GetBranchCommand, GetRepositoryCommand, BranchDoesNotExistException, PutRepositoryTriggersCommand, TestRepositoryTriggersCommand } from '@aws-sdk/client-codecommit';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Slipway } from '../../../src/slipway.js';
import { sdkConfig } from '../../helpers/slipway.js';
import { git, gitOk, named, recorders, workdir } from './support.js';

describe('git smart HTTP at the clone URL', () => {
  const rec = recorders();
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-git-'));
  let slipway: Slipway;
  let cc: CodeCommitClient;
  let url: string;
  let work: string;

  const start = async () => {
    slipway = await Slipway.start({ host: '127.0.0.1', port: 0, logLevel: 'error', dataDir, services: rec.services });
    cc = new CodeCommitClient(sdkConfig(slipway.url));
  };

  beforeAll(async () => {
    await start();
    url = (await cc.send(new CreateRepositoryCommand({ repositoryName: 'app' }))).repositoryMetadata!.cloneUrlHttp!;
    work = workdir(dataDir, 'work');
    await gitOk(work, ['init', '-q', '-b', 'main']);
    for (let i = 1; i <= 3; i++) {
      writeFileSync(join(work, 'file.txt'), `version ${i}\n`);
      await gitOk(work, ['add', '.']);
      await gitOk(work, ['commit', '-qm', `commit ${i}`]);
    }
    await gitOk(work, ['remote', 'add', 'origin', url]);
    await gitOk(work, ['push', '-q', 'origin', 'main']);
  });
  afterAll(async () => {
    await slipway.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves shallow clones and deepening fetches', async () => {
    const dir = join(dataDir, 'shallow');
    await gitOk(dataDir, ['clone', '-q', '--depth', '1', url, dir]);
    expect(await gitOk(dir, ['rev-list', '--count', 'HEAD'])).toBe('1');
    expect(readFileSync(join(dir, 'file.txt'), 'utf8')).toBe('version 3\n');
    await gitOk(dir, ['fetch', '-q', '--deepen', '1']);
    expect(await gitOk(dir, ['rev-list', '--count', 'HEAD'])).toBe('2');
  });

  it('speaks protocol v2 to clients that ask for it, and v0 to those that do not', async () => {
    const v2 = await git(dataDir, ['-c', 'protocol.version=2', 'ls-remote', url], { GIT_TRACE_PACKET: '1' });
    expect(v2.code).toBe(0);
    expect(v2.stderr).toContain('git< version 2');
    expect(v2.stdout).toContain('refs/heads/main');
    const v0 = await git(dataDir, ['-c', 'protocol.version=0', 'ls-remote', url], { GIT_TRACE_PACKET: '1' });
    expect(v0.stdout).toContain('refs/heads/main');
    expect(v0.stderr).not.toContain('version 2');
  });

  it('answers 404 for unknown repositories and for anything but the smart HTTP endpoints', async () => {
    const status = (path: string, method = 'GET') =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: new URL(url).port, path, method }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('/v1/repos/app/info/refs?service=git-upload-pack')).toBe(200);
    for (const path of ['/v1/repos/nope/info/refs?service=git-upload-pack', '/v1/repos/app/config', '/v1/repos/app/objects/info/packs', '/v1/repos/app/../app/info/refs', '/v1/repos/app/info/refs/../../config']) {
      expect(await status(path), path).toBe(404);
    }
    expect(await status('/v1/repos/app/git-upload-pack', 'GET')).toBe(404);
  });

  it('refuses a non-fast-forward push without force, takes it with force, and reports each ref change', async () => {
    const other = join(dataDir, 'other');
    await gitOk(dataDir, ['clone', '-q', url, other]);
    writeFileSync(join(work, 'file.txt'), 'version 4\n');
    await gitOk(work, ['commit', '-qam', 'commit 4']);
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    const ahead = await gitOk(work, ['rev-parse', 'HEAD']);
    writeFileSync(join(other, 'file.txt'), 'diverged\n');
    await gitOk(other, ['commit', '-qam', 'diverged']);
    const refused = await git(other, ['push', 'origin', 'main']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('[rejected]');
    expect((await cc.send(new GetBranchCommand({ repositoryName: 'app', branchName: 'main' }))).branch?.commitId).toBe(ahead);

    const before = rec.events.length;
    await gitOk(other, ['push', '-q', '--force', 'origin', 'main']);
    const forced = await gitOk(other, ['rev-parse', 'HEAD']);
    await gitOk(other, ['tag', '-a', 'v1.0', '-m', 'release']);
    await gitOk(other, ['push', '-q', 'origin', 'v1.0', 'HEAD:refs/heads/topic']);
    await gitOk(other, ['push', '-q', 'origin', '--delete', 'topic']);
    await slipway.settled();
    const details = rec.events.slice(before).map((e) => e.detail);
    expect(details).toEqual([
      expect.objectContaining({ event: 'referenceUpdated', referenceName: 'main', commitId: forced, oldCommitId: ahead }),
      expect.objectContaining({ event: 'referenceCreated', referenceType: 'branch', referenceName: 'topic', commitId: forced }),
      expect.objectContaining({ event: 'referenceCreated', referenceType: 'tag', referenceName: 'v1.0', referenceFullName: 'refs/tags/v1.0', commitId: forced }),
      expect.objectContaining({ event: 'referenceDeleted', referenceName: 'topic', oldCommitId: forced }),
    ]);
    expect(details[3]).not.toHaveProperty('commitId');
  });

  it('leaves the repository as it was when a push is cut off midway', async () => {
    const repoId = (await cc.send(new GetRepositoryCommand({ repositoryName: 'app' }))).repositoryMetadata!.repositoryId!;
    const bare = join(dataDir, 'services', 'codecommit', 'repositories', `${repoId}.git`);
    const refsBefore = await gitOk(bare, ['for-each-ref']);
    const scratch = workdir(dataDir, 'cut');
    await gitOk(scratch, ['init', '-q']);
    writeFileSync(join(scratch, 'big.bin'), randomBytes(2 * 1024 * 1024));
    await gitOk(scratch, ['add', '.']);
    await gitOk(scratch, ['commit', '-qm', 'never arrives']);
    const commit = await gitOk(scratch, ['rev-parse', 'HEAD']);
    const pack = (await new Promise<Buffer>((resolve) => {
      const child = execFile('git', ['pack-objects', '--stdout', '--revs'], { cwd: scratch, encoding: 'buffer', maxBuffer: 64 << 20 }, (_e, out) => resolve(out));
      child.stdin!.end(`${commit}\n`);
    }));
    const command = `${'0'.repeat(40)} ${commit} refs/heads/cut\0 report-status\n`;
    const body = Buffer.concat([Buffer.from(pktLine(command) + '0000'), pack]);
    await new Promise<void>((resolve) => {
      const req = request(`${url}/git-receive-pack`, { method: 'POST', headers: { 'content-type': 'application/x-git-receive-pack-request', 'content-length': body.length } });
      req.on('error', () => resolve());
      req.write(body.subarray(0, body.length / 2), () => {
        req.destroy();
        resolve();
      });
    });
    // receive-pack sees the end of its input, fails, and removes its quarantine.
    await vi.waitFor(() => expect(readdirSync(join(bare, 'objects')).filter((d) => d.startsWith('tmp_objdir') || d.startsWith('incoming'))).toEqual([]), { timeout: 10_000 });
    // ...and no git process is left behind, waiting or spinning on the cut-off body.
    await vi.waitFor(() => expect(gitProcessesUnder(dataDir)).toEqual([]), { timeout: 10_000 });
    expect(await gitOk(bare, ['for-each-ref'])).toBe(refsBefore);
    expect(await git(bare, ['cat-file', '-e', commit]).then((r) => r.code)).not.toBe(0);
    await expect(cc.send(new GetBranchCommand({ repositoryName: 'app', branchName: 'cut' }))).rejects.toBeInstanceOf(BranchDoesNotExistException);
    expect((await git(bare, ['fsck', '--no-progress'])).code).toBe(0);
  });

  it('streams large pushes and clones (chunked bodies), byte for byte', async () => {
    const big = workdir(dataDir, 'big');
    await gitOk(big, ['init', '-q', '-b', 'main']);
    const data = randomBytes(6 * 1024 * 1024);
    writeFileSync(join(big, 'data.bin'), data);
    // Over git's unpack limit (100 objects), so the server keeps the pack as received.
    for (let i = 0; i < 120; i++) writeFileSync(join(big, `small-${i}.txt`), `${i}\n`);
    await gitOk(big, ['add', '.']);
    await gitOk(big, ['commit', '-qm', 'large']);
    await cc.send(new CreateRepositoryCommand({ repositoryName: 'large' }));
    const largeUrl = url.replace(/app$/, 'large');
    await gitOk(big, ['push', '-q', largeUrl, 'main']);
    // Slipway repacks a repository with a big pack in the background, with a reachability bitmap.
    await slipway.settled();
    const largeId = (await cc.send(new GetRepositoryCommand({ repositoryName: 'large' }))).repositoryMetadata!.repositoryId!;
    expect(readdirSync(join(dataDir, 'services', 'codecommit', 'repositories', `${largeId}.git`, 'objects', 'pack')).some((f) => f.endsWith('.bitmap'))).toBe(true);
    const copy = join(dataDir, 'big-copy');
    await gitOk(dataDir, ['clone', '-q', largeUrl, copy]);
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(digest(readFileSync(join(copy, 'data.bin')))).toBe(digest(data));
  });

  it('delivers repository triggers to SNS on push, and reports a Lambda target that does not exist', async () => {
    const triggers = [
      { name: 'to-sns', destinationArn: 'arn:aws:sns:us-east-1:000000000000:repo-events', customData: 'ci', branches: ['main'], events: ['all' as const] },
      { name: 'to-lambda', destinationArn: 'arn:aws:lambda:us-east-1:000000000000:function:on-push', branches: [], events: ['updateReference' as const] },
    ];
    await cc.send(new PutRepositoryTriggersCommand({ repositoryName: 'app', triggers }));
    writeFileSync(join(work, 'file.txt'), 'version 5\n');
    await gitOk(work, ['pull', '-q', '--rebase=false', '-X', 'ours', 'origin', 'main']);
    await gitOk(work, ['commit', '-qam', 'commit 5', '--allow-empty']);
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    const tip = await gitOk(work, ['rev-parse', 'HEAD']);
    await slipway.settled();
    const message = JSON.parse(rec.published.at(-1)!.message) as { Records: Record<string, unknown>[] };
    expect(rec.published.at(-1)!.topicArn).toBe('arn:aws:sns:us-east-1:000000000000:repo-events');
    expect(message.Records[0]).toMatchObject({
      eventSource: 'aws:codecommit',
      eventName: 'ReferenceChanges',
      eventTriggerName: 'to-sns',
      customData: 'ci',
      eventSourceARN: 'arn:aws:codecommit:us-east-1:000000000000:app',
      codecommit: { references: [{ commit: tip, ref: 'refs/heads/main' }] },
    });
    const test = await cc.send(new TestRepositoryTriggersCommand({ repositoryName: 'app', triggers }));
    expect(test.successfulExecutions).toEqual(['to-sns']);
    expect(test.failedExecutions).toEqual([{ trigger: 'to-lambda', failureMessage: expect.stringContaining('Function not found: arn:aws:lambda:us-east-1:000000000000:function:on-push') }]);
  });

  it('keeps repositories across a restart and reports pushes it missed while down', async () => {
    const repoId = (await cc.send(new GetRepositoryCommand({ repositoryName: 'app' }))).repositoryMetadata!.repositoryId!;
    await slipway.close();
    // A ref that moved while Slipway was not running (as after a crash between push and report).
    const bare = join(dataDir, 'services', 'codecommit', 'repositories', `${repoId}.git`);
    const main = await gitOk(bare, ['rev-parse', 'main']);
    await gitOk(bare, ['update-ref', 'refs/heads/offline', main]);
    const before = rec.events.length;
    await start();
    await slipway.settled();
    expect(named(rec.events.slice(before), 'referenceCreated').map((e) => e.detail.referenceName)).toEqual(['offline']);
    const again = join(dataDir, 'after-restart');
    await gitOk(dataDir, ['clone', '-q', slipway.url + '/v1/repos/app', again]);
    expect(existsSync(join(again, 'file.txt'))).toBe(true);
  });
});

/** Pids of running git processes serving repositories under `root` (Linux /proc). */
function gitProcessesUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`GIT_PROJECT_ROOT=${root}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function pktLine(text: string): string {
  return (text.length + 4).toString(16).padStart(4, '0') + text;
}
