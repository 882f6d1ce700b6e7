import { LATEST, invalidParameter } from './names.js';

/**
 * Checks an alias's `AdditionalVersionWeights` as AWS does: one additional version at most,
 * a published version (not $LATEST) other than the primary, with a weight from 0 to 1.
 * Returns the problem, or undefined; whether the version exists is the caller's check.
 */
export function routingProblem(primary: string, weights: Record<string, number> | undefined): string | undefined {
  const entries = Object.entries(weights ?? {});
  if (entries.length === 0) return undefined;
  if (entries.length > 1) return 'Number of items in AdditionalVersionWeights exceeds the maximum limit of 1.';
  const [version, weight] = entries[0]!;
  if (primary === LATEST || version === LATEST) return '$LATEST is not supported for an alias pointing to more than 1 version';
  if (!/^\d+$/.test(version)) return `1 validation error detected: Value '${version}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]`;
  if (!(weight >= 0 && weight <= 1)) return `1 validation error detected: Value '${weight}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]`;
  if (version === primary) return `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`;
  return undefined;
}

export function checkRouting(primary: string, weights: Record<string, number> | undefined): void {
  const problem = routingProblem(primary, weights);
  if (problem) throw invalidParameter(problem);
}

/**
 * Which version one invocation of an alias runs: the additional version with its weight's
 * probability, else the primary. `roll` is uniform in [0, 1).
 */
export function pickVersion(primary: string, weights: Record<string, number> | undefined, roll: number): string {
  const entry = Object.entries(weights ?? {})[0];
  if (entry && roll < entry[1]) return entry[0];
  return primary;
}
