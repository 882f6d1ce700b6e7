import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why Docker builds cannot be tested here, or '' when an engine answers and the docker command is installed. */
export async function dockerUnavailable(): Promise<string> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return 'no Docker engine is reachable (no DOCKER_HOST, no /var/run/docker.sock)';
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 10_000 });
    return '';
  } catch (e) {
    return `the Docker engine does not answer (${(e as Error).message.split('\n')[0]})`;
  }
}

/** The host's tools a build needs, copied with their libraries into a few-megabyte image. */
const TOOLS = ['sh', 'bash', 'mkfifo', 'cat', 'id', 'whoami', 'ls', 'touch', 'chown', 'sleep', 'sha256sum', 'cut', 'sort', 'setpriv', 'mkdir', 'rm', 'grep'];

/**
 * Imports a small image from the host's own binaries (no registry is reachable), with a marker
 * file only the image has. Resolves to the image's name.
 */
export async function importTestImage(name: string, marker: string): Promise<string> {
  const script = `set -e
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/home/builder"
chmod 1777 "$root/tmp"
for t in ${TOOLS.join(' ')}; do
  p=$(command -v "$t")
  cp -L "$p" "$root/bin/$t"
  for lib in $(ldd "$p" 2>/dev/null | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
done
printf 'root:x:0:0:root:/root:/bin/sh\\nbuilder:x:1500:1500::/home/builder:/bin/sh\\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\\n' > "$root/etc/passwd"
printf 'root:x:0:\\nbuilder:x:1500:\\nnogroup:x:65534:\\n' > "$root/etc/group"
chown 1500:1500 "$root/home/builder"
printf '%s\\n' "$2" > "$root/slipway-test-image"
tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' - "$1" >/dev/null
`;
  await run('bash', ['-c', script, 'import', name, marker], { timeout: 120_000 });
  return name;
}

/** Containers (running or not) whose name contains `fragment`. */
export async function containersNamed(fragment: string): Promise<string[]> {
  const out = await run('docker', ['ps', '--all', '--quiet', '--filter', `name=${fragment}`]);
  return out.stdout.split('\n').filter(Boolean);
}

export async function removeImage(name: string): Promise<void> {
  await run('docker', ['image', 'rm', '--force', name]).catch(() => undefined);
}

/** Why the engine cannot start a privileged container (a machine that is itself a restricted container), or ''. */
export async function privilegedRefused(image: string): Promise<string> {
  try {
    await run('docker', ['run', '--rm', '--privileged', image, 'true'], { timeout: 60_000 });
    return '';
  } catch (e) {
    return ((e as { stderr?: string }).stderr ?? String(e)).split('\n')[0];
  }
}
