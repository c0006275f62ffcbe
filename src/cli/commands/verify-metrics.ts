/**
 * `rings verify --metrics`: evaluates each ring's `[[analysis.checks]]` in Prometheus with
 * query_range over the ring's window ending at the clock, and with `--record` writes the measured
 * values into a `verify` history entry — the evidence the `analysis` promotion gate asks for. It
 * reads no cluster: the candidate measured (the ring's lock and images) comes from the registry, and
 * the entry says so (`source: "registry"`). Exit 0 every check passed, 1 a check failed, had no data
 * or an error, 2 Prometheus cannot be reached (nothing is recorded then).
 */
import * as fs from 'fs';
import * as path from 'path';
import { analysisRange, formatStep, parseGoDuration } from '../../model/analysis';
import { ringImages } from '../../model/images';
import { lockVersions } from '../../model/lock';
import { prometheusUrlProblem, ringQuery } from '../../registry/rules/analysis-rules';
import { judgeCheck, formatMetricLine, metricPassed, MetricResult } from '../../operate/verify/metrics';
import { PrometheusUnreachable, queryRange } from '../../operate/verify/prometheus';
import { boolFlag, ParsedArgs, stringFlag, UsageError } from '../args';
import { CliError, Ctx, loadAll, recordHistory, unknownRing } from '../context';
import { HISTORY_FILE, HistoryEntry, isoSeconds } from '../../operate/history';
import { pinnedIn, rollbackHint } from '../../operate/rollback-hint';
import { json } from '../output';

/** Flags of `rings verify` that read the cluster: they do not go with --metrics. */
const CLUSTER_FLAGS = ['kubeconfig', 'context', 'max-restarts', 'probe'] as const;

export interface MetricsVerdict {
  readonly ring: string;
  readonly namespace: string;
  readonly passed: boolean;
  readonly window: string;
  readonly step: string;
  readonly metrics: readonly MetricResult[];
}

