import type { LoadBalancer } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import { createHash } from 'node:crypto';
import type { Scope } from '../../core/scope.js';
import {
  ANY, applyAttributes, attributeList, BOOLEAN, checkName, elbArn, integerIn, invalidConfig, mergeTags, oneOf, resourceId, validation, type AttributeRule,
} from './common.js';
import { getLoadBalancer, page, type Elbv2, type Ops } from './context.js';
import type { LoadBalancerRecord } from './store.js';

/** Application load balancer attributes with AWS's defaults; those marked (*) change the proxy. */
const ALB_ATTRIBUTES: Record<string, [string, AttributeRule]> = {
  'access_logs.s3.enabled': ['false', BOOLEAN],
  'access_logs.s3.bucket': ['', ANY],
  'access_logs.s3.prefix': ['', ANY],
  'client_keep_alive.seconds': ['3600', integerIn(60, 604800)],
  'deletion_protection.enabled': ['false', BOOLEAN], // (*) DeleteLoadBalancer refuses
  'idle_timeout.timeout_seconds': ['60', integerIn(1, 4000)], // (*) 504 after this long without target bytes
  'routing.http.desync_mitigation_mode': ['defensive', oneOf('monitor', 'defensive', 'strictest')],
  'routing.http.drop_invalid_header_fields.enabled': ['false', BOOLEAN],
  'routing.http.preserve_host_header.enabled': ['false', BOOLEAN], // (*) Host sent to targets
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': ['false', BOOLEAN],
  'routing.http.xff_client_port.enabled': ['false', BOOLEAN], // (*)
  'routing.http.xff_header_processing.mode': ['append', oneOf('append', 'preserve', 'remove')], // (*)
  'routing.http2.enabled': ['true', BOOLEAN],
  'waf.fail_open.enabled': ['false', BOOLEAN],
  'zonal_shift.config.enabled': ['false', BOOLEAN],
};

const NLB_ATTRIBUTES: Record<string, [string, AttributeRule]> = {
  'access_logs.s3.enabled': ['false', BOOLEAN],
  'access_logs.s3.bucket': ['', ANY],
  'access_logs.s3.prefix': ['', ANY],
  'deletion_protection.enabled': ['false', BOOLEAN],
  'load_balancing.cross_zone.enabled': ['false', BOOLEAN],
  'dns_record.client_routing_policy': ['any_availability_zone', oneOf('availability_zone_affinity', 'partial_availability_zone_affinity', 'any_availability_zone')],
  'zonal_shift.config.enabled': ['false', BOOLEAN],
};

const attributeTable = (type: LoadBalancerRecord['type']) => (type === 'network' ? NLB_ATTRIBUTES : ALB_ATTRIBUTES);
const rulesOf = (type: LoadBalancerRecord['type']) => Object.fromEntries(Object.entries(attributeTable(type)).map(([k, [, r]]) => [k, r]));
const defaultsOf = (type: LoadBalancerRecord['type']) => Object.fromEntries(Object.entries(attributeTable(type)).map(([k, [d]]) => [k, d]));

/** Hosted zone ids AWS gives load balancers' DNS names, by region (us-east-1's when unknown). */
const ALB_ZONES: Record<string, string> = { 'us-east-1': 'Z35SXDOTRQ7X7K', 'us-east-2': 'Z3AADJGX6KTTL2', 'us-west-1': 'Z368ELLRRE2KJ0', 'us-west-2': 'Z1H1FL5HABSF5', 'eu-west-1': 'Z32O12XQLNTSW2', 'eu-central-1': 'Z215JYRZR1TBD5' };

/** With no EC2 subnets to read, the VPC is derived from the account and region, the same every time. */
function defaultVpc(scope: Scope): string {
  return 'vpc-' + createHash('sha256').update(`${scope.accountId}/${scope.region}`).digest('hex').slice(0, 17);
}

export function loadBalancerView(lb: LoadBalancerRecord, state: 'provisioning' | 'active' = 'active'): LoadBalancer {
  const region = lb.arn.split(':')[3];
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: ALB_ZONES[region] ?? ALB_ZONES['us-east-1'],
    CreatedTime: new Date(lb.createdAt),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: state },
    Type: lb.type,
    // Subnet i is in zone <region>a, b, c...: what AWS answers for subnets spread over zones.
    AvailabilityZones: lb.subnets.map((SubnetId, i) => ({ ZoneName: `${region}${String.fromCharCode(97 + (i % 6))}`, SubnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: lb.type === 'application' ? lb.securityGroups : undefined,
    IpAddressType: lb.ipAddressType,
  };
}

function subnetsOf(input: { Subnets?: string[]; SubnetMappings?: { SubnetId?: string }[] }, type: LoadBalancerRecord['type']): string[] {
  if (input.Subnets?.length && input.SubnetMappings?.length) throw validation('You can specify subnets or subnet mappings, not both');
  const subnets = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => m.SubnetId ?? '');
  for (const s of subnets) if (!/^subnet-[0-9a-zA-Z]+$/.test(s)) throw new ServiceError('SubnetNotFoundException', `The subnet ID '${s}' is not valid`);
  if (new Set(subnets).size !== subnets.length) throw validation('A subnet can be specified only once');
  if (type === 'application' && subnets.length < 2) throw invalidConfig('At least two subnets in two different Availability Zones must be specified');
  if (type === 'network' && subnets.length < 1) throw invalidConfig('At least one subnet must be specified');
  return subnets;
}

