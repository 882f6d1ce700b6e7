import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { InputLogEvent, LogsOperations } from '../../aws/models/generated/logs.js';
import type { Clock, Timer } from '../../core/clock.js';
import { errorMessage, isServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';

/** `2024/01/01 12:00:00.123456`: the agent's timestamp, UTC, with microseconds. */
export function agentTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000`;
}

/** Replaces every secret value with `***`, longest first so a secret containing another stays hidden. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

const FLUSH_EVERY_MS = 1000;
const MAX_BATCH = 5000;
/** CloudWatch Logs takes events of up to 256 KB and batches of up to 1 MB. */
const MAX_EVENT_CHARS = 200_000;
const MAX_BATCH_BYTES = 900_000;

export interface LogTarget {
  group: string;
  stream: string;
}

/**
 * A build's log, as CodeBuild writes it: agent lines prefixed `[Container] <time>`, command
 * output as it comes. Lines go to CloudWatch Logs in batches, at most a second (AWS time)
 * apart and whenever a phase ends, so `aws logs tail --follow` shows the build live.
 */
export class BuildLog {
  private pending: InputLogEvent[] = [];
  private partial = '';
  private pendingBytes = 0;
  private secrets: string[] = [];
  private timer: Timer | undefined;
  private chain: Promise<void> = Promise.resolve();
  private created = false;
  /** Every line, kept for the S3 log when the build writes one. */
  private copy: string[] | undefined;

  constructor(
    private readonly aws: AwsClient,
    private readonly scope: Scope,
    private readonly target: LogTarget | undefined,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Keeps every line from now on (the S3 log is written whole when the build ends). */
  keepLines(): void {
    this.copy ??= [];
  }

  lines(): readonly string[] {
    return this.copy ?? [];
  }

  addSecrets(values: string[]): void {
    this.secrets.push(...values.filter((v) => v.length > 0));
  }

  mask(text: string): string {
    return maskSecrets(text, this.secrets);
  }

  /** An agent line: `[Container] 2024/01/01 12:00:00.123456 Entering phase BUILD`. */
  agent(message: string): void {
    this.flushPartial();
    this.push(`[Container] ${agentTime(this.clock.now())} ${this.mask(message)}`);
  }

  /** Raw output of a command; complete lines are logged, a trailing partial line waits. */
  output(text: string): void {
    const all = this.partial + text;
    const parts = all.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.pushLong(line);
    // A line without an end yet that is already too long for one event goes out in pieces.
    if (this.partial.length > MAX_EVENT_CHARS) this.partial = this.mask(this.partial);
    while (this.partial.length > MAX_EVENT_CHARS) {
      this.push(this.partial.slice(0, MAX_EVENT_CHARS));
      this.partial = this.partial.slice(MAX_EVENT_CHARS);
    }
  }

  private flushPartial(): void {
    if (!this.partial) return;
    const line = this.partial;
    this.partial = '';
    this.push(this.mask(line));
  }

  private pushLong(line: string): void {
    // Masked whole, then cut: a secret is never split across two events.
    const masked = this.mask(line);
    for (let i = 0; i === 0 || i < masked.length; i += MAX_EVENT_CHARS) this.push(masked.slice(i, i + MAX_EVENT_CHARS));
  }

  private push(message: string): void {
    this.copy?.push(message);
    if (!this.target) return;
    // CloudWatch Logs refuses empty events (and would drop the whole batch): a blank line is a space.
    this.pending.push({ timestamp: this.clock.now(), message: message.length ? message : ' ' });
    this.pendingBytes += Buffer.byteLength(message) + 26;
    if (this.pending.length >= MAX_BATCH || this.pendingBytes >= MAX_BATCH_BYTES) void this.flush();
    else if (!this.timer) this.timer = this.clock.setTimer(FLUSH_EVERY_MS, () => void this.flush());
  }

  /** Sends what is buffered; resolves once CloudWatch Logs has it. */
  flush(): Promise<void> {
    this.flushPartial();
    this.timer?.cancel();
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.target || batch.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.send(batch));
    return this.chain;
  }

  private async send(batch: InputLogEvent[]): Promise<void> {
    const logs = this.aws.service<LogsOperations>('logs', this.scope);
    const { group, stream } = this.target!;
    try {
      if (!this.created) {
        await logs.CreateLogGroup({ logGroupName: group }).catch(ignoreExists);
        await logs.CreateLogStream({ logGroupName: group, logStreamName: stream }).catch(ignoreExists);
        this.created = true;
      }
      await logs.PutLogEvents({ logGroupName: group, logStreamName: stream, logEvents: batch });
    } catch (e) {
      this.log.warn('build log lines could not be written', { group, stream, error: errorMessage(e) });
    }
  }
}

function ignoreExists(e: unknown): void {
  if (isServiceError(e) && e.code === 'ResourceAlreadyExistsException') return;
  throw e;
}
