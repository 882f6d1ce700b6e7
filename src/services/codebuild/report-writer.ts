import { readFileSync } from 'node:fs';
import { formatArn } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import { COVERAGE_FORMATS, coverageParserFor, coverageSummary, fileSummary } from './coverage-reports.js';
import type { ReportSpec } from './buildspec.js';
import { matchDirectories, selectFiles } from './file-globs.js';
import type { CodeBuildStore, ReportGroupRecord, ReportRecord } from './store.js';
import { parserFor, summarize, type ParsedCase } from './test-reports.js';

export function reportGroupArn(scope: Scope, name: string): string {
  return formatArn({ service: 'codebuild', region: scope.region, accountId: scope.accountId, resource: `report-group/${name}` });
}

export interface ReportInput {
  scope: Scope;
  project: string;
  buildArn: string;
  buildUuid: string;
  srcHost: string;
  /** The build's workspace on the host: links out of it are not followed. */
  workspace: string;
  /** How a host path shows in the build (testRawDataPath). */
  visible(host: string): string;
  log(line: string): void;
}

/** Turns a build's `reports:` section into report groups, reports and test cases. */
export class ReportWriter {
  constructor(
    private readonly store: CodeBuildStore,
    private readonly clock: Clock,
  ) {}

  /** The group a buildspec names: an ARN must exist; a name means `<project>-<name>`, created on first use with the report's type. */
  private group(input: ReportInput, nameOrArn: string, type: 'TEST' | 'CODE_COVERAGE'): ReportGroupRecord | undefined {
    if (nameOrArn.startsWith('arn:')) return this.store.reportGroups.get(input.scope, nameOrArn);
    const name = `${input.project}-${nameOrArn}`;
    const arn = reportGroupArn(input.scope, name);
    const existing = this.store.reportGroups.get(input.scope, arn);
    if (existing) return existing;
    const now = this.clock.now();
    const g: ReportGroupRecord = { arn, name, type, exportConfig: { exportConfigType: 'NO_EXPORT' }, created: now, lastModified: now, status: 'ACTIVE' };
    this.store.reportGroups.put(input.scope, arn, g);
    return g;
  }

  /** Every file the entry selects, parsed; a file that does not parse is logged and marks the report failed. */
  private read<T>(input: ReportInput, spec: ReportSpec, parse: (text: string) => T[]): { items: (T & { testRawDataPath: string })[]; failed: boolean } {
    const bases = spec.baseDirectory ? matchDirectories(input.srcHost, spec.baseDirectory) : [input.srcHost];
    const items: (T & { testRawDataPath: string })[] = [];
    let failed = false;
    for (const base of bases) {
      for (const f of selectFiles(base, spec.files, [], false, input.workspace).files) {
        try {
          for (const c of parse(readFileSync(f.abs, 'utf8'))) items.push({ ...c, testRawDataPath: input.visible(f.abs) });
        } catch (e) {
          failed = true;
          input.log(`Error parsing report file ${input.visible(f.abs)}: ${errorMessage(e)}`);
        }
      }
    }
    return { items, failed };
  }

  /** Writes one report per `reports:` entry; returns the report ARNs. Never fails the build. */
  write(input: ReportInput, reports: Record<string, ReportSpec>): string[] {
    const arns: string[] = [];
    for (const [key, spec] of Object.entries(reports)) {
      const type: 'TEST' | 'CODE_COVERAGE' = COVERAGE_FORMATS.includes(spec.fileFormat) ? 'CODE_COVERAGE' : 'TEST';
      const group = this.group(input, key, type);
      if (!group) {
        input.log(`Report group ${key} does not exist; skipping its report`);
        continue;
      }
      if (group.type !== type) {
        input.log(`Report group ${group.name} is of type ${group.type}; file-format ${spec.fileFormat} makes a ${type} report; skipping it`);
        continue;
      }
      input.log(`Preparing to generate report: ${group.name}`);
      const arn = formatArn({ service: 'codebuild', region: input.scope.region, accountId: input.scope.accountId, resource: `report/${group.name}:${uuid()}` });
      const base = { arn, type, name: `${group.name}-${input.buildUuid}`, reportGroupArn: group.arn, executionId: input.buildArn, created: this.clock.now(), exportConfig: group.exportConfig, truncated: false };
      const record: ReportRecord = type === 'TEST' ? { ...base, ...this.testReport(input, spec, arn) } : { ...base, ...this.coverageReport(input, spec, arn) };
      this.store.reports.put(input.scope, arn, record);
      arns.push(arn);
    }
    return arns;
  }

  private testReport(input: ReportInput, spec: ReportSpec, arn: string): Pick<ReportRecord, 'status' | 'testSummary' | 'testCases'> {
    let cases: (ParsedCase & { testRawDataPath: string })[] = [];
    let parseFailed = false;
    const parse = parserFor(spec.fileFormat);
    if (parse) ({ items: cases, failed: parseFailed } = this.read(input, spec, parse));
    else {
      input.log(`Error generating report: file-format ${spec.fileFormat} is not supported by Slipway yet`);
      parseFailed = true;
    }
    const bad = cases.some((c) => c.status === 'FAILED' || c.status === 'ERROR');
    const status = parseFailed && cases.length === 0 ? 'FAILED' : bad ? 'FAILED' : cases.length === 0 ? 'INCOMPLETE' : 'SUCCEEDED';
    input.log(`Report: ${cases.length} test case(s), status ${status}`);
    return { status, testSummary: summarize(cases), testCases: cases.map((c) => ({ ...c, reportArn: arn })) };
  }

  private coverageReport(input: ReportInput, spec: ReportSpec, arn: string): Pick<ReportRecord, 'status' | 'codeCoverageSummary' | 'testCases' | 'codeCoverages'> {
    const { items, failed } = this.read(input, spec, coverageParserFor(spec.fileFormat)!);
    const files = items.map(({ testRawDataPath: _path, ...f }) => f);
    const status = failed ? 'FAILED' : files.length === 0 ? 'INCOMPLETE' : 'SUCCEEDED';
    const summary = coverageSummary(files);
    input.log(`Report: ${files.length} file(s), line coverage ${summary.lineCoveragePercentage}%, status ${status}`);
    return {
      status,
      codeCoverageSummary: summary,
      testCases: [],
      codeCoverages: files.map((f) => ({ id: uuid(), reportARN: arn, ...fileSummary(f) })),
    };
  }
}
