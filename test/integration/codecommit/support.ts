import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';

/** An event EventBridge received: the PutEvents entry, its detail parsed. */
export interface RecordedEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources: string[];
  account: string;
  region: string;
  /** performance.now() when PutEvents was called. */
  at: number;
}

/**
 * Stand-ins for EventBridge and SNS (built elsewhere, in parallel) that record what they
 * are sent. Lambda stays absent, so deliveries to it meet NotImplemented.
 */
export function recorders() {
  const events: RecordedEvent[] = [];
  const published: { topicArn: string; message: string }[] = [];
  const eventsService: ServiceDefinition = {
    name: 'events',
    create: () => ({
      provider: {
        async PutEvents(input: { Entries: { Source?: string; DetailType?: string; Detail?: string; Resources?: string[] }[] }, ctx: { accountId: string; region: string }) {
          for (const e of input.Entries) {
            events.push({ source: e.Source ?? '', detailType: e.DetailType ?? '', detail: JSON.parse(e.Detail ?? '{}'), resources: e.Resources ?? [], account: ctx.accountId, region: ctx.region, at: performance.now() });
          }
          return { FailedEntryCount: 0, Entries: input.Entries.map((_e, i) => ({ EventId: `event-${events.length + i}` })) };
        },
      },
    }),
  };
  const snsService: ServiceDefinition = {
    name: 'sns',
    create: () => ({
      provider: {
        async Publish(input: { TopicArn?: string; Message: string }) {
          published.push({ topicArn: input.TopicArn ?? '', message: input.Message });
          return { MessageId: `message-${published.length}` };
        },
      },
    }),
  };
  return { events, published, services: [...SERVICES, eventsService, snsService] };
}

/** The events with a given `detail.event`. */
export function named(events: RecordedEvent[], name: string): RecordedEvent[] {
  return events.filter((e) => e.detail.event === name);
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real git client; never throws on a non-zero exit. */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: { ...gitClientEnv(), ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A git client environment with an identity and no user configuration. */
export function gitClientEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Your Name',
    GIT_AUTHOR_EMAIL: 'your@email.com',
    GIT_COMMITTER_NAME: 'Your Name',
    GIT_COMMITTER_EMAIL: 'your@email.com',
  };
}

/** Runs git and fails the test with git's own output when it exits non-zero. */
export async function gitOk(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await git(cwd, args, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A directory holding `git-remote-codecommit` as users get it from `npm link`: an
 * executable that runs the built helper. Put it first on PATH.
 */
export function helperOnPath(root: string): string {
  const bin = mkdtempSync(join(root, 'bin-'));
  const script = join(import.meta.dirname, '../../../dist/cli/git-remote-codecommit.js');
  const file = join(bin, 'git-remote-codecommit');
  writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
  chmodSync(file, 0o755);
  return bin;
}

/** A fresh working directory under `root`. */
export function workdir(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
