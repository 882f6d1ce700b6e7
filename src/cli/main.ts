#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEFAULTS, type SlipwayConfig } from '../core/config.js';
import { parseLogLevel } from '../core/logger.js';
import { Slipway, VERSION } from '../slipway.js';

const HELP = `Slipway ${VERSION}: the AWS DevOps and CI/CD stack on one machine.

Usage:
  slipway start [options]     serve the AWS APIs on one port

Options (each also settable by the environment variable shown):
  --host <addr>         address to bind             SLIPWAY_HOST        (default ${DEFAULTS.host})
  --port <n>            port to serve on            SLIPWAY_PORT        (default ${DEFAULTS.port})
  --data-dir <dir>      where state is kept         SLIPWAY_DATA_DIR    (default ${DEFAULTS.dataDir})
  --time-scale <x>      run AWS waits x times faster SLIPWAY_TIME_SCALE (default ${DEFAULTS.timeScale})
  --region <name>       region for unsigned calls   SLIPWAY_REGION      (default ${DEFAULTS.defaultRegion})
  --log-level <level>   debug, info, warn, error    SLIPWAY_LOG_LEVEL   (default ${DEFAULTS.logLevel})
  --elb-ports <mode>    requested: load balancer listeners bind their own port;
                        ephemeral: an OS-chosen one (GET /_slipway/elbv2/listeners
                        lists the real addresses)  SLIPWAY_ELB_PORTS   (default ${DEFAULTS.elbPorts})
  -h, --help            show this help
  -v, --version         print the version
`;

function fail(message: string): never {
  process.stderr.write(`slipway: ${message}\nRun 'slipway --help' for usage.\n`);
  process.exit(2);
}

function number(name: string, text: string | undefined, fallback: number, integer = false): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) fail(`${name} must be a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  return n;
}

function elbPorts(text: string | undefined): SlipwayConfig['elbPorts'] {
  if (text === undefined || text === '') return DEFAULTS.elbPorts;
  if (text === 'requested' || text === 'ephemeral') return text;
  fail(`--elb-ports must be 'requested' or 'ephemeral', got '${text}'`);
}

export function configFrom(argv: string[], env: NodeJS.ProcessEnv): Partial<SlipwayConfig> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'time-scale': { type: 'string' },
      region: { type: 'string' },
      'log-level': { type: 'string' },
      'elb-ports': { type: 'string' },
    },
    strict: true,
  });
  return {
    host: values.host ?? env.SLIPWAY_HOST ?? DEFAULTS.host,
    port: values.port === '0' || env.SLIPWAY_PORT === '0' ? 0 : number('--port', values.port ?? env.SLIPWAY_PORT, DEFAULTS.port, true),
    dataDir: values['data-dir'] ?? env.SLIPWAY_DATA_DIR ?? DEFAULTS.dataDir,
    timeScale: number('--time-scale', values['time-scale'] ?? env.SLIPWAY_TIME_SCALE, DEFAULTS.timeScale),
    defaultRegion: values.region ?? env.SLIPWAY_REGION ?? DEFAULTS.defaultRegion,
    logLevel: parseLogLevel(values['log-level'] ?? env.SLIPWAY_LOG_LEVEL),
    elbPorts: elbPorts(values['elb-ports'] ?? env.SLIPWAY_ELB_PORTS),
  };
}

async function start(argv: string[]): Promise<void> {
  const began = performance.now();
  let config: Partial<SlipwayConfig>;
  try {
    config = configFrom(argv, process.env);
  } catch (e) {
    fail((e as Error).message);
  }
  let slipway: Slipway;
  try {
    slipway = await Slipway.start(config);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') fail(`port ${config.port} is already in use; stop whatever holds it or pass --port <n>`);
    throw e;
  }
  // Signal handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    slipway.log.info(`received ${signal}, shutting down`);
    slipway.close().then(
      () => process.exit(0),
      (e: unknown) => {
        slipway.log.error('shutdown failed', { error: String(e) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const ms = Math.round(performance.now() - began);
  process.stdout.write(
    `Slipway ${VERSION} ready on ${slipway.url} in ${ms} ms (state in ${slipway.config.dataDir})\n` +
      `  export AWS_ENDPOINT_URL=${slipway.url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=${slipway.config.defaultRegion}\n`,
  );
}

const [command, ...rest] = process.argv.slice(2);
if (command === '-h' || command === '--help' || command === 'help' || command === undefined) process.stdout.write(HELP);
else if (command === '-v' || command === '--version') process.stdout.write(`${VERSION}\n`);
else if (command === 'start') await start(rest);
else fail(`unknown command '${command}'`);
