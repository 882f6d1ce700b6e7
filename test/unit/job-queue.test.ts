import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { Database } from '../../src/state/database.js';
import { JobQueue } from '../../src/state/job-queue.js';

const log = createLogger('silent');
const dirs: string[] = [];
function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobs-'));
  dirs.push(dir);
  return join(dir, 'db.sqlite');
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('JobQueue', () => {
  it('runs jobs, retries failures with backoff, then gives up', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    const seen: string[] = [];
    const exhausted: string[] = [];
    const add = q.define<{ v: string }>(
      'work',
      async ({ v }, attempt) => {
        seen.push(`${v}#${attempt}`);
        if (v === 'bad') throw new Error('down');
      },
      { maxAttempts: 3, backoffMs: () => 1000, onExhausted: ({ v }) => void exhausted.push(v) },
    );
    q.start();
    add({ v: 'ok' });
    add({ v: 'bad' });
    await q.idle();
    expect(seen.sort()).toEqual(['bad#1', 'ok#1']);
    clock.advance(999);
    await q.idle();
    expect(seen).toHaveLength(2);
    clock.advance(1);
    await q.idle();
    clock.advance(1000);
    await q.idle();
    expect(seen.filter((s) => s.startsWith('bad'))).toEqual(['bad#1', 'bad#2', 'bad#3']);
    expect(exhausted).toEqual(['bad']);
    await q.stop();
  });

  it('honours delays and keeps jobs across a restart', async () => {
    const file = dbFile();
    const clock = new ManualClock();
    const first = new JobQueue(new Database(file), clock, log);
    const add = first.define<number>('later', async () => {});
    first.start();
    add(7, { delayMs: 60_000 });
    await first.stop();

    const ran: number[] = [];
    const second = new JobQueue(new Database(file), clock, log);
    second.define<number>('later', async (n) => void ran.push(n));
    second.start();
    await second.idle();
    expect(ran).toEqual([]);
    clock.advance(60_000);
    await second.idle();
    expect(ran).toEqual([7]);
    await second.stop();
  });

  it('limits concurrency per queue', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    let now = 0;
    let peak = 0;
    const add = q.define<number>(
      'slow',
      async () => {
        peak = Math.max(peak, ++now);
        await new Promise((r) => setImmediate(r));
        now--;
      },
      { concurrency: 2 },
    );
    q.start();
    for (let i = 0; i < 10; i++) add(i);
    await q.idle();
    expect(peak).toBe(2);
    await q.stop();
  });
  it('does not re-arm its timer while a due job is still running', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    let release!: () => void;
    const add = q.define('slow', () => new Promise<void>((r) => (release = r)));
    q.start();
    add({});
    // With the job in flight, advancing a day must not fire a timer every millisecond.
    clock.advance(86_400_000);
    expect(clock.pendingTimers()).toBe(0);
    release();
    await q.idle();
  });
});
