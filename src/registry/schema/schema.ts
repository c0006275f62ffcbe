/**
 * The ring registry's file formats: one zod schema per file, with every default next to its field
 * (read this file as the reference of what each TOML key means).
 *
 * Keys are snake_case in TOML; the parsed types keep them, and `resolve.ts` maps them to the
 * camelCase props of the constructs.
 */
import { parseGoDuration } from '../../model/go-duration';
import { z } from 'zod';
import { DEFAULT_ANALYSIS_WINDOW } from '../../model/analysis';
import { imagePinProblem } from '../../model/images';
import { isIpLiteral, MAX_CLUSTER_NAME } from '../../model/clusters';
import { DEFAULT_API_PORT, DEFAULT_HOME_SECRET_STORE, DEFAULT_LOCK_MOUNT_DIR, DEFAULT_NGINX_PORT, DEFAULT_SECRET_REFRESH_INTERVAL } from '../../model/defaults';
import type { EscapeHatchKey } from '../../model/escape-hatches';
import { priorityClassProblem, SPREAD_MODES } from '../../model/hardening';
import { DNS_1035_LABEL, DNS_LABEL, isDns1035Label, isDnsLabel } from '../../model/kubernetes-names';

/** DNS-1123 and DNS-1035 labels (the syntax lives in src/model, shared with the constructs and the CLI). */
export { DNS_LABEL, DNS_1035_LABEL };

/** zod type messages: the same sentence whether the key is missing or holds the wrong type. */
export const says = (message: string) => ({ invalid_type_error: message, required_error: message });

