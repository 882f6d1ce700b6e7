import type { PhaseContext } from '../../aws/models/generated/codebuild.js';
import type { BuildRun } from './build-context.js';
import type { Buildspec, PhaseKey } from './buildspec.js';
import type { RunAsUser, ShellSession } from './shell.js';

/** Linux user names (what `useradd` accepts); anything else cannot be in /etc/passwd. */
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/** The user a phase's commands run as: the phase's `run-as`, else the buildspec's, else none (root). */
export function phaseUser(spec: Buildspec, key: PhaseKey): string | undefined {
  return spec.phases[key]?.runAs ?? spec.runAs;
}

/**
 * Looks the user up in the build's own /etc/passwd (the host's for the local backends, the
 * image's for Docker) with shell builtins only, so images without getent work too.
 */
export async function lookupUser(shell: ShellSession, name: string): Promise<RunAsUser | undefined> {
  if (!USER_NAME.test(name)) return undefined;
  const script = [
    `while IFS=: read -r __n __x __u __g __c __h __s; do`,
    `  if [ "$__n" = '${name}' ]; then printf '%s:%s:%s' "$__u" "$__g" "$__h"; exit 0; fi`,
    `done < /etc/passwd; exit 3`,
  ].join('\n');
  const out = await shell.capture(script);
  const m = out === undefined ? null : /^(\d+):(\d+):(.*)$/.exec(out);
  return m ? { name, uid: Number(m[1]), gid: Number(m[2]), home: m[3] || '/' } : undefined;
}

/**
 * Hands the build's sources and the shell's state files to the user, so its commands can build
 * in the source directory (and write the state the next command starts from); commands without
 * `run-as` run as root and can still write everything.
 */
export async function grantWorkspace(shell: ShellSession, user: RunAsUser, outputDir: string, agentDir: string): Promise<boolean> {
  const state = ['env.sh', 'cwd', 'out'].map((f) => `"${agentDir}/${f}"`).join(' ');
  const r = await shell.capture(`touch ${state} && chown -R ${user.uid}:${user.gid} "${outputDir}" ${state}`);
  return r !== undefined;
}

/** The phase's failure when its `run-as` user cannot be used, as the agent reports a user lookup error. */
export function runAsFailure(firstCommand: string, reason: string): PhaseContext {
  return { statusCode: 'COMMAND_EXECUTION_ERROR', message: `Error while executing command: ${firstCommand}. Reason: ${reason}` };
}

/**
 * Who runs a phase's commands. A phase without `run-as` (global or its own) runs as root with
 * the build's HOME; with one, the user must exist in the build's /etc/passwd, or the phase
 * fails before its first command.
 */
export async function phaseIdentity(run: BuildRun, key: PhaseKey): Promise<{ user?: RunAsUser; failure?: PhaseContext }> {
  const shell = run.shell!;
  const name = phaseUser(run.spec!, key);
  if (!name) {
    if (run.runAs) shell.resetIdentity(run.env.HOME);
    run.runAs = undefined;
    return {};
  }
  const first = run.spec!.phases[key]?.commands[0] ?? '';
  const user = await lookupUser(shell, name);
  if (!user) return { failure: runAsFailure(first, `user: unknown user ${name}`) };
  const self = run.backend.sandbox.kind === 'docker' ? 0 : (process.getuid?.() ?? 0);
  if (self !== 0 && self !== user.uid) {
    return { failure: runAsFailure(first, `run-as ${name}: this backend runs builds as uid ${self}, which cannot switch to another user (run Slipway as root, or use the Docker backend)`) };
  }
  if (run.runAs !== name) {
    if (!(await grantWorkspace(shell, user, run.ws.visible(run.ws.output), run.ws.visible(run.ws.agent)))) {
      return { failure: runAsFailure(first, `run-as ${name}: the build's directories could not be given to the user`) };
    }
    run.log.agent(`Running commands as ${name} (uid ${user.uid}, gid ${user.gid}, HOME ${user.home})`);
    run.runAs = name;
  }
  return { user };
}
