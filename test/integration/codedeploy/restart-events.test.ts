import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/codedeploy-app');
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cd-restart-'));
let s: TestSlipway | undefined;

afterAll(async () => {
  await s?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function drain(sqs: SQSClient, url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body!));
  }
}

describe('events, triggers and restarts', () => {
  it('publishes state-change events and triggers, and the application answers again after Slipway restarts', async () => {
    s = await startSlipway({ dataDir });
    const cfg = sdkConfig(s.url);
    const [cd, ec2, s3, sqs, sns, eb] = [new CodeDeployClient(cfg), new EC2Client(cfg), new S3Client(cfg), new SQSClient(cfg), new SNSClient(cfg), new EventBridgeClient(cfg)];
    const events = await sqs.send(new CreateQueueCommand({ QueueName: 'cd-events' }));
    const triggered = await sqs.send(new CreateQueueCommand({ QueueName: 'cd-triggers' }));
    const arnOf = async (url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await eb.send(new PutRuleCommand({ Name: 'deployments', EventPattern: JSON.stringify({ source: ['aws.codedeploy'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'deployments', Targets: [{ Id: 'q', Arn: await arnOf(events.QueueUrl!) }] }));
    const topic = await sns.send(new CreateTopicCommand({ Name: 'deploys' }));
    await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: await arnOf(triggered.QueueUrl!), Attributes: { RawMessageDelivery: 'true' } }));

    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'WebServer' }] }] }));
    const instanceId = run.Instances![0].InstanceId!;
    await s3.send(new CreateBucketCommand({ Bucket: 'cd-bundles' }));
    const bundle = join(dataDir, 'app.tgz');
    await tar.c({ gzip: true, file: bundle, cwd: FIXTURE, portable: true }, ['.']);
    await s3.send(new PutObjectCommand({ Bucket: 'cd-bundles', Key: 'app.tgz', Body: readFileSync(bundle) }));
    await cd.send(new CreateApplicationCommand({ applicationName: 'web' }));
    await cd.send(new CreateDeploymentGroupCommand({
      applicationName: 'web', deploymentGroupName: 'prod', serviceRoleArn: 'arn:aws:iam::000000000000:role/cd', ec2TagFilters: [{ Key: 'Name', Value: 'WebServer', Type: 'KEY_AND_VALUE' }],
      triggerConfigurations: [{ triggerName: 'all', triggerTargetArn: topic.TopicArn, triggerEvents: ['DeploymentStart', 'DeploymentSuccess', 'InstanceSuccess'] }],
    }));
    await s.slipway.settled();
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({ applicationName: 'web', deploymentGroupName: 'prod', revision: { revisionType: 'S3', s3Location: { bucket: 'cd-bundles', key: 'app.tgz', bundleType: 'tgz' } } }));
    await s.slipway.settled();
    expect((await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!.status).toBe('Succeeded');

    const received = (await drain(sqs, events.QueueUrl!)).map((b) => JSON.parse(b) as { 'detail-type': string; detail: { state: string; deploymentId: string; instanceId?: string } });
    expect(received.map((e) => `${e['detail-type']}:${e.detail.state}`).sort()).toEqual([
      'CodeDeploy Deployment State-change Notification:START', 'CodeDeploy Deployment State-change Notification:SUCCESS',
      'CodeDeploy Instance State-change Notification:START', 'CodeDeploy Instance State-change Notification:SUCCESS',
    ]);
    expect(received.every((e) => e.detail.deploymentId === deploymentId)).toBe(true);
    const triggers = (await drain(sqs, triggered.QueueUrl!)).map((b) => JSON.parse(b) as { status: string; eventTriggerName: string; instanceId?: string });
    expect(triggers.map((t) => t.status).sort()).toEqual(['CREATED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(triggers.find((t) => t.instanceId)?.instanceId).toBe(instanceId);

    const address = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0].Instances![0].PrivateIpAddress!;
    expect(await (await fetch(`http://${address}/`)).text()).toContain('version 1');
    for (const c of [cd, ec2, s3, sqs, sns, eb]) c.destroy();

    // A restart ends every instance process; booting the instances again restarts the application.
    await s.close();
    const meanwhile = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).catch(() => 'unreachable');
    expect(meanwhile).not.toContain('version 1');
    s = await startSlipway({ dataDir });
    let body = '';
    for (let i = 0; i < 100 && !body.includes('version 1'); i++) {
      body = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).catch(() => '');
      if (!body.includes('version 1')) await new Promise((r) => setTimeout(r, 50));
    }
    expect(body).toContain('version 1');
  });
});
