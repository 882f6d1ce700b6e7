import type { CodeCoverageReportSummary } from '../../aws/models/generated/codebuild.js';
import { parseXml } from './xml-test-formats.js';

/** Line and branch counts of one source file, as a coverage tool wrote them. */
export interface FileCoverage {
  filePath: string;
  linesCovered: number;
  linesMissed: number;
  branchesCovered: number;
  branchesMissed: number;
}

type Node = Record<string, unknown>;

export const COVERAGE_FORMATS = ['COBERTURAXML', 'JACOCOXML', 'CLOVERXML', 'SIMPLECOV'];

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const num = (v: unknown) => Number(v) || 0;
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Per-file counts merged by path (Cobertura lists a file once per class it holds). */
function merge(files: FileCoverage[]): FileCoverage[] {
  const byPath = new Map<string, FileCoverage>();
  for (const f of files) {
    const seen = byPath.get(f.filePath);
    if (!seen) byPath.set(f.filePath, { ...f });
    else {
      seen.linesCovered += f.linesCovered;
      seen.linesMissed += f.linesMissed;
      seen.branchesCovered += f.branchesCovered;
      seen.branchesMissed += f.branchesMissed;
    }
  }
  return [...byPath.values()];
}

/** Cobertura: `<class filename>` with `<line hits branch condition-coverage="50% (1/2)">`. */
export function parseCobertura(xml: string): FileCoverage[] {
  const doc = parseXml(xml, 'Cobertura XML');
  const root = doc.coverage as Node | undefined;
  if (!root || typeof root !== 'object') throw new Error('invalid Cobertura XML: no coverage element');
  const files: FileCoverage[] = [];
  for (const pkg of asArray((root.packages as Node | undefined)?.package as Node | Node[])) {
    for (const cls of asArray((pkg.classes as Node | undefined)?.class as Node | Node[])) {
      const f: FileCoverage = { filePath: str(cls['@_filename']), linesCovered: 0, linesMissed: 0, branchesCovered: 0, branchesMissed: 0 };
      for (const line of asArray((cls.lines as Node | undefined)?.line as Node | Node[])) {
        if (num(line['@_hits']) > 0) f.linesCovered++;
        else f.linesMissed++;
        const m = /\((\d+)\/(\d+)\)/.exec(str(line['@_condition-coverage']));
        if (str(line['@_branch']) === 'true' && m) {
          f.branchesCovered += Number(m[1]);
          f.branchesMissed += Number(m[2]) - Number(m[1]);
        }
      }
      files.push(f);
    }
  }
  return merge(files);
}

/** A JaCoCo `<counter type missed covered>` among an element's children. */
function counter(el: Node, type: string): { missed: number; covered: number } {
  const c = asArray(el.counter as Node | Node[]).find((x) => x['@_type'] === type);
  return { missed: num(c?.['@_missed']), covered: num(c?.['@_covered']) };
}

/** JaCoCo: `<package name><sourcefile name>` with LINE and BRANCH counters; paths are `package/File.java`. */
export function parseJaCoCo(xml: string): FileCoverage[] {
  const doc = parseXml(xml, 'JaCoCo XML');
  const root = doc.report as Node | undefined;
  if (!root || typeof root !== 'object') throw new Error('invalid JaCoCo XML: no report element');
  const packages = [...asArray(root.package as Node | Node[]), ...asArray(root.group as Node | Node[]).flatMap((g) => asArray(g.package as Node | Node[]))];
  const files: FileCoverage[] = [];
  for (const pkg of packages) {
    for (const sf of asArray(pkg.sourcefile as Node | Node[])) {
      const lines = counter(sf, 'LINE');
      const branches = counter(sf, 'BRANCH');
      const dir = str(pkg['@_name']);
      files.push({ filePath: dir ? `${dir}/${str(sf['@_name'])}` : str(sf['@_name']), linesCovered: lines.covered, linesMissed: lines.missed, branchesCovered: branches.covered, branchesMissed: branches.missed });
    }
  }
  return merge(files);
}

