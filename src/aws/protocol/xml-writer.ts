import type { ServiceModel } from '../models/service-model.js';
import type { MemberRef, Shape, XmlNamespace } from '../models/shapes.js';
import { formatTimestamp, isPlainObject, timestampFormatOf, toBytes } from './values.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;', '\n': '&#xA;' };

const NEEDS_XML_ESCAPE = /[&<>"'\r\n]/;
const NEEDS_TEXT_ESCAPE = /[&<>\r]/;

export function escapeXml(text: string): string {
  return NEEDS_XML_ESCAPE.test(text) ? text.replace(/[&<>"'\r\n]/g, (c) => ESCAPES[c]) : text;
}

/** Escapes element text; newlines stay literal, as AWS writes them in element content. */
export function escapeText(text: string): string {
  return NEEDS_TEXT_ESCAPE.test(text) ? text.replace(/[&<>\r]/g, (c) => ESCAPES[c]) : text;
}

export function namespaceAttr(ns: XmlNamespace | undefined): string {
  if (!ns?.uri) return '';
  return ns.prefix ? ` xmlns:${ns.prefix}="${escapeXml(ns.uri)}"` : ` xmlns="${escapeXml(ns.uri)}"`;
}

/**
 * Writes values as XML following the model's XML traits: member locationName, flattened
 * lists and maps, list member names, attributes and namespaces. Shared by query, ec2 and
 * rest-xml.
 */
export class XmlWriter {
  private out = '';

  constructor(private readonly model: ServiceModel) {}

  raw(text: string): this {
    this.out += text;
    return this;
  }

  toString(): string {
    return this.out;
  }

  /** Writes the members of a structure as child elements (no wrapping element). */
  members(shape: Shape, value: Record<string, unknown>): void {
    for (const [name, member] of childMembers(shape)) {
      const v = value[name];
      if (v === undefined || v === null) continue;
      this.member(name, member, v);
    }
  }

  member(name: string, ref: MemberRef, value: unknown): void {
    const shape = this.model.resolve(ref);
    if (shape.type === 'list' && (ref.flattened || shape.flattened)) {
      if (!Array.isArray(value)) return;
      const itemName = shape.member!.locationName ?? ref.locationName ?? name;
      for (const item of value) this.element(itemName, shape.member!, item);
      return;
    }
    if (shape.type === 'map' && (ref.flattened || shape.flattened)) {
      if (!isPlainObject(value)) return;
      const elementName = ref.locationName ?? name;
      for (const [k, v] of Object.entries(value)) {
        this.out += `<${elementName}>`;
        this.mapEntry(shape, k, v);
        this.out += `</${elementName}>`;
      }
      return;
    }
    this.element(ref.locationName ?? name, ref, value);
  }

  /** Writes one element named `elementName` holding `value` of the shape `ref` points to. */
  element(elementName: string, ref: MemberRef, value: unknown, extraAttrs = ''): void {
    const shape = this.model.resolve(ref);
    const ns = namespaceAttr(ref.xmlNamespace ?? shape.xmlNamespace);
    switch (shape.type) {
      case 'structure': {
        if (!isPlainObject(value)) return;
        this.out += `<${elementName}${ns}${extraAttrs}${this.attributes(shape, value)}>`;
        this.members(shape, value);
        this.out += `</${elementName}>`;
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) return;
        const itemName = shape.member!.locationName ?? 'member';
        this.out += `<${elementName}${ns}${extraAttrs}>`;
        for (const item of value) this.element(itemName, shape.member!, item);
        this.out += `</${elementName}>`;
        return;
      }
      case 'map': {
        if (!isPlainObject(value)) return;
        this.out += `<${elementName}${ns}${extraAttrs}>`;
        for (const [k, v] of Object.entries(value)) {
          this.out += '<entry>';
          this.mapEntry(shape, k, v);
          this.out += '</entry>';
        }
        this.out += `</${elementName}>`;
        return;
      }
      default:
        this.out += `<${elementName}${ns}${extraAttrs}>${escapeText(scalarText(shape, ref, value))}</${elementName}>`;
    }
  }

  private mapEntry(shape: Shape, key: string, value: unknown): void {
    const keyName = shape.key?.locationName ?? 'key';
    const valueName = shape.value?.locationName ?? 'value';
    this.out += `<${keyName}>${escapeText(key)}</${keyName}>`;
    this.element(valueName, shape.value!, value);
  }

  private attributes(shape: Shape, value: Record<string, unknown>): string {
    let out = '';
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      if (!member.xmlAttribute) continue;
      const v = value[name];
      if (v === undefined || v === null) continue;
      out += ` ${member.locationName ?? name}="${escapeXml(scalarText(this.model.resolve(member), member, v))}"`;
    }
    return out;
  }
}

const children = new WeakMap<Shape, [string, MemberRef][]>();

/** A structure's members written as child elements (not attributes, not HTTP-bound), computed once. */
function childMembers(shape: Shape): [string, MemberRef][] {
  let list = children.get(shape);
  if (!list) {
    list = Object.entries(shape.members ?? {}).filter(([, m]) => !m.xmlAttribute && !m.location);
    children.set(shape, list);
  }
  return list;
}

/** The text form of a scalar in XML and in query strings. */
export function scalarText(shape: Shape, ref: MemberRef | undefined, value: unknown): string {
  switch (shape.type) {
    case 'timestamp':
      return String(formatTimestamp(value, timestampFormatOf(ref, shape, 'iso8601')));
    case 'blob':
      return toBytes(value).toString('base64');
    case 'boolean':
      return value ? 'true' : 'false';
    case 'float':
    case 'double':
      if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
      return String(value);
    case 'integer':
    case 'long':
      return String(typeof value === 'number' ? Math.trunc(value) : value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}
