import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { EnvironmentVariable } from '../../aws/models/generated/codebuild.js';
import type { SecretsmanagerOperations } from '../../aws/models/generated/secretsmanager.js';
import type { SsmOperations } from '../../aws/models/generated/ssm.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { Buildspec } from './buildspec.js';

/** A variable that cannot be resolved: AWS fails the build with this status code and message. */
export class VariableError extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedVariables {
  values: Record<string, string>;
  /** Values fetched from Parameter Store or Secrets Manager: masked in the log. */
  secrets: string[];
}

interface Lookup {
  aws: AwsClient;
  scope: Scope;
}

/** `secret-id:json-key:version-stage:version-id`; a secret id that is an ARN keeps its colons. */
export function parseSecretReference(ref: string): { secretId: string; jsonKey?: string; stage?: string; versionId?: string } {
  let rest = ref;
  let secretId: string;
  if (ref.startsWith('arn:')) {
    const parts = ref.split(':');
    secretId = parts.slice(0, 7).join(':');
    rest = parts.slice(7).join(':');
    return withFields(secretId, rest ? rest.split(':') : []);
  }
  const parts = rest.split(':');
  secretId = parts.shift() ?? '';
  return withFields(secretId, parts);
}

function withFields(secretId: string, f: string[]) {
  return { secretId, jsonKey: f[0] || undefined, stage: f[1] || undefined, versionId: f[2] || undefined };
}

async function fromParameterStore(l: Lookup, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += 10) {
    const r = await l.aws.service<SsmOperations>('ssm', l.scope).GetParameters({ Names: unique.slice(i, i + 10), WithDecryption: true });
    if (r.InvalidParameters?.length) throw new VariableError('Decrypted Variables Error', `parameter does not exist: ${r.InvalidParameters[0]}`);
    for (const p of r.Parameters ?? []) out.set(p.Name ?? '', p.Value ?? '');
    // GetParameters answers with the name as given, or the full ARN; map requested names back.
    for (const n of unique.slice(i, i + 10)) if (!out.has(n)) out.set(n, r.Parameters?.find((p) => p.ARN === n || p.Name === n)?.Value ?? '');
  }
  return out;
}

async function fromSecretsManager(l: Lookup, ref: string): Promise<string> {
  const { secretId, jsonKey, stage, versionId } = parseSecretReference(ref);
  let text: string;
  try {
    const r = await l.aws.service<SecretsmanagerOperations>('secretsmanager', l.scope).GetSecretValue({ SecretId: secretId, VersionStage: versionId ? undefined : (stage ?? 'AWSCURRENT'), VersionId: versionId });
    text = r.SecretString ?? Buffer.from(r.SecretBinary ?? new Uint8Array()).toString('utf8');
  } catch (e) {
    const what = isServiceError(e) ? `${e.code}: ${e.message}` : errorMessage(e);
    throw new VariableError('Secrets Manager Error', `${what} for secret ${secretId}`);
  }
  if (!jsonKey) return text;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new VariableError('Secrets Manager Error', `secret ${secretId} is not a JSON object, so json-key ${jsonKey} cannot be read`);
  }
  const v = doc && typeof doc === 'object' ? (doc as Record<string, unknown>)[jsonKey] : undefined;
  if (v === undefined) throw new VariableError('Secrets Manager Error', `json-key ${jsonKey} not found in secret ${secretId}`);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The user's variables with AWS's precedence: the buildspec's, then the project's, then
 * StartBuild's override. Parameter Store and Secrets Manager references are fetched with
 * the build's account and region; their values are returned as secrets to mask.
 */
export async function resolveVariables(l: Lookup, spec: Buildspec | undefined, project: EnvironmentVariable[], override: EnvironmentVariable[]): Promise<ResolvedVariables> {
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  const ssmNames: [string, string][] = [];
  const smRefs: [string, string][] = [];
  const layers: EnvironmentVariable[][] = [
    [
      ...Object.entries(spec?.env.variables ?? {}).map(([name, value]) => ({ name, value })),
      ...Object.entries(spec?.env.parameterStore ?? {}).map(([name, value]) => ({ name, value, type: 'PARAMETER_STORE' as const })),
      ...Object.entries(spec?.env.secretsManager ?? {}).map(([name, value]) => ({ name, value, type: 'SECRETS_MANAGER' as const })),
    ],
    project,
    override,
  ];
  const final = new Map<string, EnvironmentVariable>();
  for (const layer of layers) for (const v of layer) final.set(v.name, v);
  for (const v of final.values()) {
    if (v.type === 'PARAMETER_STORE') ssmNames.push([v.name, v.value]);
    else if (v.type === 'SECRETS_MANAGER') smRefs.push([v.name, v.value]);
    else values[v.name] = v.value;
  }
  const params = await fromParameterStore(l, ssmNames.map(([, p]) => p));
  for (const [name, p] of ssmNames) {
    values[name] = params.get(p) ?? '';
    secrets.push(values[name]);
  }
  for (const [name, ref] of smRefs) {
    values[name] = await fromSecretsManager(l, ref);
    secrets.push(values[name]);
  }
  return { values, secrets };
}
