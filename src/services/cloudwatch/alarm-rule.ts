/**
 * Composite alarm rules: `ALARM("cpu") AND NOT OK(db) OR (TRUE AND INSUFFICIENT_DATA('x'))`.
 * Alarms are named by name or ARN, quoted or not.
 */
export type RuleNode =
  | { kind: 'const'; value: boolean }
  | { kind: 'state'; state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'; alarm: string }
  | { kind: 'not'; arg: RuleNode }
  | { kind: 'and' | 'or'; left: RuleNode; right: RuleNode };

export class RuleSyntaxError extends Error {}

const TOKEN = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s()]+)/y;

function tokenize(rule: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < rule.length && (m = TOKEN.exec(rule))) out.push(m[1]);
  if (rule.slice(TOKEN.lastIndex).trim()) throw new RuleSyntaxError(`Unexpected text: ${rule.slice(TOKEN.lastIndex).trim()}`);
  return out;
}

export function parseRule(rule: string): RuleNode {
  const t = tokenize(rule);
  let k = 0;
  const expect = (s: string) => {
    if (t[k] !== s) throw new RuleSyntaxError(`Expected '${s}' ${t[k] === undefined ? 'at the end' : `before '${t[k]}'`}`);
    k++;
  };
  const primary = (): RuleNode => {
    const tok = t[k];
    if (tok === undefined) throw new RuleSyntaxError('Unexpected end of rule');
    if (tok === '(') { k++; const e = or(); expect(')'); return e; }
    if (tok === 'TRUE' || tok === 'FALSE') { k++; return { kind: 'const', value: tok === 'TRUE' }; }
    if (tok === 'ALARM' || tok === 'OK' || tok === 'INSUFFICIENT_DATA') {
      k++;
      expect('(');
      const name = t[k++];
      if (name === undefined || name === ')') throw new RuleSyntaxError(`${tok}() needs an alarm name`);
      expect(')');
      return { kind: 'state', state: tok, alarm: /^["']/.test(name) ? name.slice(1, -1).replace(/\\(.)/g, '$1') : name };
    }
    throw new RuleSyntaxError(`Unexpected '${tok}'`);
  };
  const not = (): RuleNode => (t[k] === 'NOT' ? (k++, { kind: 'not', arg: not() }) : primary());
  const and = (): RuleNode => {
    let left = not();
    while (t[k] === 'AND') { k++; left = { kind: 'and', left, right: not() }; }
    return left;
  };
  const or = (): RuleNode => {
    let left = and();
    while (t[k] === 'OR') { k++; left = { kind: 'or', left, right: and() }; }
    return left;
  };
  const tree = or();
  if (k < t.length) throw new RuleSyntaxError(`Unexpected '${t[k]}'`);
  return tree;
}

/** The alarm names or ARNs a rule refers to. */
export function ruleAlarms(node: RuleNode, out = new Set<string>()): Set<string> {
  if (node.kind === 'state') out.add(node.alarm);
  else if (node.kind === 'not') ruleAlarms(node.arg, out);
  else if (node.kind === 'and' || node.kind === 'or') { ruleAlarms(node.left, out); ruleAlarms(node.right, out); }
  return out;
}

/** Evaluates with each alarm's current state (unknown alarms match no state). */
export function evaluateRule(node: RuleNode, stateOf: (alarm: string) => string | undefined): boolean {
  switch (node.kind) {
    case 'const': return node.value;
    case 'state': return stateOf(node.alarm) === node.state;
    case 'not': return !evaluateRule(node.arg, stateOf);
    case 'and': return evaluateRule(node.left, stateOf) && evaluateRule(node.right, stateOf);
    case 'or': return evaluateRule(node.left, stateOf) || evaluateRule(node.right, stateOf);
  }
}
