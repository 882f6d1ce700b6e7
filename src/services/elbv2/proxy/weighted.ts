/**
 * Smooth weighted round robin (the scheme nginx uses): over any run of sum(weights)
 * picks, each choice gets exactly its weight's share, spread evenly rather than in bursts.
 * Weights can change between picks (CodeDeploy shifting traffic); the picker adapts.
 */
export class WeightedPicker {
  private current = new Map<string, number>();

  pick(choices: readonly { key: string; weight: number }[]): string | undefined {
    let total = 0;
    let best: string | undefined;
    let bestValue = -Infinity;
    const next = new Map<string, number>();
    for (const c of choices) {
      if (c.weight <= 0) continue;
      total += c.weight;
      const value = (this.current.get(c.key) ?? 0) + c.weight;
      next.set(c.key, value);
      if (value > bestValue) {
        bestValue = value;
        best = c.key;
      }
    }
    if (best !== undefined) next.set(best, bestValue - total);
    this.current = next;
    return best;
  }
}
