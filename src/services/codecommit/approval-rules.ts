/**
 * Approval rule content (the 2018-11-08 JSON format) and its evaluation: which rules the
 * approvals on a pull request revision satisfy. Pure functions.
 */

export interface ApproversStatement {
  numberOfApprovalsNeeded: number;
  /** Empty: anyone's approval counts. */
  poolMembers: string[];
}

export interface RuleContent {
  destinationReferences?: string[];
  statements: ApproversStatement[];
}

/** Parses rule content; undefined when it is not valid (the caller picks the error). */
export function parseRuleContent(text: string): RuleContent | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  if (d.Version !== '2018-11-08' || !Array.isArray(d.Statements) || d.Statements.length === 0) return undefined;
  const statements: ApproversStatement[] = [];
  for (const s of d.Statements as unknown[]) {
    const st = s as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || st.Type !== 'Approvers') return undefined;
    const needed = st.NumberOfApprovalsNeeded;
    if (typeof needed !== 'number' || !Number.isInteger(needed) || needed < 1) return undefined;
    const pool = st.ApprovalPoolMembers ?? [];
    if (!Array.isArray(pool) || !pool.every((m) => typeof m === 'string' && m.length > 0)) return undefined;
    statements.push({ numberOfApprovalsNeeded: needed, poolMembers: pool as string[] });
  }
  const refs = d.DestinationReferences;
  if (refs !== undefined && (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string'))) return undefined;
  return { destinationReferences: refs as string[] | undefined, statements };
}

/** Glob with `*` (any run of characters) only, anchored. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
  return re.test(text);
}

/** What an approver's ARN is named by in the CodeCommitApprovers:<account>:<name> form. */
export function approverName(arn: string): { account: string; name: string } | undefined {
  const m = /^arn:aws[\w-]*:(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) return undefined;
  const resource = m[3];
  if (resource.startsWith('user/')) return { account: m[2], name: resource.split('/').pop()! };
  if (resource.startsWith('federated-user/')) return { account: m[2], name: resource.slice('federated-user/'.length) };
  if (resource.startsWith('assumed-role/')) return { account: m[2], name: resource.slice('assumed-role/'.length) };
  return { account: m[2], name: resource };
}

/** Whether an approval from `arn` counts for a pool member entry. */
export function poolMemberMatches(member: string, arn: string): boolean {
  const short = /^CodeCommitApprovers:(\d{12}):(.+)$/.exec(member);
  if (short) {
    const who = approverName(arn);
    return who !== undefined && who.account === short[1] && globMatch(short[2], who.name);
  }
  return globMatch(member, arn);
}

/** Whether the approvers (ARNs that approved the current revision) satisfy a rule. */
export function ruleSatisfied(rule: RuleContent, approvers: string[]): boolean {
  return rule.statements.every((s) => {
    const counted = s.poolMembers.length ? approvers.filter((a) => s.poolMembers.some((m) => poolMemberMatches(m, a))) : approvers;
    return new Set(counted).size >= s.numberOfApprovalsNeeded;
  });
}

/** Whether a template applies to a pull request into `destinationReference` (refs/heads/...). */
export function templateApplies(rule: RuleContent, destinationReference: string): boolean {
  const refs = rule.destinationReferences;
  if (!refs || refs.length === 0) return true;
  return refs.some((r) => r === destinationReference || `refs/heads/${r}` === destinationReference);
}
