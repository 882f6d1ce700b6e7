import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { botocoreVersion } from '../../src/aws/models/index.js';
import { coverageMarkdown } from '../../src/coverage.js';
import { startSlipway } from '../helpers/slipway.js';

function installedBotocore(): string | undefined {
  try {
    return execFileSync('python3', ['-c', 'import botocore;print(botocore.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

describe('generated files are current', () => {
  it('docs/coverage.md matches the providers (npm run coverage)', async () => {
    const sw = await startSlipway();
    const expected = coverageMarkdown(sw.slipway.implementedOperations());
    await sw.close();
    expect(readFileSync(new URL('../../docs/coverage.md', import.meta.url), 'utf8'), 'docs/coverage.md is stale: run npm run coverage').toBe(expected);
  });

  it.runIf(installedBotocore() === botocoreVersion())('the models match the installed botocore (npm run models)', () => {
    const out = execFileSync(process.execPath, ['scripts/models.mjs', '--check'], { encoding: 'utf8' });
    expect(out).toContain('Models are current');
  });
});
