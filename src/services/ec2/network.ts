import type { RequestContext } from '../../aws/gateway/context.js';
import type { Ec2Operations } from '../../aws/models/generated/ec2.js';
import { DEFAULT_VPC, subnetFor } from './store.js';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-south-1', 'sa-east-1', 'ca-central-1'];
const ZONES = ['a', 'b', 'c'];

/** The describe calls tools make before launching: regions, zones and the default VPC, subnets and security group. */
export function networkOperations(): Partial<Ec2Operations<RequestContext>> {
  return {
    async DescribeRegions() {
      return { Regions: REGIONS.map((r) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: 'opt-in-not-required' })) };
    },
    async DescribeAvailabilityZones(_input, ctx) {
      return {
        AvailabilityZones: ZONES.map((z, i) => ({
          ZoneName: `${ctx.region}${z}`, ZoneId: `use1-az${i + 1}`, RegionName: ctx.region, State: 'available' as const,
          ZoneType: 'availability-zone', GroupName: ctx.region, NetworkBorderGroup: ctx.region, OptInStatus: 'opt-in-not-required' as const, Messages: [],
        })),
      };
    },
    async DescribeVpcs(_input, ctx) {
      return { Vpcs: [{ VpcId: DEFAULT_VPC.vpcId, CidrBlock: DEFAULT_VPC.cidr, State: 'available', IsDefault: true, OwnerId: ctx.accountId, InstanceTenancy: 'default', DhcpOptionsId: 'dopt-00000000' }] };
    },
    async DescribeSubnets(_input, ctx) {
      return {
        Subnets: ZONES.map((z, i) => ({
          SubnetId: subnetFor(`${ctx.region}${z}`), VpcId: DEFAULT_VPC.vpcId, AvailabilityZone: `${ctx.region}${z}`, CidrBlock: `172.31.${i * 16}.0/20`,
          State: 'available' as const, DefaultForAz: true, MapPublicIpOnLaunch: true, AvailableIpAddressCount: 4091, OwnerId: ctx.accountId,
        })),
      };
    },
    async DescribeSecurityGroups(_input, ctx) {
      return {
        SecurityGroups: [{
          GroupId: DEFAULT_VPC.sgId, GroupName: 'default', Description: 'default VPC security group', VpcId: DEFAULT_VPC.vpcId, OwnerId: ctx.accountId,
          IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }],
      };
    },
  };
}
