/**
 * What a release train carries: `rings promote --all --from R1 --to R2` (and `rings approve --all
 * --from R1 --to R2`) act on every module pin and every ring image where R1 differs from R2. Pure:
 * the registry in, the list out, in a fixed order (modules by name, then api, horizon, nginx).
 *
 * - A module is carried when R1 pins it and R2 does not pin the same version (or, when both locks are
 *   in AutoCom's form, the same sha256). A module R2 pins and R1 does not is left alone: a promotion
 *   never unpins (`left` lists them, for the output).
 * - An image component is carried when the image R2 would run after the train differs from the one R1
 *   runs. horizon runs its ring's api image unless pinned on its own, so promoting api usually carries
 *   horizon with it, and horizon is an item of its own only when it would still differ.
 */
import type { Registry } from '../registry/load';
import { parseImageReference, ringImages, RingImageComponent, RingImagePins } from '../model/images';
import { componentNames } from '../registry/schema/presets';

interface TrainItemBase {
  /** The history subject: the module alias, or `image:<component>`. */
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  /** What the item promotes, for messages: `orders 1.6.1`, `image api registry.example/api:1.2@sha256:…`. */
  readonly label: string;
  /** The single promotion doing the same: `rings promote orders --from canary --to edge`. */
  readonly command: string;
}

export interface ModuleTrainItem extends TrainItemBase {
  readonly kind: 'module';
  readonly module: string;
  /** The version R1 pins: what R2 will pin. */
  readonly version: string;
  /** R1's sha256 for it (AutoCom's lock form), when it has one. */
  readonly sha256?: string;
  /** R2's pin before the train (null: not pinned): the rollback target. */
  readonly previous: string | null;
  readonly previousSha256?: string | null;
}

export interface ImageTrainItem extends TrainItemBase {
  readonly kind: 'image';
  readonly component: RingImageComponent;
  /** The image R1 runs: what R2 will pin. */
  readonly ref: string;
  /** Its digest (`sha256:…`), when the reference carries one: the candidate's identity. */
  readonly digest?: string;
  /** R2's own pin before the train (null: it ran the platform default): the rollback target. */
  readonly previous: string | null;
  /** The image R2 ran before the train (its pin or the platform default). */
  readonly previousEffective: string;
}

export type TrainItem = ModuleTrainItem | ImageTrainItem;

export interface TrainContents {
  readonly from: string;
  readonly to: string;
  readonly items: readonly TrainItem[];
  /** Modules R2 pins and R1 does not: not carried (a promotion never unpins). */
  readonly left: readonly string[];
}

/** The ring's own `[images]` pins. */
function pins(reg: Registry, ring: string): RingImagePins {
  return (reg.rings.find((r) => r.spec.name === ring)?.spec.images as RingImagePins | undefined) ?? {};
}

/** Every item a train from `from` to `to` carries. Both rings must exist in `reg`. */
export function trainItems(reg: Registry, from: string, to: string): TrainContents {
  const src = reg.locks[from];
  const dst = reg.locks[to];
  const items: TrainItem[] = [];
  const both = src?.format === 'hashed' && dst?.format === 'hashed';
  for (const module of Object.keys(src?.modules ?? {}).sort()) {
    const version = src.modules[module];
    const sha256 = src.hashes?.[module];
    const previous = dst?.modules[module] ?? null;
    const previousSha256 = dst?.format === 'hashed' ? (dst.hashes?.[module] ?? null) : undefined;
    if (previous === version && (!both || previousSha256 === sha256)) continue;
    items.push({
      kind: 'module',
      subject: module,
      module,
      from,
      to,
      version,
      ...(sha256 !== undefined ? { sha256 } : {}),
      previous,
      ...(previousSha256 !== undefined ? { previousSha256 } : {}),
      label: `${module} ${version}`,
      command: `rings promote ${module} --from ${from} --to ${to}`,
    });
  }
  const left = Object.keys(dst?.modules ?? {})
    .filter((m) => src?.modules[m] === undefined)
    .sort();

  const platform = reg.platform.images;
  const components = reg.platform.preset === 'none' ? componentNames(reg.platform) : undefined;
  const srcImages = ringImages(platform, pins(reg, from), components);
  const dstPins = pins(reg, to);
  const dstImages = ringImages(platform, dstPins, components);
  // What R2 runs after the items before it are applied (horizon follows api).
  let after: RingImagePins = { ...dstPins };
  for (const component of componentNames(reg.platform)) {
    const ref = srcImages[component];
    if (ringImages(platform, after, components)[component] === ref) continue;
    after = { ...after, [component]: ref };
    const { digest } = parseImageReference(ref);
    items.push({
      kind: 'image',
      subject: `image:${component}`,
      component,
      from,
      to,
      ref,
      ...(digest !== undefined ? { digest } : {}),
      previous: dstPins[component] ?? null,
      previousEffective: dstImages[component],
      label: `image ${component} ${ref}`,
      command: `rings promote image ${component} --from ${from} --to ${to}`,
    });
  }
  return { from, to, items, left };
}
