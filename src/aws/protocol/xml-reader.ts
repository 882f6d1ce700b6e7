import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { MemberRef, Shape } from '../models/shapes.js';
import { decodeBase64, parseTimestamp } from './values.js';

/** An XML element with its attributes, child elements in order and concatenated text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type RawNode = Record<string, unknown>;

/** Parses an XML document; anything malformed, or with a DOCTYPE (entity expansion), is refused. */
export function parseXml(text: string, errorCode = 'MalformedXML'): XmlElement {
  const malformed = (detail: string) =>
    new ServiceError(errorCode, `The XML you provided was not well-formed or did not validate against our published schema: ${detail}`, {
      statusCode: 400,
    });
  if (/<!DOCTYPE/i.test(text)) throw malformed('DOCTYPE declarations are not allowed');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformed(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const nodes = parser.parse(text) as RawNode[];
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw malformed('expected exactly one root element');
  return roots[0];
}

function toElement(node: RawNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (!name) return undefined;
  const el: XmlElement = { name, attrs: (node[':@'] as Record<string, string>) ?? {}, children: [], text: '' };
  for (const child of node[name] as RawNode[]) {
    if ('#text' in child) el.text += String(child['#text']);
    else {
      const c = toElement(child);
      if (c) el.children.push(c);
    }
  }
  return el;
}

export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Reads XML elements into values by shape, mirroring XmlWriter's naming rules. */
export class XmlDecoder {
  constructor(
    private readonly model: ServiceModel,
    private readonly errorCode = 'MalformedXML',
  ) {}

  structure(shape: Shape, el: XmlElement): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (ref.location) continue;
      if (ref.xmlAttribute) {
        const attr = el.attrs[(ref.locationName ?? name).replace(/^.*:/, '')];
        if (attr !== undefined) out[name] = this.scalar(this.model.resolve(ref), attr, name);
        continue;
      }
      const v = this.member(name, ref, el);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  private member(name: string, ref: MemberRef, parent: XmlElement): unknown {
    const shape = this.model.resolve(ref);
    if (shape.type === 'list' && (ref.flattened || shape.flattened)) {
      const itemName = shape.member!.locationName ?? ref.locationName ?? name;
      const items = parent.children.filter((c) => c.name === itemName);
      return items.length ? items.map((c) => this.value(shape.member!, c)) : undefined;
    }
    if (shape.type === 'map' && (ref.flattened || shape.flattened)) {
      const entries = parent.children.filter((c) => c.name === (ref.locationName ?? name));
      return entries.length ? this.mapEntries(shape, entries) : undefined;
    }
    const el = childNamed(parent, ref.locationName ?? name);
    return el ? this.value(ref, el) : undefined;
  }

  value(ref: MemberRef, el: XmlElement): unknown {
    const shape = this.model.resolve(ref);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, el);
      case 'list': {
        const itemName = shape.member!.locationName ?? 'member';
        return el.children.filter((c) => c.name === itemName).map((c) => this.value(shape.member!, c));
      }
      case 'map':
        return this.mapEntries(shape, el.children.filter((c) => c.name === 'entry'));
      default:
        return this.scalar(shape, el.text, el.name);
    }
  }

  private mapEntries(shape: Shape, entries: XmlElement[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const entry of entries) {
      const k = childNamed(entry, shape.key?.locationName ?? 'key');
      const v = childNamed(entry, shape.value?.locationName ?? 'value');
      if (k && v) out[k.text] = this.value(shape.value!, v);
    }
    return out;
  }

  private scalar(shape: Shape, text: string, where: string): unknown {
    const bad = (what: string) => new ServiceError(this.errorCode, `Value '${text.slice(0, 100)}' of <${where}> is not ${what}.`, { statusCode: 400 });
    switch (shape.type) {
      case 'integer':
      case 'long':
        if (!/^\s*[-+]?\d+\s*$/.test(text)) throw bad('an integer');
        return Number(text);
      case 'float':
      case 'double': {
        const n = Number(text);
        if (Number.isNaN(n) && text.trim() !== 'NaN') throw bad('a number');
        return n;
      }
      case 'boolean': {
        const t = text.trim();
        if (t !== 'true' && t !== 'false') throw bad('a boolean');
        return t === 'true';
      }
      case 'timestamp':
        return parseTimestamp(text) ?? (() => { throw bad('a timestamp'); })();
      case 'blob':
        return decodeBase64(text, where, this.errorCode);
      default:
        return text;
    }
  }
}
