import { isIP } from 'node:net';
import type { TargetDescription } from '../../aws/models/generated/elbv2.js';
import { ServiceError } from '../../core/errors.js';
import { getTargetGroup, type Elbv2, type Ops } from './context.js';
import { targetKey, type TargetGroupRecord, type TargetRecord } from './store.js';

const invalidTarget = (message: string) => new ServiceError('InvalidTargetException', message);

/** Addresses an `ip` target may have: private ranges, carrier-grade NAT, loopback and IPv6 unique-local/loopback. */
export function usableTargetIp(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (family === 6) return ip === '::1' || /^f[cd][0-9a-f]{2}:/i.test(ip);
  return false;
}

function checkTarget(tg: TargetGroupRecord, t: TargetDescription): void {
  if (tg.targetType === 'ip') {
    if (!isIP(t.Id)) throw invalidTarget(`The IP address '${t.Id}' is not a valid IPv4 or IPv6 address`);
    if (!usableTargetIp(t.Id)) {
      throw invalidTarget(`The IP address '${t.Id}' is not valid. The IP address must be within the private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) or loopback`);
    }
  } else if (!/^i-[0-9a-f]{8,17}$/.test(t.Id)) {
    throw invalidTarget(`The following targets are not valid instance IDs: '${t.Id}'`);
  }
  if (t.Port !== undefined && (t.Port < 1 || t.Port > 65535)) throw invalidTarget(`Target port '${t.Port}' must be between 1 and 65535`);
}

export function targetOperations(e: Elbv2): Ops {
  const { store } = e;
  return {
    async RegisterTargets(input, ctx) {
      const tg = getTargetGroup(e, ctx, input.TargetGroupArn);
      for (const t of input.Targets) checkTarget(tg, t);
      const now = e.clock.now();
      const added: TargetRecord[] = input.Targets.map((t) => ({ targetGroupArn: tg.arn, id: t.Id, port: t.Port ?? tg.port, availabilityZone: t.AvailabilityZone, registeredAt: now }));
      if (store.targetsOf(ctx, tg.arn).length + added.length > 1000) throw new ServiceError('TooManyTargetsException', 'A target group can have at most 1000 targets');
      store.db.transaction(() => {
        for (const t of added) {
          const key = targetKey(tg.arn, t.id, t.port);
          if (!store.targets.has(ctx, key)) store.targets.put(ctx, key, t);
        }
      });
      e.engine.changed();
      return {};
    },

    async DeregisterTargets(input, ctx) {
      const tg = getTargetGroup(e, ctx, input.TargetGroupArn);
      const records = input.Targets.map((t) => {
        const rec = store.targets.get(ctx, targetKey(tg.arn, t.Id, t.Port ?? tg.port));
        if (!rec) throw invalidTarget(`The following targets are not registered in target group '${tg.arn}': '${t.Id}'`);
        return rec;
      });
      store.db.transaction(() => {
        for (const r of records) store.targets.delete(ctx, targetKey(tg.arn, r.id, r.port));
      });
      e.engine.changed();
      return {};
    },

    async DescribeTargetHealth(input, ctx) {
      const tg = getTargetGroup(e, ctx, input.TargetGroupArn);
      for (const t of input.Targets ?? []) checkTarget(tg, t);
      return { TargetHealthDescriptions: e.engine.health(ctx, tg, input.Targets) };
    },
  };
}
