import { readFileSync } from 'node:fs';
import { formatArn } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import type { ReportSpec } from './buildspec.js';
import { matchDirectories, selectFiles } from './file-globs.js';
import type { CodeBuildStore, ReportGroupRecord, ReportRecord } from './store.js';
import { parserFor, ReportParseError, summarize, type ParsedCase } from './test-reports.js';

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

  /** The group a buildspec names: an ARN must exist; a name means `<project>-<name>`, created on first use. */
  private group(input: ReportInput, nameOrArn: string): ReportGroupRecord | undefined {
    if (nameOrArn.startsWith('arn:')) return this.store.reportGroups.get(input.scope, nameOrArn);
    const name = `${input.project}-${nameOrArn}`;
    const arn = reportGroupArn(input.scope, name);
    const existing = this.store.reportGroups.get(input.scope, arn);
    if (existing) return existing;
    const now = this.clock.now();
    const g: ReportGroupRecord = { arn, name, type: 'TEST', exportConfig: { exportConfigType: 'NO_EXPORT' }, created: now, lastModified: now, status: 'ACTIVE' };
    this.store.reportGroups.put(input.scope, arn, g);
    return g;
  }

  private read(input: ReportInput, spec: ReportSpec): { cases: (ParsedCase & { testRawDataPath: string })[]; failed: boolean } {
    const parse = parserFor(spec.fileFormat);
    if (!parse) throw new ReportParseError(`file-format ${spec.fileFormat} is not supported by Slipway yet`);
    const bases = spec.baseDirectory ? matchDirectories(input.srcHost, spec.baseDirectory) : [input.srcHost];
    const cases: (ParsedCase & { testRawDataPath: string })[] = [];
    let failed = false;
    for (const base of bases) {
      for (const f of selectFiles(base, spec.files, [], false, input.workspace).files) {
        try {
          for (const c of parse(readFileSync(f.abs, 'utf8'))) cases.push({ ...c, testRawDataPath: input.visible(f.abs) });
        } catch (e) {
          failed = true;
          input.log(`Error parsing report file ${input.visible(f.abs)}: ${errorMessage(e)}`);
        }
      }
    }
    return { cases, failed };
  }

  /** Writes one report per `reports:` entry; returns the report ARNs. Never fails the build. */
  write(input: ReportInput, reports: Record<string, ReportSpec>): string[] {
    const arns: string[] = [];
    for (const [key, spec] of Object.entries(reports)) {
      const group = this.group(input, key);
      if (!group) {
        input.log(`Report group ${key} does not exist; skipping its report`);
        continue;
      }
      input.log(`Preparing to generate report: ${group.name}`);
      let cases: (ParsedCase & { testRawDataPath: string })[] = [];
      let parseFailed = false;
      try {
        ({ cases, failed: parseFailed } = this.read(input, spec));
      } catch (e) {
        input.log(`Error generating report ${group.name}: ${errorMessage(e)}`);
        parseFailed = true;
      }
      const arn = formatArn({ service: 'codebuild', region: input.scope.region, accountId: input.scope.accountId, resource: `report/${group.name}:${uuid()}` });
      const bad = cases.some((c) => c.status === 'FAILED' || c.status === 'ERROR');
      const record: ReportRecord = {
        arn,
        type: 'TEST',
        name: `${group.name}-${input.buildUuid}`,
        reportGroupArn: group.arn,
        executionId: input.buildArn,
        status: parseFailed && cases.length === 0 ? 'FAILED' : bad ? 'FAILED' : cases.length === 0 ? 'INCOMPLETE' : 'SUCCEEDED',
        created: this.clock.now(),
        exportConfig: group.exportConfig,
        truncated: false,
        testSummary: summarize(cases),
        testCases: cases.map((c) => ({ ...c, reportArn: arn })),
      };
      this.store.reports.put(input.scope, arn, record);
      input.log(`Report ${group.name}: ${cases.length} test case(s), status ${record.status}`);
      arns.push(arn);
    }
    return arns;
  }
}
