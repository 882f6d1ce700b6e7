import {
  CreateEventBusCommand, DeleteEventBusCommand, DescribeEventBusCommand, DescribeRuleCommand, EventBridgeClient, InvalidEventPatternException,
  ListEventBusesCommand, ListRuleNamesByTargetCommand, ListRulesCommand, ListTagsForResourceCommand, ListTargetsByRuleCommand, PutEventsCommand,
  PutPermissionCommand, PutRuleCommand, PutTargetsCommand, RemovePermissionCommand, ResourceAlreadyExistsException, ResourceNotFoundException,
  TagResourceCommand, TestEventPatternCommand, UntagResourceCommand, LimitExceededException, UpdateEventBusCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

const ARN = 'arn:aws:events:us-east-1:000000000000';

describe('EventBridge through the SDK v3 client', () => {
  let sw: TestSlipway;
  let eb: EventBridgeClient;

  beforeAll(async () => {
    sw = await startSlipway();
    eb = new EventBridgeClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('has a default bus and manages custom buses', async () => {
    const def = await eb.send(new DescribeEventBusCommand({}));
    expect(def).toMatchObject({ Name: 'default', Arn: `${ARN}:event-bus/default` });
    const created = await eb.send(new CreateEventBusCommand({ Name: 'orders', Description: 'order events', Tags: [{ Key: 'team', Value: 'shop' }] }));
    expect(created.EventBusArn).toBe(`${ARN}:event-bus/orders`);
    await expect(eb.send(new CreateEventBusCommand({ Name: 'orders' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(eb.send(new CreateEventBusCommand({ Name: 'default' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await eb.send(new UpdateEventBusCommand({ Name: 'orders', Description: 'all orders' }));
    expect((await eb.send(new DescribeEventBusCommand({ Name: `${ARN}:event-bus/orders` }))).Description).toBe('all orders');
    for (const name of ['b1', 'b2', 'b3']) await eb.send(new CreateEventBusCommand({ Name: name }));
    const first = await eb.send(new ListEventBusesCommand({ Limit: 2 }));
    expect(first.EventBuses?.map((b) => b.Name)).toEqual(['b1', 'b2']);
    const rest = await eb.send(new ListEventBusesCommand({ Limit: 10, NextToken: first.NextToken }));
    expect(rest.EventBuses?.map((b) => b.Name)).toEqual(['b3', 'default', 'orders']);
    expect(rest.NextToken).toBeUndefined();
    expect((await eb.send(new ListTagsForResourceCommand({ ResourceARN: created.EventBusArn }))).Tags).toEqual([{ Key: 'team', Value: 'shop' }]);
    await eb.send(new DeleteEventBusCommand({ Name: 'b3' }));
    await expect(eb.send(new DescribeEventBusCommand({ Name: 'b3' }))).rejects.toThrow('Event bus b3 does not exist.');
    await expect(eb.send(new DeleteEventBusCommand({ Name: 'default' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('stores bus permissions as a policy', async () => {
    await eb.send(new PutPermissionCommand({ EventBusName: 'orders', Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'partner' }));
    const policy = JSON.parse((await eb.send(new DescribeEventBusCommand({ Name: 'orders' }))).Policy!);
    expect(policy.Statement).toEqual([{ Sid: 'partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'events:PutEvents', Resource: `${ARN}:event-bus/orders` }]);
    await eb.send(new RemovePermissionCommand({ EventBusName: 'orders', StatementId: 'partner' }));
    expect((await eb.send(new DescribeEventBusCommand({ Name: 'orders' }))).Policy).toBeUndefined();
  });

  it('lists rules by prefix with pagination, on the right bus', async () => {
    for (const name of ['deploy-a', 'deploy-b', 'deploy-c', 'other']) {
      await eb.send(new PutRuleCommand({ Name: name, EventBusName: 'orders', EventPattern: '{"source":["x"]}', Description: name }));
    }
    const p1 = await eb.send(new ListRulesCommand({ EventBusName: 'orders', NamePrefix: 'deploy-', Limit: 2 }));
    expect(p1.Rules?.map((r) => [r.Name, r.EventBusName, r.Arn])).toEqual([
      ['deploy-a', 'orders', `${ARN}:rule/orders/deploy-a`],
      ['deploy-b', 'orders', `${ARN}:rule/orders/deploy-b`],
    ]);
    const p2 = await eb.send(new ListRulesCommand({ EventBusName: 'orders', NamePrefix: 'deploy-', Limit: 2, NextToken: p1.NextToken }));
    expect(p2.Rules?.map((r) => r.Name)).toEqual(['deploy-c']);
    expect((await eb.send(new ListRulesCommand({}))).Rules).toEqual([]);
    await expect(eb.send(new DescribeRuleCommand({ Name: 'deploy-a' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(eb.send(new PutRuleCommand({ Name: 'x', EventBusName: 'nope', EventPattern: '{"source":["x"]}' }))).rejects.toThrow('Event bus nope does not exist.');
  });

  it('validates rules: pattern, schedule, and where schedules may live', async () => {
    const bad = eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"detail":{"state":[{"anything-but":["a",1]}]}}' }));
    await expect(bad).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(bad).rejects.toThrow('Event pattern is not valid. Reason: Inside anything but list, either all values are number or string, mixed type is not supported (in the pattern for "detail.state")');
    await expect(eb.send(new PutRuleCommand({ Name: 'none' }))).rejects.toThrow('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    await expect(eb.send(new PutRuleCommand({ Name: 's', ScheduleExpression: 'cron(0 12 * * * *)' }))).rejects.toThrow('Parameter ScheduleExpression is not valid.');
    await expect(eb.send(new PutRuleCommand({ Name: 's', EventBusName: 'orders', ScheduleExpression: 'rate(5 minutes)' }))).rejects.toThrow('ScheduleExpression is supported only on the default event bus.');
    const ok = await eb.send(new PutRuleCommand({ Name: 's', ScheduleExpression: 'cron(0 12 * * ? *)', State: 'DISABLED' }));
    expect(await eb.send(new DescribeRuleCommand({ Name: 's' }))).toMatchObject({ Arn: ok.RuleArn, ScheduleExpression: 'cron(0 12 * * ? *)', State: 'DISABLED' });
  });

  it('puts targets with per-entry failures, and finds rules by target', async () => {
    const out = await eb.send(new PutTargetsCommand({
      Rule: 'deploy-a',
      EventBusName: 'orders',
      Targets: [
        { Id: 'good', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
        { Id: 'badarn', Arn: 'not-an-arn' },
        { Id: 'badinput', Arn: 'arn:aws:sqs:us-east-1:000000000000:q', Input: '{nope' },
        { Id: 'both', Arn: 'arn:aws:sqs:us-east-1:000000000000:q', Input: '{}', InputPath: '$.detail' },
      ],
    }));
    expect(out.FailedEntryCount).toBe(3);
    expect(out.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode])).toEqual([['badarn', 'ValidationException'], ['badinput', 'ValidationException'], ['both', 'ValidationException']]);
    expect(out.FailedEntries?.[0].ErrorMessage).toBe('Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.');
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'deploy-a', EventBusName: 'orders' }))).Targets?.map((t) => t.Id)).toEqual(['good']);
    await eb.send(new PutTargetsCommand({ Rule: 'deploy-c', EventBusName: 'orders', Targets: [{ Id: 'same', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }] }));
    const byTarget = await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: 'arn:aws:sqs:us-east-1:000000000000:q', EventBusName: 'orders' }));
    expect(byTarget.RuleNames).toEqual(['deploy-a', 'deploy-c']);
    const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }));
    await expect(eb.send(new PutTargetsCommand({ Rule: 'other', EventBusName: 'orders', Targets: six }))).rejects.toBeInstanceOf(LimitExceededException);
  });

  it('tags and untags rules by ARN', async () => {
    const arn = `${ARN}:rule/orders/deploy-b`;
    await eb.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ci' }] }));
    await eb.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['owner'] }));
    expect((await eb.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
    await expect(eb.send(new ListTagsForResourceCommand({ ResourceARN: `${ARN}:rule/nope` }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('validates PutEvents entries one by one, and the request size', async () => {
    const out = await eb.send(new PutEventsCommand({
      Entries: [
        { Source: 'app', DetailType: 't', Detail: '{}' },
        { DetailType: 't', Detail: '{}' },
        { Source: 'app', Detail: '{}' },
        { Source: 'app', DetailType: 't' },
        { Source: 'app', DetailType: 't', Detail: '[1]' },
        { Source: 'app', DetailType: 't', Detail: '{}', EventBusName: 'missing' },
      ],
    }));
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'MalformedDetail', 'ResourceNotFoundException']);
    expect(out.Entries?.[1].ErrorMessage).toBe('Parameter Source is not valid. Reason: Source is a required argument.');
    const big = JSON.stringify({ blob: 'x'.repeat(256 * 1024) });
    await expect(eb.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 't', Detail: big }] }))).rejects.toThrow('Total size of the entries in the request is over the limit.');
    const eleven = Array.from({ length: 11 }, () => ({ Source: 'app', DetailType: 't', Detail: '{}' }));
    await expect(eb.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('tests event patterns', async () => {
    const event = JSON.stringify({ id: 'e1', account: '000000000000', source: 'aws.ec2', time: '2024-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'running', 'c-count': 4 } });
    const test = async (pattern: object) => (await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event }))).Result;
    expect(await test({ source: ['aws.ec2'], detail: { state: ['running'] } })).toBe(true);
    expect(await test({ detail: { 'c-count': [{ numeric: ['>', 5] }] } })).toBe(false);
    expect(await test({ $or: [{ detail: { state: [{ prefix: 'run' }] } }, { source: ['x'] }] })).toBe(true);
    await expect(eb.send(new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: '{"source":"x"}' }))).rejects.toThrow('Parameter Event is not valid.');
  });
});
