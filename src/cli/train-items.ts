/**
 * A release train's items: every module pin and ring image where one ring differs from the next
 * more conservative one, i.e. what `rings promote --all --from R1 --to R2` promotes as one unit and
 * `rings approve --all --from R1 --to R2` approves in one signed commit. Pure, deterministic order:
 * modules by alias, then images in component order (api, horizon, nginx).
 */
import { ringImages, RING_IMAGE_COMPONENTS, RingImageComponent } from '../model/images';
import type { Registry } from '../registry/load';

export type TrainItem =
  | {
      readonly kind: 'module';
      /** The module alias (the history subject). */
      readonly name: string;
      readonly subject: string;
      /** What the source ring pins (the candidate). */
      readonly version: string;
      readonly sha256: string | null;
      /** What the destination pins now (null: not pinned). */
      readonly current: string | null;
      readonly currentSha256: string | null;
    }
  | {
      readonly kind: 'image';
      readonly name: RingImageComponent;
      /** `image:<component>`. */
      readonly subject: string;
      /** The image the source ring runs (the candidate). */
      readonly version: string;
      /** The image the destination runs now. */
      readonly current: string;
    };

/**
 * Every item where `from` differs from `to`. A module pinned only in `to` is no item (a promotion
 * never removes a pin). horizon is an item only where either ring pins it itself: otherwise it runs
 * each ring's api image and moves with the api item.
 */
export function trainItems(registry: Registry, from: string, to: string): TrainItem[] {
  const src = registry.locks[from];
  const dst = registry.locks[to];
  const items: TrainItem[] = [];
  if (src && dst) {
    const compareHashes = src.format === 'autocom' && dst.format === 'autocom';
    for (const name of Object.keys(src.modules).sort()) {
      const version = src.modules[name];
      const sha256 = src.hashes?.[name] ?? null;
      const current = dst.modules[name] ?? null;
      const currentSha256 = dst.hashes?.[name] ?? null;
      if (current === version && (!compareHashes || currentSha256 === sha256)) continue;
      items.push({ kind: 'module', name, subject: name, version, sha256, current, currentSha256 });
    }
  }
  const ringOf = (n: string) => registry.rings.find((r) => r.spec.name === n)?.spec;
  const a = ringOf(from);
  const b = ringOf(to);
  if (a && b) {
    const ia = ringImages(registry.platform.images, a.images);
    const ib = ringImages(registry.platform.images, b.images);
    for (const c of RING_IMAGE_COMPONENTS) {
      if (ia[c] === ib[c]) continue;
      if (c === 'horizon' && a.images?.horizon === undefined && b.images?.horizon === undefined) continue;
      items.push({ kind: 'image', name: c, subject: `image:${c}`, version: ia[c], current: ib[c] });
    }
  }
  return items;
}
