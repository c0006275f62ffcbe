/**
 * The ring registry's file formats: one zod schema per file, with every default next to its field
 * (read this file as the reference of what each TOML key means).
 *
 * Keys are snake_case in TOML; the parsed types keep them, and `resolve.ts` maps them to the
 * camelCase props of the constructs.
 */
import { z } from 'zod';

/** DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1035 label (Service names): as DNS-1123 but must start with a letter. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: `expected a whole number ≥ ${min}` }).refine((n) => Number.isInteger(n) && n >= min && n <= max, {
    message: max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`,
  });

const dnsLabel = (what: string) =>
  z
    .string({ invalid_type_error: `expected ${what} (a DNS label)` })
    .refine((s) => s.length <= 63 && DNS_LABEL.test(s), {
      message: `expected ${what}: a DNS label (lower-case letters, digits and '-', at most 63 characters)`,
    });

const serviceName = (what: string) =>
  z
    .string({ invalid_type_error: `expected ${what}` })
    .refine((s) => s.length <= 63 && DNS_1035_LABEL.test(s), {
      message: `expected ${what}: a DNS-1035 label (starts with a letter; lower-case letters, digits and '-', at most 63)`,
    });

const text = (what: string) => z.string({ invalid_type_error: `expected ${what} (a string)` });

/** An image reference pinned by a tag other than `latest`, or by a digest. */
export function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'expected an image pinned by tag or digest, got no tag (floating latest)';
  const tag = image.slice(colon + 1);
  if (tag === 'latest') return 'expected an image pinned by a tag other than latest, or a digest';
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) return 'expected a valid image tag';
  return undefined;
}

const image = (what: string) =>
  z
    .string({ invalid_type_error: `expected ${what} (an image reference)` })
    .superRefine((s, ctx) => {
      const p = imagePinProblem(s);
      if (p) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
    });

const absolutePath = z
  .string({ invalid_type_error: 'expected an absolute path' })
  .refine((s) => /^\/[^\0]*$/.test(s) && !s.split('/').includes('..'), { message: 'expected an absolute path without ..' });

/** CPU and memory of one container. Memory of api and horizon is computed from the module count instead. */
const resources = z
  .object({
    /** @default 100 */
    cpu_request_millicores: wholeNumber(1).default(100),
    /** @default 1000 */
    cpu_limit_millicores: wholeNumber(1).default(1000),
    /** @default 128 (ignored for api and horizon, whose memory follows the module count) */
    memory_request_mib: wholeNumber(1).default(128),
    /** @default 256 (ignored for api and horizon) */
    memory_limit_mib: wholeNumber(1).default(256),
  })
  .strict();

const component = (defaults: { runAsUser: number; writablePaths: string[] }) =>
  z
    .object({
      /** @default 1000 for api and horizon (the Octane image chowns /app to it), 101 for nginx-unprivileged */
      run_as_user: wholeNumber(1).default(defaults.runAsUser),
      /** Paths the image writes to; each gets an emptyDir, the rest of the root filesystem is read-only. */
      writable_paths: z.array(absolutePath).default(defaults.writablePaths),
    })
    .merge(resources)
    .strict();