export function loadBalancerOperations(e: Elbv2): Ops {
  const { store } = e;
  return {
    async CreateLoadBalancer(input, ctx) {
      const type = input.Type ?? 'application';
      if (type === 'gateway') throw validation("Load balancers of type 'gateway' are not supported by Slipway; use 'application' or 'network'");
      checkName('Load balancer', input.Name);
      const subnets = subnetsOf(input, type);
      if (store.loadBalancers.list(ctx).some((lb) => lb.name === input.Name)) {
        throw new ServiceError('DuplicateLoadBalancerNameException', `A load balancer with the name '${input.Name}' already exists`);
      }
      const scheme = input.Scheme ?? 'internet-facing';
      const id = resourceId();
      const digits = String(parseInt(id.slice(0, 8), 16)).padStart(10, '0').slice(0, 10);
      const lb: LoadBalancerRecord = {
        arn: elbArn(ctx, `loadbalancer/${type === 'network' ? 'net' : 'app'}/${input.Name}/${id}`),
        name: input.Name,
        type,
        scheme,
        ipAddressType: input.IpAddressType ?? 'ipv4',
        subnets,
        securityGroups: input.SecurityGroups ?? [],
        vpcId: defaultVpc(ctx),
        dnsName: `${scheme === 'internal' ? 'internal-' : ''}${input.Name}-${digits}.${ctx.region}.elb.amazonaws.com`,
        createdAt: e.clock.now(),
        attributes: defaultsOf(type),
        tags: mergeTags([], input.Tags ?? []),
      };
      store.loadBalancers.put(ctx, lb.arn, lb);
      // Nothing to provision locally: the load balancer is active as soon as it is stored.
      return { LoadBalancers: [loadBalancerView(lb, 'provisioning')] };
    },

    async DescribeLoadBalancers(input, ctx) {
      let lbs = store.loadBalancers.list(ctx);
      if (input.LoadBalancerArns?.length && input.Names?.length) throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
      if (input.LoadBalancerArns?.length) {
        lbs = input.LoadBalancerArns.map((arn) => getLoadBalancer(e, ctx, arn));
      } else if (input.Names?.length) {
        lbs = input.Names.map((n) => {
          const lb = lbs.find((l) => l.name === n);
          if (!lb) throw new ServiceError('LoadBalancerNotFoundException', `Load balancers '[${n}]' not found`);
          return lb;
        });
      }
      const p = page(lbs, (lb) => lb.arn, input.Marker, input.PageSize);
      return { LoadBalancers: p.items.map((lb) => loadBalancerView(lb)), NextMarker: p.next };
    },

    async DeleteLoadBalancer(input, ctx) {
      const lb = store.loadBalancers.get(ctx, input.LoadBalancerArn);
      if (!lb) return {}; // deleting a load balancer that is already gone succeeds, as on AWS
      if (lb.attributes['deletion_protection.enabled'] === 'true') {
        throw new ServiceError('OperationNotPermittedException', `Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`);
      }
      const listeners = store.listenersOf(ctx, lb.arn);
      store.db.transaction(() => {
        for (const l of listeners) {
          for (const r of store.rulesOf(ctx, l.arn)) store.rules.delete(ctx, r.arn);
          store.listeners.delete(ctx, l.arn);
        }
        store.loadBalancers.delete(ctx, lb.arn);
      });
      for (const l of listeners) await e.engine.closeListener(l.arn);
      e.engine.changed();
      return {};
    },

    async DescribeLoadBalancerAttributes(input, ctx) {
      return { Attributes: attributeList(getLoadBalancer(e, ctx, input.LoadBalancerArn).attributes) };
    },

    async ModifyLoadBalancerAttributes(input, ctx) {
      const lb = getLoadBalancer(e, ctx, input.LoadBalancerArn);
      lb.attributes = applyAttributes('Load balancer', lb.attributes, input.Attributes, rulesOf(lb.type));
      store.loadBalancers.put(ctx, lb.arn, lb);
      e.engine.changed();
      return { Attributes: attributeList(lb.attributes) };
    },

    async SetSecurityGroups(input, ctx) {
      const lb = getLoadBalancer(e, ctx, input.LoadBalancerArn);
      if (lb.type !== 'application') throw invalidConfig('Security groups can be set only on application load balancers');
      lb.securityGroups = input.SecurityGroups;
      store.loadBalancers.put(ctx, lb.arn, lb);
      return { SecurityGroupIds: lb.securityGroups };
    },

    async SetSubnets(input, ctx) {
      const lb = getLoadBalancer(e, ctx, input.LoadBalancerArn);
      lb.subnets = subnetsOf(input, lb.type);
      store.loadBalancers.put(ctx, lb.arn, lb);
      return { AvailabilityZones: loadBalancerView(lb).AvailabilityZones };
    },
  };
}
