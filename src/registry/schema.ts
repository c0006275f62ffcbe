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

/** zod type messages: the same sentence whether the key is missing or holds the wrong type. */
const says = (message: string) => ({ invalid_type_error: message, required_error: message });

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const expected = max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`;
  return z.number(says(expected)).refine(
    (n) => Number.isInteger(n) && n >= min && n <= max,
    (n) => ({ message: max === Number.MAX_SAFE_INTEGER && n > max ? `${expected} and at most ${max}` : expected }),
  );
};

const dnsLabel = (what: string) =>
  z
    .string(says(`expected ${what} (a DNS label)`))
    .refine((s) => s.length <= 63 && DNS_LABEL.test(s), {
      message: `expected ${what}: a DNS label (lower-case letters, digits and '-', at most 63 characters)`,
    });

const serviceName = (what: string) =>
  z
    .string(says(`expected ${what}`))
    .refine((s) => s.length <= 63 && DNS_1035_LABEL.test(s), {
      message: `expected ${what}: a DNS-1035 label (starts with a letter; lower-case letters, digits and '-', at most 63)`,
    });

const text = (what: string) => z.string(says(`expected ${what} (a string)`));

/** An image reference pinned by a tag other than `latest`, or by a digest. */
export function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'expected an image pinned by a tag or a digest (without a tag it floats to latest)';
  const tag = image.slice(colon + 1);
  if (tag === 'latest') return 'expected an image pinned by a tag other than latest, or a digest';
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) return 'expected a valid image tag';
  return undefined;
}

const image = (what: string) =>
  z
    .string(says(`expected ${what} (an image reference)`))
    .superRefine((s, ctx) => {
      const p = imagePinProblem(s);
      if (p) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
    });

const absolutePath = z
  .string(says('expected an absolute path'))
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
    health_path: z.string(says('expected a path starting with /')).regex(/^\//, 'expected a path starting with /').optional(),
    /** Command for the container (e.g. redis flags). @default the image's entrypoint */
    args: z.array(text('an argument')).optional(),
    /**
     * Mount the home namespace's ring-data ConfigMap (tenants.json, rings.json) read-only at this
     * folder; the name is content-addressed, so the service rolls when a tenant moves. Needs
     * `ring_data = true`. @default not mounted
     */
    ring_data_path: absolutePath.optional(),
  })
  .merge(resources)
  .strict();

/** A service the platform runs outside the shared layer (the CNPG database, MinIO): only aliased. */
const externalService = z
  .object({
    name: serviceName('a service name'),
    port: wholeNumber(1, 65535),
    /**
     * What its pods take in the home namespace at peak (e.g. the CNPG instances): the home ring's
     * ResourceQuota must admit them too. @default nothing (runs in another namespace or outside)
     */
    quota: z
      .object({
        pods: wholeNumber(0),
        cpu_request_millicores: wholeNumber(0),
        cpu_limit_millicores: wholeNumber(0),
        memory_request_mib: wholeNumber(0),
        memory_limit_mib: wholeNumber(0),
      })
      .strict()
      .optional(),
  })
  .strict();

/** `rings/platform.toml` */
export const platformSchema = z
  .object({
    /** Platform name; the `app.kubernetes.io/part-of` label. */
    name: dnsLabel('the platform name'),
    /** Public domain; tenant hosts are `<tenant>.<segment>.<domain>` and `<tenant>.<domain>`. */
    domain: z
      .string(says('expected a domain name'))
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
          .number(says('expected a number from 1 to 10'))
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
        /**
         * Where each ring's TLS secrets come from: "cert-manager" emits a cert-manager Certificate per wildcard
         * in every ring namespace (DNS-01 issuer required: wildcards); "synced" means the operator keeps the
         * TLS secrets in the home namespace and they are synchronised like the other secrets (`secrets.sync`).
         * @default "synced"
         */
        mode: z.enum(['cert-manager', 'synced'], { errorMap: () => ({ message: 'expected "cert-manager" or "synced"' }) }).default('synced'),
        /** cert-manager ClusterIssuer for the Certificates; must solve DNS-01 (wildcards). @default "letsencrypt-dns01" */
        issuer: dnsLabel('a ClusterIssuer name').default('letsencrypt-dns01'),
        /** TLS secret for `*.<domain>` (bare tenant hosts and shared hosts). @default "wildcard-tls" */
        domain_secret: dnsLabel('a secret name').default('wildcard-tls'),
        /** TLS secret for `*.<segment>.<domain>`; `{segment}` is replaced. @default "{segment}-wildcard-tls" */
        ring_secret: z
          .string(says('expected a secret name template'))
          .refine((s) => DNS_LABEL.test(s.replace(/\{segment\}/g, 'x')), { message: 'expected a secret name, optionally with {segment}' })
          .default('{segment}-wildcard-tls'),
      })
      .strict()
      .default({}),
    secrets: z
      .object({
        /**
         * How the home namespace's secrets reach the other rings: "external-secrets" (an ExternalSecret per
         * secret per ring, through one read-only ClusterSecretStore), "reflector" (Reflector mirrors), or
         * "none" (the operator copies them; each ring's Namespace lists what it expects).
         * @default "external-secrets"
         */
        sync: z
          .enum(['external-secrets', 'reflector', 'none'], { errorMap: () => ({ message: 'expected "external-secrets", "reflector" or "none"' }) })
          .default('external-secrets'),
        /** How often a rotated home secret is copied again (external-secrets only), e.g. "15m", "1h". @default "1h" */
        refresh_interval: z
          .string({ invalid_type_error: 'expected a duration such as "1h"' })
          .regex(/^([1-9]\d*(s|m|h))+$/, 'expected a duration such as "30m", "1h" or "1h30m"')
          .default('1h'),
        /** Name of the ClusterSecretStore reading the home namespace (external-secrets only). @default "ring-home-secrets" */
        store: dnsLabel('a ClusterSecretStore name').default('ring-home-secrets'),
        /**
         * What restarts pods when a secret they read changes: "reloader" annotates their Deployments for
         * Stakater Reloader (which must be installed); "none" leaves it to the operator.
         * @default "reloader"
         */
        restart_on_rotation: z.enum(['reloader', 'none'], { errorMap: () => ({ message: 'expected "reloader" or "none"' }) }).default('reloader'),
        /** Secrets made by hand in the home namespace that api and horizon read as environment (type Opaque). @default [] */
        env_from: z.array(dnsLabel('a secret name')).default([]),
        /** Image pull secrets, by name (type kubernetes.io/dockerconfigjson). @default [] */
        image_pull: z.array(dnsLabel('a secret name')).default([]),
        /** Secrets api and horizon mount read-only as files, e.g. Passport keys (type Opaque). @default [] */
        mounts: z
          .array(z.object({ name: dnsLabel('a secret name'), mount_path: absolutePath }).strict())
          .default([]),
      })
      .strict()
      .default({}),
    /**
     * How tenant hosts are routed: "ingress" (Ingress objects for `ingress.class`) or "gateway-api"
     * (HTTPRoutes attached to the Gateway named in `[gateway]`).
     * @default "ingress"
     */
    routing: z.enum(['ingress', 'gateway-api'], { errorMap: () => ({ message: 'expected "ingress" or "gateway-api"' }) }).default('ingress'),
    /** The Gateway every HTTPRoute attaches to (routing = "gateway-api"); the registry does not own it. @default none */
    gateway: z
      .object({
        name: dnsLabel('a Gateway name'),
        namespace: dnsLabel('a namespace'),
        /** Listener the routes attach to. @default every listener that admits them */
        section_name: dnsLabel('a listener name').optional(),
        /** Namespace of the Gateway's proxy pods, allowed to reach nginx. @default the Gateway's namespace */
        dataplane_namespace: dnsLabel('a namespace').optional(),
      })
      .strict()
      .optional(),
    /** Non-secret settings copied into every ring's ConfigMap. @default {} */
    app_settings: z.record(z.string(says('expected a string'))).default({}),
    /**
     * The database every ring reaches, by the alias name (a shared or external service): the ring
     * ConfigMap gets DB_HOST and DB_PORT. @default none (no DB_* keys)
     */
    database: z
      .object({
        host: serviceName('a service name'),
        /** @default 5432 */
        port: wholeNumber(1, 65535).default(5432),
      })
      .strict()
      .optional(),
    /** Redis, the same way: REDIS_HOST and REDIS_PORT in the ring ConfigMap. @default none (no REDIS_* keys) */
    redis: z
      .object({
        host: serviceName('a service name'),
        /** @default 6379 */
        port: wholeNumber(1, 65535).default(6379),
      })
      .strict()
      .optional(),
    /** Where pods find their ring's lock file (a read-only ConfigMap mount). @default "/etc/rings" */
    lock_mount_dir: absolutePath.default('/etc/rings'),
    /** Extra room in each ring's ResourceQuota above the computed surge footprint. @default 10 */
    quota_margin_percent: wholeNumber(0, 1000).default(10),
    /** TCP ports api and horizon may reach outside the cluster (payment, mail, package APIs). @default [443] */
    egress_ports: z.array(wholeNumber(1, 65535)).default([443]),
    /**
     * Render the home namespace's ring-data ConfigMap (tenant → ring and API host, and the seed's
     * module_rings rows) for shared services to mount (`ring_data_path`). Leave it off when the
     * tenant map outgrows a ConfigMap (10,000 to 15,000 tenants) and sync the app from
     * `rings export` instead. @default false
     */
    ring_data: z.boolean(says('expected true or false')).default(false),
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
    active: z.boolean(says('expected true or false')).default(true),
    /** The ring that takes unlisted tenants (`*.<domain>`); exactly one ring says true. @default false */
    default: z.boolean(says('expected true or false')).default(false),
    /** How long a version must run here before it may be promoted out, e.g. "24h", "7d". @default "0h" */
    soak: z
      .string(says('expected a duration such as "30m", "24h" or "7d"'))
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

/** HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/;

/** A tenant preview: requests carrying `header: value` go to `ring` while the tenant stays assigned where it is. */
const preview = z
  .object({
    ring: dnsLabel('a ring name'),
    /** @default "X-Ring" */
    header: z
      .string({ invalid_type_error: 'expected an HTTP header name' })
      .regex(HEADER_NAME, 'expected an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)')
      .default('X-Ring'),
    /** @default the preview ring's name */
    value: z
      .string({ invalid_type_error: 'expected a header value' })
      .regex(/^[\x21-\x7e]([\x20-\x7e]{0,254}[\x21-\x7e])?$/, 'expected a printable header value without leading or trailing spaces')
      .optional(),
  })
  .strict();

/** `rings/tenants.toml`: one line per tenant, `tenant = "ring"`; previews in their own table. */
export const tenantsSchema = z
  .object({
    tenants: z.record(z.string(says('expected a ring name (a string)'))).default({}),
    /** tenant → preview, e.g. `acme = { ring = "canary", header = "X-Ring", value = "canary" }`. @default {} */
    previews: z.record(preview).default({}),
  })
  .strict();

/** `rings/locks/<ring>.lock.json`: module alias → pinned version. */
export const MODULE_ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;
export const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
export const lockSchema = z
  .record(z.string(says('expected a version string such as "1.6.0"')).regex(VERSION, 'expected a semantic version such as "1.6.0"'))
  .superRefine((lock, ctx) => {
    // Checked here rather than as the record's key schema, so the message shows the key, not its version.
    for (const alias of Object.keys(lock)) {
      if (!MODULE_ALIAS.test(alias)) {
        const shown = alias.length > 64 ? `a key of ${alias.length} characters` : JSON.stringify(alias);
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [alias], message: `expected a module alias (lower-case letters, digits, '-' and '_', starting with a letter, at most 63), got ${shown}` });
      }
    }
  });

export type PlatformFile = z.infer<typeof platformSchema>;
export type RingFile = z.infer<typeof ringSchema>;
export type TenantsFile = z.infer<typeof tenantsSchema>;
export type LockFile = z.infer<typeof lockSchema>;
export type PreviewEntry = z.infer<typeof preview>;