export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const expected = max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`;
  return z.number(says(expected)).refine(
    (n) => Number.isInteger(n) && n >= min && n <= max,
    (n) => ({ message: max === Number.MAX_SAFE_INTEGER && n > max ? `${expected} and at most ${max}` : expected }),
  );
};

export const dnsLabel = (what: string) =>
  z
    .string(says(`expected ${what} (a DNS label)`))
    .refine((s) => isDnsLabel(s), {
      message: `expected ${what}: a DNS label (lower-case letters, digits and '-', at most 63 characters)`,
    });

export const serviceName = (what: string) =>
  z
    .string(says(`expected ${what}`))
    .refine((s) => isDns1035Label(s), {
      message: `expected ${what}: a DNS-1035 label (starts with a letter; lower-case letters, digits and '-', at most 63)`,
    });

export const text = (what: string) => z.string(says(`expected ${what} (a string)`));

/** An image reference pinned by a tag other than `latest`, or by a digest, or both (the rule lives in src/model). */
export { imagePinProblem };

export const image = (what: string) =>
  z
    .string(says(`expected ${what} (an image reference)`))
    .superRefine((s, ctx) => {
      const p = imagePinProblem(s);
      if (p) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
    });

const nginxImage = image('the nginx image').refine((s) => s.includes('nginx-unprivileged'), {
  message: `expected an nginxinc/nginx-unprivileged image (PSA restricted needs a non-root nginx on ${DEFAULT_NGINX_PORT})`,
});

export const absolutePath = z
  .string(says('expected an absolute path'))
  .refine((s) => /^\/[^\0]*$/.test(s) && !s.split('/').includes('..'), { message: 'expected an absolute path without ..' });

/** CPU and memory of one container. Memory of api and horizon is computed from the module count instead. */
export const resources = z
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

/** Kubernetes label values by key (node selectors, extra labels, namespace and pod selectors). */
export const labelMap = (what: string) => z.record(z.string(says(`expected ${what} (a string)`)));

const toleration = z
  .object({
    /** @default every taint key (with operator "Exists") */
    key: text('a taint key').optional(),
    /** @default "Equal" */
    operator: z.enum(['Exists', 'Equal'], { errorMap: () => ({ message: 'expected "Exists" or "Equal"' }) }).optional(),
    value: text('a taint value').optional(),
    /** @default every effect */
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], { errorMap: () => ({ message: 'expected "NoSchedule", "PreferNoSchedule" or "NoExecute"' }) }).optional(),
    /** NoExecute only: how long the pod stays bound after the taint appears. @default forever */
    toleration_seconds: wholeNumber(0).optional(),
  })
  .strict();

/**
 * Escape hatches every component takes (api, horizon, nginx, each shared service), and each ring file
 * may override per ring (`[components.<name>]` in `<ring>.toml`). Every key is optional. The keys are
 * src/model/escape-hatches.ts's (init_dirs, which follows writable_paths, is in each component table).
 */
export const escapeHatches = {
  /** Node labels the pods must run on, e.g. `{ "node-pool" = "apps" }`. @default none */
  node_selector: labelMap('a node label value').optional(),
  /** Taints the pods tolerate. @default none */
  tolerations: z.array(toleration).optional(),
  /** Node/pod (anti-)affinity exactly as the Kubernetes API spells it (camelCase); checked against the 1.29 schema. @default none */
  affinity: z.record(z.unknown()).optional(),
  /** PriorityClass name. @default none (the cluster default) */
  priority_class: z
    .string(says('expected a PriorityClass name'))
    .superRefine((s, ctx) => {
      const p = priorityClassProblem(s);
      if (p) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
    })
    .optional(),
  /** Extra labels on the Deployment and its pods (not the selector keys). @default {} */
  labels: labelMap('a label value').optional(),
  /** Extra annotations on the pods. @default {} */
  annotations: labelMap('an annotation value').optional(),
  /** Non-secret environment variables (secret-looking names or values are refused). @default {} */
  env: z.record(z.string(says('expected a string'))).optional(),
  /** @default 256 */
  ephemeral_storage_request_mib: wholeNumber(1).optional(),
  /** @default the writable paths' size limits together + 512 */
  ephemeral_storage_limit_mib: wholeNumber(1).optional(),
  /** `sizeLimit` of each writable path's emptyDir. @default 256 */
  writable_size_limit_mib: wholeNumber(1).optional(),
  /** What the hostname/zone spread constraints do when unmet. @default "ScheduleAnyway" */
  spread: z.enum(SPREAD_MODES, { errorMap: () => ({ message: 'expected "ScheduleAnyway" or "DoNotSchedule"' }) }).optional(),
} satisfies Record<Exclude<EscapeHatchKey, 'init_dirs'>, z.ZodTypeAny>;

/** Folders to create inside the writable paths before the app starts (an init container running `mkdir -p`). */
export const initDirs = z.array(absolutePath);

const component = (defaults: { runAsUser: number; writablePaths: string[]; octane: boolean }) =>
  z
    .object({
      /** @default 1000 for api and horizon (the Octane image chowns /app to it), 101 for nginx-unprivileged */
      run_as_user: wholeNumber(1).default(defaults.runAsUser),
      /** Paths the image writes to; each gets an emptyDir, the rest of the root filesystem is read-only. */
      writable_paths: z.array(absolutePath).default(defaults.writablePaths),
      /** @default api/horizon: Laravel's storage tree when /app/storage is writable; nginx: [] */
      init_dirs: initDirs.optional(),
      ...escapeHatches,
    })
    .merge(
      defaults.octane
        ? resources.extend({
            /** @default the memory rule (module count); set both to override it */
            memory_request_mib: wholeNumber(1).optional(),
            /** @default the memory rule */
            memory_limit_mib: wholeNumber(1).optional(),
          })
        : resources,
    )
    .strict();

/** Per-ring overrides of one component (`[components.api]` in a ring file): every key optional. */
export const ringComponent = z
  .object({
    cpu_request_millicores: wholeNumber(1).optional(),
    cpu_limit_millicores: wholeNumber(1).optional(),
    memory_request_mib: wholeNumber(1).optional(),
    memory_limit_mib: wholeNumber(1).optional(),
    ...escapeHatches,
  })
  .strict();

// ---------------------------------------------------------------- rings across clusters ([clusters], docs/gitops.md)

/** A DNS name (not an IP: an ExternalName alias cannot point at one) that other clusters reach a shared service at. */
const remoteHost = z
  .string(says('expected a DNS name such as "redis.eu-1.example.internal"'))
  .refine((s) => !isIpLiteral(s), { message: 'expected a DNS name, not an IP address (the alias is an ExternalName Service, and cluster DNS does not resolve an IP written as a name); give the address a DNS record' })
  .refine((s) => s.length <= 253 && s.split('.').length >= 2 && s.split('.').every((l) => DNS_LABEL.test(l) && l.length <= 63), {
    message: 'expected a DNS name of at least two labels, such as "redis.eu-1.example.internal"',
  })
  .optional();

const apiUrl = (what: string) => z.string(says(`expected ${what} (an https:// URL)`)).regex(/^https:\/\/[^\s]+$/, `expected ${what}: a URL starting with https://`);

/** One cluster rings may be placed on: `[clusters.<name>]`. */
export const clusterSchema = z
  .object({
    /** Its API server: the Argo CD destination of its units (required for a cluster other than home under Argo CD). @default "https://kubernetes.default.svc" for the home cluster */
    server: apiUrl('the cluster API URL').optional(),
    /**
     * The API URL the other clusters reach this one at, when it differs from `server` (the home cluster's
     * External Secrets stores on the other clusters read its secrets there). @default server
     */
    remote_server: apiUrl('the API URL other clusters reach this cluster at').optional(),
    /** Flux: Secret in the Flux namespace with this cluster's kubeconfig under key "value", made by hand, never generated (required for a cluster other than home under Flux). @default none */
    kubeconfig_secret: dnsLabel('a secret name').optional(),
  })
  .strict();

/** `[clusters]`: cluster name → its table; names are DNS labels short enough for `cluster-<name>`. */
const clustersSchema = z.record(clusterSchema).superRefine((m, ctx) => {
  for (const name of Object.keys(m)) {
    if (!(name.length <= MAX_CLUSTER_NAME && DNS_LABEL.test(name))) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `expected a cluster name: a DNS label of at most ${MAX_CLUSTER_NAME} characters (dist/ gets a folder cluster-<name>), got ${JSON.stringify(name.length > 64 ? `${name.slice(0, 60)}…` : name)}` });
    }
  }
});

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
    /** TCP ports it may reach outside the cluster (its NetworkPolicy). @default [] */
    egress_ports: z.array(wholeNumber(1, 65535)).default([]),
    /** With [clusters]: the DNS name rings in other clusters reach it at (on `port`). @default none (only its own cluster reaches it) */
    remote_host: remoteHost,
    /** @default [] */
    init_dirs: initDirs.optional(),
    ...escapeHatches,
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
        /** @default 0 */
        ephemeral_storage_request_mib: wholeNumber(0).default(0),
        /** @default 0 */
        ephemeral_storage_limit_mib: wholeNumber(0).default(0),
      })
      .strict()
      .optional(),
    /**
     * Labels of its pods: the shared layer then admits the rings' api/horizon pods to them on `port`
     * (ingress only) and the rings' egress names them. @default none: outside the project's policies
     */
    pod_selector: labelMap('a label value').optional(),
    /** With [clusters]: the DNS name rings in other clusters reach it at (on `port`). @default none (only its own cluster reaches it) */
    remote_host: remoteHost,
  })
  .strict();

