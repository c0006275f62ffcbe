import * as path from 'path';
import type { Registry } from '../../registry/load';
import { approvalFor, approveCommand, ApprovalEnv } from '../approval-gate';
import { imageCandidate, moduleCandidate } from '../../operate/approvals';
import { boolFlag, stringFlag, UsageError } from '../args';
import { CliError, Command, Ctx, GateRefusal, LoadedRegistry, loadAll } from '../context';
import { renderStatusHtml } from '../status-html';
import { PageApproval, PageGates, statusPage } from '../../operate/status-page';
import type { TrainItem } from '../../operate/train-items';
import { writeFileAtomic } from '../transaction';
import { planImagePromotion } from './image-change';
import { planModulePromotion } from './promote';
import { json, table } from '../output';
import { parseImageReference } from '../../model/images';
import { componentNames, ringImagesOf } from '../../registry/schema/presets';
import { placementOf } from '../../model/clusters';
import type { RingSummaryOf } from '../../model/ring-summary';

export interface StatusRow {
  readonly module: string;
  /** ring → pinned version, null when the ring does not pin the module. */
  readonly versions: Readonly<Record<string, string | null>>;
  /** Rings whose pin differs from the base ring's (they run ahead of it, or carry a module it lacks). */
  readonly ahead: readonly string[];
}

export interface StatusImageRow {
  /** api, horizon or nginx. */
  readonly component: string;
  /** ring → the image it runs. */
  readonly refs: Readonly<Record<string, string>>;
  /** Rings whose image differs from the base ring's. */
  readonly ahead: readonly string[];
}

/** A service in the home namespace that every other ring reaches through an alias of the same name. */
export interface StatusSharedService {
  readonly name: string;
  readonly port: number;
  /** `<host>.<domain>` when the shared layer exposes it. */
  readonly host?: string;
}

export interface StatusMatrix {
  /** The most conservative active ring, which the others are compared with. */
  readonly base: string;
  /** The home ring: its namespace also hosts the shared layer. */
  readonly home: string;
  /** Run once by the shared layer, in the home namespace. */
  readonly shared: readonly StatusSharedService[];
  /** In the home namespace but run by something else (`[[shared.external]]`). */
  readonly external: readonly StatusSharedService[];
  /** Most conservative first. */
  readonly rings: readonly RingSummaryOf<'promotionOrder' | 'default' | 'active' | 'soak' | 'tenants'>[];
  readonly modules: readonly StatusRow[];
  /** The ring images, next to the modules: a new build reaches one ring at a time too. */
  readonly images: readonly StatusImageRow[];
  /** ring → its lock's form (flat, or hashed: a sha256 per module). */
  readonly lockFormats: Readonly<Record<string, string>>;
  /** With [clusters]: every declared cluster, the home cluster first, then by name. @default none (one cluster) */
  readonly clusters?: readonly string[];
}

/** The module × ring matrix, pure. */
export function statusMatrix(reg: Registry): StatusMatrix {
  const p0 = reg.platform;
  const rings = reg.rings.map((r) => ({
    ring: r.spec.name,
    ...(placementOf(p0.home_cluster, p0.clusters, r.spec.cluster) ? { cluster: placementOf(p0.home_cluster, p0.clusters, r.spec.cluster)!.cluster } : {}),
    namespace: r.spec.namespace,
    promotionOrder: r.spec.promotion_order,
    default: r.spec.default,
    active: r.spec.active,
    soak: r.spec.soak,
    tenants: Object.values(reg.tenants).filter((t) => t === r.spec.name).length,
  }));
  const base = (rings.find((r) => r.active) ?? rings[0]).ring;
  const modules = [...new Set(rings.flatMap((r) => Object.keys(reg.locks[r.ring]?.modules ?? {})))].sort();
  const images = componentNames(reg.platform).map((component) => {
    const refs: Record<string, string> = {};
    for (const r of reg.rings) refs[r.spec.name] = ringImagesOf(reg.platform, r.spec)[component];
    return { component, refs, ahead: rings.filter((r) => r.ring !== base && refs[r.ring] !== refs[base]).map((r) => r.ring) };
  });
  const p = reg.platform;
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    base,
    home: p.home_ring,
    shared: p.shared.services.map((s) => ({ name: s.name, port: s.port, ...(s.host ? { host: `${s.host}.${p.domain}` } : {}) })).sort(byName),
    external: p.shared.external.map((s) => ({ name: s.name, port: s.port })).sort(byName),
    rings,
    images,
    lockFormats: Object.fromEntries(rings.map((r) => [r.ring, reg.locks[r.ring]?.format ?? 'flat'])),
    ...(p.clusters && p.home_cluster !== undefined ? { clusters: [p.home_cluster, ...Object.keys(p.clusters).filter((c) => c !== p.home_cluster).sort()] } : {}),
    modules: modules.map((m) => {
      const versions: Record<string, string | null> = {};
      for (const r of rings) versions[r.ring] = reg.locks[r.ring]?.modules[m] ?? null;
      return { module: m, versions, ahead: rings.filter((r) => r.ring !== base && versions[r.ring] !== null && versions[r.ring] !== versions[base]).map((r) => r.ring) };
    }),
  };
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;');

