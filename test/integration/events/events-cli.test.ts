import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { fakeSqs, messages, servicesWith, type FakeService } from './fakes.js';

const pattern = '{"source":["order.service"],"detail-type":["Order Placed"],"detail":{"status":["confirmed"]}}';

describe('EventBridge through the aws CLI (the seed commands)', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let sqs: FakeService;

  beforeAll(async () => {
    sqs = fakeSqs();
    sw = await startSlipway({ services: servicesWith(sqs) });
    cli = awsCli(sw.env);
  });
  afterAll(() => sw.close());

  it('put-rule, put-targets and put-events deliver the matching order to the queue', async () => {
    const rule = await cli('events', 'put-rule', '--name', 'order-processing', '--event-pattern', pattern, '--state', 'ENABLED');
    expect(rule.code, rule.stderr).toBe(0);
    expect(rule.json()).toEqual({ RuleArn: 'arn:aws:events:us-east-1:000000000000:rule/order-processing' });

    const targets = await cli('events', 'put-targets', '--rule', 'order-processing', '--targets', 'Id=q,Arn=arn:aws:sqs:us-east-1:000000000000:orders');
    expect(targets.json()).toEqual({ FailedEntryCount: 0, FailedEntries: [] });

    const entries = join(sw.dataDir, 'entries.json');
    writeFileSync(
      entries,
      JSON.stringify([
        { Source: 'order.service', DetailType: 'Order Placed', Detail: JSON.stringify({ status: 'confirmed', orderId: 'o-1' }) },
        { Source: 'order.service', DetailType: 'Order Placed', Detail: JSON.stringify({ status: 'pending', orderId: 'o-2' }) },
        { Source: 'aws.ec2', DetailType: 'Order Placed', Detail: '{}' },
        { Source: 'order.service', DetailType: 'Order Placed', Detail: 'not json' },
      ]),
    );
    const put = await cli('events', 'put-events', '--entries', `file://${entries}`);
    expect(put.code, put.stderr).toBe(0);
    const out = put.json<{ FailedEntryCount: number; Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[] }>();
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries[0].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries[2]).toEqual({ ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' });
    expect(out.Entries[3]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });

    await sw.slipway.settled();
    const got = messages(sqs, 'orders');
    expect(got).toHaveLength(1);
    const event = JSON.parse(got[0].body);
    expect(event).toMatchObject({
      version: '0',
      id: out.Entries[0].EventId,
      'detail-type': 'Order Placed',
      source: 'order.service',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
      detail: { status: 'confirmed', orderId: 'o-1' },
    });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('describes and lists rules and targets', async () => {
    const described = (await cli('events', 'describe-rule', '--name', 'order-processing')).json();
    expect(described).toMatchObject({ Name: 'order-processing', EventPattern: pattern, State: 'ENABLED', EventBusName: 'default', CreatedBy: '000000000000' });
    const listed = (await cli('events', 'list-rules', '--name-prefix', 'order')).json<{ Rules: { Name: string }[] }>();
    expect(listed.Rules.map((r) => r.Name)).toEqual(['order-processing']);
    const targets = (await cli('events', 'list-targets-by-rule', '--rule', 'order-processing')).json();
    expect(targets).toEqual({ Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:orders' }] });
  });

  it('tests patterns and points at the offending part of a bad one', async () => {
    const event = JSON.stringify({ id: '1', account: '000000000000', source: 'order.service', time: '2024-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'Order Placed', detail: { status: 'confirmed' } });
    const ok = await cli('events', 'test-event-pattern', '--event-pattern', pattern, '--event', event);
    expect(ok.json()).toEqual({ Result: true });
    const bad = await cli('events', 'put-rule', '--name', 'bad', '--event-pattern', '{"detail":{"amount":[{"numeric":[">","ten"]}]}}');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('(InvalidEventPatternException) when calling the PutRule operation: Event pattern is not valid. Reason: Value of > must be numeric (in the pattern for "detail.amount")');
  });

  it('refuses to delete a rule that still has targets, then deletes it once they are removed', async () => {
    const refused = await cli('events', 'delete-rule', '--name', 'order-processing');
    expect(refused.stderr).toContain("(ValidationException) when calling the DeleteRule operation: Rule can't be deleted since it has targets.");
    expect((await cli('events', 'remove-targets', '--rule', 'order-processing', '--ids', 'q')).json()).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    expect((await cli('events', 'delete-rule', '--name', 'order-processing')).code).toBe(0);
    const gone = await cli('events', 'describe-rule', '--name', 'order-processing');
    expect(gone.stderr).toContain('(ResourceNotFoundException) when calling the DescribeRule operation: Rule order-processing does not exist on EventBus default.');
  });
});