/** A JSON Patch (RFC 6902) operation. */
const jsonPatchOp = z
  .object({
    op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test'], { errorMap: () => ({ message: 'expected one of add, remove, replace, move, copy, test' }) }),
    path: z.string(says('expected a JSON pointer such as "/spec/template/spec/hostname"')),
    value: z.unknown().optional(),
    from: z.string(says('expected a JSON pointer')).optional(),
  })
  .strict();

/** A last-resort edit of one rendered object, validated like everything else afterwards. */
const patch = z
  .object({
    /** Kind of the object, e.g. "Deployment". */
    kind: z.string(says('expected a kind such as "Deployment"')).regex(/^[A-Z][A-Za-z0-9]*$/, 'expected a kind such as "Deployment"'),
    /** metadata.name of the object. */
    name: z.string(says('expected an object name')).min(1, 'expected an object name'),
    /** Only this ring's object. @default every chart's object of that kind and name */
    ring: dnsLabel('a ring name').optional(),
    /** RFC 6902 operations. @default none (then strategic_merge) */
    json_patch: z.array(jsonPatchOp).optional(),
    /** A strategic-merge fragment (lists of containers, volumes, env… merge by name). @default none (then json_patch) */
    strategic_merge: z.record(z.unknown()).optional(),
  })
  .strict()
  .refine((p) => (p.json_patch === undefined) !== (p.strategic_merge === undefined), { message: 'expected exactly one of json_patch and strategic_merge' });