/** The bearer token: --prometheus-token-file, else RINGS_PROMETHEUS_TOKEN; never printed. */
function prometheusToken(ctx: Ctx, args: ParsedArgs): string | undefined {
  const file = stringFlag(args, 'prometheus-token-file');
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`--prometheus-token-file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const token = text.trim();
    if (token === '' || /[\r\n]/.test(token)) throw new CliError(`--prometheus-token-file: expected one token on one line in ${file}, got ${token === '' ? 'an empty file' : 'several lines'} (not shown)`);
    return token;
  }
  const env = ctx.io.env.RINGS_PROMETHEUS_TOKEN?.trim();
  return env ? env : undefined;
}

export async function verifyMetrics(ctx: Ctx, args: ParsedArgs, usage: string): Promise<number> {
  for (const f of CLUSTER_FLAGS) {
    if (args.flags[f] !== undefined) throw new UsageError(`--${f} reads the cluster, and --metrics reads only Prometheus; run rings verify without --metrics for the cluster`, usage);
  }
  const loaded = loadAll(ctx.registry);
  const { registry } = loaded;
  const only = stringFlag(args, 'ring');
  if (only !== undefined && !registry.rings.some((r) => r.spec.name === only)) {
    throw unknownRing(only, registry.rings.map((r) => r.spec.name));
  }
  const rings = registry.rings
    .filter((r) => (only === undefined ? (r.spec.analysis?.checks.length ?? 0) > 0 : r.spec.name === only))
    .sort((a, b) => b.spec.promotion_order - a.spec.promotion_order);
  if (rings.length === 0) throw new CliError('no ring declares metric checks ([[analysis.checks]] in a ring file); nothing to measure');
  for (const r of rings) {
    if ((r.spec.analysis?.checks.length ?? 0) === 0) throw new CliError(`${r.spec.name} declares no metric checks ([[analysis.checks]] in ${r.file}); nothing to measure`);
  }

  const flagUrl = stringFlag(args, 'prometheus');
  const url = flagUrl ?? registry.platform.analysis?.prometheus_url;
  if (url === undefined) throw new UsageError(`no Prometheus to ask: set [analysis] prometheus_url in ${path.join(ctx.registry, 'platform.toml')} or pass --prometheus URL`, usage);
  if (flagUrl !== undefined) {
    const problem = prometheusUrlProblem(flagUrl);
    if (problem) throw new CliError(`--prometheus: ${problem}`);
  }
  const token = prometheusToken(ctx, args);
  // Like every change, a recorded measurement is never dated in the future of the real clock.
  const real = ctx.realNow ?? new Date();
  if (boolFlag(args, 'record') && ctx.now.getTime() > real.getTime() + 1000) {
    throw new CliError(`refused: the clock (RINGS_NOW=${isoSeconds(ctx.now)}) is in the future of the real time (${isoSeconds(real)}), and a history line may not be dated in the future`);
  }

  const endMs = Math.floor(ctx.now.getTime() / 1000) * 1000;
  const verdicts: MetricsVerdict[] = [];
  try {
    for (const r of rings) {
      const analysis = r.spec.analysis!;
      const range = analysisRange(parseGoDuration(analysis.window)!, endMs);
      const step = formatStep(range.stepMs);
      const metrics: MetricResult[] = [];
      for (const c of analysis.checks) {
        const query = ringQuery(registry.platform, r.spec, c);
        const answer = await queryRange({ url, token }, query, range.startMs / 1000, range.endMs / 1000, range.stepMs / 1000);
        metrics.push(judgeCheck({ name: c.name, query, window: analysis.window, step, min: c.min, max: c.max, on_no_data: c.on_no_data, reason: c.reason }, answer));
      }
      verdicts.push({ ring: r.spec.name, namespace: r.spec.namespace, passed: metrics.every(metricPassed), window: analysis.window, step, metrics });
    }
  } catch (e) {
    if (!(e instanceof PrometheusUnreachable)) throw e;
    if (ctx.json) ctx.io.stdout(json({ reachable: false, error: e.message }));
    ctx.io.stderr(`${ctx.c.red('error')}: ${e.message}\n`);
    return 2;
  }

  let recorded: HistoryEntry[] = [];
  if (boolFlag(args, 'record')) {
    const time = isoSeconds(ctx.now);
    const actor = ctx.actor();
    recorded = verdicts.map((v) => {
      const r = registry.rings.find((x) => x.spec.name === v.ring)!;
      return {
        time,
        actor,
        action: 'verify',
        to: v.ring,
        from: null,
        previous: null,
        new: null,
        reason: null,
        gates_checked: [],
        gates_waived: [],
        passed: v.passed,
        checks: ['metrics'],
        findings: v.metrics.filter((m) => !metricPassed(m)).map((m) => `${v.ring}: [metrics] ${formatMetricLine(m)}`),
        lock_checksums: [],
        pod_template_hashes: {},
        lock: lockVersions(registry.locks[v.ring]?.modules ?? {}),
        images: { ...ringImages(registry.platform.images, r.spec.images) },
        source: 'registry',
        prometheus: url,
        metrics: v.metrics,
      };
    });
    recordHistory(ctx, recorded);
  }

  const passed = verdicts.every((v) => v.passed);
  if (ctx.json) {
    ctx.io.stdout(
      json({
        reachable: true,
        passed,
        recorded: recorded.length > 0,
        prometheus: url,
        time: isoSeconds(new Date(endMs)),
        rings: verdicts.map((v) => ({ ring: v.ring, namespace: v.namespace, passed: v.passed, window: v.window, step: v.step, metrics: v.metrics })),
      }),
    );
    return passed ? 0 : 1;
  }
  const c = ctx.c;
  for (const v of verdicts) {
    ctx.io.stdout(`${v.ring} (${v.namespace}): ${v.metrics.length} metric check${v.metrics.length === 1 ? '' : 's'} over ${v.window} to ${isoSeconds(new Date(endMs))}, step ${v.step}, in ${url}\n`);
    for (const m of v.metrics) ctx.io.stdout(`${formatMetricLine(m)}\n`);
  }
  for (const v of verdicts) {
    const failed = v.metrics.filter((m) => !metricPassed(m));
    const n = v.metrics.length;
    ctx.io.stdout(
      `${v.passed ? c.green('ok') : c.red('FAIL')}  ${v.ring}: ${v.passed ? `${n} metric check${n === 1 ? '' : 's'} passed` : `${failed.length} of ${n} metric check${n === 1 ? '' : 's'} failed (${failed.map((m) => m.name).join(', ')})`}\n`,
    );
    if (!v.passed) {
      const hint = rollbackHint(loaded.history, v.ring, pinnedIn(loaded.registry, v.ring));
      if (hint) ctx.io.stdout(`  ${hint.text}\n`);
    }
  }
  if (recorded.length) ctx.io.stdout(`recorded ${recorded.length} verify entr${recorded.length === 1 ? 'y' : 'ies'} in ${path.join(ctx.registry, HISTORY_FILE)}\n`);
  return passed ? 0 : 1;
}
