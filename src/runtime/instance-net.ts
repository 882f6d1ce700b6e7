import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How an instance's network is provided: its own namespace on a veth pair, or a loopback alias. */
export type NetworkMode = 'netns' | 'loopback';

/** An instance's network identity, kept with the instance so it survives restarts. */
export interface InstanceNetwork {
  mode: NetworkMode;
  /** The address the instance's applications are reached at from the host. */
  address: string;
  /** Names of the namespace and host-side veth (netns mode). */
  tag: string;
}

let detected: NetworkMode | undefined;

/** Network namespaces need root and iproute2; probed once. SLIPWAY_INSTANCE_NET=loopback forces the fallback. */
export function networkMode(): NetworkMode {
  if (detected) return detected;
  if (process.env.SLIPWAY_INSTANCE_NET === 'loopback' || process.getuid?.() !== 0) return (detected = 'loopback');
  const name = `slipway-probe-${randomBytes(3).toString('hex')}`;
  const ok = spawnSync('ip', ['netns', 'add', name]).status === 0;
  if (ok) spawnSync('ip', ['netns', 'del', name]);
  return (detected = ok ? 'netns' : 'loopback');
}

/**
 * Picks an address for a new instance. Namespaced instances get the second host of a
 * random /30 in 100.64.0.0/10 (shared address space, unused on ordinary hosts), the host
 * side of the veth the first; loopback instances get 127.x.y.z (Linux answers the whole
 * 127/8 on lo). Addresses already on the host are skipped, so several Slipways coexist.
 */
export async function allocateNetwork(): Promise<InstanceNetwork> {
  const mode = networkMode();
  const used = await hostAddresses();
  for (let i = 0; i < 100; i++) {
    const tag = randomBytes(4).toString('hex');
    if (mode === 'loopback') {
      const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
      if (!used.has(address)) return { mode, address, tag };
      continue;
    }
    const slot = randomInt(1, 2 ** 20 - 1) * 4;
    const hostSide = intToIp((100 << 24) + (64 << 16) + slot + 1);
    if (!used.has(hostSide)) return { mode, address: intToIp((100 << 24) + (64 << 16) + slot + 2), tag };
  }
  throw new Error('no free instance address found');
}

export function netnsName(net: InstanceNetwork): string {
  return `slipway-${net.tag}`;
}

/** Creates the namespace and veth pair (idempotent: a leftover from a crash is replaced). */
export async function createNetwork(net: InstanceNetwork): Promise<void> {
  if (net.mode !== 'netns') return;
  await destroyNetwork(net);
  const ns = netnsName(net);
  const hostIf = `swh${net.tag}`;
  const instIf = `swi${net.tag}`;
  const hostSide = intToIp(ipToInt(net.address) - 1);
  const steps: string[][] = [
    ['netns', 'add', ns],
    ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', instIf],
    ['link', 'set', instIf, 'netns', ns],
    ['addr', 'add', `${hostSide}/30`, 'dev', hostIf],
    ['link', 'set', hostIf, 'up'],
    ['-n', ns, 'addr', 'add', `${net.address}/30`, 'dev', instIf],
    ['-n', ns, 'link', 'set', instIf, 'up'],
    ['-n', ns, 'link', 'set', 'lo', 'up'],
    ['-n', ns, 'route', 'add', 'default', 'via', hostSide],
  ];
  for (const args of steps) await run('ip', args);
}

/** Removes the namespace and the veth pair; missing ones are fine. */
export async function destroyNetwork(net: InstanceNetwork): Promise<void> {
  if (net.mode !== 'netns') return;
  await run('ip', ['link', 'del', `swh${net.tag}`]).catch(() => undefined);
  await run('ip', ['netns', 'del', netnsName(net)]).catch(() => undefined);
}

async function hostAddresses(): Promise<Set<string>> {
  try {
    const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
    return new Set([...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]));
  } catch {
    return new Set();
  }
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
