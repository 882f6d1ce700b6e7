import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, GetLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CodeCommitClient, CreateCommitCommand, CreateRepositoryCommand, GetFileCommand, ListRepositoriesCommand } from '@aws-sdk/client-codecommit';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand, GetObjectCommand, ListBucketsCommand, ListObjectVersionsCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeParametersCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { SERVICES } from '../../../src/services/registry.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { FakeService, servicesWith } from '../events/fakes.js';
import { drain, drainJson, type Queue } from './support.js';

const MIN = 60_000;

/** SDK clients for every service, pointed at one Slipway. */
function clients(url: string) {
  const c = sdkConfig(url);
  return {
    iam: new IAMClient(c), s3: new S3Client(c), ssm: new SSMClient(c), secrets: new SecretsManagerClient(c), ddb: new DynamoDBClient(c),
    sqs: new SQSClient(c), sns: new SNSClient(c), events: new EventBridgeClient(c), logs: new CloudWatchLogsClient(c), cw: new CloudWatchClient(c), cc: new CodeCommitClient(c),
  };
}

/** An SQS that is down: every call fails with a server error, so senders retry later. */
const downSqs = () => {
  const sqs = new FakeService('sqs', { GetQueueUrl: () => ({}), SendMessage: () => ({}) });
  sqs.fail(Infinity);
  return sqs;
};

