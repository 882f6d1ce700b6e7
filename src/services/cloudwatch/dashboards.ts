import { ServiceError } from '../../core/errors.js';
import { GLOBAL_REGION, type Scope } from '../../core/scope.js';
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CloudwatchOperations, Tag } from '../../aws/models/generated/cloudwatch.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';
import { paginate } from '../common/paging.js';
import { checkDashboardBody } from './dashboard-validate.js';

export interface DashboardRecord {
  name: string;
  body: string;
  lastModified: number;
  tags: Tag[];
}

type Provider = Partial<CloudwatchOperations<RequestContext>>;

const NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Dashboards are global to an account, as on AWS: their ARN has no region. */
export const dashboardScope = (ctx: Scope): Scope => ({ accountId: ctx.accountId, region: GLOBAL_REGION });
export const dashboardArn = (accountId: string, name: string) => `arn:aws:cloudwatch::${accountId}:dashboard/${name}`;

export function createDashboardCollection(db: Database): Collection<DashboardRecord> {
  return new Collection<DashboardRecord>(db, 'cloudwatch.dashboards');
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new ServiceError('InvalidParameterValueException', 'The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).', { statusCode: 400 });
  }
}

/** PutDashboard, GetDashboard, ListDashboards and DeleteDashboards. */
export function dashboardOperations(dashboards: Collection<DashboardRecord>, clock: Clock): Provider {
  return {
    async PutDashboard(input, ctx) {
      checkName(input.DashboardName);
      const { errors, warnings } = checkDashboardBody(input.DashboardBody);
      if (errors.length) {
        const listed = errors.map((e) => ({ dataPath: e.DataPath, message: e.Message }));
        const message = `The dashboard body is invalid, there ${errors.length === 1 ? 'is 1 validation error' : `are ${errors.length} validation errors`}:\n${JSON.stringify(listed, null, 2)}`;
        throw new ServiceError('DashboardInvalidInputError', message, { statusCode: 400, fields: { dashboardValidationMessages: errors } });
      }
      const scope = dashboardScope(ctx);
      const existing = dashboards.get(scope, input.DashboardName);
      dashboards.put(scope, input.DashboardName, {
        name: input.DashboardName,
        body: input.DashboardBody,
        lastModified: clock.now(),
        tags: input.Tags ?? existing?.tags ?? [],
      });
      return { DashboardValidationMessages: warnings };
    },

    async GetDashboard(input, ctx) {
      const d = dashboards.get(dashboardScope(ctx), input.DashboardName);
      if (!d) throw new ServiceError('DashboardNotFoundError', `Dashboard ${input.DashboardName} does not exist`, { statusCode: 404 });
      return { DashboardName: d.name, DashboardBody: d.body, DashboardArn: dashboardArn(ctx.accountId, d.name) };
    },

    async ListDashboards(input, ctx) {
      const all = dashboards.list(dashboardScope(ctx), input.DashboardNamePrefix || undefined);
      const page = paginate(all, (d) => d.name, input.NextToken, 1000, (t) => new ServiceError('InvalidParameterValueException', `The value ${t} for parameter NextToken is invalid.`, { statusCode: 400 }));
      return {
        DashboardEntries: page.items.map((d) => ({
          DashboardName: d.name,
          DashboardArn: dashboardArn(ctx.accountId, d.name),
          LastModified: new Date(d.lastModified),
          Size: Buffer.byteLength(d.body),
        })),
        NextToken: page.next,
      };
    },

    async DeleteDashboards(input, ctx) {
      const scope = dashboardScope(ctx);
      const missing = input.DashboardNames.filter((n) => !dashboards.has(scope, n));
      if (missing.length) throw new ServiceError('DashboardNotFoundError', `The specified dashboard does not exist. [${missing.join(', ')}]`, { statusCode: 404 });
      for (const name of input.DashboardNames) dashboards.delete(scope, name);
      return {};
    },
  };
}
