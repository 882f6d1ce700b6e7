import { DeleteRuleCommand, DisableRuleCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway } from '../../helpers/slipway.js';
import { fakePipelines, fakeSqs, messages, servicesWith } from './fakes.js';

const queue = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const MINUTE = 60_000;

describe('schedule rules', () => {
  it('fire rate and cron schedules through the clock, as Scheduled Events', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1, 11, 58, 30));
    const sqs = fakeSqs();
    const pipelines = fakePipelines();
    const sw = await startSlipway({ clock, services: servicesWith(sqs, pipelines) });
    try {
      const eb = new EventBridgeClient(sdkConfig(sw.url));
      // A nightly pipeline run, the way CodePipeline schedules are set up on AWS.
      await eb.send(new PutRuleCommand({ Name: 'nightly-release', ScheduleExpression: 'cron(0 2 * * ? *)' }));
      await eb.send(new PutTargetsCommand({ Rule: 'nightly-release', Targets: [{ Id: 'p', Arn: 'arn:aws:codepipeline:us-east-1:000000000000:release' }] }));
      await eb.send(new PutRuleCommand({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)' }));
      await eb.send(new PutTargetsCommand({ Rule: 'every-5', Targets: [{ Id: 'q', Arn: queue('ticks') }] }));
      await eb.send(new PutRuleCommand({ Name: 'noon', ScheduleExpression: 'cron(0 12 * * ? *)' }));
      await eb.send(new PutTargetsCommand({ Rule: 'noon', Targets: [{ Id: 'q', Arn: queue('noon') }] }));
      const step = async (ms: number) => {
        clock.advance(ms);
        await sw.slipway.settled();
      };
      await step(MINUTE);
      expect(messages(sqs, 'noon')).toHaveLength(0);
      await step(MINUTE); // 12:00:30: noon has fired
      const [noon] = messages(sqs, 'noon').map((m) => JSON.parse(m.body));
      expect(noon).toMatchObject({
        version: '0',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        region: 'us-east-1',
        time: '2024-01-01T12:00:00Z',
        resources: ['arn:aws:events:us-east-1:000000000000:rule/noon'],
        detail: {},
      });
      await step(3 * MINUTE); // 12:03:30: five minutes after the rate rule was set
      expect(messages(sqs, 'ticks').map((m) => JSON.parse(m.body).time)).toEqual(['2024-01-01T12:03:30Z']);
      await step(5 * MINUTE);
      expect(messages(sqs, 'ticks')).toHaveLength(2);
      await eb.send(new DisableRuleCommand({ Name: 'every-5' }));
      await step(20 * MINUTE);
      expect(messages(sqs, 'ticks')).toHaveLength(2);
      // A changed schedule takes over from the old one.
      await eb.send(new PutRuleCommand({ Name: 'noon', ScheduleExpression: 'rate(1 minute)' }));
      await step(MINUTE);
      await step(MINUTE);
      expect(messages(sqs, 'noon')).toHaveLength(3);
      await eb.send(new RemoveTargetsCommand({ Rule: 'noon', Ids: ['q'] }));
      await eb.send(new DeleteRuleCommand({ Name: 'noon' }));
      await step(24 * 60 * MINUTE);
      expect(messages(sqs, 'noon')).toHaveLength(3);
      expect(pipelines.of('StartPipelineExecution').map((c) => c.input)).toEqual([{ name: 'release' }]);
    } finally {
      await sw.close();
    }
  });
});

describe('delivery survives a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-events-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('delivers every event accepted before the stop, once the target is back', async () => {
    const clock = new ManualClock();
    const sqs = fakeSqs();
    const first = await startSlipway({ clock, dataDir, services: servicesWith(sqs) });
    const eb = new EventBridgeClient(sdkConfig(first.url));
    await eb.send(new PutRuleCommand({ Name: 'orders', EventPattern: '{"source":["order.service"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: 'q', Arn: queue('orders') }] }));
    await eb.send(new PutRuleCommand({ Name: 'hourly', ScheduleExpression: 'rate(1 hour)' }));
    await eb.send(new PutTargetsCommand({ Rule: 'hourly', Targets: [{ Id: 'q', Arn: queue('hourly') }] }));
    // Half the stream is delivered, then the queue goes down and the rest waits for retries.
    const ids: string[] = [];
    const putBatch = async (from: number) => {
      const entries = Array.from({ length: 10 }, (_, i) => ({ Source: 'order.service', DetailType: 'Order Placed', Detail: JSON.stringify({ n: from + i }) }));
      const out = await eb.send(new PutEventsCommand({ Entries: entries }));
      ids.push(...out.Entries!.map((e) => e.EventId!));
    };
    await putBatch(0);
    await first.slipway.settled();
    expect(messages(sqs, 'orders')).toHaveLength(10);
    sqs.fail(Infinity);
    await putBatch(10);
    await putBatch(20);
    await first.slipway.settled();
    await first.close();
    sqs.recover();
    expect(messages(sqs, 'orders')).toHaveLength(10);

    const second = await startSlipway({ clock, dataDir, services: servicesWith(sqs) });
    try {
      clock.advance(1000); // the retry the first Slipway scheduled falls due
      await second.slipway.settled();
      const delivered = new Set(messages(sqs, 'orders').map((m) => JSON.parse(m.body).id as string));
      expect([...delivered].sort()).toEqual([...ids].sort());
      // The schedule kept its place across the restart too.
      clock.advance(60 * MINUTE);
      await second.slipway.settled();
      expect(messages(sqs, 'hourly')).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
