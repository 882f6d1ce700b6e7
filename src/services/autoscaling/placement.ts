import type { GroupRecord, MemberRecord } from './store.js';

export interface Zone {
  availabilityZone: string;
  subnetId?: string;
}

/** The default VPC's subnets are named after their zone's letter (as EC2 answers DescribeSubnets). */
const DEFAULT_SUBNET = /^subnet-0a1b2c3d4e5f6000(\d)$/;

/** The zones a group launches into: its subnets' zones, its listed zones, or the region's first. */
export function zonesOf(g: Pick<GroupRecord, 'availabilityZones' | 'vpcZoneIdentifier'>, region: string): Zone[] {
  const subnets = (g.vpcZoneIdentifier ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (subnets.length) {
    return subnets.map((subnetId, i) => {
      const m = DEFAULT_SUBNET.exec(subnetId);
      const letter = m ? String.fromCharCode(96 + Number(m[1])) : g.availabilityZones[i % Math.max(1, g.availabilityZones.length)]?.slice(-1) ?? 'a';
      return { availabilityZone: `${region}${letter}`, subnetId };
    });
  }
  return g.availabilityZones.length ? g.availabilityZones.map((availabilityZone) => ({ availabilityZone })) : [{ availabilityZone: `${region}a` }];
}

/** The zone with the fewest of the group's instances, so capacity stays balanced across zones. */
export function pickZone(zones: Zone[], members: Pick<MemberRecord, 'availabilityZone'>[]): Zone {
  let best = zones[0];
  let bestCount = Infinity;
  for (const z of zones) {
    const n = members.filter((m) => m.availabilityZone === z.availabilityZone).length;
    if (n < bestCount) [best, bestCount] = [z, n];
  }
  return best;
}

type Candidate = Pick<MemberRecord, 'instanceId' | 'availabilityZone' | 'launchedAt' | 'protectedFromScaleIn' | 'launchTemplate' | 'launchConfigurationName' | 'lifecycleState'>;

/**
 * The instances a scale-in terminates, one at a time as AWS's default policy does: from the zone
 * with the most instances, preferring instances not yet in service, then those not launched
 * from the group's current template or configuration, then by the group's termination
 * policy (OldestInstance, NewestInstance; otherwise the oldest first). Protected instances stay.
 */
export function chooseVictims(members: Candidate[], count: number, g: Pick<GroupRecord, 'launchTemplate' | 'launchConfigurationName' | 'terminationPolicies'>): Candidate[] {
  const pool = members.filter((m) => !m.protectedFromScaleIn);
  const chosen: Candidate[] = [];
  const newestFirst = g.terminationPolicies.includes('NewestInstance');
  const current = (m: Candidate) => (g.launchTemplate ? JSON.stringify(m.launchTemplate ?? null) === JSON.stringify(g.launchTemplate) : m.launchConfigurationName === g.launchConfigurationName);
  while (chosen.length < count && pool.length) {
    const perZone = new Map<string, number>();
    for (const m of pool) perZone.set(m.availabilityZone, (perZone.get(m.availabilityZone) ?? 0) + 1);
    const top = Math.max(...perZone.values());
    const inZone = pool.filter((m) => perZone.get(m.availabilityZone) === top);
    inZone.sort((a, b) =>
      Number(a.lifecycleState === 'InService') - Number(b.lifecycleState === 'InService') ||
      Number(current(a)) - Number(current(b)) ||
      (newestFirst ? b.launchedAt - a.launchedAt : a.launchedAt - b.launchedAt) ||
      a.instanceId.localeCompare(b.instanceId));
    const victim = inZone[0];
    chosen.push(victim);
    pool.splice(pool.indexOf(victim), 1);
  }
  return chosen;
}
