import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Bind, Sandbox } from '../../runtime/sandbox.js';

/**
 * A build's directories. On the host they live under `<data-dir>/services/codebuild/
 * workspaces/<build-uuid>/codebuild`; inside a path-mapping sandbox that directory is
 * `/codebuild`, so the source is at AWS's `/codebuild/output/src<digits>/src`.
 */
export class Workspace {
  /** The host directory seen as /codebuild inside the sandbox. */
  readonly hostRoot: string;
  readonly srcDigits: string;

  constructor(
    base: string,
    readonly uuid: string,
    private readonly sandbox: Sandbox,
  ) {
    this.hostRoot = join(base, uuid, 'codebuild');
    // AWS names the output directory src<9-10 digits>; derive it from the build id so a retry of
    // the same engine step finds the same place.
    this.srcDigits = String(parseInt(uuid.replace(/-/g, '').slice(0, 8), 16) % 1_000_000_000).padStart(9, '1');
  }

  create(): void {
    rmSync(join(this.hostRoot, '..'), { recursive: true, force: true });
    for (const d of [this.output, this.agent, this.home, this.bin]) mkdirSync(this.host(d), { recursive: true });
  }

  remove(): void {
    rmSync(join(this.hostRoot, '..'), { recursive: true, force: true });
  }

  /** Paths as the build sees them (under /codebuild). */
  get output(): string {
    return `/codebuild/output/src${this.srcDigits}`;
  }
  get agent(): string {
    return '/codebuild/agent';
  }
  get home(): string {
    return '/codebuild/home';
  }
  get bin(): string {
    return '/codebuild/bin';
  }

  /** The host path of a /codebuild path. */
  host(inside: string): string {
    return join(this.hostRoot, inside.replace(/^\/codebuild\/?/, ''));
  }

  /** The path a process in the sandbox uses for a /codebuild path. */
  visible(inside: string): string {
    return this.sandbox.mapsPaths ? inside : this.host(inside);
  }

  binds(): Bind[] {
    return this.sandbox.mapsPaths ? [{ source: this.hostRoot, target: '/codebuild' }] : [];
  }
}
