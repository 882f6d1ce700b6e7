// Writes docs/coverage.md from the operations the providers implement.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coverageMarkdown } from '../src/coverage.js';
import { Slipway } from '../src/slipway.js';

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-coverage-'));
const slipway = await Slipway.start({ port: 0, dataDir, logLevel: 'error' });
const markdown = coverageMarkdown(slipway.implementedOperations());
await slipway.close();
rmSync(dataDir, { recursive: true, force: true });
writeFileSync(new URL('../docs/coverage.md', import.meta.url), markdown);
console.log('Wrote docs/coverage.md');