/**
 * The ring layout as a Mermaid flowchart: each ring in its namespace (least conservative first) with what
 * it runs ahead of the base ring, the promotion path with each step's soak, the shared layer and the
 * externally run services in the home namespace, and the aliases every other ring reaches them by.
 */
export function statusMermaid(m: StatusMatrix): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
  const id = (ring: string) => `ring_${safe(ring)}`;
  const nsId = (ns: string) => `ns_${safe(ns)}`;
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const service = (s: StatusSharedService) => `${s.name} :${s.port}${s.host ? ` · ${s.host}` : ''}`;
  const lines = ['```mermaid', 'flowchart LR'];
  const byOrderDesc = [...m.rings].sort((a, b) => b.promotionOrder - a.promotionOrder);
  const home = m.rings.find((r) => r.ring === m.home);
  const aliased = m.shared.length + m.external.length;
  if (m.clusters) return clusterMermaid(m, byOrderDesc, lines);
  for (const r of byOrderDesc) {
    const isHome = r.ring === m.home;
    const ahead = m.modules.filter((row) => row.ahead.includes(r.ring)).map((row) => `${row.module} ${row.versions[r.ring]}`);
    const flags = [r.default ? 'default' : '', r.active ? '' : 'inactive'].filter(Boolean);
    const head = `<b>${r.ring}</b>${flags.length ? ` (${flags.join(', ')})` : ''}<br/>order ${r.promotionOrder} · soak ${r.soak} · ${plural(r.tenants, 'tenant')}`;
    const body = r.ring === m.base ? 'baseline' : ahead.length ? ahead.join('<br/>') : `same as ${m.base}`;
    lines.push(`  subgraph ${nsId(r.namespace)}["${mermaidText(`namespace ${r.namespace}${isHome ? ' (home)' : ''}`)}"]`);
    lines.push(`    ${id(r.ring)}["${mermaidText(`${head}<br/>${body}`)}"]`);
    if (isHome && m.shared.length) lines.push(`    shared_layer["${mermaidText(['<b>shared layer</b>', ...m.shared.map(service)].join('<br/>'))}"]`);
    if (isHome && m.external.length) lines.push(`    shared_external["${mermaidText(['<b>run by others</b>', ...m.external.map(service)].join('<br/>'))}"]`);
    lines.push('  end');
  }
  const path = byOrderDesc.filter((r) => r.active);
  for (let i = 0; i + 1 < path.length; i++) lines.push(`  ${id(path[i].ring)} -->|"${mermaidText(`soak ${path[i].soak}`)}"| ${id(path[i + 1].ring)}`);
  if (home && aliased) {
    for (const r of byOrderDesc.filter((x) => x.ring !== m.home)) lines.push(`  ${id(r.ring)} -.->|"${plural(aliased, 'alias', 'aliases')}"| ${nsId(home.namespace)}`);
  }
  for (const r of byOrderDesc.filter((x) => !x.active)) lines.push(`  style ${id(r.ring)} stroke-dasharray: 5 5`);
  lines.push('```');
  return `${lines.join('\n')}\n`;
}

/**
 * `statusMermaid` with [clusters]: each cluster a subgraph holding its rings' namespaces (two clusters
 * may each have a namespace of one name), and the rings of the other clusters reaching the home
 * namespace through aliases to the shared services' remote_host.
 */
