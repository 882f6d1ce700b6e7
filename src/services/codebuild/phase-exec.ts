import type { PhaseContext } from '../../aws/models/generated/codebuild.js';
import type { BuildLog } from './build-log.js';
import type { PhaseSpec } from './buildspec.js';
import type { RunAsUser, ShellSession } from './shell.js';

export interface PhaseOutcome {
  /** Undefined when the phase succeeded. */
  failure?: PhaseContext;
  /** The run was stopped or timed out midway. */
  interrupted: boolean;
}

export interface PhaseRun {
  name: string;
  spec: PhaseSpec | undefined;
  shell: ShellSession;
  log: BuildLog;
  signal: AbortSignal;
  /** CODEBUILD_BUILD_SUCCEEDING before this phase. */
  succeeding: boolean;
  /** The phase's `run-as` user; root when absent. */
  user?: RunAsUser;
}

function commandFailure(command: string, exitCode: number | null): PhaseContext {
  // A command killed by a signal shows as the shell's 128 + N (137 for an out-of-memory kill), as on AWS.
  const reason = exitCode === null ? 'signal: killed' : `exit status ${exitCode}`;
  return { statusCode: 'COMMAND_EXECUTION_ERROR', message: `Error while executing command: ${command}. Reason: ${reason}` };
}

/** Runs commands in order until one fails; returns the first failure. */
async function runCommands(r: PhaseRun, commands: string[], succeeding: boolean): Promise<PhaseOutcome> {
  for (const command of commands) {
    r.log.agent(`Running command ${command}`);
    const result = await r.shell.run(command, succeeding, r.user);
    if (result.interrupted) return { interrupted: true };
    if (result.exitCode !== 0) {
      const failure = commandFailure(command, result.exitCode);
      r.log.agent(`Command did not exit successfully ${command} ${failure.message?.split('Reason: ')[1] ?? ''}`);
      return { failure, interrupted: false };
    }
  }
  return { interrupted: false };
}

/** One attempt: `commands`, then `finally` whatever happened; the phase fails if either fails. */
async function attempt(r: PhaseRun): Promise<PhaseOutcome> {
  const main = await runCommands(r, r.spec?.commands ?? [], r.succeeding);
  if (main.interrupted) return main;
  const fin = await runCommands(r, r.spec?.finally ?? [], r.succeeding && !main.failure);
  if (fin.interrupted) return fin;
  return { failure: main.failure ?? fin.failure, interrupted: false };
}

/**
 * A buildspec phase with AWS's `on-failure`: RETRY runs the whole phase again (up to its
 * count, when the failure message matches its pattern); ABORT and CONTINUE are applied by
 * the caller, which decides where the build goes next.
 */
export async function runPhase(r: PhaseRun): Promise<PhaseOutcome> {
  const policy = r.spec?.onFailure;
  const extra = policy?.mode === 'RETRY' ? policy.retries : 0;
  for (let n = 0; ; n++) {
    const outcome = await attempt(r);
    if (!outcome.failure || outcome.interrupted) return outcome;
    const matches = policy?.pattern ? policy.pattern.test(outcome.failure.message ?? '') : true;
    if (n >= extra || !matches) return outcome;
    r.log.agent(`Phase ${r.name} failed: ${outcome.failure.message}. Retrying the phase (attempt ${n + 2} of ${extra + 1})`);
  }
}
