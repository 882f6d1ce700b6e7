import { randomUUID } from 'node:crypto';
import type { CreateFunctionRequest, FunctionConfiguration } from '../../aws/models/generated/lambda.js';
import type { Scope } from '../../core/scope.js';
import type { PackageInfo } from './code.js';
import { LATEST, functionArn, invalidParameter, preconditionFailed } from './names.js';

/** AWS's LastModified format: 2024-01-01T00:00:00.000+0000. */
export function lastModified(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** $LATEST's configuration for a new function, with AWS's defaults. */
export function newConfig(scope: Scope, input: CreateFunctionRequest, pkg: PackageInfo, now: number): FunctionConfiguration {
  return {
    FunctionName: input.FunctionName,
    FunctionArn: functionArn(scope, input.FunctionName),
    Runtime: input.Runtime,
    Role: input.Role,
    Handler: input.Handler,
    CodeSize: pkg.size,
    Description: input.Description ?? '',
    Timeout: input.Timeout ?? 3,
    MemorySize: input.MemorySize ?? 128,
    LastModified: lastModified(now),
    CodeSha256: pkg.sha256,
    Version: LATEST,
    ...(input.Environment?.Variables ? { Environment: { Variables: input.Environment.Variables } } : {}),
    ...(input.DeadLetterConfig?.TargetArn ? { DeadLetterConfig: { TargetArn: input.DeadLetterConfig.TargetArn } } : {}),
    TracingConfig: { Mode: input.TracingConfig?.Mode ?? 'PassThrough' },
    RevisionId: randomUUID(),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: input.Architectures ?? ['x86_64'],
    EphemeralStorage: { Size: input.EphemeralStorage?.Size ?? 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: input.LoggingConfig?.LogGroup ?? `/aws/lambda/${input.FunctionName}` },
  };
}

/** The runtimes Slipway can execute locally. */
export function runtimeFamily(runtime: string | undefined): 'node' | 'python' | 'provided' | undefined {
  if (!runtime) return undefined;
  if (runtime.startsWith('nodejs')) return 'node';
  if (runtime.startsWith('python3')) return 'python';
  if (runtime.startsWith('provided')) return 'provided';
  return undefined;
}

/** Refuses what the create and update operations cannot accept. */
export function checkConfig(config: FunctionConfiguration): void {
  if (!config.Runtime) throw invalidParameter('Runtime is required for .zip deployment package type.');
  if (!config.Handler && runtimeFamily(config.Runtime) !== 'provided') throw invalidParameter('Handler is required for .zip deployment package type.');
  if ((config.Timeout ?? 3) > 900) throw invalidParameter(`1 validation error detected: Value '${config.Timeout}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900`);
  const memory = config.MemorySize ?? 128;
  if (memory < 128 || memory > 10240) throw invalidParameter(`1 validation error detected: Value '${memory}' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240`);
  const env = JSON.stringify(config.Environment?.Variables ?? {});
  if (Buffer.byteLength(env) > 4096) throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${env}`);
  for (const key of Object.keys(config.Environment?.Variables ?? {})) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys or invalid characters. Key: ${key}`);
  }
}

export function checkRevision(current: string | undefined, given: string | undefined, what: 'GetFunction' | 'GetAlias'): void {
  if (given !== undefined && given !== current) {
    throw preconditionFailed(`The Revision Id provided does not match the latest Revision Id. Call the ${what} API to retrieve the latest Revision Id`);
  }
}

/** What makes two versions the same for PublishVersion: code and configuration, not ids or times. */
export function fingerprint(config: FunctionConfiguration): string {
  const { FunctionArn: _a, Version: _v, RevisionId: _r, LastModified: _l, Description: _d, ...rest } = config;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}
