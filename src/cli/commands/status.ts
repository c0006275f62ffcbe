import type { Registry } from '../../registry/load';
import { boolFlag } from '../args';
import { Command, loadAll } from '../context';
import { json, table } from '../output';
import { parseImageReference, ringImages, RING_IMAGE_COMPONENTS } from '../../model/images';

export interface StatusRing {
  readonly ring: string;
  readonly promotionOrder: number;
  readonly active: boolean;
  readonly soak: string;
  readonly tenants: number;
}

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

export interface StatusMatrix {
  /** The most conservative active ring, which the others are compared with. */
  readonly base: string;
  /** Most conservative first. */
  readonly rings: readonly StatusRing[];
  readonly modules: readonly StatusRow[];
  /** The ring images, next to the modules: a new build reaches one ring at a time too. */
  readonly images: readonly StatusImageRow[];
  /** ring → its lock's form (flat, or AutoCom's with a sha256 per module). */
  readonly lockFormats: Readonly<Record<string, string>>;
}

/** The module × ring matrix, pure. */
export function statusMatrix(reg: Registry): StatusMatrix {
  const rings = reg.rings.map((r) => ({
    ring: r.spec.name,
    promotionOrder: r.spec.promotion_order,
    active: r.spec.active,
    soak: r.spec.soak,
    tenants: Object.values(reg.tenants).filter((t) => t === r.spec.name).length,
  }));
  const base = (rings.find((r) => r.active) ?? rings[0]).ring;
  const modules = [...new Set(rings.flatMap((r) => Object.keys(reg.locks[r.ring]?.modules ?? {})))].sort();
  const images = RING_IMAGE_COMPONENTS.map((component) => {
    const refs: Record<string, string> = {};
    for (const r of reg.rings) refs[r.spec.name] = ringImages(reg.platform.images, r.spec.images)[component];
    return { component, refs, ahead: rings.filter((r) => r.ring !== base && refs[r.ring] !== refs[base]).map((r) => r.ring) };
  });
  return {
    base,
    rings,
    images,
    lockFormats: Object.fromEntries(rings.map((r) => [r.ring, reg.locks[r.ring]?.format ?? 'flat'])),
    modules: modules.map((m) => {
      const versions: Record<string, string | null> = {};
      for (const r of rings) versions[r.ring] = reg.locks[r.ring]?.modules[m] ?? null;
      return { module: m, versions, ahead: rings.filter((r) => r.ring !== base && versions[r.ring] !== null && versions[r.ring] !== versions[base]).map((r) => r.ring) };
    }),
  };
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;');

/** The rings and the promotion path, with what each ring runs ahead of the base ring, as a Mermaid flowchart. */
export function statusMermaid(m: StatusMatrix): string {
  const id = (ring: string) => `ring_${ring.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const lines = ['```mermaid', 'flowchart LR'];
  const byOrderDesc = [...m.rings].sort((a, b) => b.promotionOrder - a.promotionOrder);
  for (const r of byOrderDesc) {
    const ahead = m.modules.filter((row) => row.ahead.includes(r.ring)).map((row) => `${row.module} ${row.versions[r.ring]}`);
    const head = `<b>${r.ring}</b>${r.active ? '' : ' (inactive)'}<br/>order ${r.promotionOrder} · soak ${r.soak} · ${r.tenants} tenant${r.tenants === 1 ? '' : 's'}`;
    const body = r.ring === m.base ? 'baseline' : ahead.length ? ahead.join('<br/>') : `same as ${m.base}`;
    lines.push(`  ${id(r.ring)}["${mermaidText(`${head}<br/>${body}`)}"]`);
  }
  const path = byOrderDesc.filter((r) => r.active);
  for (let i = 0; i + 1 < path.length; i++) lines.push(`  ${id(path[i].ring)} -->|"soak ${path[i].soak}"| ${id(path[i + 1].ring)}`);
  for (const r of byOrderDesc.filter((x) => !x.active)) lines.push(`  style ${id(r.ring)} stroke-dasharray: 5 5`);
  lines.push('```');
  return `${lines.join('\n')}\n`;
}

export const status: Command = {
  name: 'status',
  summary: 'the module × ring matrix of pinned versions, marking what runs ahead of the most conservative ring',
  usage: 'rings status [--mermaid] [--json] [--registry DIR]',
  help: 'A version marked * differs from the most conservative active ring (stable). --mermaid prints the rings and the promotion path as a Mermaid diagram for pull requests and docs.',
  positionals: [],
  flags: { json: 'boolean', mermaid: 'boolean' },
  run(ctx, args) {
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
    const rows = m.modules.map((row) => [
      row.module,
      ...m.rings.map((r) => {
        const v = row.versions[r.ring];
        if (v === null) return c.dim('-');
        return row.ahead.includes(r.ring) ? c.yellow(`${v} *`) : v;
      }),
    ]);
    ctx.io.stdout(table([['MODULE', ...m.rings.map((r) => (r.active ? r.ring : `${r.ring} (inactive)`))], ...rows], c.dim));
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
