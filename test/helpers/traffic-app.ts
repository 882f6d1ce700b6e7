import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';

/**
 * A small web app bundle: `/` answers "version <v>", `/health` answers 200. A broken version
 * passes its health check but answers 500 on `/`. Hooks start and stop it and validate it.
 */
export function appFiles(version: string, broken = false, trafficHooks = true): Record<string, string> {
  const server = `import { createServer } from 'node:http';
createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  res.statusCode = ${broken ? 500 : 200};
  res.end('version ${version}\\n');
}).listen(80);
`;
  const hook = (name: string) => `  ${name}:\n    - location: scripts/${name}.sh\n      timeout: 600\n`;
  const spec = 'version: 0.0\nos: linux\nfile_exists_behavior: OVERWRITE\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n' +
    ['ApplicationStop', 'ApplicationStart', 'ValidateService', ...(trafficHooks ? ['BeforeBlockTraffic', 'AfterBlockTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'] : [])].map(hook).join('');
  const log = () => `#!/bin/sh\necho "${version} $LIFECYCLE_EVENT" >> /var/log/traffic-hooks.log\n`;
  return {
    'appspec.yml': spec,
    'app/server.mjs': server,
    'scripts/ApplicationStop.sh': `${log()}if [ -f /tmp/app.pid ]; then kill "$(cat /tmp/app.pid)" 2>/dev/null || true; rm -f /tmp/app.pid; fi\n`,
    // A server another deployment group started is stopped too, so that this version owns port 80.
    // (Only a process that is this app's server: after a restart the pid may belong to another process.)
    'scripts/ApplicationStart.sh': `${log()}old=$(cat /tmp/app.pid 2>/dev/null)\nif [ -n "$old" ] && grep -q server.mjs /proc/$old/cmdline 2>/dev/null; then kill "$old"; for i in $(seq 1 200); do kill -0 "$old" 2>/dev/null || break; sleep 0.01; done; fi\ncd /srv/app && nohup node server.mjs > /var/log/app.log 2>&1 &\necho $! > /tmp/app.pid\n`,
    'scripts/ValidateService.sh': `${log()}for i in $(seq 1 200); do curl -sf http://localhost/health > /dev/null && exit 0; sleep 0.05; done\nexit 1\n`,
    'scripts/BeforeBlockTraffic.sh': log(),
    'scripts/AfterBlockTraffic.sh': log(),
    'scripts/BeforeAllowTraffic.sh': log(),
    'scripts/AfterAllowTraffic.sh': log(),
  };
}

/** Uploads a tgz bundle of `files` to s3://bucket/key. */
export async function uploadBundle(s3: S3Client, dataDir: string, bucket: string, key: string, files: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(join(dataDir, 'src-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
  }
  const file = join(dir, '..', `${key.replace(/\W/g, '_')}.tgz`);
  await tar.c({ gzip: true, file, cwd: dir, portable: true }, Object.keys(files));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
}

