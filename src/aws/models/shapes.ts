/** The parts of a botocore service model the protocol layer reads. */

export type Protocol = 'json' | 'query' | 'ec2' | 'rest-json' | 'rest-xml' | 'smithy-rpc-v2-cbor';

export interface XmlNamespace {
  uri?: string;
  prefix?: string;
}

export interface MemberRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  queryName?: string;
  flattened?: boolean;
  xmlAttribute?: boolean;
  xmlNamespace?: XmlNamespace;
  jsonvalue?: boolean;
  timestampFormat?: TimestampFormat;
  idempotencyToken?: boolean;
  hostLabel?: boolean;
  streaming?: boolean;
  eventpayload?: boolean;
}

export type TimestampFormat = 'iso8601' | 'rfc822' | 'unixTimestamp';

export type ShapeType =
  | 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double'
  | 'boolean' | 'timestamp' | 'blob' | 'bigdecimal' | 'biginteger';

export interface ErrorTrait {
  code?: string;
  httpStatusCode?: number;
  senderFault?: boolean;
}

export interface Shape {
  type: ShapeType;
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  flattened?: boolean;
  locationName?: string;
  xmlNamespace?: XmlNamespace;
  payload?: string;
  streaming?: boolean;
  requiresLength?: boolean;
  error?: ErrorTrait;
  exception?: boolean;
  fault?: boolean;
  timestampFormat?: TimestampFormat;
  document?: boolean;
  union?: boolean;
  sensitive?: boolean;
  event?: boolean;
  eventstream?: boolean;
}

export interface OperationModel {
  name: string;
  http?: { method?: string; requestUri?: string; responseCode?: number };
  input?: MemberRef & { xmlNamespace?: XmlNamespace };
  output?: MemberRef & { resultWrapper?: string };
  errors?: { shape: string }[];
  endpoint?: { hostPrefix?: string };
  deprecated?: boolean;
}

export interface ModelMetadata {
  apiVersion: string;
  protocol: Protocol;
  protocols?: Protocol[];
  endpointPrefix: string;
  signingName?: string;
  targetPrefix?: string;
  jsonVersion?: string;
  xmlNamespace?: string;
  awsQueryCompatible?: Record<string, never>;
  serviceId?: string;
  serviceFullName?: string;
}

export interface RawModel {
  metadata: ModelMetadata;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

/** The compact per-service index in manifest.json, read without loading whole models. */
export interface ServiceIndexEntry {
  apiVersion: string;
  protocols: Protocol[];
  signingName: string;
  endpointPrefix: string;
  targetPrefix?: string;
  jsonVersion?: string;
  awsQueryCompatible?: boolean;
  operations: string[];
}
