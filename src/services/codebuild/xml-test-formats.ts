import { XMLParser } from 'fast-xml-parser';
import type { ParsedCase } from './test-reports.js';

/** The XML report formats besides JUnit: NUnit 2 and 3, TestNG, and Visual Studio TRX. */

type Node = Record<string, unknown>;

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** The first element of a child that may be one element or several. */
const first = (v: unknown): Node | undefined => (Array.isArray(v) ? (v[0] as Node | undefined) : (v as Node | undefined));
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function parseXml(xml: string, format: string): Node {
  try {
    return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, textNodeName: '#text' }).parse(xml, true) as Node;
  } catch (e) {
    throw new Error(`invalid ${format}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** Every element named `tag` under `node`, in document order, with its nearest ancestor named `parentTag`. */
function findAll(node: unknown, tag: string, parentTag: string, parent?: Node, out: { el: Node; parent?: Node }[] = []): { el: Node; parent?: Node }[] {
  if (!node || typeof node !== 'object') return out;
  for (const item of Array.isArray(node) ? node : [node]) {
    if (!item || typeof item !== 'object') continue;
    for (const [k, v] of Object.entries(item as Node)) {
      if (k.startsWith('@_') || k === '#text') continue;
      for (const child of asArray(v as Node | Node[])) {
        if (k === tag) out.push({ el: child, parent });
        findAll(child, tag, parentTag, k === parentTag ? child : parent, out);
      }
    }
  }
  return out;
}

function text(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  const n = v as Node;
  return typeof n['#text'] === 'string' ? n['#text'] : undefined;
}

function failureMessage(f: unknown): string | undefined {
  if (f === undefined) return undefined;
  const n = first(f) ?? {};
  return [text(n.message), text(n['stack-trace'])].filter((x) => x).join('\n') || undefined;
}

const NUNIT_STATUS: Record<string, ParsedCase['status']> = { Passed: 'SUCCEEDED', Success: 'SUCCEEDED', Failed: 'FAILED', Failure: 'FAILED', Error: 'ERROR', Skipped: 'SKIPPED', Ignored: 'SKIPPED', Inconclusive: 'SKIPPED', NotRunnable: 'SKIPPED' };

/** NUnit 3 (`test-run`) and NUnit 2 (`test-results`). */
export function parseNUnit(xml: string): ParsedCase[] {
  const doc = parseXml(xml, 'NUnit XML');
  if (!doc['test-run'] && !doc['test-results']) throw new Error('invalid NUnit XML: no test-run or test-results element');
  return findAll(doc, 'test-case', 'test-suite').map(({ el, parent }) => {
    // NUnit 3 gives classname and a short name; NUnit 2 only a qualified name (Ns.Class.Method).
    const qualified = str(el['@_fullname'] ?? el['@_name']);
    const dot = qualified.lastIndexOf('.');
    const prefix = str(el['@_classname']) || (dot > 0 ? qualified.slice(0, dot) : '');
    return {
      prefix,
      name: el['@_classname'] !== undefined ? str(el['@_name']) : qualified.slice(dot + 1),
      status: NUNIT_STATUS[str(el['@_result'])] ?? (str(el['@_executed']) === 'False' ? 'SKIPPED' : 'ERROR'),
      durationInNanoSeconds: Math.round((Number(el['@_duration'] ?? el['@_time']) || 0) * 1e9),
      message: failureMessage(el.failure) ?? text(first(el.reason)?.message),
      testSuiteName: str(parent?.['@_name']),
    };
  });
}

const TESTNG_STATUS: Record<string, ParsedCase['status']> = { PASS: 'SUCCEEDED', FAIL: 'FAILED', SKIP: 'SKIPPED' };

/** TestNG's testng-results.xml; configuration methods (@Before/@After) are not test cases. */
export function parseTestNG(xml: string): ParsedCase[] {
  const doc = parseXml(xml, 'TestNG XML');
  if (!doc['testng-results']) throw new Error('invalid TestNG XML: no testng-results element');
  const out: ParsedCase[] = [];
  for (const { el: cls, parent: test } of findAll(doc, 'class', 'test')) {
    for (const m of asArray(cls['test-method'] as Node | Node[])) {
      if (str(m['@_is-config']) === 'true') continue;
      const exception = first(m.exception);
      out.push({
        prefix: str(cls['@_name']),
        name: str(m['@_name']),
        status: TESTNG_STATUS[str(m['@_status'])] ?? 'ERROR',
        durationInNanoSeconds: Math.round((Number(m['@_duration-ms']) || 0) * 1e6),
        message: exception ? text(exception.message)?.trim() : undefined,
        testSuiteName: str(test?.['@_name']),
      });
    }
  }
  return out;
}

const TRX_STATUS: Record<string, ParsedCase['status']> = { Passed: 'SUCCEEDED', Failed: 'FAILED', Error: 'ERROR', NotExecuted: 'SKIPPED', Inconclusive: 'SKIPPED', Timeout: 'FAILED', Aborted: 'ERROR' };

/** `hh:mm:ss.fffffff` as nanoseconds. */
function trxDuration(d: string): number {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(d);
  return m ? Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1e9) : 0;
}

/** Visual Studio TRX: results joined to their definitions for the class name. */
export function parseTrx(xml: string): ParsedCase[] {
  const doc = parseXml(xml, 'TRX');
  if (!doc.TestRun) throw new Error('invalid TRX: no TestRun element');
  const classes = new Map<string, string>();
  for (const { el } of findAll(doc, 'UnitTest', 'TestDefinitions')) {
    classes.set(str(el['@_id']), str(first(el.TestMethod)?.['@_className']));
  }
  return findAll(doc, 'UnitTestResult', 'Results').map(({ el }) => {
    const error = first(first(el.Output)?.ErrorInfo);
    return {
      prefix: classes.get(str(el['@_testId'])) ?? '',
      name: str(el['@_testName']),
      status: TRX_STATUS[str(el['@_outcome'])] ?? 'ERROR',
      durationInNanoSeconds: trxDuration(str(el['@_duration'])),
      message: error ? [text(error.Message), text(error.StackTrace)].filter((x) => x).join('\n') || undefined : undefined,
      testSuiteName: '',
    };
  });
}
