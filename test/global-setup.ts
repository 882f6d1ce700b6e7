import { execFileSync } from 'node:child_process';

/** Tests that start `slipway` as a process run the built CLI; build it once, fresh. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
}