/** A Go duration as Flux takes it: "30s", "5m", "1h30m". */
const goDuration = z
  .string(says('expected a duration such as "30s", "5m" or "1h"'))
  .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, 'expected a duration such as "30s", "5m" or "1h" (ms, s, m, h)');

/** Keys that only mean something for one tool: written for the other, they are refused, not ignored. */
const ARGO_CD_ONLY = ['argo_cd_strategy', 'destination_server'] as const;
const FLUX_ONLY = ['interval', 'timeout', 'source_name', 'create_source', 'secret_ref'] as const;

/** `[gitops]` in platform.toml: how Argo CD or Flux delivers dist/. */
export const gitopsSchema = z
  .object({
    /** "argo-cd" (AppProject and Applications or an ApplicationSet) or "flux" (Kustomizations and their source). */
    tool: z.enum(['argo-cd', 'flux'], { errorMap: () => ({ message: 'expected "argo-cd" or "flux"' }) }),
    /**
     * The repository dist/ is committed to: https:// or ssh:// for git, oci:// for an OCI artifact
     * (Flux OCIRepository; Argo CD 3.1+ OCI source).
     */
    repo_url: z
      .string(says('expected a repository URL'))
      .regex(/^(https|ssh|oci):\/\/[^\s]+$/, 'expected a repository URL starting with https://, ssh:// or oci:// (not http://: anyone on the way could change what is deployed)'),
    /** Branch (git) or tag (oci) to deliver from. @default "main" for git, "latest" for oci */
    revision: z
      .string(says('expected a branch or tag'))
      .regex(/^[^\s]{1,250}$/, 'expected a branch or tag (no spaces)')
      .optional(),
    /** Where dist/ sits in that repository, relative to its root; "." when dist/ is the root (an OCI artifact pushed from dist/). @default "dist" */
    path: z
      .string(says('expected a relative path'))
      .refine((s) => s.length > 0 && !s.startsWith('/') && !s.split('/').some((x) => x === '' || x === '..'), {
        message: 'expected a relative path inside the repository, such as "dist" (no leading /, no ..)',
      })
      .default('dist'),
    /** Namespace of the delivery objects. @default "argocd" for argo-cd, "flux-system" for flux */
    namespace: dnsLabel('a namespace').optional(),
    /** Delete what leaves dist/ (a retired ring's objects). @default true */
    prune: z.boolean(says('expected true or false')).default(true),
    /** Argo CD: revert changes made in the cluster (automated selfHeal). Flux corrects drift at every interval regardless. @default true */
    self_heal: z.boolean(says('expected true or false')).default(true),
    /**
     * Argo CD: "applications" (one Application per unit, sync waves in promotion order, an app of apps in
     * dist/gitops/root.yaml) or "applicationset" (one ApplicationSet whose RollingSync steps follow the
     * promotion order; needs progressive syncs enabled in Argo CD). @default "applications"
     */
    argo_cd_strategy: z
      .enum(['applications', 'applicationset'], { errorMap: () => ({ message: 'expected "applications" or "applicationset"' }) })
      .optional(),
    /** Argo CD: the cluster the platform runs in. @default "https://kubernetes.default.svc" */
    destination_server: z.string(says('expected a cluster API URL')).regex(/^https:\/\/[^\s]+$/, 'expected a cluster API URL starting with https://').optional(),
    /** Flux: how often each Kustomization (and the source) reconciles. @default "10m" */
    interval: goDuration.optional(),
    /** Flux: how long a Kustomization's apply and health checks may take. @default "5m" */
    timeout: goDuration.optional(),
    /** Flux: name of the GitRepository or OCIRepository (kind from repo_url's scheme). @default the platform name */
    source_name: dnsLabel('a source name').optional(),
    /** Flux: write the source object from repo_url; false references an existing one by source_name. @default true */
    create_source: z.boolean(says('expected true or false')).optional(),
    /** Flux: Secret in the delivery namespace with the source's credentials, by name (never generated). @default none */
    secret_ref: dnsLabel('a secret name').optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    const others = g.tool === 'flux' ? ARGO_CD_ONLY : FLUX_ONLY;
    for (const key of others) {
      if (g[key] !== undefined) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `no ${key} (it applies to tool = "${g.tool === 'flux' ? 'argo-cd' : 'flux'}" only, and tool is "${g.tool}"); remove it` });
      }
    }
  });

