import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodebuildOperations, CodeCoverage, CodeCoverageReportSummary, DescribeCodeCoveragesInput, Report, ReportGroup } from '../../aws/models/generated/codebuild.js';
import { ServiceError } from '../../core/errors.js';
import { invalidInput, pageByOffset } from './projects.js';
import { reportGroupArn } from './report-writer.js';
import type { CodeBuildStore, ReportGroupRecord, ReportRecord } from './store.js';

type Ops = Partial<CodebuildOperations<RequestContext>>;

const groupView = (g: ReportGroupRecord): ReportGroup => ({ ...g, created: new Date(g.created), lastModified: new Date(g.lastModified) });

function reportView(r: ReportRecord): Report {
  const { testCases: _cases, codeCoverages: _files, ...rest } = r;
  return { ...rest, created: new Date(r.created) };
}

function missingGroup(arn: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Report group cannot be found: ${arn}`, { statusCode: 400 });
}

const byTime = (desc: boolean) => (a: ReportRecord, b: ReportRecord) => (desc ? b.created - a.created : a.created - b.created) || (a.arn < b.arn ? -1 : 1);

/** A number as the trend API prints it: integers plain, others with two decimals. */
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function trendValue(r: ReportRecord, field: string): number | undefined {
  const s = r.testSummary;
  if (!s) return undefined;
  if (field === 'TOTAL') return s.total;
  if (field === 'DURATION') return Math.round(s.durationInNanoSeconds / 1e6);
  if (field === 'PASS_RATE') return s.total ? ((s.statusCounts.SUCCEEDED ?? 0) / s.total) * 100 : 0;
  return undefined;
}

const COVERAGE_TREND: Record<string, keyof CodeCoverageReportSummary> = {
  LINE_COVERAGE: 'lineCoveragePercentage',
  BRANCH_COVERAGE: 'branchCoveragePercentage',
  LINES_COVERED: 'linesCovered',
  LINES_MISSED: 'linesMissed',
  BRANCHES_COVERED: 'branchesCovered',
  BRANCHES_MISSED: 'branchesMissed',
};

const reportValue = (r: ReportRecord, field: string): number | undefined =>
  r.codeCoverageSummary ? (COVERAGE_TREND[field] ? r.codeCoverageSummary[COVERAGE_TREND[field]] : undefined) : trendValue(r, field);

/** DescribeCodeCoverages: line-coverage bounds are inclusive; sorted by line coverage unless FILE_PATH is asked for. */
function selectCoverages(r: ReportRecord, input: DescribeCodeCoveragesInput): CodeCoverage[] {
  const min = input.minLineCoveragePercentage ?? 0;
  const max = input.maxLineCoveragePercentage ?? 100;
  const files = (r.codeCoverages ?? []).filter((c) => (c.lineCoveragePercentage ?? 0) >= min && (c.lineCoveragePercentage ?? 0) <= max);
  const byPath = (a: CodeCoverage, b: CodeCoverage) => ((a.filePath ?? '') < (b.filePath ?? '') ? -1 : (a.filePath ?? '') > (b.filePath ?? '') ? 1 : 0);
  const cmp = input.sortBy === 'FILE_PATH' ? byPath : (a: CodeCoverage, b: CodeCoverage) => (a.lineCoveragePercentage ?? 0) - (b.lineCoveragePercentage ?? 0) || byPath(a, b);
  const sorted = files.sort(cmp);
  return input.sortOrder === 'DESCENDING' ? sorted.reverse() : sorted;
}

export function reportOperations(store: CodeBuildStore, now: () => number): Ops {
  const requireGroup = (ctx: RequestContext, arn: string) => {
    const g = store.reportGroups.get(ctx, arn);
    if (!g) throw missingGroup(arn);
    return g;
  };
  return {
    async CreateReportGroup(input, ctx) {
      const arn = reportGroupArn(ctx, input.name);
      if (store.reportGroups.has(ctx, arn)) throw new ServiceError('ResourceAlreadyExistsException', `Report group already exists: ${arn}`, { statusCode: 400 });
      if (input.exportConfig.exportConfigType === 'S3' && !input.exportConfig.s3Destination?.bucket) throw invalidInput('Invalid input: s3Destination bucket is required when exportConfigType is S3');
      const t = now();
      const g: ReportGroupRecord = { arn, name: input.name, type: input.type, exportConfig: input.exportConfig, tags: input.tags, created: t, lastModified: t, status: 'ACTIVE' };
      store.reportGroups.put(ctx, arn, g);
      return { reportGroup: groupView(g) };
    },

    async UpdateReportGroup(input, ctx) {
      const g = requireGroup(ctx, input.arn);
      if (input.exportConfig) g.exportConfig = input.exportConfig;
      if (input.tags) g.tags = input.tags;
      g.lastModified = now();
      store.reportGroups.put(ctx, g.arn, g);
      return { reportGroup: groupView(g) };
    },

    async DeleteReportGroup(input, ctx) {
      requireGroup(ctx, input.arn);
      const reports = store.reports.list(ctx).filter((r) => r.reportGroupArn === input.arn);
      if (reports.length && !input.deleteReports) throw invalidInput(`Invalid input: report group ${input.arn} has reports; set deleteReports to delete them with it`);
      for (const r of reports) store.reports.delete(ctx, r.arn);
      store.reportGroups.delete(ctx, input.arn);
      return {};
    },

    async BatchGetReportGroups(input, ctx) {
      const reportGroups: ReportGroup[] = [];
      const reportGroupsNotFound: string[] = [];
      for (const arn of input.reportGroupArns) {
        const g = store.reportGroups.get(ctx, arn);
        if (g) reportGroups.push(groupView(g));
        else reportGroupsNotFound.push(arn);
      }
      return { reportGroups, reportGroupsNotFound };
    },

    async ListReportGroups(input, ctx) {
      const desc = (input.sortOrder ?? 'DESCENDING') === 'DESCENDING';
      const key = (g: ReportGroupRecord) => (input.sortBy === 'NAME' ? g.name : input.sortBy === 'LAST_MODIFIED_TIME' ? g.lastModified : g.created);
      const all = store.reportGroups.list(ctx).sort((a, b) => {
        const c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.arn < b.arn ? -1 : 1;
        return desc ? -c : c;
      });
      const { page, next } = pageByOffset(all, input.nextToken, input.maxResults ?? 100);
      return { reportGroups: page.map((g) => g.arn), nextToken: next };
    },

    async ListReports(input, ctx) {
      const all = store.reports.list(ctx).filter((r) => !input.filter?.status || r.status === input.filter.status);
      const { page, next } = pageByOffset(all.sort(byTime((input.sortOrder ?? 'DESCENDING') === 'DESCENDING')), input.nextToken, input.maxResults ?? 100);
      return { reports: page.map((r) => r.arn), nextToken: next };
    },

    async ListReportsForReportGroup(input, ctx) {
      requireGroup(ctx, input.reportGroupArn);
      const all = store.reports.list(ctx).filter((r) => r.reportGroupArn === input.reportGroupArn && (!input.filter?.status || r.status === input.filter.status));
      const { page, next } = pageByOffset(all.sort(byTime((input.sortOrder ?? 'DESCENDING') === 'DESCENDING')), input.nextToken, input.maxResults ?? 100);
      return { reports: page.map((r) => r.arn), nextToken: next };
    },

    async BatchGetReports(input, ctx) {
      const reports: Report[] = [];
      const reportsNotFound: string[] = [];
      for (const arn of input.reportArns) {
        const r = store.reports.get(ctx, arn);
        if (r) reports.push(reportView(r));
        else reportsNotFound.push(arn);
      }
      return { reports, reportsNotFound };
    },

    async DeleteReport(input, ctx) {
      store.reports.delete(ctx, input.arn);
      return {};
    },

    async DescribeTestCases(input, ctx) {
      const r = store.reports.get(ctx, input.reportArn);
      if (!r) throw new ServiceError('ResourceNotFoundException', `Report cannot be found: ${input.reportArn}`, { statusCode: 400 });
      const keyword = input.filter?.keyword?.toLowerCase();
      const cases = r.testCases.filter((c) => (!input.filter?.status || c.status === input.filter.status) && (!keyword || `${c.prefix ?? ''} ${c.name ?? ''}`.toLowerCase().includes(keyword)));
      const { page, next } = pageByOffset(cases, input.nextToken, input.maxResults ?? 50);
      return { testCases: page, nextToken: next };
    },

    async DescribeCodeCoverages(input, ctx) {
      const r = store.reports.get(ctx, input.reportArn);
      if (!r) throw new ServiceError('ResourceNotFoundException', `Report cannot be found: ${input.reportArn}`, { statusCode: 400 });
      const { page, next } = pageByOffset(selectCoverages(r, input), input.nextToken, input.maxResults ?? 100);
      return { codeCoverages: page, nextToken: next };
    },

    async GetReportGroupTrend(input, ctx) {
      requireGroup(ctx, input.reportGroupArn);
      const reports = store.reports
        .list(ctx)
        .filter((r) => r.reportGroupArn === input.reportGroupArn)
        .sort(byTime(true))
        .slice(0, input.numOfReports ?? 100);
      const rows = reports.map((r) => ({ reportArn: r.arn, value: reportValue(r, input.trendField) })).filter((x): x is { reportArn: string; value: number } => x.value !== undefined);
      if (rows.length === 0) return { stats: {}, rawData: [] };
      const values = rows.map((r) => r.value);
      return {
        stats: { average: fmt(values.reduce((a, b) => a + b, 0) / values.length), max: fmt(Math.max(...values)), min: fmt(Math.min(...values)) },
        rawData: rows.map((r) => ({ reportArn: r.reportArn, data: fmt(r.value) })),
      };
    },
  };
}