/** A service the shared layer runs once, in the home namespace. */
const sharedWorkload = z
  .object({
    name: serviceName('a service name'),
    image: image('the image'),
    port: wholeNumber(1, 65535),
    /** @default 1 */
    replicas: wholeNumber(0).default(1),
    /** Public host label: the service is exposed at `<host>.<domain>` by the shared-layer Ingress. @default not exposed */
    host: dnsLabel('a host label').optional(),
    /** @default 1000 */
    run_as_user: wholeNumber(1).default(1000),
    /** @default ["/tmp"] */
    writable_paths: z.array(absolutePath).default(['/tmp']),
    /** HTTP path probed for readiness and liveness; without it, a TCP probe on `port`. @default TCP probe */
    health_path: z.string().regex(/^\//, 'expected a path starting with /').optional(),
    /** Command for the container (e.g. redis flags). @default the image's entrypoint */
    args: z.array(text('an argument')).optional(),
  })
  .merge(resources)
  .strict();

/** A service the platform runs outside the shared layer (the CNPG database, MinIO): only aliased. */
const externalService = z
  .object({
    name: serviceName('a service name'),
    port: wholeNumber(1, 65535),
  })
  .strict();

/** `rings/platform.toml` */
export const platformSchema = z
  .object({
    /** Platform name; the `app.kubernetes.io/part-of` label. */
    name: dnsLabel('the platform name'),
    /** Public domain; tenant hosts are `<tenant>.<segment>.<domain>` and `<tenant>.<domain>`. */
    domain: z
      .string({ invalid_type_error: 'expected a domain name' })
      .refine((s) => s.length <= 253 && s.split('.').length >= 2 && s.split('.').every((l) => DNS_LABEL.test(l) && l.length <= 63), {
        message: 'expected a domain name of at least two DNS labels, such as example.com',
      }),
    /** The ring whose namespace also hosts the shared layer. */
    home_ring: dnsLabel('a ring name'),
    images: z
      .object({
        api: image('the api image'),
        /** @default the api image (horizon runs the same Octane build) */
        horizon: image('the horizon image').optional(),
        nginx: image('the nginx image').refine((s) => s.includes('nginx-unprivileged'), {
          message: 'expected an nginxinc/nginx-unprivileged image (PSA restricted needs a non-root nginx on 8080)',
        }),
      })
      .strict(),
    components: z
      .object({
        /** Octane; serves HTTP on `port`. */
        api: component({ runAsUser: 1000, writablePaths: ['/tmp', '/app/storage', '/app/bootstrap/cache'] })
          .extend({ /** @default 8000 */ port: wholeNumber(1, 65535).default(8000) })
          .default({}),
        /** Queue worker; no HTTP port. */
        horizon: component({ runAsUser: 1000, writablePaths: ['/tmp', '/app/storage', '/app/bootstrap/cache'] }).default({}),
        /** nginx-unprivileged in front of api. */
        nginx: component({ runAsUser: 101, writablePaths: ['/tmp', '/var/cache/nginx'] })
          .extend({ /** @default 8080 */ port: wholeNumber(1, 65535).default(8080) })
          .default({}),
      })
      .strict()
      .default({}),
    /** Octane memory: request = base + per_module × modules; limit = request × limit_factor, rounded up to round_to. */
    memory: z
      .object({
        /** @default 256 */
        base_mib: wholeNumber(1).default(256),
        /** @default 32 */
        per_module_mib: wholeNumber(0).default(32),
        /** @default 1.5 */
        limit_factor: z
          .number({ invalid_type_error: 'expected a number from 1 to 10' })
          .refine((n) => Number.isFinite(n) && n >= 1 && n <= 10, { message: 'expected a number from 1 to 10' })
          .default(1.5),
        /** @default 128 */
        round_to_mib: wholeNumber(1).default(128),
      })
      .strict()
      .default({}),
    shared: z
      .object({
        /** Services the shared layer runs in the home namespace (frontend, docs, redis, indian-post…). */
        services: z.array(sharedWorkload).default([]),
        /** Services that exist in the home namespace but are run by something else (database, object store). */
        external: z.array(externalService).default([]),
      })
      .strict()
      .default({}),
    ingress: z
      .object({
        /** @default "nginx" */
        class: text('an ingress class name').default('nginx'),
        /** Namespace of the ingress controller pods, allowed to reach nginx. @default "ingress-nginx" */
        controller_namespace: dnsLabel('a namespace').default('ingress-nginx'),
        /**
         * Most tenant hosts one Ingress object may route; a ring with more splits them over
         * `ingress_shards` objects (its ring file). Each object also stays under 256 KiB. @default 500
         */
        max_hosts_per_ingress: wholeNumber(1, 100000).default(500),
      })
      .strict()
      .default({}),
    tls: z
      .object({
        /** TLS secret for `*.<domain>` (bare tenant hosts and shared hosts). @default "wildcard-tls" */
        domain_secret: dnsLabel('a secret name').default('wildcard-tls'),
        /** TLS secret for `*.<segment>.<domain>`; `{segment}` is replaced. @default "{segment}-wildcard-tls" */
        ring_secret: z
          .string({ invalid_type_error: 'expected a secret name template' })
          .refine((s) => DNS_LABEL.test(s.replace(/\{segment\}/g, 'x')), { message: 'expected a secret name, optionally with {segment}' })
          .default('{segment}-wildcard-tls'),
      })
      .strict()
      .default({}),
    secrets: z
      .object({
        /** Secrets made by hand in the home namespace that api and horizon read as environment. @default [] */
        env_from: z.array(dnsLabel('a secret name')).default([]),
        /** Image pull secrets, by name. @default [] */
        image_pull: z.array(dnsLabel('a secret name')).default([]),
      })
      .strict()
      .default({}),
    /** Non-secret settings copied into every ring's ConfigMap. @default {} */
    app_settings: z.record(z.string({ invalid_type_error: 'expected a string' })).default({}),
    /** Database and Redis: by the alias names every ring reaches them under. */
    database: z
      .object({
        /** @default "autocom-db-rw" */
        host: serviceName('a service name').default('autocom-db-rw'),
        /** @default 5432 */
        port: wholeNumber(1, 65535).default(5432),
      })
      .strict()
      .default({}),
    redis: z
      .object({
        /** @default "redis" */
        host: serviceName('a service name').default('redis'),
        /** @default 6379 */
        port: wholeNumber(1, 65535).default(6379),
      })
      .strict()
      .default({}),
    /** Where pods find their ring's lock file (a read-only ConfigMap mount). @default "/etc/rings" */
    lock_mount_dir: absolutePath.default('/etc/rings'),
    /** Extra room in each ring's ResourceQuota above the computed surge footprint. @default 10 */
    quota_margin_percent: wholeNumber(0, 1000).default(10),
    /** TCP ports api and horizon may reach outside the cluster (payment, mail, package APIs). @default [443] */
    egress_ports: z.array(wholeNumber(1, 65535)).default([443]),
  })
  .strict();

/** `rings/<ring>.toml` */
export const ringSchema = z
  .object({
    name: dnsLabel('a ring name'),
    /** @default the name */
    display_name: text('a display name').optional(),
    /** @default "" */
    description: text('a description').default(''),
    namespace: dnsLabel('a namespace'),
    hostname_segment: dnsLabel('a hostname segment'),
    /** 0 = most conservative; higher = closer to the bleeding edge. Unique across rings. */
    promotion_order: wholeNumber(0),
    /** Whether tenants may be assigned here. @default true */
    active: z.boolean({ invalid_type_error: 'expected true or false' }).default(true),
    /** The ring that takes unlisted tenants (`*.<domain>`); exactly one ring says true. @default false */
    default: z.boolean({ invalid_type_error: 'expected true or false' }).default(false),
    /** How long a version must run here before it may be promoted out, e.g. "24h", "7d". @default "0h" */
    soak: z
      .string({ invalid_type_error: 'expected a duration such as "24h" or "7d"' })
      .regex(/^\d+(m|h|d)$/, 'expected a duration such as "30m", "24h" or "7d"')
      .default('0h'),
    /**
     * Tenant Ingress objects for this ring: tenants are bucketed by a stable hash of their name, so
     * only ever raise it (lowering it reshuffles every shard). `rings check` says the value that fits.
     * @default 1
     */
    ingress_shards: wholeNumber(1, 999).default(1),
    replicas: z
      .object({
        api: wholeNumber(0),
        horizon: wholeNumber(0),
        nginx: wholeNumber(0),
      })
      .strict(),
    /** Optional HorizontalPodAutoscaler for api. @default none */
    hpa: z
      .object({
        min: wholeNumber(1),
        max: wholeNumber(1),
        /** @default 70 */
        cpu_utilization_percent: wholeNumber(1, 100).default(70),
      })
      .strict()
      .refine((h) => h.max >= h.min, { message: 'expected max ≥ min', path: ['max'] })
      .optional(),
  })
  .strict();

/** `rings/tenants.toml`: one line per tenant, `tenant = "ring"`. */
export const tenantsSchema = z
  .object({
    tenants: z.record(z.string({ invalid_type_error: 'expected a ring name (a string)' })).default({}),
  })
  .strict();

/** `rings/locks/<ring>.lock.json`: module alias → pinned version. */
export const MODULE_ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;
export const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
export const lockSchema = z.record(
  z.string({ invalid_type_error: 'expected a version string such as "1.6.0"' }).regex(VERSION, 'expected a semantic version such as "1.6.0"'),
);

export type PlatformFile = z.infer<typeof platformSchema>;
export type RingFile = z.infer<typeof ringSchema>;
export type TenantsFile = z.infer<typeof tenantsSchema>;
export type LockFile = z.infer<typeof lockSchema>;
