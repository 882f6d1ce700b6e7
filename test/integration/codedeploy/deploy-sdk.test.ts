import { BatchGetDeploymentGroupsCommand, DeregisterOnPremisesInstanceCommand, GetApplicationRevisionCommand, GetDeploymentGroupCommand, ListApplicationRevisionsCommand, RegisterApplicationRevisionCommand, UpdateDeploymentGroupCommand, CodeDeployClient, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentConfigCommand, CreateDeploymentGroupCommand, GetDeploymentCommand, GetDeploymentConfigCommand, ListDeploymentConfigsCommand, BatchGetDeploymentTargetsCommand, ListDeploymentTargetsCommand, StopDeploymentCommand, GetDeploymentTargetCommand, RegisterOnPremisesInstanceCommand, AddTagsToOnPremisesInstancesCommand, ListOnPremisesInstancesCommand, ContinueDeploymentCommand, ListDeploymentsCommand, type LifecycleEvent } from '@aws-sdk/client-codedeploy';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

let s: TestSlipway;
let cd: CodeDeployClient;
let s3: S3Client;
let ec2: EC2Client;
const APP = 'sdk-app';

beforeAll(async () => {
  s = await startSlipway();
  cd = new CodeDeployClient(sdkConfig(s.url));
  s3 = new S3Client(sdkConfig(s.url));
  ec2 = new EC2Client(sdkConfig(s.url));
  await s3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
  await cd.send(new CreateApplicationCommand({ applicationName: APP }));
  const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 4, MaxCount: 4, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'fleet', Value: 'four' }] }] }));
  expect(run.Instances).toHaveLength(4);
  await s.slipway.settled();
});
afterAll(async () => {
  for (const c of [cd, s3, ec2]) c?.destroy();
  await s?.close();
});

/** Uploads a tgz bundle built from `files` (path -> content; scripts get mode 755). */
async function bundle(key: string, files: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(join(s.dataDir, 'src-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
  }
  const file = join(dir, '..', `${key}.tgz`);
  await tar.c({ gzip: true, file, cwd: dir, portable: true }, Object.keys(files));
  await s3.send(new PutObjectCommand({ Bucket: 'bundles', Key: key, Body: readFileSync(file) }));
}

const TRIVIAL = {
  'appspec.yml': 'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/site\nhooks:\n  BeforeInstall:\n    - location: hook.sh\n      timeout: 60\n',
  'site/index.html': '<h1>hi</h1>\n',
  'hook.sh': '#!/bin/sh\necho "$LIFECYCLE_EVENT on $(hostname)"\n',
};

async function group(name: string, config: string, filters = [{ Key: 'fleet', Value: 'four', Type: 'KEY_AND_VALUE' as const }]) {
  await cd.send(new CreateDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: name, serviceRoleArn: 'arn:aws:iam::000000000000:role/cd', deploymentConfigName: config, ec2TagFilters: filters }));
}

async function deployAndWait(groupName: string, key: string, extra: { fileExistsBehavior?: 'OVERWRITE' | 'RETAIN' | 'DISALLOW' } = {}) {
  const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: groupName, revision: { revisionType: 'S3', s3Location: { bucket: 'bundles', key, bundleType: 'tgz' } }, ...extra }));
  await s.slipway.settled();
  return (await cd.send(new GetDeploymentCommand({ deploymentId })).then((o) => o.deploymentInfo!));
}

async function targets(deploymentId: string) {
  const ids = (await cd.send(new ListDeploymentTargetsCommand({ deploymentId }))).targetIds!;
  const out = await cd.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ids }));
  return out.deploymentTargets!.map((t) => t.instanceTarget!);
}

/** Groups instances into batches by when their lifecycle ran: a batch starts after the previous one ended. */
function batches(ts: { lifecycleEvents?: LifecycleEvent[] }[]): number[] {
  const spans = ts.map((t) => ({ start: t.lifecycleEvents![0].startTime!.getTime(), end: t.lifecycleEvents!.at(-1)!.endTime!.getTime() })).sort((a, b) => a.start - b.start);
  const sizes: number[] = [];
  let batchEnd = -Infinity;
  for (const sp of spans) {
    if (sp.start >= batchEnd) {
      sizes.push(1);
      batchEnd = sp.end;
    } else {
      sizes[sizes.length - 1]++;
      batchEnd = Math.max(batchEnd, sp.end);
    }
  }
  return sizes;
}