/** Clover: `<file path>` (in a project or its packages) with `<metrics statements coveredstatements conditionals coveredconditionals>`. */
export function parseClover(xml: string): FileCoverage[] {
  const doc = parseXml(xml, 'Clover XML');
  const project = (doc.coverage as Node | undefined)?.project as Node | undefined;
  if (!project || typeof project !== 'object') throw new Error('invalid Clover XML: no coverage/project element');
  const fileEls = [...asArray(project.file as Node | Node[]), ...asArray(project.package as Node | Node[]).flatMap((p) => asArray(p.file as Node | Node[]))];
  return merge(
    fileEls.map((f) => {
      const m = (asArray(f.metrics as Node | Node[])[0] ?? {}) as Node;
      const lines = num(m['@_statements']);
      const covered = num(m['@_coveredstatements']);
      const conds = num(m['@_conditionals']);
      const coveredConds = num(m['@_coveredconditionals']);
      return { filePath: str(f['@_path'] ?? f['@_name']), linesCovered: covered, linesMissed: lines - covered, branchesCovered: coveredConds, branchesMissed: conds - coveredConds };
    }),
  );
}

/** Counts of a SimpleCov line array (`null` = not code) and branch map (`{ condition: { branch: hits } }`). */
function simpleCovFile(filePath: string, data: unknown): FileCoverage {
  const lines = Array.isArray(data) ? data : asArray((data as Node | undefined)?.lines as unknown[]);
  const code = lines.filter((h) => h !== null && h !== 'ignored');
  const covered = code.filter((h) => num(h) > 0).length;
  const branchHits = Object.values(((data as Node | undefined)?.branches as Record<string, Record<string, unknown>> | undefined) ?? {}).flatMap((b) => Object.values(b ?? {}));
  const branchesCovered = branchHits.filter((h) => num(h) > 0).length;
  return { filePath, linesCovered: covered, linesMissed: code.length - covered, branchesCovered, branchesMissed: branchHits.length - branchesCovered };
}

/** SimpleCov's `.resultset.json` (`{ command: { coverage: { path: ... } } }`) or simplecov-json's `{ files: [...] }`. */
export function parseSimpleCov(text: string): FileCoverage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid SimpleCov JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('invalid SimpleCov JSON: expected an object');
  const d = doc as Node;
  if (Array.isArray(d.files)) return merge((d.files as Node[]).map((f) => simpleCovFile(str(f.filename), f.coverage)));
  const files: FileCoverage[] = [];
  for (const run of Object.values(d)) {
    const coverage = (run as Node | null)?.coverage;
    if (!coverage || typeof coverage !== 'object') throw new Error('invalid SimpleCov JSON: no coverage in result set');
    for (const [path, data] of Object.entries(coverage as Node)) files.push(simpleCovFile(path, data));
  }
  return merge(files);
}

/** The parser for a coverage `file-format`. */
export function coverageParserFor(format: string): ((text: string) => FileCoverage[]) | undefined {
  const parsers: Record<string, (text: string) => FileCoverage[]> = { COBERTURAXML: parseCobertura, JACOCOXML: parseJaCoCo, CLOVERXML: parseClover, SIMPLECOV: parseSimpleCov };
  return parsers[format];
}

/** A percentage as CodeBuild shows it: two decimals at most; nothing to cover counts as 0. */
const percent = (covered: number, missed: number) => (covered + missed === 0 ? 0 : Math.round((covered / (covered + missed)) * 10_000) / 100);

export function coverageSummary(files: FileCoverage[]): Required<CodeCoverageReportSummary> {
  const sum = (k: keyof Omit<FileCoverage, 'filePath'>) => files.reduce((s, f) => s + f[k], 0);
  const [lc, lm, bc, bm] = [sum('linesCovered'), sum('linesMissed'), sum('branchesCovered'), sum('branchesMissed')];
  return { lineCoveragePercentage: percent(lc, lm), linesCovered: lc, linesMissed: lm, branchCoveragePercentage: percent(bc, bm), branchesCovered: bc, branchesMissed: bm };
}

export function fileSummary(f: FileCoverage): FileCoverage & { lineCoveragePercentage: number; branchCoveragePercentage: number } {
  return { ...f, lineCoveragePercentage: percent(f.linesCovered, f.linesMissed), branchCoveragePercentage: percent(f.branchesCovered, f.branchesMissed) };
}
