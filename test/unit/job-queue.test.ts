import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../src/core/clock.js';
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

  it('does not wake up for a job that is still running while time advances', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const add = q.define<{ v: string }>('slow', async () => gate, { concurrency: 1 });
    q.start();
    add({ v: 'running' });
    add({ v: 'waiting for a slot' });
    let timers = 0;
    const setTimer = clock.setTimer.bind(clock);
    clock.setTimer = (ms, fn) => {
      timers++;
      return setTimer(ms, fn);
    };
    clock.advance(60 * 60_000);
    expect(timers).toBeLessThan(5);
    release();
    await q.idle();
    await q.stop();
  });

  it('sets no timer while the only due job is still running', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    let release!: () => void;
    const add = q.define<number>('long', () => new Promise<void>((r) => (release = r)));
    q.start();
    add(1);
    await new Promise((r) => setImmediate(r));
    // A running job must not keep a timer firing every millisecond until it ends.
    expect(clock.pendingTimers()).toBe(0);
    release();
    await q.idle();
    await q.stop();
  });

  it('runs a due job of one queue while another queue has a large backlog', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    const releases: (() => void)[] = [];
    const addSlow = q.define<number>('slow', () => new Promise<void>((r) => releases.push(r)), { concurrency: 1 });
    const ran: string[] = [];
    const addQuick = q.define<string>('quick', async (v) => void ran.push(v));
    for (let i = 0; i < 600; i++) addSlow(i);
    q.start();
    addQuick('after the backlog');
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual(['after the backlog']);
    expect(releases).toHaveLength(1);
    const stopped = q.stop();
    releases.forEach((r) => r());
    await stopped;
  });

  it('drains every job enqueued while its queue was full', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    const ran: number[] = [];
    const add = q.define<number>('busy', async (n) => {
      await new Promise((r) => setImmediate(r));
      ran.push(n);
    }, { concurrency: 3 });
    q.start();
    for (let i = 0; i < 50; i++) add(i);
    await q.idle();
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(clock.pendingTimers()).toBe(0);
    await q.stop();
  });

  it('retries at once when the backoff is zero, and keeps a one-at-a-time queue in order', async () => {
    const clock = new ManualClock();
    const q = new JobQueue(new Database(dbFile()), clock, log);
    const seen: string[] = [];
    let failOnce = true;
    const add = q.define<string>('ordered', async (v) => {
      seen.push(v);
      if (v === 'a' && failOnce) {
        failOnce = false;
        throw new Error('once');
      }
    }, { concurrency: 1, backoffMs: () => 0 });
    q.start();
    add('a');
    await q.idle();
    expect(seen).toEqual(['a', 'a']);
    failOnce = true;
    add('a');
    add('b');
    add('c');
    await q.idle();
    expect(seen).toEqual(['a', 'a', 'a', 'a', 'b', 'c']);
    await q.stop();
  });
  it('removes jobs that finish in the same turn together, never starting one twice', async () => {
    const file = dbFile();
    const clock = new ManualClock();
    const db = new Database(file);
    const q = new JobQueue(db, clock, log);
    const runs = new Map<number, number>();
    const add = q.define<number>('quick', async (n) => void runs.set(n, (runs.get(n) ?? 0) + 1), { concurrency: 4 });
    q.start();
    let commits = 0;
    const counting = db.sql.prepare('SELECT count(*) AS n FROM jobs');
    const original = db.transaction.bind(db);
    db.transaction = <T>(fn: () => T): T => {
      commits++;
      return original(fn);
    };
    for (let i = 0; i < 50; i++) add(i);
    await q.idle();
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(50);
    expect((counting.get() as { n: number }).n).toBe(0);
    expect(commits).toBeLessThan(50);
    await q.stop();
  });

  it('runs a finished job again after a crash that came before its removal committed', async () => {
    const file = dbFile();
    const clock = new ManualClock();
    const first = new JobQueue(new Database(file), clock, log);
    const seen: number[] = [];
    const add = first.define<number>('work', async (n) => void seen.push(n));
    first.start();
    add(1);
    // The handler has run; its removal waits for the next turn. A process that opens the
    // database now (as after a crash at this point) finds the job and runs it again.
    expect(seen).toEqual([1]);
    const second = new JobQueue(new Database(file), clock, log);
    second.define<number>('work', async (n) => void seen.push(n));
    second.start();
    await Promise.all([first.idle(), second.idle()]);
    await first.stop();
    expect(seen).toEqual([1, 1]);
    await second.stop();
  });

  it('runs a delayed job that fell due while its timer was late, whatever pumps or enqueues come first', async () => {
    // Timers fire only when told: the machine was busy and the timer is late.
    let t = 0;
    const timers = new Set<() => void>();
    const clock: Clock = {
      timeScale: 1,
      now: () => t,
      setTimer(_ms, fn) {
        timers.add(fn);
        return { cancel: () => timers.delete(fn) };
      },
      sleep: () => Promise.resolve(),
    };
    const q = new JobQueue(new Database(dbFile()), clock, log);
    const ran: string[] = [];
    const later = q.define<{ v: string }>('later', async ({ v }) => void ran.push(v));
    const now = q.define<{ v: string }>('now', async ({ v }) => void ran.push(v));
    q.start();
    later({ v: 'due-a' }, { delayMs: 100 });
    t = 150;
    now({ v: 'other' }); // finishes and pumps before the late timer fires
    await q.idle();
    expect(ran).toEqual(['other', 'due-a']);

    later({ v: 'due-b' }, { delayMs: 100 });
    t = 300;
    later({ v: 'far' }, { delayMs: 1000 }); // re-arms the timer after due-b fell due
    for (const fire of [...timers]) fire();
    await q.idle();
    expect(ran).toEqual(['other', 'due-a', 'due-b']);
    await q.stop();
  });
});
