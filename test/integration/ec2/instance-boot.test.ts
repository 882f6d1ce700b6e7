import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { prepareRoot } from '../../../src/runtime/instance-fs.js';
import { InstanceHost } from '../../../src/runtime/instance-host.js';
import { allocateNetwork } from '../../../src/runtime/instance-net.js';

const host = new InstanceHost(createLogger('error'), []);
const dir = mkdtempSync(join(tmpdir(), 'slipway-boot-'));

afterAll(async () => {
  await host.haltAll();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!host.available())('instance boot commands', () => {
  it('run in the background: one that never ends holds up neither the boot nor the next command', async () => {
    const boot = { id: 'i-boot', root: join(dir, 'root'), network: await allocateNetwork(), hostname: 'boot-test' };
    prepareRoot(boot.root);
    host.setBootCommand(boot.root, 'a-stuck', { argv: ['/bin/sh', '-c', 'exec sleep 1000'], cwd: '/', env: {} });
    host.setBootCommand(boot.root, 'b-marker', { argv: ['/bin/sh', '-c', 'echo started > /tmp/boot-marker'], cwd: '/', env: {} });

    await host.boot(boot); // resolves although the first command is still running
    let seen = '';
    for (let i = 0; i < 100 && !seen.includes('started'); i++) {
      const out: string[] = [];
      await host.exec(boot.id, { argv: ['/bin/sh', '-c', 'cat /tmp/boot-marker 2>/dev/null; true'], cwd: '/', env: {}, onOutput: (t) => out.push(t) });
      seen = out.join('');
      if (!seen.includes('started')) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toContain('started');
  });
});
