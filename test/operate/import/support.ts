/** Runs the rings CLI in process, capturing what it prints. */
import * as fs from 'fs';
import * as path from 'path';
import { run } from '../../../src/cli/run';
import { Io } from '../../../src/cli/output';

export const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'kustomize', 'autocom');

export async function rings(argv: string[], env: Record<string, string | undefined> = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    stdoutIsTty: false,
    stdinIsTty: false,
    ask: async () => '',
    env: { ...env, NO_COLOR: '1' },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** An ordinary kustomize tree (base/ + overlays/<dir>/) as the property test generates it. */
export type Role = 'entry' | 'app' | 'worker';
export const ROLES: readonly Role[] = ['entry', 'app', 'worker'];
/** The registry's component each role becomes. */
export const COMPONENT_OF: Readonly<Record<Role, 'nginx' | 'api' | 'horizon'>> = { entry: 'nginx', app: 'api', worker: 'horizon' };

export interface Resources {
  /** Millicores and MiB, as the tree means them (written in `notation`). */
  readonly cpu: readonly [request: number, limit: number];
  readonly memory: readonly [request: number, limit: number];
}

export interface OrdinaryRing {
  readonly ring: string;
  /** Its folder under overlays/. */
  readonly dir: string;
  readonly namespace: string;
  readonly segment: string;
  readonly tag: string;
  readonly replicas: Readonly<Record<Role, number>>;
  readonly resources: Readonly<Record<Role, Resources>>;
  readonly tenants: readonly string[];
}

export interface OrdinaryTree {
  readonly domain: string;
  readonly names: Readonly<Record<Role, string>>;
  readonly rings: readonly OrdinaryRing[];
  /** How each quantity is spelt: 0 plain (250m, 512Mi), 1 in the larger unit when whole (1, 1Gi), 2 as a decimal or in bytes (0.25, 536870912). */
  readonly notation: number;
}

export const APP_IMAGE = 'registry.example.com/shop/app';
export const ENTRY_IMAGE = 'nginxinc/nginx-unprivileged:1.29.3-alpine';

export function cpuText(m: number, notation: number): string {
  if (notation === 1 && m % 1000 === 0) return String(m / 1000);
  if (notation === 2) return String(m / 1000);
  return `${m}m`;
}
export function memoryText(mib: number, notation: number): string {
  if (notation === 1 && mib % 1024 === 0) return `${mib / 1024}Gi`;
  if (notation === 2) return String(mib * 1024 * 1024);
  return `${mib}Mi`;
}

/** Writes the tree under `dir`: base/ holds the three workloads with the first ring's values; each overlay patches its own. */
export function writeOrdinaryTree(dir: string, t: OrdinaryTree): void {
  const YAML = require('yaml');
  const write = (rel: string, docs: unknown[]) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), docs.map((d) => YAML.stringify(d)).join('---\n'));
  };
  const res = (r: Resources) => ({
    requests: { cpu: cpuText(r.cpu[0], t.notation), memory: memoryText(r.memory[0], t.notation) },
    limits: { cpu: cpuText(r.cpu[1], t.notation), memory: memoryText(r.memory[1], t.notation) },
  });
  const deployment = (role: Role, r: OrdinaryRing) => {
    const name = t.names[role];
    const container: Record<string, unknown> = { name, image: role === 'entry' ? ENTRY_IMAGE : `${APP_IMAGE}:${t.rings[0].tag}`, resources: res(r.resources[role]) };
    if (role === 'entry') container.ports = [{ containerPort: 8080 }];
    if (role === 'app') container.ports = [{ containerPort: 8000 }];
    if (role === 'worker') container.args = ['php', 'artisan', 'horizon'];
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { securityContext: { runAsNonRoot: true, runAsUser: role === 'entry' ? 101 : 1000 }, containers: [container] } },
      },
    };
  };
  const service = (role: Role) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: t.names[role] }, spec: { selector: { app: t.names[role] }, ports: [{ port: role === 'entry' ? 80 : 8000, targetPort: role === 'entry' ? 8080 : 8000 }] } });
  write('base/workloads.yaml', [deployment('entry', t.rings[0]), service('entry'), deployment('app', t.rings[0]), service('app'), deployment('worker', t.rings[0])]);
  write('base/kustomization.yaml', [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['workloads.yaml'] }]);
  for (const r of t.rings) {
    const rules = r.tenants.map((tenant) => ({
      host: `${tenant}.${r.segment}.${t.domain}`,
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: t.names.entry, port: { number: 80 } } } }] },
    }));
    write(`overlays/${r.dir}/ingress.yaml`, [
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'tenants' }, spec: { ingressClassName: 'nginx', tls: [{ hosts: [`*.${r.segment}.${t.domain}`], secretName: `${r.segment}-wildcard-tls` }], rules } },
    ]);
    const patches = ROLES.map((role) => ({
      target: { kind: 'Deployment', name: t.names[role] },
      patch: YAML.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/resources', value: res(r.resources[role]) }]),
    }));
    write(`overlays/${r.dir}/kustomization.yaml`, [
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: r.namespace,
        resources: ['../../base', 'ingress.yaml'],
        images: [{ name: APP_IMAGE, newTag: r.tag }],
        replicas: ROLES.map((role) => ({ name: t.names[role], count: r.replicas[role] })),
        patches,
      },
    ]);
  }
}
