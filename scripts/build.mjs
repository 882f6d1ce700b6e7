#!/usr/bin/env node
// Transpiles src/ to dist/ with esbuild (file by file, no bundling) and copies the
// service models. Type checking is `npm run typecheck`; this only has to be fast.
import { build } from 'esbuild';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : sources(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
const entryPoints = sources(src);
await build({
  entryPoints,
  outdir: out,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
cpSync(join(src, 'aws/models/data'), join(out, 'aws/models/data'), { recursive: true });
cpSync(join(src, 'aws/models/manifest.json'), join(out, 'aws/models/manifest.json'));
if (!process.argv.includes('--quiet')) {
  console.log(`Built ${entryPoints.length} files into ${relative(root, out)}/ in ${Date.now() - started} ms.`);
}
