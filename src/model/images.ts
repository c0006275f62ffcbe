/**
 * Ring images: each ring pins its own api, horizon and nginx images (its ring file's `[images]`),
 * so a new build reaches one ring at a time; `platform.toml`'s `[images]` is the default a ring
 * without its own pin (and a new ring, `rings ring add`) starts from. The shared layer's images stay
 * platform-level: it runs once.
 */

/** The components of the Octane preset; a platform of any components (`preset = "none"`) names its own. */
export const RING_IMAGE_COMPONENTS = ['api', 'horizon', 'nginx'] as const;
/** A component whose image a ring pins: one of the Octane three, or any declared component's name. */
export type RingImageComponent = string;

export interface RingImagePins {
  readonly api?: string;
  /** @default the api image of the same ring (horizon runs the same Octane build) */
  readonly horizon?: string;
  readonly nginx?: string;
  readonly [component: string]: string | undefined;
}

/** The image of each component a ring runs. */
export type RingImages = Readonly<Record<string, string>>;

/**
 * What a ring renders: its own pin per component, else the platform default. Without `components`
 * (the Octane preset) horizon follows the ring's api; with them, every component stands alone.
 */
export function ringImages(platform: RingImagePins, ring: RingImagePins = {}, components?: readonly string[]): RingImages {
  if (components) return Object.fromEntries(components.map((c) => [c, (ring[c] ?? platform[c])!]));
  const api = (ring.api ?? platform.api)!;
  return {
    api,
    horizon: (ring.horizon ?? (ring.api !== undefined ? ring.api : (platform.horizon ?? platform.api)))!,
    nginx: (ring.nginx ?? platform.nginx)!,
  };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** The parts of an image reference: `repo[:tag][@sha256:…]`. */
export function parseImageReference(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  return { repository: colon < 0 ? name : name.slice(0, colon), ...(colon < 0 ? {} : { tag: name.slice(colon + 1) }), ...(digest === undefined ? {} : { digest }) };
}

/**
 * An image reference is pinned: a tag other than `latest`, or a digest, or both
 * (`repo:tag@sha256:…`). Returns the problem, or undefined.
 */
export function imagePinProblem(ref: string): string | undefined {
  const { repository, tag, digest } = parseImageReference(ref);
  if (!repository || /\s/.test(ref)) return 'expected an image reference such as registry.example/app:1.2.3';
  if (digest !== undefined && !DIGEST.test(digest)) return 'expected a digest of the form sha256:<64 lower-case hex characters> after @';
  if (tag !== undefined) {
    if (tag === 'latest') return 'expected an image pinned by a tag other than latest, or a digest';
    if (!TAG.test(tag)) return 'expected a valid image tag';
  }
  if (tag === undefined && digest === undefined) return 'expected an image pinned by a tag or a digest (without a tag it floats to latest)';
  return undefined;
}

/** With `require_digests = true`: a reference without a digest (tag-only) is refused. */
export function hasDigest(ref: string): boolean {
  return parseImageReference(ref).digest !== undefined;
}
