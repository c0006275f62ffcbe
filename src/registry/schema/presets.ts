/**
 * A platform of any components (`preset = "none"` in platform.toml): `[components.<name>]` declares
 * each component the rings run, with any DNS-1035 name, its image, port, probe and command; `entry`
 * names the one the tenant hosts route to. None of the Octane preset's rules apply (no nginx image
 * rule, no Laravel folders, no module-count memory rule, no `/api/health`). The other tables of
 * platform.toml and of a ring file are the same as for an Octane platform.
 */
import { z } from 'zod';
import { isDns1035Label } from '../../model/kubernetes-names';
import { ringImages, RingImages, RING_IMAGE_COMPONENTS } from '../../model/images';
import { absolutePath, image, initDirs, OctanePlatformFile, OctaneRingFile, platformSchema, resources, ringComponent, ringSchema, says, serviceName, wholeNumber, escapeHatches } from './schema';

/** Probe of a component: an HTTP GET of `probe_path`, or `probe_command` run in the container, else a TCP connect on `port`. */
export const componentTable = z
  .object({
    /** Container port; a Service is made when set. @default none (no Service; cannot be the entry) */
    port: wholeNumber(1, 65535).optional(),
    /** Port the Service exposes. @default port */
    service_port: wholeNumber(1, 65535).optional(),
    /** HTTP probe path on `port`. @default none (a TCP probe on `port`, or probe_command) */
    probe_path: z.string(says('expected an HTTP path such as "/healthz"')).regex(/^\/\S*$/, 'expected an HTTP path starting with /').optional(),
    /** Command run in the container as its probe (exit 0 = healthy). @default none */
    probe_command: z.array(z.string(says('expected a string')), says('expected a command: an array of strings')).nonempty('expected at least the program to run').optional(),
    /** @default the image's entrypoint */
    command: z.array(z.string(says('expected a string')), says('expected a command: an array of strings')).optional(),
    /** @default the image's arguments */
    args: z.array(z.string(says('expected a string')), says('expected arguments: an array of strings')).optional(),
    /** @default 1000 */
    run_as_user: wholeNumber(1).default(1000),
    /** Paths the image writes to; each gets an emptyDir, the rest of the root filesystem is read-only. @default ["/tmp"] */
    writable_paths: z.array(absolutePath).default(['/tmp']),
    /** Folders to create inside the writable paths before the component starts. @default [] */
    init_dirs: initDirs.optional(),
    /** The other components that may call this one on its port (the entry is also reachable from the ingress controller). @default [] */
    reachable_from: z.array(serviceName('a component name')).default([]),
    /** Lets running work finish before the pod is killed, in seconds. @default 30 */
    termination_grace_seconds: wholeNumber(1, 3600).default(30),
    ...escapeHatches,
  })
  .merge(resources)
  .strict()
  .superRefine((c, ctx) => {
    if (c.probe_path !== undefined && c.probe_command !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['probe_command'], message: 'expected probe_path or probe_command, not both' });
    if (c.port === undefined && c.probe_command === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['probe_command'], message: 'expected a probe: a component without a port needs probe_command' });
    if (c.port === undefined && c.probe_path !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['probe_path'], message: 'expected a port: an HTTP probe needs the port it is served on' });
  });

/** `[components]`: component name → its table; names are DNS-1035 labels (they name Deployments and Services). */
const componentsTable = z
  .record(componentTable)
  .superRefine((m, ctx) => {
    const names = Object.keys(m);
    if (!names.length) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected at least one component ([components.<name>])' });
    for (const name of names) {
      if (!isDns1035Label(name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `expected a component name: a DNS-1035 label (starts with a letter; lower-case letters, digits and '-', at most 63), got ${JSON.stringify(name.slice(0, 64))}` });
      }
    }
  });

/** `rings/platform.toml` with `preset = "none"`. */
export const componentsPlatformSchema = platformSchema
  .omit({ preset: true, images: true, components: true, memory: true })
  .extend({
    preset: z.literal('none'),
    /** The component the tenant hosts route to (its Service backs every ring's Ingress or HTTPRoute); it needs a port. */
    entry: serviceName('the entry component (the one the tenant hosts route to)'),
    /** The default image of each component: what a ring without its own `[images]` pin runs. */
    images: z.record(image('the image')),
    components: componentsTable,
  })
  .strict();

/** A ring file of a platform with `preset = "none"`: replicas, images and overrides by component name. */
export const componentsRingSchema = ringSchema
  .extend({
    /** Replicas of each component (every component of platform.toml, by name). */
    replicas: z.record(wholeNumber(0)),
    /** The images this ring runs; a component not pinned takes platform.toml's `[images]` default. @default platform.toml's [images] */
    images: z.record(image('the image')).optional(),
    /** Per-ring overrides of a component's escape hatches and resources. @default {} */
    components: z.record(ringComponent).default({}),
  })
  .strict();

export type ComponentTable = z.infer<typeof componentTable>;
export type ComponentsPlatformFile = z.infer<typeof componentsPlatformSchema>;
export type ComponentsRingFile = z.infer<typeof componentsRingSchema>;

/** platform.toml, of either preset; `preset` tells which. */
export type PlatformFile = OctanePlatformFile | ComponentsPlatformFile;
/** A ring file; its platform's preset tells which shape it has. */
export type RingFile = OctaneRingFile | ComponentsRingFile;

/** The schema a platform.toml is read with: by its `preset` (anything but "none" is read as Octane, whose schema refuses a wrong value). */
export function platformSchemaFor(raw: unknown): z.ZodTypeAny {
  const preset = typeof raw === 'object' && raw !== null ? (raw as { preset?: unknown }).preset : undefined;
  // An unknown preset: the rest of the file cannot be read by shapes nobody chose; say only that.
  if (preset !== undefined && !isPreset(preset)) return presetOnly;
  return isComponentsPreset(raw) ? componentsPlatformSchema : platformSchema;
}

const presetOnly = z.object({ preset: z.enum(['octane', 'none'], { errorMap: () => ({ message: 'expected "octane" or "none"' }) }) }).passthrough();

/** The schema a ring file is read with: by its platform's preset. */
export function ringSchemaFor(platform: { readonly preset?: unknown } | undefined): typeof ringSchema | typeof componentsRingSchema {
  return isComponentsPreset(platform) ? componentsRingSchema : ringSchema;
}

/** The presets platform.toml's `preset` takes. */
export const PRESETS = ['octane', 'none'] as const;
export const isPreset = (v: unknown): v is (typeof PRESETS)[number] => (PRESETS as readonly unknown[]).includes(v);

function isComponentsPreset(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { preset?: unknown }).preset === 'none';
}

/** The components every ring runs, whose images rings pin: the Octane three, or every declared component (by name). */
export function componentNames(p: PlatformFile): readonly string[] {
  return p.preset === 'none' ? Object.keys(p.components).sort() : RING_IMAGE_COMPONENTS;
}

/** The image of each component ring `r` runs: its own pin, else platform.toml's default. */
export function ringImagesOf(p: PlatformFile, r: Pick<RingFile, 'images'>): RingImages {
  return ringImages(p.images, r.images, p.preset === 'none' ? componentNames(p) : undefined);
}

/** One component table of platform.toml, of either preset. */
export type AnyComponentTable = OctanePlatformFile['components'][keyof OctanePlatformFile['components']] | ComponentTable;

/** The table of component `name` in platform.toml (one of componentNames(p)). */
export function componentTableOf(p: PlatformFile, name: string): AnyComponentTable {
  return (p.components as Readonly<Record<string, AnyComponentTable>>)[name];
}