describe('every service together across restarts and resets', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cross-'));
  const start = Date.UTC(2024, 0, 1);
  let sw: TestSlipway | undefined;
  let key: { id: string; secret: string };
  let inbox: Queue;
  let firstVersion: string;
  afterAll(async () => {
    await sw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const open = async (clock: ManualClock, services = SERVICES) => (sw = await startSlipway({ dataDir, clock, services }));
  const close = async () => {
    await sw!.close();
    sw = undefined;
  };

  it('keeps every service\'s data across a restart', async () => {
    const clock = new ManualClock(start);
    const { url } = await open(clock);
    const c = clients(url);
    await c.iam.send(new CreateRoleCommand({ RoleName: 'CodeBuildRole', AssumeRolePolicyDocument: '{"Statement":[]}' }));
    await c.iam.send(new CreateUserCommand({ UserName: 'ci' }));
    const k = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    key = { id: k.AccessKeyId!, secret: k.SecretAccessKey! };
    await c.s3.send(new CreateBucketCommand({ Bucket: 'terraform-state-bucket' }));
    await c.s3.send(new PutBucketVersioningCommand({ Bucket: 'terraform-state-bucket', VersioningConfiguration: { Status: 'Enabled' } }));
    firstVersion = (await c.s3.send(new PutObjectCommand({ Bucket: 'terraform-state-bucket', Key: 'prod/terraform.tfstate', Body: '{"serial":1}' }))).VersionId!;
    await c.s3.send(new PutObjectCommand({ Bucket: 'terraform-state-bucket', Key: 'prod/terraform.tfstate', Body: '{"serial":2}' }));
    await c.ssm.send(new PutParameterCommand({ Name: '/app/db-password', Value: 's3cr3t', Type: 'SecureString' }));
    await c.secrets.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: '{"password":"one"}' }));
    await c.secrets.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: '{"password":"two"}' }));
    await c.ddb.send(new CreateTableCommand({ TableName: 'terraform-locks', AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await c.ddb.send(new PutItemCommand({ TableName: 'terraform-locks', Item: { LockID: { S: 'terraform-state-bucket/prod/terraform.tfstate' }, Info: { S: 'held by ci' } } }));
    const inboxUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl!;
    inbox = { url: inboxUrl, arn: 'arn:aws:sqs:us-east-1:000000000000:inbox' };
    await c.sqs.send(new SendMessageCommand({ QueueUrl: inbox.url, MessageBody: 'sent before the restart' }));
    const topicArn = (await c.sns.send(new CreateTopicCommand({ Name: 'alert-topic' }))).TopicArn!;
    await c.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inbox.arn, Attributes: { RawMessageDelivery: 'true' } }));
    await c.events.send(new PutRuleCommand({ Name: 'order-processing', EventPattern: '{"source":["order.service"]}' }));
    await c.events.send(new PutTargetsCommand({ Rule: 'order-processing', Targets: [{ Id: 'q', Arn: inbox.arn }] }));
    await c.s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    await c.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'uploads', NotificationConfiguration: { QueueConfigurations: [{ Id: 'all', QueueArn: inbox.arn, Events: ['s3:ObjectCreated:*'] }] } }));
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/codebuild/my-build-project' }));
    await c.logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/codebuild/my-build-project', logStreamName: 'b1' }));
    await c.logs.send(new PutLogEventsCommand({ logGroupName: '/aws/codebuild/my-build-project', logStreamName: 'b1', logEvents: [{ timestamp: start, message: 'Phase complete: BUILD State: SUCCEEDED' }] }));
    await c.cw.send(new PutMetricDataCommand({ Namespace: 'MyApplication', MetricData: [{ MetricName: 'ProcessedRecords', Value: 123, Unit: 'Count', Timestamp: new Date(start) }] }));
    await c.cw.send(new PutMetricAlarmCommand({ AlarmName: 'high-error-rate', MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'Sum', Period: 300, Threshold: 50, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, AlarmActions: [topicArn] }));
    await c.cc.send(new CreateRepositoryCommand({ repositoryName: 'my-repo' }));
    await c.cc.send(new CreateCommitCommand({ repositoryName: 'my-repo', branchName: 'main', putFiles: [{ filePath: 'buildspec.yml', fileContent: Buffer.from('version: 0.2\n') }] }));
    await sw!.slipway.settled();
    await drain(c.sqs, inbox.url); // the S3 test event and the message above: received, so hidden for 30 s
    await close();

    const again = new ManualClock(start + 10 * MIN); // past the visibility timeout
    const r = clients((await open(again)).url);
    expect((await r.iam.send(new GetRoleCommand({ RoleName: 'CodeBuildRole' }))).Role?.Arn).toBe('arn:aws:iam::000000000000:role/CodeBuildRole');
    const asCi = new STSClient({ ...sdkConfig(sw!.url), credentials: { accessKeyId: key.id, secretAccessKey: key.secret } });
    expect((await asCi.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::000000000000:user/ci');
    expect((await r.s3.send(new ListObjectVersionsCommand({ Bucket: 'terraform-state-bucket' }))).Versions).toHaveLength(2);
    const old = await r.s3.send(new GetObjectCommand({ Bucket: 'terraform-state-bucket', Key: 'prod/terraform.tfstate', VersionId: firstVersion }));
    expect(await old.Body!.transformToString()).toBe('{"serial":1}');
    expect((await r.ssm.send(new GetParameterCommand({ Name: '/app/db-password', WithDecryption: true }))).Parameter?.Value).toBe('s3cr3t');
    expect((await r.secrets.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('{"password":"one"}');
    expect((await r.secrets.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).SecretString).toBe('{"password":"two"}');
    expect((await r.ddb.send(new GetItemCommand({ TableName: 'terraform-locks', Key: { LockID: { S: 'terraform-state-bucket/prod/terraform.tfstate' } } }))).Item?.Info).toEqual({ S: 'held by ci' });
    expect((await drain(r.sqs, inbox.url)).map((m) => m.Body)).toContain('sent before the restart');
    expect((await r.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions?.map((s) => s.Endpoint)).toEqual([inbox.arn]);
    expect((await r.events.send(new ListTargetsByRuleCommand({ Rule: 'order-processing' }))).Targets?.map((t) => t.Arn)).toEqual([inbox.arn]);
    const logged = await r.logs.send(new GetLogEventsCommand({ logGroupName: '/aws/codebuild/my-build-project', logStreamName: 'b1', startFromHead: true }));
    expect(logged.events?.map((e) => e.message)).toEqual(['Phase complete: BUILD State: SUCCEEDED']);
    const stats = await r.cw.send(new GetMetricStatisticsCommand({ Namespace: 'MyApplication', MetricName: 'ProcessedRecords', StartTime: new Date(start - MIN), EndTime: new Date(start + MIN), Period: 60, Statistics: ['Sum'] }));
    expect(stats.Datapoints?.map((d) => d.Sum)).toEqual([123]);
    expect((await r.cw.send(new DescribeAlarmsCommand({ AlarmNames: ['high-error-rate'] }))).MetricAlarms?.[0].AlarmActions).toEqual([topicArn]);
    const file = await r.cc.send(new GetFileCommand({ repositoryName: 'my-repo', filePath: 'buildspec.yml' }));
    expect(Buffer.from(file.fileContent!).toString()).toBe('version: 0.2\n');
    await close();
  });

  it('delivers events, notifications and messages accepted while SQS was down after a restart', async () => {
    const clock = new ManualClock(start + 20 * MIN);
    const { url } = await open(clock, servicesWith(downSqs()));
    const c = clients(url);
    await c.events.send(new PutEventsCommand({ Entries: [1, 2, 3].map((n) => ({ Source: 'order.service', DetailType: 'Order Placed', Detail: JSON.stringify({ n }) })) }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'build.zip', Body: 'zip' }));
    await c.sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:alert-topic', Message: 'published while down' }));
    await sw!.slipway.settled();
    await close(); // the deliveries failed and wait for their retries

    const later = new ManualClock(start + 21 * MIN);
    const r = clients((await open(later)).url);
    later.advance(10 * MIN);
    await sw!.slipway.settled();
    const bodies = (await drain(r.sqs, inbox.url)).map((m) => m.Body!);
    const orders = bodies.filter((b) => b.includes('order.service')).map((b) => (JSON.parse(b) as { detail: { n: number } }).detail.n).sort();
    expect(orders).toEqual([1, 2, 3]);
    const records = bodies.filter((b) => b.startsWith('{"Records"')).map((b) => (JSON.parse(b) as { Records: { eventName: string; s3: { object: { key: string } } }[] }).Records[0]);
    expect(records.map((x) => [x.eventName, x.s3.object.key])).toEqual([['ObjectCreated:Put', 'build.zip']]);
    expect(bodies).toContain('published while down');
    // Besides these five, only the two messages received (never deleted) in the first test came back.
    expect(bodies.filter((b) => b !== 'sent before the restart' && !b.includes('s3:TestEvent'))).toHaveLength(5);
  });

  it('POST /_slipway/reset leaves no service data behind, and health lists every service as running', async () => {
    const url = sw!.url;
    const health = await (await fetch(`${url}/_slipway/health`)).json() as { status: string; services: Record<string, string> };
    expect(health.status).toBe('running');
    expect(health.services).toEqual(Object.fromEntries(SERVICES.map((s) => s.name).sort().map((n) => [n, 'running'])));
    // Services added later join the list; these must always be there.
    expect(Object.keys(health.services)).toEqual(expect.arrayContaining(['cloudwatch', 'codecommit', 'dynamodb', 'events', 'iam', 'logs', 's3', 'secretsmanager', 'sns', 'sqs', 'ssm', 'sts']));

    const reset = await fetch(`${url}/_slipway/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ status: 'reset' });
    const c = clients(url);
    expect((await c.iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
    expect((await c.iam.send(new ListUsersCommand({}))).Users).toEqual([]);
    const asCi = new STSClient({ ...sdkConfig(url), credentials: { accessKeyId: key.id, secretAccessKey: key.secret } });
    expect((await asCi.send(new GetCallerIdentityCommand({}))).Arn).not.toBe('arn:aws:iam::000000000000:user/ci');
    expect((await c.s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    expect((await c.ssm.send(new DescribeParametersCommand({}))).Parameters).toEqual([]);
    expect((await c.secrets.send(new ListSecretsCommand({}))).SecretList).toEqual([]);
    expect((await c.ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    expect((await c.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
    expect((await c.sns.send(new ListTopicsCommand({}))).Topics).toEqual([]);
    expect((await c.events.send(new ListRulesCommand({}))).Rules).toEqual([]);
    expect((await c.logs.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
    expect((await c.cw.send(new ListMetricsCommand({}))).Metrics).toEqual([]);
    expect((await c.cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
    expect((await c.cc.send(new ListRepositoriesCommand({}))).repositories).toEqual([]);
    // Names are free again: the same resources can be created afresh.
    await c.cc.send(new CreateRepositoryCommand({ repositoryName: 'my-repo' }));
    await c.s3.send(new CreateBucketCommand({ Bucket: 'terraform-state-bucket' }));
    expect((await c.s3.send(new ListObjectVersionsCommand({ Bucket: 'terraform-state-bucket' }))).Versions).toBeUndefined();
    expect(await drainJson(c.sqs, inbox.url).catch((e: Error) => e.name)).toBe('QueueDoesNotExist');
  });
});
