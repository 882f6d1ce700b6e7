import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createQueue, drain, drainJson } from './support.js';

interface Event {
  source: string;
  'detail-type': string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Parameter Store events, bus-to-bus forwarding and target dead-letter queues, all through real services. */
describe('service events through EventBridge to real queues', () => {
  let sw: TestSlipway;
  let events: EventBridgeClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    sw = await startSlipway();
    events = new EventBridgeClient(sdkConfig(sw.url));
    sqs = new SQSClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('the seed\'s put-parameter sends Parameter Store Change events, without the value, to a rule\'s queue', async () => {
    const q = await createQueue(sqs, 'param-changes');
    await events.send(new PutRuleCommand({ Name: 'params', EventPattern: JSON.stringify({ source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'], detail: { name: [{ prefix: '/app/' }] } }) }));
    await events.send(new PutTargetsCommand({ Rule: 'params', Targets: [{ Id: 'q', Arn: q.arn }] }));
    const cli = awsCli(sw.env);
    for (const args of [
      ['put-parameter', '--name', '/app/db-host', '--value', 'db.local', '--type', 'String'],
      ['put-parameter', '--name', '/app/db-password', '--value', 'hunter2', '--type', 'SecureString'],
      ['put-parameter', '--name', '/app/db-host', '--value', 'db2.local', '--overwrite'],
      ['put-parameter', '--name', '/other/x', '--value', 'ignored', '--type', 'String'],
      ['delete-parameter', '--name', '/app/db-password'],
    ]) {
      const r = await cli('ssm', ...args);
      expect(r.code, r.stderr).toBe(0);
    }
    await sw.slipway.settled();
    const got = (await drain(sqs, q.url)).map((m) => m.Body!);
    expect(got.join('\n')).not.toContain('hunter2');
    const parsed = got.map((b) => JSON.parse(b) as Event);
    expect(parsed.map((e) => [e.source, e['detail-type'], e.detail.operation, e.detail.name, e.detail.type])).toEqual([
      ['aws.ssm', 'Parameter Store Change', 'Create', '/app/db-host', 'String'],
      ['aws.ssm', 'Parameter Store Change', 'Create', '/app/db-password', 'SecureString'],
      ['aws.ssm', 'Parameter Store Change', 'Update', '/app/db-host', 'String'],
      ['aws.ssm', 'Parameter Store Change', 'Delete', '/app/db-password', 'SecureString'],
    ]);
    expect(parsed[0].resources).toEqual(['arn:aws:ssm:us-east-1:000000000000:parameter/app/db-host']);
  });

  it('a rule forwards events to a custom bus whose own rule fills a queue', async () => {
    const q = await createQueue(sqs, 'audit');
    const bus = (await events.send(new CreateEventBusCommand({ Name: 'audit-bus' }))).EventBusArn!;
    await events.send(new PutRuleCommand({ Name: 'to-audit', EventPattern: JSON.stringify({ source: ['order.service'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'to-audit', Targets: [{ Id: 'bus', Arn: bus }] }));
    await events.send(new PutRuleCommand({ Name: 'audit-all', EventBusName: 'audit-bus', EventPattern: JSON.stringify({ 'detail-type': ['Order Placed'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'audit-all', EventBusName: 'audit-bus', Targets: [{ Id: 'q', Arn: q.arn }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'order.service', DetailType: 'Order Placed', Detail: '{"orderId":"o-9"}', Resources: ['arn:aws:shop:order/o-9'] }] }));
    await sw.slipway.settled();
    const got = await drainJson<Event>(sqs, q.url);
    expect(got.map((e) => [e.source, e['detail-type'], e.detail, e.resources])).toEqual([['order.service', 'Order Placed', { orderId: 'o-9' }, ['arn:aws:shop:order/o-9']]]);
  });

  it('an event its target cannot take goes to the target\'s dead-letter queue with AWS\'s attributes', async () => {
    const dlq = await createQueue(sqs, 'events-dlq');
    await events.send(new PutRuleCommand({ Name: 'to-nowhere', EventPattern: JSON.stringify({ source: ['billing'] }) }));
    const target = 'arn:aws:sqs:us-east-1:000000000000:does-not-exist';
    await events.send(new PutTargetsCommand({ Rule: 'to-nowhere', Targets: [{ Id: 'missing', Arn: target, DeadLetterConfig: { Arn: dlq.arn } }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'billing', DetailType: 'Invoice', Detail: '{"n":1}' }] }));
    // A target that no longer exists is not retried (AWS: "no retry attempts will happen"): it is dead-lettered at once.
    await sw.slipway.settled();
    const dead = await drain(sqs, dlq.url);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].Body!)).toMatchObject({ id: put.Entries![0].EventId, source: 'billing', detail: { n: 1 } });
    const attrs = Object.fromEntries(Object.entries(dead[0].MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toMatchObject({ RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/to-nowhere', TARGET_ARN: target, ERROR_CODE: 'QueueDoesNotExist', RETRY_ATTEMPTS: '0' });
  });
});
