import type { TargetGroup } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import {
  ANY, applyAttributes, attributeList, BOOLEAN, checkName, elbArn, integerIn, mergeTags, oneOf, resourceId, validation, type AttributeRule,
} from './common.js';
import { getLoadBalancer, getTargetGroup, page, type Elbv2, type Ops } from './context.js';
import { defaultHealthCheck, healthCheckFrom } from './health-settings.js';
import type { Elbv2Store, TargetGroupRecord } from './store.js';

const only = (value: string, why: string): AttributeRule => ({ check: (v) => (v === value ? undefined : why) });

/** Target group attributes with AWS's defaults. Values Slipway cannot honour are refused, never stored silently. */
const TG_ATTRIBUTES: Record<string, [string, AttributeRule]> = {
  'deregistration_delay.timeout_seconds': ['300', integerIn(0, 3600)],
  'stickiness.enabled': ['false', BOOLEAN],
  'stickiness.type': ['lb_cookie', only('lb_cookie', "must be 'lb_cookie' (Slipway does not implement application-cookie stickiness)")],
  'stickiness.lb_cookie.duration_seconds': ['86400', integerIn(1, 604800)],
  'stickiness.app_cookie.cookie_name': ['', ANY],
  'stickiness.app_cookie.duration_seconds': ['86400', integerIn(1, 604800)],
  'slow_start.duration_seconds': ['0', only('0', 'must be 0 (Slipway does not implement slow start)')],
  'load_balancing.algorithm.type': ['round_robin', oneOf('round_robin', 'least_outstanding_requests')],
  'load_balancing.algorithm.anomaly_mitigation': ['off', only('off', "must be 'off' (Slipway does not implement anomaly mitigation)")],
  'load_balancing.cross_zone.enabled': ['use_load_balancer_configuration', oneOf('true', 'false', 'use_load_balancer_configuration')],
  'target_group_health.dns_failover.minimum_healthy_targets.count': ['1', ANY],
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': ['off', ANY],
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': ['1', only('1', 'must be 1 (Slipway fails open only when no target is healthy)')],
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': ['off', only('off', "must be 'off'")],
};
const TG_RULES = Object.fromEntries(Object.entries(TG_ATTRIBUTES).map(([k, [, r]]) => [k, r]));
const TG_DEFAULTS = Object.fromEntries(Object.entries(TG_ATTRIBUTES).map(([k, [d]]) => [k, d]));

export function targetGroupView(store: Elbv2Store, scope: Scope, tg: TargetGroupRecord): TargetGroup {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.protocol === 'HTTP' ? hc.path : undefined,
    Matcher: hc.protocol === 'HTTP' ? { HttpCode: hc.matcher } : undefined,
    LoadBalancerArns: store.loadBalancersUsing(scope, tg.arn),
    TargetType: tg.targetType,
    ProtocolVersion: tg.protocol === 'TCP' ? undefined : tg.protocolVersion,
    IpAddressType: 'ipv4',
  };
}

const sameSettings = (a: TargetGroupRecord, b: TargetGroupRecord) =>
  a.protocol === b.protocol && a.port === b.port && a.vpcId === b.vpcId && a.targetType === b.targetType && JSON.stringify(a.healthCheck) === JSON.stringify(b.healthCheck);