// --- [analysis]: metric checks (docs/registry.md, "Metric checks"; rules in analysis.ts) ---

/** `[analysis]` in platform.toml: where the metric checks are evaluated. */
export const platformAnalysisSchema = z
  .object({
    /**
     * The Prometheus HTTP API `rings verify --metrics` queries (http or https, no credentials in it:
     * a token comes from RINGS_PROMETHEUS_TOKEN or --prometheus-token-file). @default none (then --prometheus URL)
     */
    prometheus_url: z.string(says('expected a URL such as "http://prometheus.monitoring.svc:9090"')).optional(),
  })
  .strict();

const threshold = (what: string) =>
  z.number(says(`expected ${what} (a number)`)).refine((n) => Number.isFinite(n), { message: `expected ${what}: a finite number` });

/** One `[[analysis.checks]]`: a PromQL query and the bounds every point of it must stay within. */
const analysisCheck = z
  .object({
    /** Names the check in output and history; unique in the ring. */
    name: dnsLabel('a check name'),
    /** PromQL; `{ring}`, `{namespace}` and `{cluster}` are substituted. Checked with Prometheus's own parser. */
    query: text('a PromQL query'),
    /** Every evaluated point must be ≥ min. @default none (then max is required) */
    min: threshold('a lower bound').optional(),
    /** Every evaluated point must be ≤ max. @default none (then min is required) */
    max: threshold('an upper bound').optional(),
    /** What a window without data (no series, or only NaN points) counts as; "pass" needs a reason. @default "fail" */
    on_no_data: z.enum(['fail', 'pass'], { errorMap: () => ({ message: 'expected "fail" or "pass"' }) }).default('fail'),
    /** Why no data may pass (recorded with the result). @default none */
    reason: text('a reason').optional(),
  })
  .strict();

/** `[analysis]` in a ring file: the checks a version must pass here before it is promoted out. */
export const ringAnalysisSchema = z
  .object({
    /** The observation window each check is evaluated over, ending at the clock (a Go duration, 1m to 720h). @default "30m" */
    window: z.string(says('expected a duration such as "30m" or "1h"')).default(DEFAULT_ANALYSIS_WINDOW),
    /** @default [] */
    checks: z.array(analysisCheck).default([]),
  })
  .strict();

