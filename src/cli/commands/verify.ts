/**
 * `rings verify`: reads the live cluster (read-only, through kubectl) and compares it with what the
 * registry says each ring should run — synthesized in memory from the registry, the same objects
 * `rings synth` writes. `--record` appends the result to the history as evidence for the `verified`
 * promotion gate. Exit 0 all match, 1 findings, 2 cluster unreachable or unreadable.
 */
import * as path from 'path';
import { lockVersions } from '../../model/lock';
import { VERIFY_CHECKS, Finding, formatFinding, sortFindings, VerifyCheck } from '../../operate/verify/findings';
import { verifyRing } from '../../operate/verify/verify-ring';
import { ringExpectations } from '../../operate/verify/expected';
import { judgeProbe, probeTargets, proxyPath } from '../../operate/verify/probe';
import { boolFlag, stringFlag, stringsFlag, UsageError } from '../args';
import { ClusterError } from '../kube';
import { clusterContexts, clusterLabel } from '../cluster-contexts';
import type { RingExpectation } from '../../operate/verify/verify-ring';
import { Obj } from '../../operate/verify/snapshot';
import { CliError, Command, loadAll, recordHistory, renderSources } from '../context';
import { HISTORY_FILE, HistoryEntry, isoSeconds } from '../../operate/history';
import { kubectl, reportUnreachable, probe, readSnapshot } from '../kube';
import { json } from '../output';
import { pinnedIn, rollbackHint } from '../../operate/rollback-hint';
import { verifyMetrics } from './verify-metrics';

const USAGE =
  'rings verify [--ring R] [--kubeconfig FILE] [--context NAME | --context CLUSTER=NAME…] [--max-restarts N] [--probe] [--record] [--json] [--registry DIR]\n' +
  '       rings verify --metrics [--ring R] [--prometheus URL] [--prometheus-token-file FILE] [--record] [--json] [--registry DIR]';

export interface RingVerdict {
  readonly ring: string;
  /** With [clusters]: the cluster it was read on. @default none */
  readonly cluster?: string;
  readonly namespace: string;
  readonly passed: boolean;
  readonly checks: readonly VerifyCheck[];
  readonly findings: readonly Finding[];
  readonly lockChecksums: readonly string[];
  readonly podTemplateHashes: Readonly<Record<string, readonly string[]>>;
  /** Deployment → the image of its first container, as compared (what `promote image` pins for api/horizon/nginx). */
  readonly images: Readonly<Record<string, string>>;
}

