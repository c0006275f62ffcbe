/** `rings promote image` and `rings rollback image`: a ring's api, horizon or nginx image, pinned in its ring file. */
import * as path from 'path';
import { imagePinProblem, RING_IMAGE_COMPONENTS, RingImageComponent, RingImagePins } from '../../model/images';
import { ringImagesOf } from '../../registry/schema/presets';
import { parseToml } from '../../registry/toml';
import { UsageError } from '../args';
import { CliError, GateRefusal, gateRings, LoadedRegistry, ringByName, SingleMutation } from '../context';
import { analysisGates } from '../../operate/analysis-gate';
import { verifiedGate } from '../../operate/evidence-gate';
import { decide, entryGate, GateResult, orderGate, soakGate } from '../../operate/gates';
import { imageSubject, promotionEvidence, rollbackPlan } from '../../operate/history';
import { setTableString } from '../../registry/edit/toml-table-edit';
import { approvalGate, ApprovalEnv } from '../approval-gate';
import { imageCandidate } from '../../operate/approvals';

export function imageComponent(c: string): RingImageComponent {
  if (!(RING_IMAGE_COMPONENTS as readonly string[]).includes(c)) throw new UsageError(`unknown image component "${c}" (components: ${RING_IMAGE_COMPONENTS.join(', ')})`);
  return c as RingImageComponent;
}

/** The image a ring renders for a component (its own pin, else the platform default). */
export function effectiveImage(loaded: LoadedRegistry, ring: string, c: RingImageComponent): string {
  const r = loaded.registry.rings.find((x) => x.spec.name === ring)!;
  return ringImagesOf(loaded.registry.platform, r.spec)[c];
}

/** The ring's own pin (undefined when it takes the platform default). */
function ownPin(loaded: LoadedRegistry, ring: string, c: RingImageComponent): string | undefined {
  return (loaded.registry.rings.find((x) => x.spec.name === ring)!.spec.images as RingImagePins | undefined)?.[c];
}

/** Sets the ring file's `[images] <component>` line; re-read to prove it means exactly that. */
function editRingImage(loaded: LoadedRegistry, shownDir: string, ring: string, c: RingImageComponent, ref: string | null): { rel: string; text: string } {
  const rel = `${ring}.toml`;
  const before = loaded.sources.get(rel);
  if (before === undefined) throw new CliError(`${path.join(shownDir, rel)}: expected the ring file, found none`);
  const text = setTableString(before, 'images', c, ref);
  const parsed = parseToml(text);
  const got = parsed.ok ? ((parsed.value.images as Record<string, unknown> | undefined)?.[c] ?? null) : undefined;
  if (got !== ref) throw new CliError(`could not edit ${path.join(shownDir, rel)} safely (its [images] table is not in the one-line-per-key form); edit it by hand`);
  return { rel, text };
}

export interface ImagePromotion {
  readonly component: string;
  readonly from?: string;
  readonly to: string;
  readonly withImage?: string;
  readonly reason: string | null;
  readonly emergency: boolean;
  /** The approval gate's inputs; without it the gate is not run (`rings approve` plans the promotion it approves). */
  readonly approval?: ApprovalEnv;
}

export function planImagePromotion(ctx: { registry: string; now: Date }, loaded: LoadedRegistry, o: ImagePromotion): SingleMutation | { nothing: string } {
  const c = imageComponent(o.component);
  const { registry, history } = loaded;
  const rings = gateRings(registry);
  const dest = ringByName(registry, o.to);
  const subject = imageSubject(c);
  let ref: string;
  let results: GateResult[];
  if (o.from !== undefined) {
    const src = ringByName(registry, o.from);
    ref = effectiveImage(loaded, o.from, c);
    results = [orderGate(rings, src, dest), soakGate(history, subject, src, ref, ctx.now)];
    if (src.requireVerified) results.push(verifiedGate(history, subject, src, ref, ctx.now, { label: `image ${c}`, seen: (e) => e.images?.[c] }));
    results.push(...analysisGates(registry, history, subject, o.from, ref, ctx.now, { label: `image ${c}`, seen: (e) => e.images?.[c] }));
  } else {
    const problem = imagePinProblem(o.withImage!);
    if (problem) throw new CliError(`invalid image reference ${JSON.stringify(o.withImage)}: ${problem}`);
    ref = o.withImage!;
    results = [entryGate(rings, dest, '--with-image')];
  }
  const previous = ownPin(loaded, o.to, c) ?? null;
  if (effectiveImage(loaded, o.to, c) === ref && previous !== null) return { nothing: `${o.to} already runs ${c} ${ref}; nothing changed` };
  // approval gate (approval-gate.ts): into a ring with require_approval = true
  const approval = o.approval && approvalGate(o.approval, loaded, { candidate: imageCandidate(c, ref), from: o.from ?? null, to: o.to, others: results, emergency: o.emergency });
  if (approval) results.push(approval);
  const outcome = decide(results, o.emergency);
  if (outcome.refusal) throw new GateRefusal(results.filter((r) => !r.ok));
  const { rel, text } = editRingImage(loaded, ctx.registry, o.to, c, ref);
  const describe = [`${path.join(ctx.registry, rel)}: [images] ${c} ${previous ?? `(platform default ${effectiveImage(loaded, o.to, c)})`} → ${ref}`];
  for (const r of results) describe.push(`  gate ${r.gate}: ${r.ok ? 'passed' : 'WAIVED (--emergency)'}: ${r.message}`);
  describe.push(`  rolls ${c === 'nginx' ? 'nginx' : c} in ${o.to} (namespace ${registry.rings.find((r) => r.spec.name === o.to)!.spec.namespace}) only`);
  return {
    files: { [rel]: text },
    entry: { action: 'promote', image: c, from: o.from ?? null, to: o.to, previous, new: ref, reason: o.reason, gates_checked: outcome.checked, gates_waived: outcome.waived, rollback_target: previous, evidence: promotionEvidence(results, history, subject, o.from, ref) },
    describe,
  };
}

export function planImageRollback(ctx: { registry: string }, loaded: LoadedRegistry, component: string, ring: string, reason: string | null): SingleMutation {
  const c = imageComponent(component);
  ringByName(loaded.registry, ring);
  const current = ownPin(loaded, ring, c);
  const plan = rollbackPlan(loaded.history, imageSubject(c), ring, current);
  if (!plan.ok) throw new CliError(`refused: ${plan.message}`);
  const { rel, text } = editRingImage(loaded, ctx.registry, ring, c, plan.target);
  return {
    files: { [rel]: text },
    entry: { action: 'rollback', image: c, from: null, to: ring, previous: current ?? null, new: plan.target, reason, gates_checked: [], gates_waived: [] },
    describe: [
      `${path.join(ctx.registry, rel)}: [images] ${c} ${current} → ${plan.target ?? '(removed: the platform default)'}`,
      `  undoing the promotion of ${plan.undoing.time} by ${plan.undoing.actor}${plan.undoing.reason ? ` (${plan.undoing.reason})` : ''}`,
    ],
  };
}