describe('CodeDeploy through SDK v3', () => {
  it('lists every predefined configuration and creates custom ones', async () => {
    const names = (await cd.send(new ListDeploymentConfigsCommand({}))).deploymentConfigsList!;
    expect(names).toEqual(expect.arrayContaining(['CodeDeployDefault.OneAtATime', 'CodeDeployDefault.HalfAtATime', 'CodeDeployDefault.AllAtOnce', 'CodeDeployDefault.ECSCanary10Percent5Minutes', 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute']));
    const half = (await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.HalfAtATime' }))).deploymentConfigInfo!;
    expect(half.minimumHealthyHosts).toEqual({ type: 'FLEET_PERCENT', value: 50 });
    await cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'ThreeHealthy', minimumHealthyHosts: { type: 'HOST_COUNT', value: 3 } }));
    await expect(cd.send(new CreateDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.Mine', minimumHealthyHosts: { type: 'HOST_COUNT', value: 1 } }))).rejects.toMatchObject({ name: 'DeploymentConfigAlreadyExistsException' });
  });

  it('deploys in the batch sizes of each configuration', async () => {
    await bundle('trivial', TRIVIAL);
    const cases: [string, number[]][] = [['CodeDeployDefault.AllAtOnce', [4]], ['CodeDeployDefault.HalfAtATime', [2, 2]], ['CodeDeployDefault.OneAtATime', [1, 1, 1, 1]], ['ThreeHealthy', [1, 1, 1, 1]]];
    for (const [config, expected] of cases) {
      const name = `g-${config.replace(/\W/g, '')}`;
      await group(name, config);
      const info = await deployAndWait(name, 'trivial', { fileExistsBehavior: 'OVERWRITE' });
      expect(info.status, config).toBe('Succeeded');
      const ts = await targets(info.deploymentId!);
      expect(ts.every((t) => t.status === 'Succeeded')).toBe(true);
      expect(batches(ts), config).toEqual(expected);
    }
    const t = (await targets((await cd.send(new ListDeploymentsCommand({ applicationName: APP, deploymentGroupName: 'g-CodeDeployDefaultAllAtOnce' }))).deployments![0]))[0];
    expect(t.lifecycleEvents!.map((e) => `${e.lifecycleEventName}:${e.status}`)).toEqual([
      'ApplicationStop:Skipped', 'DownloadBundle:Succeeded', 'BeforeInstall:Succeeded', 'Install:Succeeded', 'AfterInstall:Succeeded', 'ApplicationStart:Succeeded', 'ValidateService:Succeeded',
    ]);
    expect(t.lifecycleEvents![2].diagnostics!.logTail).toMatch(/^\[stdout\]BeforeInstall on ip-/);
  });

  it('fails at the right lifecycle event with the agent error for bad revisions', async () => {
    await group('bad', 'CodeDeployDefault.AllAtOnce');
    const cases: [string, Record<string, string>, string, string, RegExp][] = [
      ['yaml', { 'appspec.yml': 'version: 0.0\nfiles: [oops\n' }, 'BeforeInstall', 'UnknownError', /not valid YAML/],
      ['missing-script', { 'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/nope.sh\n' }, 'AfterInstall', 'ScriptMissing', /Script does not exist at specified location: .*deployment-archive\/scripts\/nope.sh/],
      ['bad-mode', { 'appspec.yml': 'version: 0.0\nos: linux\nfiles:\n  - source: a.txt\n    destination: /srv/x\npermissions:\n  - object: /srv/x\n    mode: 9z9\n', 'a.txt': 'a' }, 'BeforeInstall', 'UnknownError', /mode "9z9" is not valid/],
      ['missing-source', { 'appspec.yml': 'version: 0.0\nos: linux\nfiles:\n  - source: build/\n    destination: /srv/y\n', 'a.txt': 'a' }, 'Install', 'UnknownError', /build\/ does not exist in the revision/],
      ['timeout', { 'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: slow.sh\n      timeout: 1\n', 'slow.sh': '#!/bin/sh\nsleep 30\n' }, 'ApplicationStart', 'ScriptTimedOut', /failed to complete in 1 seconds/],
    ];
    for (const [key, files, event, code, message] of cases) {
      await bundle(key, files);
      const info = await deployAndWait('bad', key, { fileExistsBehavior: 'OVERWRITE' });
      expect(info.status, key).toBe('Failed');
      const ev = (await targets(info.deploymentId!))[0].lifecycleEvents!.find((e) => e.status === 'Failed')!;
      expect([ev.lifecycleEventName, ev.diagnostics?.errorCode], key).toEqual([event, code]);
      expect(ev.diagnostics!.message, key).toMatch(message);
    }
  });

  it('refuses a bundle whose entries escape the archive without writing outside the instance', async () => {
    const dir = mkdtempSync(join(s.dataDir, 'evil-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'appspec.yml'), 'version: 0.0\n');
    writeFileSync(join(dir, 'a/x'), 'x');
    const file = join(dir, 'evil.tar');
    await tar.c({ file, cwd: dir, portable: true, preservePaths: true, prefix: '' }, ['appspec.yml']);
    // Rewrite a name in the archive to climb out: a/../../../escaped (the same length keeps the header valid).
    const raw = readFileSync(file);
    const evilName = '../../../../../escaped-file';
    raw.write(evilName.padEnd(100, '\0'), 0, 100, 'latin1');
    let sum = 0;
    raw.fill(' ', 148, 156);
    for (let i = 0; i < 512; i++) sum += raw[i];
    raw.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
    await s3.send(new PutObjectCommand({ Bucket: 'bundles', Key: 'evil', Body: raw }));
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'bad', revision: { revisionType: 'S3', s3Location: { bucket: 'bundles', key: 'evil', bundleType: 'tar' } } }));
    await s.slipway.settled();
    const ev = (await targets(deploymentId!))[0].lifecycleEvents!.find((e) => e.status === 'Failed')!;
    expect(ev.lifecycleEventName).toBe('DownloadBundle');
    expect(ev.diagnostics!.message).toMatch(/refused: entries point outside the archive: \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/escaped-file/);
    expect(existsSync(join(s.dataDir, 'escaped-file'))).toBe(false);
  });

  it('stops a deployment: the running hook is killed, the instances not reached are skipped', async () => {
    await bundle('waits', { 'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: wait.sh\n', 'wait.sh': '#!/bin/sh\nwhile [ ! -f /tmp/never ]; do sleep 0.05; done\n' });
    await group('stoppable', 'CodeDeployDefault.OneAtATime');
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'stoppable', revision: { revisionType: 'S3', s3Location: { bucket: 'bundles', key: 'waits', bundleType: 'tgz' } } }));
    for (;;) {
      const ids = (await cd.send(new ListDeploymentTargetsCommand({ deploymentId }))).targetIds ?? [];
      const t = ids.length ? (await cd.send(new GetDeploymentTargetCommand({ deploymentId, targetId: ids[0] }))).deploymentTarget!.instanceTarget! : undefined;
      if (t?.lifecycleEvents?.find((e) => e.lifecycleEventName === 'BeforeInstall')?.status === 'InProgress') break;
      await new Promise((r) => setImmediate(r));
    }
    await cd.send(new StopDeploymentCommand({ deploymentId }));
    await s.slipway.settled();
    const info = (await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!;
    expect(info.status).toBe('Stopped');
    expect(info.errorInformation?.code).toBe('MANUAL_STOP');
    expect((await targets(deploymentId!)).map((t) => t.status).sort()).toEqual(['Failed', 'Skipped', 'Skipped', 'Skipped']);
    await expect(cd.send(new ContinueDeploymentCommand({ deploymentId }))).rejects.toMatchObject({ name: 'DeploymentIsNotInReadyStateException' });
  });

  it('deploys to registered on-premises instances selected by their tags', async () => {
    await cd.send(new RegisterOnPremisesInstanceCommand({ instanceName: 'rack-1', iamUserArn: 'arn:aws:iam::000000000000:user/rack' }));
    await cd.send(new AddTagsToOnPremisesInstancesCommand({ instanceNames: ['rack-1'], tags: [{ Key: 'site', Value: 'lab' }] }));
    expect((await cd.send(new ListOnPremisesInstancesCommand({ tagFilters: [{ Key: 'site', Value: 'lab', Type: 'KEY_AND_VALUE' }] }))).instanceNames).toEqual(['rack-1']);
    await cd.send(new CreateDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'onprem', serviceRoleArn: 'arn:aws:iam::000000000000:role/cd', onPremisesInstanceTagFilters: [{ Key: 'site', Value: 'lab', Type: 'KEY_AND_VALUE' }] }));
    const info = await deployAndWait('onprem', 'trivial');
    expect(info.status).toBe('Succeeded');
    expect((await targets(info.deploymentId!)).map((t) => t.targetId)).toEqual(['rack-1']);
  });

  it('keeps revisions, groups and deployment lists, and refuses what it cannot do', async () => {
    const rev = { revisionType: 'S3' as const, s3Location: { bucket: 'bundles', key: 'trivial', bundleType: 'tgz' as const } };
    await cd.send(new RegisterApplicationRevisionCommand({ applicationName: APP, revision: rev, description: 'the trivial app' }));
    const got = await cd.send(new GetApplicationRevisionCommand({ applicationName: APP, revision: rev }));
    expect(got.revisionInfo).toMatchObject({ description: 'the trivial app' });
    expect(got.revisionInfo!.deploymentGroups).toContain('g-CodeDeployDefaultAllAtOnce');
    const listed = await cd.send(new ListApplicationRevisionsCommand({ applicationName: APP, deployed: 'include', s3KeyPrefix: 'triv' }));
    expect(listed.revisions!.map((r) => r.s3Location!.key)).toEqual(['trivial']);

    await cd.send(new UpdateDeploymentGroupCommand({ applicationName: APP, currentDeploymentGroupName: 'bad', newDeploymentGroupName: 'renamed', deploymentConfigName: 'CodeDeployDefault.HalfAtATime', autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } }));
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'renamed' }))).deploymentGroupInfo!;
    expect(g).toMatchObject({ deploymentConfigName: 'CodeDeployDefault.HalfAtATime', autoRollbackConfiguration: { enabled: true }, lastAttemptedDeployment: { status: 'Failed' } });
    const batch = await cd.send(new BatchGetDeploymentGroupsCommand({ applicationName: APP, deploymentGroupNames: ['renamed', 'ghost'] }));
    expect(batch.deploymentGroupsInfo!.map((x) => x.deploymentGroupName)).toEqual(['renamed']);

    const failed = await cd.send(new ListDeploymentsCommand({ applicationName: APP, deploymentGroupName: 'renamed', includeOnlyStatuses: ['Failed'] }));
    expect(failed.deployments!.length).toBeGreaterThanOrEqual(6);

    await expect(cd.send(new GetDeploymentGroupCommand({ applicationName: 'nope', deploymentGroupName: 'x' }))).rejects.toMatchObject({ name: 'ApplicationDoesNotExistException', message: 'No application found for name: nope' });
    await expect(cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'ghost', revision: rev }))).rejects.toMatchObject({ name: 'DeploymentGroupDoesNotExistException' });
    await expect(cd.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: 'renamed', revision: { revisionType: 'GitHub', gitHubLocation: { repository: 'o/r', commitId: 'abc' } } }))).rejects.toMatchObject({ name: 'InvalidRevisionException' });
    await expect(cd.send(new GetDeploymentCommand({ deploymentId: 'd-NOTREAL00' }))).rejects.toMatchObject({ name: 'DeploymentDoesNotExistException' });
    await expect(cd.send(new CreateDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'no-asg', serviceRoleArn: 'arn:aws:iam::000000000000:role/cd', autoScalingGroups: ['missing-asg'] })))
      .rejects.toMatchObject({ name: 'InvalidAutoScalingGroupException' });
    await expect(cd.send(new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'no-asg' }))).rejects.toMatchObject({ name: 'DeploymentGroupDoesNotExistException' });

    await cd.send(new DeregisterOnPremisesInstanceCommand({ instanceName: 'rack-1' }));
    expect((await cd.send(new ListOnPremisesInstancesCommand({ registrationStatus: 'Deregistered' }))).instanceNames).toEqual(['rack-1']);
  });
});
