/**
 * The CLI's only door to a cluster: `kubectl`, run as a child process with `-o json`. kubectl gives
 * the standard kubeconfig resolution (KUBECONFIG, --kubeconfig, --context, exec credential plugins,
 * OIDC, proxies) for free; this module only ever runs read verbs (get, and apply --dry-run=server for
 * `diff --live`), never a write.
 */
import { spawnSync } from 'child_process';
import { ClusterSnapshot, Obj, NamespaceSnapshot, ProbeResponse } from '../operate/verify/snapshot';
import { json } from './output';

/** The cluster could not be reached or read: exit 2. */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

/**
 * What `rings verify` and `rings diff --live` do when the cluster cannot be read: `{reachable:false}`
 * in JSON, one red line on stderr, exit 2. Anything that is not a ClusterError is rethrown.
 */
export function reportUnreachable(
  e: unknown,
  out: { readonly json: boolean; readonly io: { stdout(s: string): void; stderr(s: string): void }; readonly c: { red(s: string): string } },
): 2 {
  if (!(e instanceof ClusterError)) throw e;
  if (out.json) out.io.stdout(json({ reachable: false, error: e.message }));
  out.io.stderr(`${out.c.red('error')}: ${e.message}\n`);
  return 2;
}

export interface KubeResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubeOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Per-request timeout given to kubectl. @default "20s" */
  readonly requestTimeout?: string;
}

export type Kube = (args: readonly string[], input?: string) => KubeResult;

export function kubectl(opts: KubeOptions): Kube {
  const global = [
    ...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []),
    ...(opts.context ? ['--context', opts.context] : []),
    `--request-timeout=${opts.requestTimeout ?? '20s'}`,
  ];
  const env = Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  return (args, input) => {
    const r = spawnSync('kubectl', [...global, ...args], { input, encoding: 'utf8', env, maxBuffer: 512 * 1024 * 1024 });
    if (r.error) {
      const code = (r.error as NodeJS.ErrnoException).code;
      throw new ClusterError(code === 'ENOENT' ? 'kubectl not found on PATH: rings talks to clusters through kubectl (install it, 1.29 or newer)' : `kubectl: ${r.error.message}`);
    }
    return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}

/** The first meaningful line of kubectl's stderr, without secrets it never prints anyway. */
export function firstLine(stderr: string): string {
  return (
    stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^W\d{4} |^I\d{4} |^warning:/i.test(l))[0]
      ?.replace(/^error: /, '') ?? 'no output'
  );
}

const NOT_SERVED = /doesn't have a resource type|the server could not find the requested resource|no matches for kind/i;

/** Throws ClusterError (exit 2) unless the API server answers. */
export function ensureReachable(kube: Kube): void {
  const r = kube(['get', '--raw', '/version']);
  if (r.code !== 0) throw new ClusterError(`cluster unreachable: ${firstLine(r.stderr)}`);
}

function getList(kube: Kube, args: readonly string[], what: string): Obj[] {
  const r = kube(['get', ...args, '-o', 'json']);
  if (r.code !== 0) throw new ClusterError(`cannot read ${what}: ${firstLine(r.stderr)}`);
  return (JSON.parse(r.stdout).items ?? []) as Obj[];
}

/** Like getList, but null when the cluster does not serve the kind (its CRD is not installed). */
function getOptionalList(kube: Kube, args: readonly string[], what: string): Obj[] | null {
  const r = kube(['get', ...args, '-o', 'json']);
  if (r.code !== 0) {
    if (NOT_SERVED.test(r.stderr)) return null;
    throw new ClusterError(`cannot read ${what}: ${firstLine(r.stderr)}`);
  }
  return (JSON.parse(r.stdout).items ?? []) as Obj[];
}

/** Reads what `rings verify` compares, for the given namespaces; Secrets by name only. */
export function readSnapshot(kube: Kube, namespaces: readonly string[]): ClusterSnapshot {
  ensureReachable(kube);
  const wanted = [...new Set(namespaces)].sort();
  const present = kube(['get', 'namespaces', ...wanted, '--ignore-not-found', '-o', 'name']);
  if (present.code !== 0) throw new ClusterError(`cannot read namespaces: ${firstLine(present.stderr)}`);
  const exists = new Set(present.stdout.split('\n').map((l) => l.trim().replace(/^namespace\//, '')).filter(Boolean));
  const out: Record<string, NamespaceSnapshot> = {};
  for (const ns of wanted.filter((n) => exists.has(n))) {
    const items = getList(kube, ['deployments.apps,pods,configmaps,services', '-n', ns], `the workloads of ${ns}`);
    const secrets = kube(['get', 'secrets', '-n', ns, '-o', 'name']);
    if (secrets.code !== 0) throw new ClusterError(`cannot list the Secrets of ${ns}: ${firstLine(secrets.stderr)}`);
    out[ns] = {
      deployments: items.filter((o) => o.kind === 'Deployment'),
      pods: items.filter((o) => o.kind === 'Pod'),
      configmaps: items.filter((o) => o.kind === 'ConfigMap'),
      services: items.filter((o) => o.kind === 'Service'),
      secrets: secrets.stdout.split('\n').map((l) => l.trim().replace(/^secret\//, '')).filter(Boolean).sort(),
      externalsecrets: getOptionalList(kube, ['externalsecrets.external-secrets.io', '-n', ns], `the ExternalSecrets of ${ns}`),
    };
  }
  return {
    namespaces: out,
    ingresses: getList(kube, ['ingresses.networking.k8s.io', '--all-namespaces'], 'Ingresses'),
    httproutes: getOptionalList(kube, ['httproutes.gateway.networking.k8s.io', '--all-namespaces'], 'HTTPRoutes'),
  };
}

/** One GET through the API server's service proxy (read-only; nothing is created in the cluster). */
export function probe(kube: Kube, proxyPath: string, target: string): ProbeResponse {
  const r = kube(['get', '--raw', proxyPath]);
  return r.code === 0 ? { target, answered: true, body: r.stdout } : { target, answered: false, body: firstLine(r.stderr) };
}
