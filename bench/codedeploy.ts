// Issue 8: CodeDeploy's in-place engine. A 50-file app deployed to 10 local instances with
// CodeDeployDefault.AllAtOnce and trivial hooks, from CreateDeployment to Succeeded, against
// a shell doing the same work in the same run: for each of 10 directories, in parallel,
// unpack the bundle, run the four hook scripts and copy the files into place with their modes.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as tar from 'tar';
import { Slipway } from '../src/slipway.js';
import { median } from './lib/stats.js';

const INSTANCES = 10;
const FILES = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const HOOKS = ['ApplicationStop', 'BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService'];

function sh(script: string): Promise<void> {
  return new Promise((resolve, reject) => execFile('/bin/sh', ['-c', script], (e, _o, err) => (e ? reject(new Error(err)) : resolve())));
}

/** The app: 50 files of about 2 KB, an appspec with a trivial script per hook. */
function makeApp(dir: string): void {
  mkdirSync(join(dir, 'site'), { recursive: true });
  mkdirSync(join(dir, 'scripts'));
  for (let i = 0; i < FILES - HOOKS.length - 1; i++) writeFileSync(join(dir, 'site', `file-${i}.html`), `<p>${'x'.repeat(2000)} ${i}</p>\n`);
  const hooks = HOOKS.map((h) => `  ${h}:\n    - location: scripts/${h}.sh\n      timeout: 60\n`).join('');
  for (const h of HOOKS) writeFileSync(join(dir, 'scripts', `${h}.sh`), '#!/bin/sh\necho "$LIFECYCLE_EVENT"\n', { mode: 0o755 });
  writeFileSync(join(dir, 'appspec.yml'), `version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /var/www/html\npermissions:\n  - object: /var/www/html\n    mode: 644\n    type: [file]\nhooks:\n${hooks}`);
}

/** The same work by a shell: unpack, hooks, copy, chmod; ten directories in parallel. */
async function baseline(bundle: string, base: string): Promise<number> {
  const t = performance.now();
  await Promise.all(
    Array.from({ length: INSTANCES }, (_, i) => {
      const d = join(base, `i${i}`);
      const run = (h: string) => `LIFECYCLE_EVENT=${h} ${d}/archive/scripts/${h}.sh > /dev/null`;
      return sh(`rm -rf ${d} && mkdir -p ${d}/archive ${d}/var/www/html && tar xzf ${bundle} -C ${d}/archive && ${run('ApplicationStop')} && ${run('BeforeInstall')} && cp -r ${d}/archive/site/. ${d}/var/www/html/ && chmod 644 ${d}/var/www/html/* && ${run('AfterInstall')} && ${run('ApplicationStart')} && ${run('ValidateService')}`);
    }),
  );
  return performance.now() - t;
}

export async function benchCodedeploy(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-cd-'));
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'error' });
  const cfg = { endpoint: slipway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true };
  const cd = new CodeDeployClient(cfg);
  const s3 = new S3Client(cfg);
  const ec2 = new EC2Client(cfg);
  try {
    const app = join(dataDir, 'app');
    makeApp(app);
    const bundle = join(dataDir, 'app.tgz');
    await tar.c({ gzip: true, file: bundle, cwd: app, portable: true }, ['.']);
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'app.tgz', Body: readFileSync(bundle) }));
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: INSTANCES, MaxCount: INSTANCES, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'tier', Value: 'web' }] }] }));
    await slipway.settled();
    await cd.send(new CreateApplicationCommand({ applicationName: 'bench' }));
    await cd.send(new CreateDeploymentGroupCommand({ applicationName: 'bench', deploymentGroupName: 'all', serviceRoleArn: 'arn:aws:iam::000000000000:role/cd', deploymentConfigName: 'CodeDeployDefault.AllAtOnce', ec2TagFilters: [{ Key: 'tier', Value: 'web', Type: 'KEY_AND_VALUE' }] }));
    const deploy = async () => {
      const t = performance.now();
      const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: 'bench', deploymentGroupName: 'all', revision: { revisionType: 'S3', s3Location: { bucket: 'bench', key: 'app.tgz', bundleType: 'tgz' } } }));
      await slipway.settled();
      const ms = performance.now() - t;
      const status = (await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!.status;
      if (status !== 'Succeeded') throw new Error(`deployment ${deploymentId} ended ${status}`);
      if (process.env.BENCH_PROFILE) {
        const { BatchGetDeploymentTargetsCommand, ListDeploymentTargetsCommand } = await import('@aws-sdk/client-codedeploy');
        const ids = (await cd.send(new ListDeploymentTargetsCommand({ deploymentId }))).targetIds!;
        const ts = (await cd.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ids }))).deploymentTargets!;
        const t0 = Math.min(...ts.map((x) => x.instanceTarget!.lifecycleEvents![0].startTime!.getTime()));
        console.log('total', ms.toFixed(0), ts.map((x) => x.instanceTarget!.lifecycleEvents!.map((e) => `${e.lifecycleEventName!.slice(0, 6)}:${e.startTime!.getTime() - t0}-${e.endTime!.getTime() - t0}`).join(' ')).join('\n'));
      }
      return ms;
    };
    await deploy();
    await baseline(bundle, join(dataDir, 'baseline'));
    const slip: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      slip.push(await deploy());
      base.push(await baseline(bundle, join(dataDir, 'baseline')));
    }
    const s = median(slip);
    const b = median(base);
    return [
      `| CodeDeploy in-place, ${FILES}-file app to ${INSTANCES} instances, AllAtOnce, 5 trivial hooks: CreateDeployment to Succeeded (median of ${ROUNDS}) | ${s.toFixed(0)} ms | ${b.toFixed(0)} ms (sh: tar, hooks, cp, chmod in 10 dirs in parallel) | overhead ${(s - b).toFixed(0)} ms per batch (target < 200 ms) |`,
    ];
  } finally {
    for (const c of [cd, s3, ec2]) c.destroy();
    await slipway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
