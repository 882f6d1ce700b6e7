import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/codedeploy-app');

let s: TestSlipway;
let cli: ReturnType<typeof awsCli>;

beforeAll(async () => {
  s = await startSlipway();
  cli = awsCli(s.env);
});
afterAll(async () => {
  await s?.close();
});

async function ok(...args: string[]) {
  const r = await cli(...args);
  expect(r.code, `aws ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

async function answer(address: string): Promise<string> {
  return (await fetch(`http://${address}/`, { signal: AbortSignal.timeout(3000) })).text();
}

/** A copy of the fixture app with its VERSION (and optionally a broken validate script). */
function appDir(version: string, validateFails = false): string {
  const dir = mkdtempSync(join(s.dataDir, 'app-'));
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, 'VERSION'), `${version}\n`);
  if (validateFails) writeFileSync(join(dir, 'scripts/validate-service.sh'), '#!/bin/bash\necho "health check failed for version ' + version + '" >&2\nexit 3\n', { mode: 0o755 });
  return dir;
}

async function deploy(source: string, key: string): Promise<string> {
  await ok('deploy', 'push', '--application-name', 'my-application', '--s3-location', `s3://my-bucket/${key}`, '--source', source);
  const created = await ok('deploy', 'create-deployment', '--application-name', 'my-application', '--deployment-group-name', 'production', '--s3-location', `bucket=my-bucket,key=${key},bundleType=zip`);
  const id = created.json<{ deploymentId: string }>().deploymentId;
  expect(id).toMatch(/^d-[A-Z0-9]{9}$/);
  await s.slipway.settled();
  return id;
}

describe('the seed flow through the aws CLI: three instances, a group, push, deploy, curl', () => {
  it('deploys the seed appspec to every instance, then a new version, then rolls a failing one back', async () => {
    const run = await ok('ec2', 'run-instances', '--image-id', 'ami-0c55b159cbfafe1f0', '--instance-type', 't3.micro', '--count', '3',
      '--tag-specifications', 'ResourceType=instance,Tags=[{Key=Name,Value=WebServer}]');
    const ids = run.json<{ Instances: { InstanceId: string }[] }>().Instances.map((i) => i.InstanceId);
    await s.slipway.settled();
    await ok('s3', 'mb', 's3://my-bucket');
    await ok('deploy', 'create-application', '--application-name', 'my-application');
    await ok('deploy', 'create-deployment-group', '--application-name', 'my-application', '--deployment-group-name', 'production',
      '--ec2-tag-filters', 'Key=Name,Value=WebServer,Type=KEY_AND_VALUE', '--service-role-arn', 'arn:aws:iam::000000000000:role/CodeDeployRole',
      '--deployment-config-name', 'CodeDeployDefault.OneAtATime', '--auto-rollback-configuration', 'enabled=true,events=DEPLOYMENT_FAILURE');

    const d1 = await deploy(appDir('1'), 'app.zip');
    const info1 = (await ok('deploy', 'get-deployment', '--deployment-id', d1)).json<{ deploymentInfo: { status: string; deploymentOverview: Record<string, number> } }>().deploymentInfo;
    expect(info1.status).toBe('Succeeded');
    expect(info1.deploymentOverview).toMatchObject({ Succeeded: 3, Failed: 0 });
    const listed = (await ok('deploy', 'list-deployment-instances', '--deployment-id', d1)).json<{ instancesList: string[] }>().instancesList;
    expect([...listed].sort()).toEqual([...ids].sort());

    const described = (await ok('ec2', 'describe-instances', '--instance-ids', ...ids)).json<{ Reservations: { Instances: { InstanceId: string; PrivateIpAddress: string }[] }[] }>();
    const instances = described.Reservations.flatMap((r) => r.Instances);
    for (const inst of instances) {
      expect(await answer(inst.PrivateIpAddress)).toBe(`version 1 on ip-${inst.PrivateIpAddress.replace(/\./g, '-')}\n`);
      const root = join(s.dataDir, 'services/ec2/instances', inst.InstanceId, 'root');
      const st = statSync(join(root, 'var/www/html/scripts/start-server.sh'));
      expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o755, 33, 33]);
      expect((statSync(join(root, 'var/www/html/server.mjs')).mode & 0o777)).toBe(0o755);
    }

    const d2 = await deploy(appDir('2'), 'app-v2.zip');
    expect((await ok('deploy', 'get-deployment', '--deployment-id', d2)).json<{ deploymentInfo: { status: string } }>().deploymentInfo.status).toBe('Succeeded');
    for (const inst of instances) expect(await answer(inst.PrivateIpAddress)).toContain('version 2');
    const root0 = join(s.dataDir, 'services/ec2/instances', instances[0].InstanceId, 'root');
    const hooks = readFileSync(join(root0, 'var/log/hooks.log'), 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(hooks).toEqual([
      `BeforeInstall ${d1}`, `ApplicationStart ${d1}`, `ValidateService ${d1}`,
      `ApplicationStop ${d2}`, `BeforeInstall ${d2}`, `ApplicationStart ${d2}`, `ValidateService ${d2}`,
    ]);

    // Version 3 fails ValidateService on the first instance: the deployment fails and version 2 comes back.
    const d3 = await deploy(appDir('3', true), 'app-v3.zip');
    const info3 = (await ok('deploy', 'get-deployment', '--deployment-id', d3)).json<{ deploymentInfo: { status: string; errorInformation: { code: string }; rollbackInfo: { rollbackDeploymentId: string } } }>().deploymentInfo;
    expect(info3.status).toBe('Failed');
    expect(info3.errorInformation.code).toBe('HEALTH_CONSTRAINTS');
    const rollbackId = info3.rollbackInfo.rollbackDeploymentId;
    const rb = (await ok('deploy', 'get-deployment', '--deployment-id', rollbackId)).json<{ deploymentInfo: { status: string; creator: string; rollbackInfo: { rollbackTriggeringDeploymentId: string }; revision: { s3Location: { key: string } } } }>().deploymentInfo;
    expect(rb).toMatchObject({ status: 'Succeeded', creator: 'codeDeployRollback', rollbackInfo: { rollbackTriggeringDeploymentId: d3 }, revision: { s3Location: { key: 'app-v2.zip' } } });
    for (const inst of instances) expect(await answer(inst.PrivateIpAddress)).toContain('version 2');

    const failed = (await ok('deploy', 'list-deployment-instances', '--deployment-id', d3, '--instance-status-filter', 'Failed')).json<{ instancesList: string[] }>().instancesList;
    expect(failed).toHaveLength(1);
    const summary = (await ok('deploy', 'get-deployment-instance', '--deployment-id', d3, '--instance-id', failed[0])).json<{ instanceSummary: { lifecycleEvents: { lifecycleEventName: string; status: string; diagnostics?: { errorCode: string; message: string; logTail: string } }[] } }>().instanceSummary;
    const validate = summary.lifecycleEvents.find((e) => e.lifecycleEventName === 'ValidateService')!;
    expect(validate.status).toBe('Failed');
    expect(validate.diagnostics).toMatchObject({ errorCode: 'ScriptFailed', message: 'Script at specified location: scripts/validate-service.sh run as user root failed with exit code 3' });
    expect(validate.diagnostics!.logTail).toContain('[stderr]health check failed for version 3');
    const skipped = (await ok('deploy', 'list-deployment-instances', '--deployment-id', d3, '--instance-status-filter', 'Skipped')).json<{ instancesList: string[] }>().instancesList;
    expect(skipped).toHaveLength(2);
  }, 180_000); // about 30 s alone; longer while other files run instances in parallel on two cores
});
