import { XMLParser } from 'fast-xml-parser';
import { parseNUnit, parseTestNG, parseTrx } from './xml-test-formats.js';

/** A test case as CodeBuild reports it (before it is attached to a report). */
export interface ParsedCase {
  prefix: string;
  name: string;
  status: 'SUCCEEDED' | 'FAILED' | 'ERROR' | 'SKIPPED';
  durationInNanoSeconds: number;
  message?: string;
  testSuiteName: string;
}

/** A report file that is not what its file-format says. */
export class ReportParseError extends Error {}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const seconds = (v: unknown) => Math.round((Number(v) || 0) * 1e9);

type Node = Record<string, unknown>;

function messageOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const first = asArray(v)[0];
  if (typeof first === 'string') return first;
  const n = first as Node;
  const text = [n['@_message'], n['#text']].filter((x) => typeof x === 'string' && x.length > 0);
  return text.length ? text.join('\n') : '';
}

/** JUnit XML (also what most tools write: surefire, pytest, jest-junit, mocha-junit-reporter). */
export function parseJUnit(xml: string): ParsedCase[] {
  let doc: Node;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, textNodeName: '#text' }).parse(xml, true) as Node;
  } catch (e) {
    throw new ReportParseError(`invalid JUnit XML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const suites: Node[] = [];
  const collect = (node: Node) => {
    for (const s of asArray(node.testsuite as Node | Node[])) {
      suites.push(s);
      collect(s);
    }
  };
  if (doc.testsuites) collect(doc.testsuites as Node);
  else if (doc.testsuite) collect(doc);
  else throw new ReportParseError('invalid JUnit XML: no testsuites or testsuite element');
  const out: ParsedCase[] = [];
  for (const s of suites) {
    for (const c of asArray(s.testcase as Node | Node[])) {
      const failure = c.failure ?? undefined;
      const error = c.error ?? undefined;
      const status = failure !== undefined ? 'FAILED' : error !== undefined ? 'ERROR' : c.skipped !== undefined ? 'SKIPPED' : 'SUCCEEDED';
      out.push({
        prefix: String(c['@_classname'] ?? ''),
        name: String(c['@_name'] ?? ''),
        status,
        durationInNanoSeconds: seconds(c['@_time']),
        message: messageOf(failure ?? error),
        testSuiteName: String(s['@_name'] ?? ''),
      });
    }
  }
  return out;
}

interface CucumberStep {
  result?: { status?: string; duration?: number; error_message?: string };
}
interface CucumberElement {
  name?: string;
  keyword?: string;
  type?: string;
  steps?: CucumberStep[];
}
interface CucumberFeature {
  name?: string;
  uri?: string;
  elements?: CucumberElement[];
}

/** Cucumber's JSON formatter output: each scenario is a test case of its feature. */
export function parseCucumber(text: string): ParsedCase[] {
  let features: CucumberFeature[];
  try {
    features = JSON.parse(text) as CucumberFeature[];
  } catch (e) {
    throw new ReportParseError(`invalid Cucumber JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(features)) throw new ReportParseError('invalid Cucumber JSON: expected an array of features');
  const out: ParsedCase[] = [];
  for (const f of features) {
    for (const el of f.elements ?? []) {
      if (el.type === 'background') continue;
      const results = (el.steps ?? []).map((s) => s.result ?? {});
      const failed = results.find((r) => r.status === 'failed');
      const allSkipped = results.length > 0 && results.every((r) => r.status !== 'passed' && r.status !== 'failed');
      out.push({
        prefix: f.name ?? f.uri ?? '',
        name: el.name ?? '',
        status: failed ? 'FAILED' : allSkipped ? 'SKIPPED' : 'SUCCEEDED',
        durationInNanoSeconds: results.reduce((sum, r) => sum + (r.duration ?? 0), 0),
        message: failed?.error_message,
        testSuiteName: f.name ?? '',
      });
    }
  }
  return out;
}

/** The parser for a buildspec `file-format`, or undefined when Slipway does not read it yet. */
export function parserFor(format: string): ((text: string) => ParsedCase[]) | undefined {
  const parsers: Record<string, (text: string) => ParsedCase[]> = {
    JUNITXML: parseJUnit,
    CUCUMBERJSON: parseCucumber,
    NUNITXML: parseNUnit,
    NUNIT3XML: parseNUnit,
    TESTNGXML: parseTestNG,
    VISUALSTUDIOTRX: parseTrx,
  };
  return parsers[format];
}

export function summarize(cases: ParsedCase[]): { total: number; statusCounts: Record<string, number>; durationInNanoSeconds: number } {
  const statusCounts: Record<string, number> = {};
  for (const c of cases) statusCounts[c.status] = (statusCounts[c.status] ?? 0) + 1;
  return { total: cases.length, statusCounts, durationInNanoSeconds: cases.reduce((s, c) => s + c.durationInNanoSeconds, 0) };
}
