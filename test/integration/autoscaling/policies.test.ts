import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DeletePolicyCommand, DescribePoliciesCommand, DescribeScalingActivitiesCommand, ExecutePolicyCommand,
  PutScalingPolicyCommand, ResumeProcessesCommand, SetDesiredCapacityCommand, SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { groupView } from './helpers.js';

const clock = new ManualClock();
let s: TestSlipway;
let asg: AutoScalingClient;
let cw: CloudWatchClient;

beforeAll(async () => {
  s = await startSlipway({ clock });
  asg = new AutoScalingClient(sdkConfig(s.url));
  cw = new CloudWatchClient(sdkConfig(s.url));
  const ec2 = new EC2Client(sdkConfig(s.url));
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-1' } }));
  ec2.destroy();
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'scaled', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 1, MaxSize: 4, DefaultCooldown: 60 }));
  await s.slipway.settled();
});
afterAll(async () => {
  asg?.destroy();
  cw?.destroy();
  await s?.close();
});

describe('Auto Scaling scaling policies', () => {
  it('a CloudWatch alarm in ALARM executes a simple scaling policy and the group scales out; cooldowns hold', async () => {
    const out = await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'scale-out', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1, Cooldown: 120 }));
    const arn = out.PolicyARN!;
    expect(arn).toMatch(/^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/scaled:policyName\/scale-out$/);
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'cpu-high', Namespace: 'App', MetricName: 'Load', Statistic: 'Average', Period: 60, EvaluationPeriods: 1, Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [arn],
    }));
    const cli = awsCli(s.env);
    const set = await cli('cloudwatch', 'set-alarm-state', '--alarm-name', 'cpu-high', '--state-value', 'ALARM', '--state-reason', 'load test');
    expect(set.code, set.stderr).toBe(0);
    await s.slipway.settled();
    expect((await groupView(asg, 'scaled')).inService).toHaveLength(2);
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'cpu-high', HistoryItemType: 'Action' }));
    expect(history.AlarmHistoryItems![0].HistorySummary).toBe(`Successfully executed action ${arn}`);
    const policies = await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'scaled' }));
    expect(policies.ScalingPolicies![0]).toMatchObject({ PolicyName: 'scale-out', PolicyType: 'SimpleScaling', ScalingAdjustment: 1, Cooldown: 120, Alarms: [{ AlarmName: 'cpu-high' }] });
    const activities = await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'scaled', MaxRecords: 1 }));
    expect(activities.Activities![0].Cause).toContain('a monitor alarm in state ALARM triggered policy scale-out changing the desired capacity from 1 to 2.');

    // Within the policy's cooldown an execution that honours it is refused; after it, it runs.
    await expect(asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'scale-out', HonorCooldown: true }))).rejects.toMatchObject({ name: 'ScalingActivityInProgressFault' });
    clock.advance(120_000);
    await asg.send(new ExecutePolicyCommand({ PolicyName: arn, HonorCooldown: true }));
    await s.slipway.settled();
    expect((await groupView(asg, 'scaled')).inService).toHaveLength(3);
  });

  it('an alarm that stays in ALARM executes its policy again every period, and a step policy scales by the breach it saw', async () => {
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'queue-workers', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 1, MaxSize: 10, DefaultCooldown: 60 }));
    const simple = await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'queue-workers', PolicyName: 'add-one', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1, Cooldown: 60 }));
    const backlog = (value: number) => cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Backlog', Value: value, Timestamp: new Date(clock.now() - 30_000) }] }));
    await backlog(500);
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'backlog-high', Namespace: 'App', MetricName: 'Backlog', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [simple.PolicyARN!],
    }));
    await s.slipway.settled();
    expect((await groupView(asg, 'queue-workers')).desired).toBe(2);
    for (const expected of [3, 4]) {
      clock.advance(60_000);
      await backlog(500);
      await s.slipway.settled();
      expect((await groupView(asg, 'queue-workers')).desired).toBe(expected);
    }
    const actions = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'backlog-high', HistoryItemType: 'Action' }));
    expect(actions.AlarmHistoryItems!.filter((h) => h.HistorySummary === `Successfully executed action ${simple.PolicyARN}`)).toHaveLength(3);

    // A step policy from the same alarm: the breach of 400 over the threshold picks the +3 step, once per warm-up.
    const steps = await asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'queue-workers', PolicyName: 'by-backlog', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', EstimatedInstanceWarmup: 180,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 200, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 200, ScalingAdjustment: 3 }],
    }));
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'backlog-high', Namespace: 'App', MetricName: 'Backlog', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [steps.PolicyARN!],
    }));
    const desired: number[] = [];
    for (let minute = 0; minute < 4; minute++) {
      clock.advance(60_000);
      await backlog(500);
      await s.slipway.settled();
      desired.push((await groupView(asg, 'queue-workers')).desired);
    }
    // Updating the alarm re-evaluates it at once (4 → 7); the next +3 waits out the 180 s warm-up.
    expect(desired).toEqual([7, 7, 10, 10]);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'queue-workers', DesiredCapacity: 1 }));
    await s.slipway.settled();
  });

  it('step scaling picks the step of the breach; percent changes round as AWS does; max size holds', async () => {
    await asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'scaled', PolicyName: 'steps', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: -1 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 5 }],
    }));
    await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'steps', MetricValue: 60, BreachThreshold: 50 }));
    await s.slipway.settled();
    expect((await groupView(asg, 'scaled')).desired).toBe(2);
    await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'steps', MetricValue: 95, BreachThreshold: 50 }));
    expect((await groupView(asg, 'scaled')).desired).toBe(4);
    await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'half', AdjustmentType: 'PercentChangeInCapacity', ScalingAdjustment: -50 }));
    await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'half' }));
    await s.slipway.settled();
    const view = await groupView(asg, 'scaled');
    expect([view.desired, view.inService.length]).toEqual([2, 2]);
    await expect(asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'scaled', PolicyName: 'gap', PolicyType: 'StepScaling', StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 }],
    }))).rejects.toThrow('Step adjustments must not overlap or have gaps between them.');
  });

  it('target tracking creates its alarms and scales to the metric; suspended launches wait for resume', async () => {
    const out = await asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'scaled', PolicyName: 'track', PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { TargetValue: 50, CustomizedMetricSpecification: { Namespace: 'App', MetricName: 'Busy', Statistic: 'Average', Dimensions: [{ Name: 'Group', Value: 'scaled' }] } },
    }));
    expect(out.Alarms!.map((a) => a.AlarmName)).toEqual([expect.stringMatching(/^TargetTracking-scaled-AlarmHigh-/), expect.stringMatching(/^TargetTracking-scaled-AlarmLow-/)]);
    const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-scaled-' }));
    expect(alarms.MetricAlarms!.map((a) => [a.ComparisonOperator, a.Threshold, a.EvaluationPeriods, a.AlarmActions])).toEqual([
      ['GreaterThanThreshold', 50, 3, [out.PolicyARN]], ['LessThanThreshold', 45, 15, [out.PolicyARN]],
    ]);
    await cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Busy', Dimensions: [{ Name: 'Group', Value: 'scaled' }], Value: 75, Timestamp: new Date(clock.now() - 30_000) }] }));

    await asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'scaled', ScalingProcesses: ['Launch'] }));
    await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'track' }));
    await s.slipway.settled();
    let view = await groupView(asg, 'scaled');
    expect([view.desired, view.inService.length]).toEqual([3, 2]); // ceil(2 × 75 / 50), not launched while suspended
    await asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'scaled' }));
    await s.slipway.settled();
    view = await groupView(asg, 'scaled');
    expect(view.inService).toHaveLength(3);

    await asg.send(new DeletePolicyCommand({ AutoScalingGroupName: 'scaled', PolicyName: 'track' }));
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-scaled-' }))).MetricAlarms).toEqual([]);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'scaled', DesiredCapacity: 1 }));
    await s.slipway.settled();
  });
});
