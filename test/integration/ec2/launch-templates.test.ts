import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, DeleteLaunchTemplateCommand, DeleteLaunchTemplateVersionsCommand, DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client, ModifyLaunchTemplateCommand, RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

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

describe('EC2 launch templates', () => {
  it('creates versions, resolves $Latest and $Default, and changes the default', async () => {
    const created = await ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'app', VersionDescription: 'first',
      LaunchTemplateData: { ImageId: 'ami-1', InstanceType: 't3.micro' },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'web' }] }],
    }));
    const id = created.LaunchTemplate!.LaunchTemplateId!;
    expect(id).toMatch(/^lt-[0-9a-f]{17}$/);
    expect(created.LaunchTemplate).toMatchObject({ LaunchTemplateName: 'app', DefaultVersionNumber: 1, LatestVersionNumber: 1, Tags: [{ Key: 'team', Value: 'web' }] });
    const v2 = await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, SourceVersion: '1', LaunchTemplateData: { InstanceType: 't3.large' } }));
    expect(v2.LaunchTemplateVersion).toMatchObject({ VersionNumber: 2, DefaultVersion: false, LaunchTemplateData: { ImageId: 'ami-1', InstanceType: 't3.large' } });

    const latest = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'app', Versions: ['$Latest', '$Default'] }));
    expect(latest.LaunchTemplateVersions!.map((v) => v.VersionNumber)).toEqual([2, 1]);
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '2' }));
    const listed = await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:team', Values: ['web'] }] }));
    expect(listed.LaunchTemplates).toMatchObject([{ LaunchTemplateId: id, DefaultVersionNumber: 2, LatestVersionNumber: 2 }]);

    const del = await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['1', '2', '9'] }));
    expect(del.SuccessfullyDeletedLaunchTemplateVersions!.map((v) => v.VersionNumber)).toEqual([1]);
    expect(del.UnsuccessfullyDeletedLaunchTemplateVersions!.map((v) => [v.VersionNumber, v.ResponseError!.Code])).toEqual([[2, 'unexpectedError'], [9, 'launchTemplateVersionDoesNotExist']]);
    const all = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id }));
    expect(all.LaunchTemplateVersions!.map((v) => v.VersionNumber)).toEqual([2]);

    await expect(ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'app', LaunchTemplateData: { ImageId: 'ami-2' } }))).rejects.toMatchObject({ name: 'InvalidLaunchTemplateName.AlreadyExistsException' });
    await expect(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['7'] }))).rejects.toMatchObject({ name: 'InvalidLaunchTemplateId.VersionNotFound' });
    await expect(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] }))).rejects.toMatchObject({ name: 'InvalidLaunchTemplateName.NotFoundException' });
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'app' }));
    await expect(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }))).rejects.toMatchObject({ name: 'InvalidLaunchTemplateId.NotFound' });
  });

  it('runs instances from a template with its image, type, tags and user data (CLI)', async () => {
    const cli = awsCli(s.env);
    const userData = Buffer.from('#!/bin/sh\necho from-template > /tmp/marker\necho booted\n').toString('base64');
    const data = JSON.stringify({
      ImageId: 'ami-0c55b159cbfafe1f0', InstanceType: 't3.micro', UserData: userData,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }, { Key: 'tier', Value: 'front' }] }],
    });
    const created = await cli('ec2', 'create-launch-template', '--launch-template-name', 'web', '--launch-template-data', data);
    expect(created.code, created.stderr).toBe(0);
    const ltId = created.json<{ LaunchTemplate: { LaunchTemplateId: string } }>().LaunchTemplate.LaunchTemplateId;
    const run = await cli('ec2', 'run-instances', '--launch-template', 'LaunchTemplateName=web,Version=$Latest',
      '--tag-specifications', 'ResourceType=instance,Tags=[{Key=Name,Value=override}]');
    expect(run.code, run.stderr).toBe(0);
    const inst = run.json<{ Instances: { InstanceId: string; ImageId: string; InstanceType: string }[] }>().Instances[0];
    expect(inst).toMatchObject({ ImageId: 'ami-0c55b159cbfafe1f0', InstanceType: 't3.micro' });
    await s.slipway.settled();
    const described = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [inst.InstanceId] }))).Reservations![0].Instances![0];
    expect(described.State!.Name).toBe('running');
    expect(Object.fromEntries(described.Tags!.map((t) => [t.Key, t.Value]))).toEqual({
      Name: 'override', tier: 'front', 'aws:ec2launchtemplate:id': ltId, 'aws:ec2launchtemplate:version': '1',
    });
    const root = join(s.dataDir, 'services/ec2/instances', inst.InstanceId, 'root');
    expect(readFileSync(join(root, 'var/log/cloud-init-output.log'), 'utf8')).toContain('booted');
    expect(readFileSync(join(root, 'tmp/marker'), 'utf8')).toBe('from-template\n');

    const sdkRun = await ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateId: ltId }, InstanceType: 'm5.large' }));
    expect(sdkRun.Instances![0]).toMatchObject({ ImageId: 'ami-0c55b159cbfafe1f0', InstanceType: 'm5.large' });
    await expect(ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: 'missing' } }))).rejects.toMatchObject({ name: 'InvalidLaunchTemplateName.NotFoundException' });
    await s.slipway.settled();
  });
});