function clusterMermaid(m: StatusMatrix, byOrderDesc: StatusMatrix['rings'], lines: string[]): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
  const id = (ring: string) => `ring_${safe(ring)}`;
  const nsId = (cluster: string, ns: string) => `ns_${safe(cluster)}_${safe(ns)}`;
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const service = (s: StatusSharedService) => `${s.name} :${s.port}${s.host ? ` · ${s.host}` : ''}`;
  const home = m.rings.find((r) => r.ring === m.home)!;
  const homeCluster = home.cluster!;
  const aliased = m.shared.length + m.external.length;
  for (const cluster of m.clusters!) {
    const rings = byOrderDesc.filter((r) => r.cluster === cluster);
    lines.push(`  subgraph cluster_${safe(cluster)}["${mermaidText(`cluster ${cluster}${cluster === homeCluster ? ' (home)' : ''}`)}"]`);
    for (const r of rings) {
      const isHome = r.ring === m.home;
      const ahead = m.modules.filter((row) => row.ahead.includes(r.ring)).map((row) => `${row.module} ${row.versions[r.ring]}`);
      const flags = [r.default ? 'default' : '', r.active ? '' : 'inactive'].filter(Boolean);
      const head = `<b>${r.ring}</b>${flags.length ? ` (${flags.join(', ')})` : ''}<br/>order ${r.promotionOrder} · soak ${r.soak} · ${plural(r.tenants, 'tenant')}`;
      const body = r.ring === m.base ? 'baseline' : ahead.length ? ahead.join('<br/>') : `same as ${m.base}`;
      lines.push(`    subgraph ${nsId(cluster, r.namespace)}["${mermaidText(`namespace ${r.namespace}${isHome ? ' (home)' : ''}`)}"]`);
      lines.push(`      ${id(r.ring)}["${mermaidText(`${head}<br/>${body}`)}"]`);
      if (isHome && m.shared.length) lines.push(`      shared_layer["${mermaidText(['<b>shared layer</b>', ...m.shared.map(service)].join('<br/>'))}"]`);
      if (isHome && m.external.length) lines.push(`      shared_external["${mermaidText(['<b>run by others</b>', ...m.external.map(service)].join('<br/>'))}"]`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  const path = byOrderDesc.filter((r) => r.active);
  for (let i = 0; i + 1 < path.length; i++) lines.push(`  ${id(path[i].ring)} -->|"${mermaidText(`soak ${path[i].soak}`)}"| ${id(path[i + 1].ring)}`);
  if (aliased) {
    for (const r of byOrderDesc.filter((x) => x.ring !== m.home)) {
      const how = r.cluster === homeCluster ? plural(aliased, 'alias', 'aliases') : `${plural(aliased, 'alias', 'aliases')} · remote_host`;
      lines.push(`  ${id(r.ring)} -.->|"${how}"| ${nsId(homeCluster, home.namespace)}`);
    }
  }
  for (const r of byOrderDesc.filter((x) => !x.active)) lines.push(`  style ${id(r.ring)} stroke-dasharray: 5 5`);
  lines.push('```');
  return `${lines.join('\n')}\n`;
}

export const status: Command = {
  name: 'status',
  summary: 'the module × ring matrix of pinned versions, marking what runs ahead of the most conservative ring',
  usage: 'rings status [--mermaid | --html FILE] [--json] [--registry DIR]',
  help: [
    'A version marked * differs from the most conservative active ring (stable). --mermaid prints the ring layout as a Mermaid flowchart for pull requests and docs: each ring in its namespace with what it runs ahead of stable, the promotion path, the shared services in the home namespace and the aliases the other rings reach them by.',
    '--html FILE writes one self-contained HTML page (inline CSS, no script, nothing loaded from anywhere; - for stdout): the rings in',
    'promotion order (with the cluster each runs on where [clusters] exists), and for each step what the less conservative ring runs',
    'ahead of the next: soak remaining, the last verify and its metric values, the approval present or missing, what the gates say',
    'now, and the exact rings promote line. The same registry, history and clock (RINGS_NOW) give the same bytes.',
  ].join('\n'),
  positionals: [],
  flags: { json: 'boolean', mermaid: 'boolean', html: 'string' },
  run(ctx, args) {
    const html = stringFlag(args, 'html');
    if (html !== undefined) {
      if (boolFlag(args, 'mermaid') || ctx.json) throw new UsageError('--html writes the page; it does not go with --mermaid or --json', 'rings status [--mermaid | --html FILE] [--json] [--registry DIR]');
      return writeHtml(ctx, html);
    }
    const m = statusMatrix(loadAll(ctx.registry).registry);
    if (ctx.json) {
      ctx.io.stdout(json(m));
      return 0;
    }
    if (boolFlag(args, 'mermaid')) {
      ctx.io.stdout(statusMermaid(m));
      return 0;
    }
    const c = ctx.c;
    // With [clusters]: where each ring runs, above its versions.
    const where = m.clusters ? [['CLUSTER', ...m.rings.map((r) => c.dim(r.cluster!))]] : [];
    const rows = m.modules.map((row) => [
      row.module,
      ...m.rings.map((r) => {
        const v = row.versions[r.ring];
        if (v === null) return c.dim('-');
        return row.ahead.includes(r.ring) ? c.yellow(`${v} *`) : v;
      }),
    ]);
    ctx.io.stdout(table([['MODULE', ...m.rings.map((r) => (r.active ? r.ring : `${r.ring} (inactive)`))], ...where, ...rows], c.dim));
    const short = (ref: string) => {
      const { repository, tag, digest } = parseImageReference(ref);
      return `${repository.split('/').pop()}${tag ? `:${tag}` : ''}${digest ? `@${digest.slice(0, 15)}…` : ''}`;
    };
    const imageRows = m.images.map((row) => [
      `image ${row.component}`,
      ...m.rings.map((r) => (row.ahead.includes(r.ring) ? c.yellow(`${short(row.refs[r.ring])} *`) : short(row.refs[r.ring]))),
    ]);
    ctx.io.stdout(`\n${table([['IMAGE', ...m.rings.map((r) => r.ring)], ...imageRows], c.dim)}`);
    const ahead = m.modules.filter((r) => r.ahead.length).length;
    const imagesAhead = m.images.filter((r) => r.ahead.length).length;
    ctx.io.stdout(`\n* differs from ${m.base}; ${ahead} of ${m.modules.length} modules and ${imagesAhead} of ${m.images.length} images differ somewhere\n`);
    return 0;
  },
};

/**
 * The page's gates and approvals are asked exactly as `rings promote` asks them: the single promote's
 * planners, with the approval gate's status. Who promotes is not known here, so the approval is
 * looked for from any approver (the promote itself still refuses an approver who promotes).
 */
function writeHtml(ctx: Ctx, file: string): number {
  const loaded = loadAll(ctx.registry);
  const env: ApprovalEnv = { registry: ctx.registry, now: ctx.now, promoters: () => ['(whoever promotes)'] };
  const candidateOf = (item: TrainItem) => (item.kind === 'module' ? moduleCandidate(item.module, item.version, item.sha256) : imageCandidate(item.component, item.ref));
  const gates = (item: TrainItem): PageGates => {
    const o = { from: item.from, to: item.to, reason: null, emergency: false, approval: env };
    try {
      const m = item.kind === 'module' ? planModulePromotion(ctx, loaded, { ...o, module: item.module }) : planImagePromotion(ctx, loaded, { ...o, component: item.component });
      return 'nothing' in m ? { ok: false, refused: [], problem: m.nothing } : { ok: true, refused: [] };
    } catch (e) {
      if (e instanceof GateRefusal) return { ok: false, refused: e.refused.map((r) => ({ gate: r.gate, message: r.message })) };
      if (e instanceof CliError) return { ok: false, refused: [], problem: e.message };
      throw e;
    }
  };
  const approval = (item: TrainItem): PageApproval => approvalView(env, loaded, item, candidateOf(item));
  const page = statusPage(loaded.registry, loaded.history, ctx.now, { gates, approval });
  const text = renderStatusHtml(page);
  if (file === '-') {
    ctx.io.stdout(text);
    return 0;
  }
  writeFileAtomic(path.resolve(file), text);
  const n = page.steps.reduce((k, s) => k + s.candidates.length, 0);
  ctx.io.stdout(`wrote ${file}: ${page.rings.length} rings, ${n} candidate${n === 1 ? '' : 's'} as of ${page.at}\n`);
  return 0;
}

function approvalView(env: ApprovalEnv, loaded: LoadedRegistry, item: TrainItem, candidate: ReturnType<typeof moduleCandidate>): PageApproval {
  const s = approvalFor(env, loaded, { candidate, from: item.from, to: item.to });
  const command = approveCommand(candidate, item.to, item.from);
  if (s.state === 'not-required') return { state: 'not-required' };
  if (s.state === 'unverifiable') return { state: 'unverifiable', detail: s.reason, command };
  if (s.state === 'approved') return { state: 'present', approver: s.approval!.approver, commit: s.approval!.commit, approvedAt: s.approval!.approvedAt };
  const why = s.rejected.length ? `none of ${s.rejected.length} approval commit${s.rejected.length === 1 ? '' : 's'} counts (latest: ${s.rejected[0].reason})` : 'no approval commit names it';
  return { state: 'missing', detail: why, command };
}
