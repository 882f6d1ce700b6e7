import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/state/blobs.js';

describe('BlobStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-blobs-'));
  const blobs = new BlobStore(root);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes small buffers, large buffers and streams to opaque files, leaving no temporary files', async () => {
    const small = await blobs.write(Buffer.from('small'));
    const large = await blobs.write(Buffer.alloc(300 * 1024, 7));
    const streamed = await blobs.write(Readable.from([Buffer.from('str'), Buffer.from('eam')]), [
      new Transform({ transform: (c: Buffer, _e, done) => done(null, Buffer.from(c.toString().toUpperCase())) }),
    ]);
    expect([small.size, large.size, streamed.size]).toEqual([5, 300 * 1024, 6]);
    expect(readFileSync(blobs.path(small.id), 'utf8')).toBe('small');
    expect(readFileSync(blobs.path(large.id)).equals(Buffer.alloc(300 * 1024, 7))).toBe(true);
    expect(readFileSync(blobs.path(streamed.id), 'utf8')).toBe('STREAM');
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  it('removes the temporary file when a stream fails, and writes again after a wipe', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('client went away')); } });
    await expect(blobs.write(failing)).rejects.toThrow('client went away');
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    blobs.wipe();
    const after = await blobs.write(Buffer.from('again'));
    expect(readFileSync(blobs.path(after.id), 'utf8')).toBe('again');
  });
});