export type AnalysisCheckSpec = z.infer<typeof analysisCheck>;
export type RingAnalysis = z.infer<typeof ringAnalysisSchema>;

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
    /**
     * What the rings run: `"octane"`, AutoCom's Laravel platform (api, horizon and nginx with their
     * rules: the nginx-unprivileged image, the Laravel storage folders, Octane's memory rule, the exec
     * and `/api/health` probes), or `"none"`: the components `[components.<name>]` declares, with any
     * names (src/registry/schema/presets.ts, docs/registry.md). @default "octane"
     */
    preset: z.enum(['octane'], { errorMap: () => ({ message: 'expected "octane" or "none"' }) }).default('octane'),
    /**
     * The default ring images: what a ring without its own `[images]` pin renders, and what a new
     * ring (`rings ring add`) starts from. Each ring pins its own in its ring file.
     */
    images: z
      .object({
        api: image('the api image'),
        /** @default the api image (horizon runs the same Octane build) */
        horizon: image('the horizon image').optional(),
        nginx: nginxImage,
      })
      .strict(),
    /** Refuse tag-only image references everywhere (ring images, defaults, shared services): digests only. @default false */
    require_digests: z.boolean(says('expected true or false')).default(false),
    components: z
      .object({
        /** Octane; serves HTTP on `port`. */
        api: component({ runAsUser: 1000, writablePaths: ['/tmp', '/app/storage', '/app/bootstrap/cache'], octane: true })
          .extend({ /** @default DEFAULT_API_PORT (8000) */ port: wholeNumber(1, 65535).default(DEFAULT_API_PORT) })
          .default({}),
        /** Queue worker; no HTTP port. */
        horizon: component({ runAsUser: 1000, writablePaths: ['/tmp', '/app/storage', '/app/bootstrap/cache'], octane: true }).default({}),
        /** nginx-unprivileged in front of api. */
        nginx: component({ runAsUser: 101, writablePaths: ['/tmp', '/var/cache/nginx'], octane: false })
          .extend({ /** @default DEFAULT_NGINX_PORT (8080) */ port: wholeNumber(1, 65535).default(DEFAULT_NGINX_PORT) })
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
        /** Selects the controller's namespace by these labels instead of by name. @default `kubernetes.io/metadata.name = controller_namespace` */
        controller_namespace_labels: labelMap('a label value').optional(),
        /** Only the controller pods with these labels. @default every pod of that namespace */
        controller_pod_labels: labelMap('a label value').optional(),
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
        /** How often a rotated home secret is copied again (external-secrets only), e.g. "15m", "1h". @default DEFAULT_SECRET_REFRESH_INTERVAL ("1h") */
        refresh_interval: z
          .string({ invalid_type_error: 'expected a duration such as "1h"' })
          .regex(/^([1-9]\d*(s|m|h))+$/, 'expected a duration such as "30m", "1h" or "1h30m"')
          .default(DEFAULT_SECRET_REFRESH_INTERVAL),
        /** Name of the ClusterSecretStore reading the home namespace (external-secrets only). @default DEFAULT_HOME_SECRET_STORE ("ring-home-secrets") */
        store: dnsLabel('a ClusterSecretStore name').default(DEFAULT_HOME_SECRET_STORE),
        /**
         * With [clusters] (external-secrets only): the Secret on each other cluster, made by hand, whose keys
         * `token` (a token of the home namespace's ring-secret-reader ServiceAccount) and `ca.crt` (the home API
         * server's CA) let that cluster's store read the home secrets. Referenced by name, never generated.
         * @default "<store>-token"
         */
        remote_token_secret: dnsLabel('a secret name').optional(),
        /** The namespace of that Secret on each other cluster. @default "external-secrets" */
        remote_token_namespace: dnsLabel('a namespace').optional(),
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
        /** Selects the data plane's namespace by these labels instead of by name. @default by name */
        dataplane_namespace_labels: labelMap('a label value').optional(),
        /** Only the data-plane pods with these labels. @default every pod of that namespace */
        dataplane_pod_labels: labelMap('a label value').optional(),
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
    /**
     * Redis, by the service name every ring reaches it under. Rendered (REDIS_HOST, REDIS_PORT and
     * REDIS_PASSWORD in every ring) only when the registry runs or aliases a service of that name
     * (shared.services or shared.external): a platform without redis gets no REDIS_* keys.
     */
    redis: z
      .object({
        /** @default "redis" */
        host: serviceName('a service name').default('redis'),
        /** @default 6379 */
        port: wholeNumber(1, 65535).default(6379),
        /** Secret in the home namespace with the password (made by hand, never generated): REDIS_PASSWORD of every ring pod and of redis. @default "redis-auth" */
        password_secret: dnsLabel('a secret name').default('redis-auth'),
        /** Key of the password in that Secret. @default "password" */
        password_key: z.string(says('expected a secret key')).regex(/^[-._a-zA-Z0-9]{1,253}$/, 'expected a secret key (letters, digits, -, _ and .)').default('password'),
        /**
         * When the shared layer runs redis: "aof" keeps an append-only file on a PersistentVolumeClaim;
         * "none" keeps nothing (a restart loses every queued job) and must be written out. @default "aof"
         */
        persistence: z.enum(['aof', 'none'], { errorMap: () => ({ message: 'expected "aof" or "none"' }) }).default('aof'),
        /** Size of the volume holding the append-only file. @default 8 */
        storage_gib: wholeNumber(1, 65536).default(8),
        /** StorageClass of that volume. @default the cluster's default class */
        storage_class: dnsLabel('a StorageClass name').optional(),
        /** The redis PodDisruptionBudget's minAvailable: 1 makes a drain wait for an operator, 0 lets it evict redis. @default 1 */
        min_available: wholeNumber(0, 1).default(1),
      })
      .strict()
      .default({}),
    /** Cluster DNS, as every NetworkPolicy admits it. */
    dns: z
      .object({
        /** @default { "kubernetes.io/metadata.name" = "kube-system" } */
        namespace_labels: labelMap('a label value').default({ 'kubernetes.io/metadata.name': 'kube-system' }),
        /** @default { "k8s-app" = "kube-dns" } */
        pod_labels: labelMap('a label value').default({ 'k8s-app': 'kube-dns' }),
        /** NodeLocal DNSCache runs on the nodes: also admit its address. @default false */
        node_local_cache: z.boolean(says('expected true or false')).default(false),
        /** NodeLocal DNSCache's listen address. @default "169.254.20.10" */
        node_local_address: z
          .string(says('expected an IPv4 address'))
          .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'expected an IPv4 address such as "169.254.20.10"')
          .default('169.254.20.10'),
      })
      .strict()
      .default({}),
    /** Last-resort edits of rendered objects, applied after rendering and validated like the rest. @default [] */
    patches: z.array(patch).default([]),
    /** Where pods find their ring's lock file (a read-only ConfigMap mount). @default DEFAULT_LOCK_MOUNT_DIR ("/etc/rings") */
    lock_mount_dir: absolutePath.default(DEFAULT_LOCK_MOUNT_DIR),
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
    /**
     * GitOps delivery: Argo CD or Flux objects in dist/gitops/ that sync dist/ unit by unit (cluster,
     * shared layer, one unit per ring). See docs/gitops.md. @default none (no dist/gitops/)
     */
    gitops: gitopsSchema.optional(),
    /** With [clusters]: the cluster the home ring and the shared layer run in; one of [clusters]. @default none (one implicit cluster) */
    home_cluster: z.string(says('expected one home cluster: the name of a cluster of [clusters]')).optional(),
    /** The clusters rings may be placed on (`cluster = "<name>"` in a ring file). See docs/gitops.md. @default none (one implicit cluster) */
    clusters: clustersSchema.optional(),
    /** Metric checks: the Prometheus they are evaluated in. See docs/registry.md. @default none */
    analysis: platformAnalysisSchema.optional(),
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
     * Promotions out of this ring need evidence: a passing `rings verify --ring <this> --record` of the
     * version being promoted, recorded at least `soak` after it arrived (or `--emergency --reason`).
     * @default false
     */
    require_verified: z.boolean(says('expected true or false')).default(false),
    /** With [clusters] in platform.toml: the cluster this ring runs in. @default the home cluster */
    cluster: dnsLabel('a cluster name').optional(),
    // --- approvals (docs/registry.md, docs/cli.md "Approvals") ---
    /**
     * Promotions into this ring need a signed approval (`rings approve`) of that exact candidate by an
     * approver in `rings/approvers` other than the promoter. @default false
     */
    require_approval: z.boolean(says('expected true or false')).default(false),
    /** How long an approval counts, from its approval time to the promote's clock (a Go duration). @default "24h" */
    approval_valid: goDuration
      .refine((s) => (parseGoDuration(s) ?? 1) > 0, { message: 'expected a positive duration such as "24h" or "90m"' })
      .default('24h'),
    /** `--emergency --reason` may waive the approval gate here (a retrospective approval follows). @default false */
    emergency_waives_approval: z.boolean(says('expected true or false')).default(false),
    // --- end approvals ---
    /**
     * Tenant Ingress objects for this ring: tenants are bucketed by a stable hash of their name, so
     * only ever raise it (lowering it reshuffles every shard). `rings check` says the value that fits.
     * @default 1
     */
    ingress_shards: wholeNumber(1, 999).default(1),
    /**
     * The images this ring runs: a new build reaches one ring at a time (`rings promote image`).
     * A component not pinned here takes platform.toml's `[images]` default; horizon takes this
     * ring's api image. @default platform.toml's [images]
     */
    images: z
      .object({
        api: image('the api image').optional(),
        /** @default this ring's api image */
        horizon: image('the horizon image').optional(),
        nginx: nginxImage.optional(),
      })
      .strict()
      .optional(),
    replicas: z
      .object({
        api: wholeNumber(0),
        horizon: wholeNumber(0),
        nginx: wholeNumber(0),
      })
      .strict(),
    /** Per-ring overrides of a component's escape hatches and resources (merged over platform.toml's). @default {} */
    components: z
      .object({ api: ringComponent.optional(), horizon: ringComponent.optional(), nginx: ringComponent.optional() })
      .strict()
      .default({}),
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
    /** Metric checks a version must pass here before it leaves (`rings verify --metrics`, the analysis gate). @default none */
    analysis: ringAnalysisSchema.optional(),
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

/**
 * `rings/locks/<ring>.lock.json`, in either of two forms (see `lockFormatOf`):
 * - flat: module alias → pinned version, `{"orders": "1.6.1"}`;
 * - AutoCom's (`php artisan module:lock --ring=<ring>`): `{"modules": {"orders": {"version": "1.6.1",
 *   "sha256": "…"}}}` plus any top-level metadata the file carries (kept as is, and in the ConfigMap).
 */
export const MODULE_ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;
export const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** An artifact hash as AutoCom's lock writes it: 64 lower-case hex characters. */
export const SHA256 = /^[0-9a-f]{64}$/;

const versionString = z.string(says('expected a version string such as "1.6.0"')).regex(VERSION, 'expected a semantic version such as "1.6.0"');
const sha256String = z.string(says('expected a sha256 (64 lower-case hex characters)')).regex(SHA256, 'expected a sha256: 64 lower-case hex characters');

const aliasKeys = (lock: Record<string, unknown>, ctx: z.RefinementCtx, at: string[]) => {
  // Checked here rather than as the record's key schema, so the message shows the key, not its version.
  for (const alias of Object.keys(lock)) {
    if (!MODULE_ALIAS.test(alias)) {
      const shown = alias.length > 64 ? `a key of ${alias.length} characters` : JSON.stringify(alias);
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, alias], message: `expected a module alias (lower-case letters, digits, '-' and '_', starting with a letter, at most 63), got ${shown}` });
    }
  }
};

