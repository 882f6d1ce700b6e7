import { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { MemberRef, Shape } from '../models/shapes.js';
import { decodeBase64, parseTimestamp, upperFirst } from './values.js';

/** The dotted keys of a form (`Tags.member.1.Key`) as a tree. */
export interface ParamNode {
  value?: string;
  children?: Map<string, ParamNode>;
}

export function paramTree(params: URLSearchParams): ParamNode {
  const root: ParamNode = {};
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split('.')) {
      node.children ??= new Map();
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = {}));
      node = next;
    }
    node.value = value;
  }
  return root;
}

export type QueryFlavor = 'query' | 'ec2';

export class QueryDecodeError extends ServiceError {}

function invalid(code: string, path: string, expected: string, text: string): never {
  throw new QueryDecodeError(code, `Value '${text.slice(0, 100)}' at '${path}' is not ${expected}.`, { statusCode: 400 });
}

/** The parameter name a structure member is sent under in each flavor of the query protocol. */
export function paramName(name: string, ref: MemberRef, flavor: QueryFlavor): string {
  if (flavor === 'ec2') return ref.queryName ?? upperFirst(ref.locationName ?? name);
  return ref.locationName ?? name;
}

/** Numbered children (1, 2, ...) in index order. */
function indexed(node: ParamNode | undefined): ParamNode[] {
  if (!node?.children) return [];
  return [...node.children.entries()]
    .filter(([k]) => /^\d+$/.test(k))
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([, v]) => v);
}

export class QueryDecoder {
  constructor(
    private readonly model: ServiceModel,
    private readonly flavor: QueryFlavor,
    private readonly errorCode: string,
  ) {}

  structure(shape: Shape, node: ParamNode, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const child = node.children?.get(paramName(name, ref, this.flavor));
      if (!child) continue;
      const v = this.value(ref, child, path ? `${path}.${name}` : name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  private value(ref: MemberRef, node: ParamNode, path: string): unknown {
    const shape = this.model.resolve(ref);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, node, path);
      case 'list': {
        const flat = this.flavor === 'ec2' || ref.flattened || shape.flattened;
        const items = flat ? indexed(node) : indexed(node.children?.get(shape.member!.locationName ?? 'member'));
        if (items.length === 0 && !node.children) return node.value === '' ? [] : undefined;
        return items.map((item, i) => this.value(shape.member!, item, `${path}.${i + 1}`));
      }
      case 'map': {
        const flat = ref.flattened || shape.flattened;
        const entries = flat ? indexed(node) : indexed(node.children?.get('entry'));
        const keyName = shape.key?.locationName ?? 'key';
        const valueName = shape.value?.locationName ?? 'value';
        const out: Record<string, unknown> = {};
        entries.forEach((entry, i) => {
          const k = entry.children?.get(keyName)?.value;
          const v = entry.children?.get(valueName);
          if (k !== undefined && v) out[k] = this.value(shape.value!, v, `${path}.${i + 1}.value`);
        });
        return out;
      }
      default:
        return node.value === undefined ? undefined : this.scalar(shape, node.value, path);
    }
  }

  private scalar(shape: Shape, text: string, path: string): unknown {
    switch (shape.type) {
      case 'integer':
      case 'long':
        if (!/^[-+]?\d+$/.test(text.trim())) invalid(this.errorCode, path, 'an integer', text);
        return Number(text);
      case 'float':
      case 'double': {
        const n = Number(text);
        if (text.trim() === '' || (Number.isNaN(n) && text !== 'NaN')) invalid(this.errorCode, path, 'a number', text);
        return n;
      }
      case 'boolean':
        if (text !== 'true' && text !== 'false') invalid(this.errorCode, path, 'a boolean (true or false)', text);
        return text === 'true';
      case 'timestamp':
        return parseTimestamp(text) ?? invalid(this.errorCode, path, 'a timestamp', text);
      case 'blob':
        return decodeBase64(text, path, this.errorCode);
      default:
        return text;
    }
  }
}
