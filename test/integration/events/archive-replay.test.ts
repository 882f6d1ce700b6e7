import {
  CreateArchiveCommand, DeleteArchiveCommand, DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, ListArchivesCommand, PutEventsCommand,
  PutRuleCommand, PutTargetsCommand, ResourceNotFoundException, StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { fakeSqs, messages, servicesWith, type FakeService } from './fakes.js';

const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/default';

describe('EventBridge archives and replays', () => {
  let sw: TestSlipway;
  let eb: EventBridgeClient;
  let sqs: FakeService;
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 10, 0, 0));

  beforeAll(async () => {
    sqs = fakeSqs();
    sw = await startSlipway({ clock, services: servicesWith(sqs) });
    eb = new EventBridgeClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('archives matching events and replays a time window to the chosen rules', async () => {
    const created = await eb.send(new CreateArchiveCommand({ ArchiveName: 'orders', EventSourceArn: BUS, EventPattern: '{"source":["shop"]}', RetentionDays: 7 }));
    expect(created).toMatchObject({ ArchiveArn: 'arn:aws:events:us-east-1:000000000000:archive/orders', State: 'ENABLED' });
    const rule = await eb.send(new PutRuleCommand({ Name: 'shop', EventPattern: '{"source":["shop"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'shop', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:shop' }] }));
    await eb.send(new PutRuleCommand({ Name: 'other', EventPattern: '{"source":["shop"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'other', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:other' }] }));
    const at = (h: number) => new Date(Date.UTC(2024, 0, 1, h, 0, 0));
    await eb.send(new PutEventsCommand({
      Entries: [
        { Source: 'shop', DetailType: 'Order', Detail: '{"n":1}', Time: at(8) },
        { Source: 'shop', DetailType: 'Order', Detail: '{"n":2}', Time: at(9) },
        { Source: 'else', DetailType: 'Order', Detail: '{"n":3}', Time: at(9) },
      ],
    }));
    await sw.slipway.settled();
    expect(messages(sqs, 'shop')).toHaveLength(2);
    const described = await eb.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }));
    expect(described).toMatchObject({ EventCount: 2, EventSourceArn: BUS, RetentionDays: 7 });
    expect((await eb.send(new ListArchivesCommand({ EventSourceArn: BUS }))).Archives?.map((a) => a.ArchiveName)).toEqual(['orders']);

    await eb.send(new StartReplayCommand({
      ReplayName: 'morning',
      EventSourceArn: created.ArchiveArn,
      EventStartTime: at(8),
      EventEndTime: new Date(at(8).getTime() + 30 * 60_000),
      Destination: { Arn: BUS, FilterArns: [rule.RuleArn!] },
    }));
    await sw.slipway.settled();
    const replayed = messages(sqs, 'shop').map((m) => JSON.parse(m.body)).filter((e) => e['replay-name']);
    expect(replayed.map((e) => [e['replay-name'], e.detail])).toEqual([['morning', { n: 1 }]]);
    expect(messages(sqs, 'other')).toHaveLength(2); // the replay went to the filtered rule only
    expect(await eb.send(new DescribeReplayCommand({ ReplayName: 'morning' }))).toMatchObject({ State: 'COMPLETED', EventLastReplayedTime: at(8) });
    expect((await eb.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }))).EventCount).toBe(2); // replayed events are not archived again

    await eb.send(new DeleteArchiveCommand({ ArchiveName: 'orders' }));
    await expect(eb.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
