import type { ServiceModel } from '../models/service-model.js';
import type { MemberRef } from '../models/shapes.js';
import { resolveError } from './error-shape.js';
import { makeRestCodec } from './rest.js';
import { decodeUtf8 } from './values.js';
import { parseXml, XmlDecoder } from './xml-reader.js';
import { escapeText, namespaceAttr, XmlWriter } from './xml-writer.js';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** REST-XML: HTTP bindings plus an XML body, with S3's error document. */
export const restXmlCodec = makeRestCodec('rest-xml', {
  contentType: 'application/xml',
  decodeMembers: (model, shape, body) => new XmlDecoder(model).structure(shape, parseXml(decodeUtf8(body, 'MalformedXML'))),
  decodePayload: (model, shape, body) => new XmlDecoder(model).structure(shape, parseXml(decodeUtf8(body, 'MalformedXML'))),
  encode(model, ref, value, root) {
    const w = new XmlWriter(model);
    const explicit = ref.xmlNamespace ?? model.resolve(ref).xmlNamespace;
    const ns = explicit ? '' : namespaceAttr(model.metadata.xmlNamespace ? { uri: model.metadata.xmlNamespace } : undefined);
    w.raw(DECLARATION);
    const text = textMember(model, ref, root);
    if (text) {
      // S3's GetBucketLocation: the root element's text is the value (<LocationConstraint>eu-west-1</LocationConstraint>).
      const v = value[text];
      w.raw(v === undefined || v === null ? `<${root}${ns}/>` : `<${root}${ns}>${escapeText(String(v))}</${root}>`);
      return w.toString();
    }
    w.element(root, ref, value, ns);
    return w.toString();
  },
  error(model, _op, error, ctx) {
    const resolved = resolveError(model, error);
    const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': hostId(ctx.requestId), ...error.headers };
    const w = new XmlWriter(model);
    w.raw(`${DECLARATION}<Error><Code>${escapeText(resolved.code)}</Code><Message>${escapeText(error.message)}</Message>`);
    for (const [k, v] of Object.entries(error.fields)) {
      if (v !== undefined && v !== null && /^[A-Za-z][\w-]*$/.test(k)) w.raw(`<${k}>${escapeText(String(v))}</${k}>`);
    }
    w.raw(`<RequestId>${ctx.requestId}</RequestId><HostId>${hostId(ctx.requestId)}</HostId></Error>`);
    return { statusCode: resolved.statusCode, headers, body: w.toString() };
  },
  requestIdHeaders: (ctx) => ({ 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': hostId(ctx.requestId) }),
});

/** A structure whose one body member is a scalar named like the root element is that element's text. */
function textMember(model: ServiceModel, ref: MemberRef, root: string): string | undefined {
  const members = Object.entries(model.resolve(ref).members ?? {}).filter(([, m]) => !m.location);
  if (members.length !== 1) return undefined;
  const [name, member] = members[0];
  const type = model.resolve(member).type;
  return (member.locationName ?? name) === root && type !== 'structure' && type !== 'list' && type !== 'map' ? name : undefined;
}

function hostId(requestId: string): string {
  return Buffer.from(requestId).toString('base64');
}
