import { ServiceError } from '../../core/errors.js';
import { parseArn } from '../../core/arn.js';
import { GLOBAL_REGION, type Scope } from '../../core/scope.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CloudwatchOperations, Tag } from '../../aws/models/generated/cloudwatch.js';
import type { Collection } from '../../state/collection.js';
import type { AlarmStore } from './alarm-store.js';
import type { DashboardRecord } from './dashboards.js';

type Provider = Partial<CloudwatchOperations<RequestContext>>;

interface Tagged {
  tags: Tag[];
  save(tags: Tag[]): void;
}

/** Tags of alarms (arn:...:alarm:name) and dashboards (arn:...:dashboard/name). */
export function tagOperations(alarms: AlarmStore, dashboards: Collection<DashboardRecord>): Provider {
  const resolve = (arnText: string, ctx: RequestContext): Tagged => {
    const arn = parseArn(arnText);
    const missing = (type: string, id: string) =>
      new ServiceError('ResourceNotFoundException', `The specified resource does not exist: ${arnText}`, { statusCode: 404, fields: { ResourceType: type, ResourceId: id } });
    if (!arn || arn.service !== 'cloudwatch' || arn.accountId !== ctx.accountId) {
      throw new ServiceError('InvalidParameterValueException', `Invalid value for parameter ResourceARN: ${arnText}`, { statusCode: 400 });
    }
    if (arn.resource.startsWith('alarm:')) {
      const scope: Scope = { accountId: arn.accountId, region: arn.region };
      const name = arn.resource.slice('alarm:'.length);
      const alarm = alarms.get(scope, name);
      if (!alarm) throw missing('Alarm', name);
      return { tags: alarm.tags, save: (tags) => alarms.put(scope, { ...alarm, tags }) };
    }
    if (arn.resource.startsWith('dashboard/')) {
      const scope: Scope = { accountId: arn.accountId, region: GLOBAL_REGION };
      const name = arn.resource.slice('dashboard/'.length);
      const d = dashboards.get(scope, name);
      if (!d) throw missing('Dashboard', name);
      return { tags: d.tags, save: (tags) => dashboards.put(scope, name, { ...d, tags }) };
    }
    throw new ServiceError('InvalidParameterValueException', `Invalid value for parameter ResourceARN: ${arnText}`, { statusCode: 400 });
  };

  return {
    async TagResource(input, ctx) {
      const r = resolve(input.ResourceARN, ctx);
      const merged = new Map(r.tags.map((t) => [t.Key, t.Value]));
      for (const t of input.Tags) merged.set(t.Key, t.Value);
      if (merged.size > 50) throw new ServiceError('InvalidParameterValueException', 'A resource can have at most 50 tags.', { statusCode: 400 });
      r.save([...merged].map(([Key, Value]) => ({ Key, Value })));
      return {};
    },
    async UntagResource(input, ctx) {
      const r = resolve(input.ResourceARN, ctx);
      r.save(r.tags.filter((t) => !input.TagKeys.includes(t.Key)));
      return {};
    },
    async ListTagsForResource(input, ctx) {
      return { Tags: resolve(input.ResourceARN, ctx).tags };
    },
  };
}
