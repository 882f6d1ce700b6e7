import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionConfiguration } from '../../aws/models/generated/lambda.js';
import { ServiceError } from '../../core/errors.js';
import { base32Id, secretKey } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import { NODE_BOOTSTRAP, PYTHON_BOOTSTRAP } from '../../runtime/lambda-bootstraps.js';
import { detectSandbox, hostRootArgs } from '../../runtime/sandbox.js';
import type { EnvironmentSpec } from '../../runtime/lambda-worker.js';
import type { ServiceDeps } from '../service.js';
import { runtimeFamily } from './config.js';

/** AWS's per-environment log stream: 2024/01/01/[$LATEST]<32 hex digits>. */
export function logStreamName(now: number, version: string, environmentId: string): string {
  const d = new Date(now).toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[${version}]${environmentId}`;
}

let sdkModules: string | null | undefined;

/**
 * The node_modules holding the AWS SDK v3 clients Slipway was installed with: AWS's Node.js
 * runtimes ship the SDK v3, so functions `require('@aws-sdk/client-s3')` without bundling it.
 */
function sdkNodeModules(): string | undefined {
  if (sdkModules === undefined) {
    sdkModules = null;
    for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules', '@aws-sdk'))) {
        sdkModules = join(dir, 'node_modules');
        break;
      }
    }
  }
  return sdkModules ?? undefined;
}

/** Writes the runtime clients once per start into the service's directory. */
export function writeBootstraps(dir: string): { node: string; python: string } {
  // The mount point for the SDK inside a sandbox (/var/runtime/node_modules, as on AWS).
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  const node = join(dir, 'node-bootstrap.mjs');
  const python = join(dir, 'python-bootstrap.py');
  writeFileSync(node, NODE_BOOTSTRAP);
  writeFileSync(python, PYTHON_BOOTSTRAP);
  return { node, python };
}

/**
 * How to start an execution environment for one function version: the runtime client for
 * its family, in its unpacked code directory, with the variables AWS sets and credentials
 * Slipway issues for the function's role, so the AWS SDK inside reaches Slipway. Where
 * bubblewrap works the environment is sandboxed as on AWS: the host read-only, the code at
 * /var/task, the runtime at /var/runtime, a private writable /tmp, Slipway's data hidden.
 * The network is the host's, so the function reaches the Runtime API and Slipway on loopback.
 */
export function environmentSpec(
  deps: ServiceDeps,
  scope: Scope,
  config: FunctionConfiguration,
  codeDir: string,
  bootstraps: { node: string; python: string },
): EnvironmentSpec {
  const environmentId = randomBytes(16).toString('hex');
  const family = checkRuntime(config);
  const version = config.Version ?? '$LATEST';
  const sandboxed = detectSandbox().kind === 'bubblewrap';
  const runtimeDir = join(bootstraps.node, '..');
  const taskRoot = sandboxed ? '/var/task' : codeDir;
  const binDir = sandboxed ? '/var/runtime' : runtimeDir;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...(config.Environment?.Variables ?? {}),
    ...credentials(deps, scope, config),
    AWS_ENDPOINT_URL: deps.endpoint(),
    AWS_REGION: scope.region,
    AWS_DEFAULT_REGION: scope.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${config.Runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: config.FunctionName!,
    AWS_LAMBDA_FUNCTION_VERSION: version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.MemorySize ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(deps.clock.now(), version, environmentId),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    _HANDLER: config.Handler ?? '',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: binDir,
    PYTHONUNBUFFERED: '1',
  };
  const sdk = sdkNodeModules();
  if (sdk && family === 'node' && !config.Environment?.Variables?.NODE_PATH) env.NODE_PATH = sandboxed ? join(binDir, 'node_modules') : sdk;
  const argv =
    family === 'node' ? [process.execPath, join(binDir, 'node-bootstrap.mjs')] : family === 'python' ? ['python3', join(binDir, 'python-bootstrap.py')] : [join(taskRoot, 'bootstrap')];
  if (!sandboxed) return { command: argv[0]!, args: argv.slice(1), cwd: codeDir, env, environmentId };
  const hide = deps.dataDir.startsWith('/tmp/') ? [] : ['--tmpfs', deps.dataDir];
  const args = [
    ...hostRootArgs(),
    ...['--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/var', ...hide],
    ...['--ro-bind', codeDir, '/var/task', '--ro-bind', runtimeDir, '/var/runtime'],
    // CommonJS finds the SDK through NODE_PATH; an ES module handler's imports only look up the
    // directory tree from /var/task, so the SDK is mounted at /var/node_modules as well.
    ...(sdk && family === 'node' ? ['--ro-bind', sdk, join(binDir, 'node_modules'), '--ro-bind', sdk, '/var/node_modules'] : []),
    ...['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', 'localhost', '--die-with-parent', '--chdir', '/var/task', '--'],
    ...argv,
  ];
  return { command: 'bwrap', args, cwd: '/', env, environmentId };
}

/** The runtime family to start, or the error AWS gives for a runtime it cannot run. */
export function checkRuntime(config: FunctionConfiguration): 'node' | 'python' | 'provided' {
  const family = runtimeFamily(config.Runtime);
  if (family) return family;
  throw new ServiceError('InvalidRuntimeException', `The runtime parameter of ${config.Runtime} is not supported for local execution: use a nodejs, python3 or provided runtime.`, { fields: { Type: 'User' } });
}

/** A session for the function's execution role, valid for Slipway like STS-issued keys. */
function credentials(deps: ServiceDeps, scope: Scope, config: FunctionConfiguration): Record<string, string> {
  const roleName = config.Role?.split('/').pop() ?? 'lambda-role';
  const session = config.FunctionName!;
  const accessKeyId = `ASIA${base32Id(16)}`;
  const secretAccessKey = secretKey();
  const sessionToken = Buffer.from(`slipway-session:${scope.accountId}:${base32Id(48)}`).toString('base64');
  deps.credentials.put({
    accessKeyId,
    secretAccessKey,
    sessionToken,
    accountId: scope.accountId,
    principalArn: `arn:aws:sts::${scope.accountId}:assumed-role/${roleName}/${session}`,
    userId: `AROA${base32Id(17)}:${session}`,
    expiresAt: deps.clock.now() + 12 * 3600 * 1000,
  });
  return { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken };
}
