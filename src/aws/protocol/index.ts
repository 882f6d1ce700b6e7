import type { Protocol } from '../models/shapes.js';
import { cborCodec } from './cbor.js';
import type { Codec } from './codec.js';
import { jsonCodec } from './json.js';
import { ec2Codec, queryCodec } from './query.js';
import { restJsonCodec } from './rest-json.js';
import { restXmlCodec } from './rest-xml.js';

export type { Codec, CodecContext } from './codec.js';
export type { WireRequest, WireResponse } from './wire.js';

const codecs: Record<Protocol, Codec> = {
  json: jsonCodec,
  query: queryCodec,
  ec2: ec2Codec,
  'rest-json': restJsonCodec,
  'rest-xml': restXmlCodec,
  'smithy-rpc-v2-cbor': cborCodec,
};

export function codecFor(protocol: Protocol): Codec {
  return codecs[protocol];
}
