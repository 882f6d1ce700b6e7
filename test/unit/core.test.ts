import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import { paginate } from '../../src/services/common/paging.js';
import { containedPath } from '../../src/state/blobs.js';

describe('ManualClock', () => {
  it('fires timers in due order only as time advances', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push('b'));
    clock.setTimer(100, () => fired.push('a'));
    const c = clock.setTimer(200, () => fired.push('never'));
    c.cancel();
    clock.advance(150);
    expect(fired).toEqual(['a']);
    expect(clock.now()).toBe(1150);
    clock.advance(1000);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sleeps and can be aborted', async () => {
    const clock = new ManualClock();
    const done = clock.sleep(5000);
    clock.advance(5000);
    await expect(done).resolves.toBeUndefined();
    const ac = new AbortController();
    const aborted = clock.sleep(10, ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });

  it('SystemClock refuses a nonsensical time scale', () => {
    expect(() => new SystemClock(0)).toThrow(/positive/);
  });
});

describe('EventBus', () => {
  it('keeps publishing when a handler throws', () => {
    const bus = new EventBus();
    const seen: number[] = [];
    bus.on('t', () => {
      throw new Error('bad');
    });
    const off = bus.on<number>('t', (n) => seen.push(n));
    bus.emit('t', 1);
    off();
    bus.emit('t', 2);
    expect(seen).toEqual([1]);
  });
});

describe('paginate', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  it('walks pages by key, stable under deletion', () => {
    const p1 = paginate(items, (x) => x, undefined, 2);
    expect(p1.items).toEqual(['a', 'b']);
    const p2 = paginate(['a', 'c', 'd', 'e'], (x) => x, p1.next, 2);
    expect(p2.items).toEqual(['c', 'd']);
    const p3 = paginate(items, (x) => x, p2.next, 2);
    expect(p3).toEqual({ items: ['e'], next: undefined });
  });
  it('rejects a token it did not issue', () => {
    expect(() => paginate(items, (x) => x, '%%%', 2)).toThrow(/not valid/);
  });
});

describe('containedPath', () => {
  it('refuses paths that escape their root', () => {
    expect(containedPath('/data/x', 'a', 'b')).toBe('/data/x/a/b');
    expect(() => containedPath('/data/x', '../y')).toThrow(/escapes/);
    expect(() => containedPath('/data/x', '/etc/passwd')).toThrow(/escapes/);
    expect(() => containedPath('/data/x', 'a\0b')).toThrow(/NUL/);
  });
});