export const verify: Command = {
  name: 'verify',
  summary: 'compare the live cluster with the registry, ring by ring (read-only), or with --metrics measure the rings\' metric checks in Prometheus; exit 1 on any finding, 2 when the cluster (or Prometheus) cannot be read',
  usage: USAGE,
  help: [
    'Checks, one line per finding (`<ring>: [<check>] <object>: <what was found>`):',
    '  deployment       every Deployment of the ring exists',
    '  rollout          each rollout completed (all replicas updated and available, no old pods)',
    '  replicas         spec.replicas is what dist/ says (or within the autoscaler), ready ≥ desired',
    '  template         images, ConfigMaps read and rings.cdk8s.io/ checksums (lock, config) match a fresh synth',
    '  restarts         no pod crash-looping, none restarted more than --max-restarts times (default 3)',
    "  ring-env         every pod's RING_NAME and MODULE_LOCK_PATH resolve (env, envFrom, live ConfigMaps) to the ring's",
    '  routing          each tenant host of the ring is served by its Ingress/HTTPRoute and by no other, in any namespace',
    '  alias            each alias Service exists and its target Service exists in the home namespace',
    '  secret           each Secret the ring references exists (names only: Secret data is never read)',
    '  external-secret  each ExternalSecret reports Ready',
    '  probe            (--probe) GET /api/health through the API server service proxy reports ring.name = the ring',
    'The expected state is a synthesis of the registry in memory (what dist/ holds when `rings diff` is clean).',
    'The cluster is read with kubectl (KUBECONFIG, --kubeconfig, --context); nothing is ever written to it.',
    'With [clusters], each cluster is read with its own context: --context <cluster>=<context> (repeatable); a',
    'cluster not named is read with the context named like it (eu-1 with context eu-1). Only the clusters of the',
    'rings verified are read; findings name the cluster (`canary on us-1: [rollout] …`).',
    `--record appends one non-secret "verify" entry per ring to ${HISTORY_FILE} (checks, pass/fail, findings,`,
    'lock checksums and pod-template-hashes seen, the lock compared with): the evidence require_verified asks for.',
    'A failing ring also prints the command that undoes the last promotion into it (its release train, when the whole train is still the last).',
    'Exit codes: 0 everything matches; 1 findings (or an invalid registry); 2 the cluster cannot be reached or read, or a usage error.',
    '',
    "--metrics evaluates the ring's [[analysis.checks]] in Prometheus instead (and reads no cluster): query_range over the",
    "ring's window (default 30m) ending at the clock (RINGS_NOW, or now), every 60 s (31 points over 30m; longer windows",
    'are cut into at most 1,000 steps). A check fails when any point of any series is outside its min/max; no series or a',
    'NaN point is "no data", which fails unless the check says on_no_data = "pass"; a query error fails. One line per check:',
    '  error-rate: worst 0.0499 (max 0.01) over 30m, 31 points: fail',
    'Prometheus: --prometheus URL, else [analysis] prometheus_url in platform.toml (http or https, never with credentials).',
    'A bearer token: --prometheus-token-file FILE, else RINGS_PROMETHEUS_TOKEN; it is never printed or recorded.',
    `--record writes the measured values into one "verify" entry per ring (checks ["metrics"], source "registry": the lock`,
    'and images are read from the registry), the evidence the analysis gate asks for.',
    'Exit codes: 0 every check passed; 1 a check failed, had no data or an error; 2 Prometheus cannot be reached or read.',
  ].join('\n'),
  positionals: [],
  flags: {
    ring: 'string',
    kubeconfig: 'string',
    context: 'strings',
    'max-restarts': 'string',
    probe: 'boolean',
    record: 'boolean',
    json: 'boolean',
    metrics: 'boolean',
    prometheus: 'string',
    'prometheus-token-file': 'string',
  },
  run(ctx, args) {
    if (boolFlag(args, 'metrics')) return verifyMetrics(ctx, args, USAGE);
    for (const f of ['prometheus', 'prometheus-token-file']) {
      if (args.flags[f] !== undefined) throw new UsageError(`--${f} goes with --metrics`, USAGE);
    }
    const only = stringFlag(args, 'ring');
    const maxText = stringFlag(args, 'max-restarts') ?? '3';
    if (!/^\d+$/.test(maxText)) throw new UsageError(`--max-restarts: expected a whole number ≥ 0, got ${JSON.stringify(maxText)}`, USAGE);
    const { registry, sources, history } = loadAll(ctx.registry);
    const { plan, result } = renderSources(ctx.registry, sources);
    if (only !== undefined && !plan.rings.some((r) => r.name === only)) {
      throw new CliError(`unknown ring "${only}" (rings: ${plan.rings.map((r) => r.name).join(', ')})`);
    }
    // One group per cluster read: its rings' expectations, from the units placed there.
    const home = plan.clusters?.find((c) => c.home)?.name ?? '';
    const contexts = clusterContexts(plan.clusters?.map((c) => c.name), stringsFlag(args, 'context'), USAGE);
    const groups = [...contexts.keys()].map((cluster) => {
      const objects: Obj[] = result.charts.filter((c) => !cluster || c.cluster === cluster).flatMap((c) => c.objects);
      const rings = plan.rings.filter((r) => !cluster || (r.cluster ?? home) === cluster);
      let expectations: RingExpectation[] = ringExpectations(rings, plan.homeNamespace, objects);
      if (cluster && cluster === home) {
        // The rings of the other clusters alias the home services too (at their remote_host): the home ring checks those exist.
        const remote = result.charts.filter((c) => c.cluster !== home).flatMap((c) => c.objects).filter((o) => o.kind === 'Service' && o.spec?.type === 'ExternalName').map((o) => String(o.metadata.name));
        expectations = expectations.map((e) => ({ ...e, aliasTargets: [...new Set([...e.aliasTargets, ...remote])].sort() }));
      }
      return { cluster, expectations: expectations.filter((e) => only === undefined || e.ring === only) };
    }).filter((g) => g.expectations.length);

    const verdicts: RingVerdict[] = [];
    try {
      for (const { cluster, expectations } of groups) {
        const context = contexts.get(cluster);
        const kube = kubectl({ kubeconfig: stringFlag(args, 'kubeconfig'), context, env: ctx.io.env });
        const probeKube = kubectl({ kubeconfig: stringFlag(args, 'kubeconfig'), context, env: ctx.io.env, requestTimeout: '5s' });
        let snapshot;
        try {
          snapshot = readSnapshot(kube, [...expectations.map((e) => e.namespace), ...(!cluster || cluster === home ? [plan.homeNamespace] : [])]);
        } catch (e) {
          throw e instanceof ClusterError && cluster ? new ClusterError(`${clusterLabel(cluster, context)}: ${e.message}`) : e;
        }
        for (const exp of expectations) {
          const { findings, observed } = verifyRing(exp, snapshot, { maxRestarts: Number(maxText) });
          const checks: VerifyCheck[] = VERIFY_CHECKS.filter((c) => c !== 'probe');
          if (boolFlag(args, 'probe')) {
            checks.push('probe');
            for (const t of probeTargets(exp.namespace, exp.objects)) findings.push(...judgeProbe(exp.ring, t, probe(probeKube, proxyPath(t), `${t.namespace}/${t.service}:${t.port}`)));
          }
          const sorted = sortFindings(findings).map((f) => (cluster ? { ...f, cluster } : f));
          const images: Record<string, string> = {};
          for (const d of exp.objects.filter((o) => o.kind === 'Deployment').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
            const image = d.spec?.template?.spec?.containers?.[0]?.image;
            if (typeof image === 'string') images[d.metadata.name] = image;
          }
          verdicts.push({ ring: exp.ring, ...(cluster ? { cluster } : {}), namespace: exp.namespace, passed: sorted.length === 0, checks, findings: sorted, lockChecksums: observed.lockChecksums, podTemplateHashes: observed.podTemplateHashes, images });
        }
      }
    } catch (e) {
      return reportUnreachable(e, ctx);
    }
    // The registry's order (most conservative first), whatever cluster each ring was read on.
    const order = new Map(plan.rings.map((r, i) => [r.name, i]));
    verdicts.sort((a, b) => order.get(a.ring)! - order.get(b.ring)!);

    let recorded: HistoryEntry[] = [];
    if (boolFlag(args, 'record')) {
      const time = isoSeconds(ctx.now);
      const actor = ctx.actor();
      recorded = verdicts.map((v) => ({
        time,
        actor,
        action: 'verify',
        to: v.ring,
        ...(v.cluster ? { cluster: v.cluster } : {}),
        from: null,
        previous: null,
        new: null,
        reason: null,
        gates_checked: [],
        gates_waived: [],
        passed: v.passed,
        checks: v.checks,
        findings: v.findings.map(formatFinding),
        lock_checksums: v.lockChecksums,
        pod_template_hashes: v.podTemplateHashes,
        lock: lockVersions(registry.locks[v.ring]?.modules ?? {}),
        images: v.images,
      }));
      recordHistory(ctx, recorded);
    }

    const passed = verdicts.every((v) => v.passed);
    if (ctx.json) {
      ctx.io.stdout(
        json({
          reachable: true,
          passed,
          recorded: recorded.length > 0,
          rings: verdicts.map((v) => ({
            ring: v.ring,
            ...(v.cluster ? { cluster: v.cluster } : {}),
            namespace: v.namespace,
            passed: v.passed,
            checks: v.checks,
            findings: v.findings.map(({ check, object, message }) => ({ check, object, message })),
            lock_checksums: v.lockChecksums,
            pod_template_hashes: v.podTemplateHashes,
            ...(v.passed ? {} : { rollback: rollbackHint(history, v.ring, pinnedIn(registry, v.ring))?.command ?? null }),
          })),
        }),
      );
      return passed ? 0 : 1;
    }
    const c = ctx.c;
    for (const v of verdicts) for (const f of v.findings) ctx.io.stdout(`${formatFinding(f)}\n`);
    for (const v of verdicts) {
      const n = v.findings.length;
      ctx.io.stdout(`${v.passed ? c.green('ok') : c.red('FAIL')}  ${v.ring} (${v.namespace}${v.cluster ? ` on ${v.cluster}` : ''}): ${v.passed ? `${v.checks.length} checks passed` : `${n} finding${n === 1 ? '' : 's'}`}\n`);
      // A failing ring says how to undo what last reached it (rollback-hint.ts).
      const hint = v.passed ? undefined : rollbackHint(history, v.ring, pinnedIn(registry, v.ring));
      if (hint) ctx.io.stdout(`  ${hint.text}\n`);
    }
    if (recorded.length) ctx.io.stdout(`recorded ${recorded.length} verify entr${recorded.length === 1 ? 'y' : 'ies'} in ${path.join(ctx.registry, HISTORY_FILE)}\n`);
    return passed ? 0 : 1;
  },
};
