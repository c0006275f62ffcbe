/**
 * The example canary declares metric checks, so promotions out of it pass the analysis gate only
 * with a `rings verify --metrics --record` measurement (test/analysis/ proves that on a real
 * Prometheus). Suites about other gates and commands take the checks out of their copy first.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Removes canary's `[analysis]` block (the end of the example's canary.toml) from a copy of the registry. */
export function withoutMetricChecks(registryDir: string): void {
  const file = path.join(registryDir, 'canary.toml');
  const text = fs.readFileSync(file, 'utf8');
  const cut = text.indexOf('\n# Metric checks');
  if (cut < 0) throw new Error(`${file} has no metric checks to remove`);
  fs.writeFileSync(file, `${text.slice(0, cut).trimEnd()}\n`);
}