export const lockSchema = z.record(versionString).superRefine((lock, ctx) => aliasKeys(lock, ctx, []));

/** One module of AutoCom's lock: the exact artifact. Other keys a module carries are kept. */
const modulePin = z.object({ version: versionString, sha256: sha256String }).passthrough();

export const autocomLockSchema = z
  .object({ modules: z.record(modulePin).superRefine((m, ctx) => aliasKeys(m, ctx, [])) })
  .passthrough();

/**
 * A lock file's form, by its shape (no file names it): `flat` (module alias → version) or `hashed`
 * (`modules: { alias: { version, sha256 } }`, as AutoCom's `php artisan module:lock` writes it).
 * `hashed` was called `autocom` before; no registry file holds the name, only `rings check --json` showed it.
 */
export type LockFormat = 'flat' | 'hashed';

/** The hashed form when the file has a `modules` table; the flat form otherwise. */
export function lockFormatOf(json: Record<string, unknown>): LockFormat {
  const m = json.modules;
  return m !== null && typeof m === 'object' && !Array.isArray(m) ? 'hashed' : 'flat';
}

export const LOCK_FORMAT_NAMES: Readonly<Record<LockFormat, string>> = {
  flat: 'flat (module → version)',
  hashed: 'hashed (module → version + sha256)',
};

/** platform.toml with `preset = "octane"` (the default). */
export type OctanePlatformFile = z.infer<typeof platformSchema>;
/** A ring file of an Octane platform. */
export type OctaneRingFile = z.infer<typeof ringSchema>;
export type TenantsFile = z.infer<typeof tenantsSchema>;
export type LockFile = z.infer<typeof lockSchema>;
export type PreviewEntry = z.infer<typeof preview>;
