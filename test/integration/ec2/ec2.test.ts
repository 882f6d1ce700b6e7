import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, StopInstancesCommand, StartInstancesCommand, CreateTagsCommand, DeleteTagsCommand, DescribeTagsCommand, DescribeInstanceStatusCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { fetchText } from '../../helpers/fetch-text.js';

let s: TestSlipway;
let ec2: EC2Client;

beforeAll(async () => {
  s = await startSlipway();
  ec2 = new EC2Client(sdkConfig(s.url));
});
afterAll(async () => {
  ec2?.destroy();
  await s?.close();
});

async function states(ids: string[]) {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  return out.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State!.Name);
}

describe('EC2 local instances', () => {
  it('runs instances from the CLI with tags; each gets an address reachable from the host', async () => {
    const cli = awsCli(s.env);
    const run = await cli('ec2', 'run-instances', '--image-id', 'ami-0c55b159cbfafe1f0', '--instance-type', 't3.micro', '--count', '3',
      '--tag-specifications', 'ResourceType=instance,Tags=[{Key=Name,Value=WebServer}]');
    expect(run.code, run.stderr).toBe(0);
    const res = run.json<{ ReservationId: string; Instances: { InstanceId: string; State: { Code: number; Name: string }; Tags: unknown[] }[] }>();
    expect(res.Instances).toHaveLength(3);
    expect(res.Instances[0].State).toEqual({ Code: 0, Name: 'pending' });
    await s.slipway.settled();
    const ids = res.Instances.map((i) => i.InstanceId);
    expect(await states(ids)).toEqual(['running', 'running', 'running']);

    const described = await cli('ec2', 'describe-instances', '--filters', 'Name=tag:Name,Values=WebServer', 'Name=instance-state-name,Values=running');
    const instances = described.json<{ Reservations: { ReservationId: string; Instances: { InstanceId: string; PrivateIpAddress: string; PublicIpAddress: string; InstanceType: string }[] }[] }>().Reservations.flatMap((r) => r.Instances);
    expect(instances.map((i) => i.InstanceId).sort()).toEqual([...ids].sort());
    expect(instances[0].InstanceType).toBe('t3.micro');
    const addresses = new Set(instances.map((i) => i.PrivateIpAddress));
    expect(addresses.size).toBe(3);
    expect(instances[0].PublicIpAddress).toBe(instances[0].PrivateIpAddress);
  });

  it('runs user data at boot inside the instance, and serves what it starts on the instance address', async () => {
    const script = '#!/bin/bash\nmkdir -p /var/www/html && echo "hello from $(hostname)" > /var/www/html/index.html\ncd /var/www/html && nohup python3 -m http.server 80 >/dev/null 2>&1 &\necho booted\n';
    const out = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, UserData: Buffer.from(script).toString('base64'), IamInstanceProfile: { Name: 'web' } }));
    const id = out.Instances![0].InstanceId!;
    await s.slipway.settled();
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0].Instances![0];
    expect(inst.IamInstanceProfile?.Arn).toBe('arn:aws:iam::000000000000:instance-profile/web');
    const root = join(s.dataDir, 'services/ec2/instances', id, 'root');
    expect(readFileSync(join(root, 'var/www/html/index.html'), 'utf8')).toBe(`hello from ip-${inst.PrivateIpAddress!.replace(/\./g, '-')}\n`);
    expect(readFileSync(join(root, 'var/log/cloud-init-output.log'), 'utf8')).toContain('booted');
    const body = await fetchText(`http://${inst.PrivateIpAddress}/index.html`);
    expect(body).toContain('hello from');

    // Stopping ends every process on the instance; starting again does not rerun user data.
    await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await s.slipway.settled();
    expect(await states([id])).toEqual(['stopped']);
    const after = await fetch(`http://${inst.PrivateIpAddress}/index.html`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).catch(() => 'unreachable');
    expect(after).not.toContain('hello from');
    const started = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(started.StartingInstances![0]).toMatchObject({ CurrentState: { Code: 0, Name: 'pending' }, PreviousState: { Code: 80, Name: 'stopped' } });
    await s.slipway.settled();
    expect(readFileSync(join(root, 'var/log/cloud-init-output.log'), 'utf8').match(/booted/g)).toHaveLength(1);

    const term = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(term.TerminatingInstances![0].CurrentState).toEqual({ Code: 32, Name: 'shutting-down' });
    await s.slipway.settled();
    expect(await states([id])).toEqual(['terminated']);
  });

  it('tags, filters, statuses and errors', async () => {
    const out = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-2', InstanceType: 'm5.large', MinCount: 2, MaxCount: 2 }));
    const [a, b] = out.Instances!.map((i) => i.InstanceId!);
    await s.slipway.settled();
    await ec2.send(new CreateTagsCommand({ Resources: [a, b], Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }] }));
    await ec2.send(new DeleteTagsCommand({ Resources: [b], Tags: [{ Key: 'env' }] }));
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env'] }] }));
    expect(tags.Tags!.map((t) => t.ResourceId)).toEqual([a]);
    const byKey = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['team'] }, { Name: 'instance-type', Values: ['m5.*'] }] }));
    expect(byKey.Reservations!.flatMap((r) => r.Instances!).map((i) => i.InstanceId).sort()).toEqual([a, b].sort());
    const status = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [a] }));
    expect(status.InstanceStatuses![0]).toMatchObject({ InstanceState: { Name: 'running', Code: 16 }, InstanceStatus: { Status: 'ok' } });
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    await expect(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const paged = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    expect(paged.NextToken).toBeDefined();
  });
});

