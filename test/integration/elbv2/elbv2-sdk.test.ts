import {
  AddTagsCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeleteLoadBalancerCommand, DeleteRuleCommand,
  DeregisterTargetsCommand, DescribeLoadBalancerAttributesCommand, DescribeRulesCommand, DescribeTagsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand, ModifyRuleCommand, ModifyTargetGroupCommand, RegisterTargetsCommand, RemoveTagsCommand, type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { elbClient, get, listenerAddress } from './helpers.js';

describe('ELBv2 API through SDK v3: validation and AWS errors', () => {
  let sw: TestSlipway;
  let elb: ElasticLoadBalancingV2Client;
  let lbArn: string;
  let listenerArn: string;
  const tgs: Record<string, string> = {};
  const fails = async (p: Promise<unknown>, name: string, message?: string) => {
    const e = await p.then(() => undefined, (x: Error) => x);
    expect(e, `expected ${name}`).toBeDefined();
    expect(e!.name).toBe(name);
    if (message) expect(e!.message).toContain(message);
  };
  const fixed: Action = { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } };

  beforeAll(async () => {
    sw = await startSlipway({ clock: new ManualClock(), elbPorts: 'ephemeral' });
    elb = elbClient(sw);
    lbArn = (await elb.send(new CreateLoadBalancerCommand({ Name: 'api', Subnets: ['subnet-1', 'subnet-2'], Tags: [{ Key: 'team', Value: 'web' }] }))).LoadBalancers![0].LoadBalancerArn!;
    for (const name of ['one', 'two', 'three']) {
      tgs[name] = (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
    }
    listenerArn = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [fixed] }))).Listeners![0].ListenerArn!;
  });
  afterAll(() => sw.close());

  it('checks load balancer names, subnets and attributes', async () => {
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: 'one-subnet', Subnets: ['subnet-1'] })), 'InvalidConfigurationRequestException', 'At least two subnets');
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: '-bad-', Subnets: ['subnet-1', 'subnet-2'] })), 'ValidationError', "Load balancer name '-bad-'");
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: 'internal-x', Subnets: ['subnet-1', 'subnet-2'] })), 'ValidationError', "cannot begin with 'internal-'");
    await fails(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'nope', Value: '1' }] })), 'ValidationError', "Load balancer attribute key 'nope' is not recognized");
    await fails(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '0' }] })), 'ValidationError', 'between 1 and 4000');
    const attrs = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }));
    expect(attrs.Attributes).toContainEqual({ Key: 'idle_timeout.timeout_seconds', Value: '60' });
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }));
    await fails(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })), 'OperationNotPermittedException', 'deletion protection is enabled');
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }));
  });

  it('checks target groups: duplicates, health check settings, targets', async () => {
    const again = await elb.send(new CreateTargetGroupCommand({ Name: 'one', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }));
    expect(again.TargetGroups![0].TargetGroupArn).toBe(tgs.one); // the same request answers the same group
    await fails(elb.send(new CreateTargetGroupCommand({ Name: 'one', Protocol: 'HTTP', Port: 81, VpcId: 'vpc-1', TargetType: 'ip' })), 'DuplicateTargetGroupNameException');
    await fails(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgs.one, HealthyThresholdCount: 11 })), 'ValidationError');
    await fails(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgs.one, Matcher: { HttpCode: '600' } })), 'ValidationError', "matcher HTTP code '600'");
    await fails(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgs.one, HealthCheckPath: 'health' })), 'ValidationError', "must begin with a '/'");
    const ok = await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgs.one, HealthCheckPath: '/health', Matcher: { HttpCode: '200-299' }, HealthCheckIntervalSeconds: 10 }));
    expect(ok.TargetGroups![0]).toMatchObject({ HealthCheckPath: '/health', Matcher: { HttpCode: '200-299' }, HealthCheckIntervalSeconds: 10 });
    await fails(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgs.one, Targets: [{ Id: '8.8.8.8', Port: 80 }] })), 'InvalidTargetException', "The IP address '8.8.8.8' is not valid");
    await fails(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgs.one, Targets: [{ Id: 'i-1234567890abcdef0' }] })), 'InvalidTargetException');
    await fails(elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgs.one, Targets: [{ Id: '10.0.0.9', Port: 80 }] })), 'InvalidTargetException', 'not registered');
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgs.one, Targets: [{ Id: '10.0.0.9', Port: 80 }] }));
    expect(health.TargetHealthDescriptions![0].TargetHealth).toEqual({ State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' });
    await fails(elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgs.one.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff') })), 'TargetGroupNotFoundException');
  });

  it('checks forward actions: weights, unknown and repeated groups, one load balancer per group', async () => {
    const forward = (groups: { TargetGroupArn: string; Weight?: number }[]): Action => ({ Type: 'forward', ForwardConfig: { TargetGroups: groups } });
    const rule = (Actions: Action[], Priority = 10) => elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions }));
    await fails(rule([forward([{ TargetGroupArn: tgs.one, Weight: 0 }, { TargetGroupArn: tgs.two, Weight: 0 }])]), 'ValidationError', 'add up to 0');
    await fails(rule([forward([{ TargetGroupArn: tgs.one, Weight: 1000 }])]), 'ValidationError', 'from 0 to 999');
    await fails(rule([forward([{ TargetGroupArn: tgs.one, Weight: 1 }, { TargetGroupArn: tgs.two }])]), 'ValidationError', 'A weight must be specified');
    await fails(rule([forward([{ TargetGroupArn: tgs.one, Weight: 1 }, { TargetGroupArn: tgs.one, Weight: 2 }])]), 'ValidationError', 'more than once');
    await fails(rule([forward([{ TargetGroupArn: tgs.one.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff'), Weight: 1 }])]), 'TargetGroupNotFoundException');
    await fails(rule([{ Type: 'authenticate-oidc' } as Action]), 'InvalidLoadBalancerActionException', 'not supported by Slipway');
    const made = await rule([forward([{ TargetGroupArn: tgs.one, Weight: 80 }, { TargetGroupArn: tgs.two, Weight: 20 }])]);
    expect(made.Rules![0].Actions![0].ForwardConfig!.TargetGroups).toEqual([{ TargetGroupArn: tgs.one, Weight: 80 }, { TargetGroupArn: tgs.two, Weight: 20 }]);
    await fails(rule([fixed]), 'PriorityInUseException', "Priority '10' is currently in use");

    const other = (await elb.send(new CreateLoadBalancerCommand({ Name: 'other', Subnets: ['subnet-1', 'subnet-2'] }))).LoadBalancers![0].LoadBalancerArn!;
    await fails(elb.send(new CreateListenerCommand({ LoadBalancerArn: other, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgs.one }] })), 'TargetGroupAssociationLimitException');
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: other, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgs.three }] }));
  });

  it('checks rule conditions and protects the default rule', async () => {
    const rule = (Conditions: object[], Priority: number) => elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority, Conditions, Actions: [fixed] } as never));
    await fails(rule([{ Field: 'path-pattern', Values: ['/a', '/b', '/c', '/d', '/e', '/f'] }], 20), 'ValidationError', 'at most 5 condition values');
    await fails(rule([{ Field: 'cookie', Values: ['x'] }], 20), 'ValidationError', "Condition field 'cookie' is not supported");
    await fails(rule([{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/33'] } }], 20), 'ValidationError', 'not a valid CIDR');
    await fails(rule([{ Field: 'path-pattern', Values: ['/a'] }, { Field: 'path-pattern', Values: ['/b'] }], 20), 'ValidationError', "only one 'path-pattern'");
    const made = await rule([{ Field: 'host-header', Values: ['*.example.com'] }], 20);
    expect(made.Rules![0].Conditions).toEqual([{ Field: 'host-header', Values: ['*.example.com'], HostHeaderConfig: { Values: ['*.example.com'] } }]);
    const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const def = rules.Rules!.find((r) => r.IsDefault)!;
    await fails(elb.send(new DeleteRuleCommand({ RuleArn: def.RuleArn })), 'OperationNotPermittedException', 'cannot be deleted');
    const modified = await elb.send(new ModifyRuleCommand({ RuleArn: def.RuleArn, Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', MessageBody: 'none' } }] }));
    expect(modified.Rules![0]).toMatchObject({ IsDefault: true, Priority: 'default', Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', MessageBody: 'none' } }] });
  });

  it('reports an instance target EC2 does not know as unused with Target.InvalidState, and sends it no traffic', async () => {
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'instances', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1' }))).TargetGroups![0];
    expect(tg.TargetType).toBe('instance');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0' }] }));
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'fleet', Subnets: ['subnet-1', 'subnet-2'] }))).LoadBalancers![0].LoadBalancerArn!;
    const listener = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }))).Listeners![0];
    await vi.waitFor(async () => {
      const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
      expect(h.TargetHealthDescriptions![0]).toMatchObject({ Target: { Id: 'i-0123456789abcdef0', Port: 80 }, TargetHealth: { State: 'unused', Reason: 'Target.InvalidState' } });
    });
    expect((await get(await listenerAddress(sw, listener.ListenerArn!))).status).toBe(503);
  });

  it('tags load balancers, target groups, listeners and rules', async () => {
    await elb.send(new AddTagsCommand({ ResourceArns: [lbArn, tgs.one, listenerArn], Tags: [{ Key: 'env', Value: 'dev' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [lbArn], TagKeys: ['team'] }));
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn, tgs.one, listenerArn] }));
    expect(tags.TagDescriptions!.map((d) => d.Tags)).toEqual([[{ Key: 'env', Value: 'dev' }], [{ Key: 'env', Value: 'dev' }], [{ Key: 'env', Value: 'dev' }]]);
    await fails(elb.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] })), 'DuplicateTagKeysException');
  });
});
