import type { AttributeValue } from '../../../aws/models/generated/dynamodb.js';

/** One step of a document path: an attribute or map key, or a list index. */
export type PathSegment = { name: string } | { index: number };

export interface Path {
  segments: PathSegment[];
}

export type Operand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; ref: string; value: AttributeValue }
  | { kind: 'size'; path: Path };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; list: Operand[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition }
  | { kind: 'exists' | 'not_exists'; path: Path }
  | { kind: 'attribute_type'; path: Path; type: Operand }
  | { kind: 'begins_with' | 'contains'; path: Operand; operand: Operand };

/** The right-hand side of a SET action. */
export type SetValue =
  | { kind: 'operand'; operand: Operand }
  | { kind: 'if_not_exists'; path: Path; fallback: SetValue }
  | { kind: 'list_append'; left: SetValue; right: SetValue }
  | { kind: 'plus' | 'minus'; left: SetValue; right: SetValue };

export type UpdateAction =
  | { kind: 'SET'; path: Path; value: SetValue }
  | { kind: 'REMOVE'; path: Path }
  | { kind: 'ADD' | 'DELETE'; path: Path; value: Operand };

export function pathText(p: Path): string {
  return p.segments.map((s, i) => ('index' in s ? `[${s.index}]` : i === 0 ? s.name : `.${s.name}`)).join('');
}