export function targetGroupOperations(e: Elbv2): Ops {
  const { store } = e;
  return {
    async CreateTargetGroup(input, ctx) {
      checkName('Target group', input.Name);
      const targetType = input.TargetType ?? 'instance';
      if (targetType !== 'instance' && targetType !== 'ip') throw validation(`Target type '${targetType}' is not supported by Slipway; use 'instance' or 'ip'`);
      if (!input.Protocol) throw validation('A protocol must be specified');
      if (input.Protocol !== 'HTTP' && input.Protocol !== 'TCP') {
        throw validation(`Target group protocol '${input.Protocol}' is not supported by Slipway; use HTTP (or TCP for network load balancers)`);
      }
      if (input.Port === undefined) throw validation('A port must be specified');
      if (!input.VpcId) throw validation('A VPC ID must be specified');
      if (input.ProtocolVersion && input.ProtocolVersion !== 'HTTP1') throw validation(`Protocol version '${input.ProtocolVersion}' is not supported by Slipway; use HTTP1`);
      const tg: TargetGroupRecord = {
        arn: elbArn(ctx, `targetgroup/${input.Name}/${resourceId()}`),
        name: input.Name,
        protocol: input.Protocol,
        protocolVersion: 'HTTP1',
        port: input.Port,
        vpcId: input.VpcId,
        targetType,
        healthCheck: healthCheckFrom(defaultHealthCheck(input.Protocol), input),
        attributes: { ...TG_DEFAULTS },
        tags: mergeTags([], input.Tags ?? []),
        createdAt: e.clock.now(),
      };
      const existing = store.targetGroups.list(ctx).find((t) => t.name === input.Name);
      if (existing) {
        // The same request again answers the existing group, as AWS does.
        if (sameSettings(existing, tg)) return { TargetGroups: [targetGroupView(store, ctx, existing)] };
        throw new ServiceError('DuplicateTargetGroupNameException', `A target group with the same name '${input.Name}' exists, but with different settings`);
      }
      store.targetGroups.put(ctx, tg.arn, tg);
      return { TargetGroups: [targetGroupView(store, ctx, tg)] };
    },

    async DescribeTargetGroups(input, ctx) {
      let tgs = store.targetGroups.list(ctx);
      if (input.LoadBalancerArn) {
        getLoadBalancer(e, ctx, input.LoadBalancerArn);
        tgs = tgs.filter((t) => store.loadBalancersUsing(ctx, t.arn).includes(input.LoadBalancerArn!));
      }
      if (input.TargetGroupArns?.length) tgs = input.TargetGroupArns.map((arn) => getTargetGroup(e, ctx, arn));
      if (input.Names?.length) {
        tgs = input.Names.map((n) => {
          const tg = tgs.find((t) => t.name === n);
          if (!tg) throw new ServiceError('TargetGroupNotFoundException', `One or more target groups not found`);
          return tg;
        });
      }
      const p = page(tgs, (t) => t.arn, input.Marker, input.PageSize);
      return { TargetGroups: p.items.map((t) => targetGroupView(store, ctx, t)), NextMarker: p.next };
    },

    async ModifyTargetGroup(input, ctx) {
      const tg = getTargetGroup(e, ctx, input.TargetGroupArn);
      tg.healthCheck = healthCheckFrom(tg.healthCheck, input);
      store.targetGroups.put(ctx, tg.arn, tg);
      e.engine.changed();
      return { TargetGroups: [targetGroupView(store, ctx, tg)] };
    },

    async DeleteTargetGroup(input, ctx) {
      const tg = store.targetGroups.get(ctx, input.TargetGroupArn);
      if (!tg) return {};
      if (store.loadBalancersUsing(ctx, tg.arn).length) {
        throw new ServiceError('ResourceInUseException', `Target group '${tg.arn}' is currently in use by a listener or a rule`);
      }
      store.db.transaction(() => {
        for (const t of store.targetsOf(ctx, tg.arn)) store.targets.delete(ctx, `${tg.arn}|${t.id}|${t.port}`);
        store.targetGroups.delete(ctx, tg.arn);
      });
      e.engine.changed();
      return {};
    },

    async DescribeTargetGroupAttributes(input, ctx) {
      return { Attributes: attributeList(getTargetGroup(e, ctx, input.TargetGroupArn).attributes) };
    },

    async ModifyTargetGroupAttributes(input, ctx) {
      const tg = getTargetGroup(e, ctx, input.TargetGroupArn);
      tg.attributes = applyAttributes('Target group', tg.attributes, input.Attributes, TG_RULES);
      store.targetGroups.put(ctx, tg.arn, tg);
      e.engine.changed();
      return { Attributes: attributeList(tg.attributes) };
    },
  };
}
