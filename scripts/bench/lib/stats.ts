/** Percentile (nearest rank) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Prints one figure as CI and `make bench` read it. */
export function bench(name: string, value: number, unit: string, digits = 2): void {
  process.stdout.write(`bench: ${name} = ${Number.isInteger(value) ? value : value.toFixed(digits)} ${unit}\n`);
}
