/**
 * [gitops]: the registry's delivery settings, the Argo CD and Flux objects in dist/gitops/, and the
 * unit folders they deliver. Each rule has a passing and a failing case; the objects are checked
 * against the real Argo CD v3.6.1 and v3.2.11 and Flux v1.10.1 and v1.9.6 CRDs by the same schema gate as the rest of dist/.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { propertyRuns } from '../support/property';
import * as YAML from 'yaml';
import { deliveredKinds, deliveryUnits, guessResource, PRUNABLE_KINDS, unitAccess } from '../../src/model/delivery';
import { synthesize, SynthResult } from '../../src/render/synth';
import { schemaViolationsOfFiles } from '../support/gate';
import { K8sObject } from '../support/invariants';
import { registryArb } from '../support/registry-gen';
import { planOf, problemsOf, sourcesWith, exampleSources } from '../support/registry-fixture';
import { objectsOfFiles, parseYamlObjects, renderDir, renderSources } from '../support/render';

const PLATFORM = exampleSources().get('platform.toml')!;
const [BEFORE_GITOPS] = PLATFORM.split(/^\[gitops\]$/m);

/** The example registry with its [gitops] table replaced by `table` (TOML lines). */
const withGitops = (table: string) => sourcesWith({ 'platform.toml': `${BEFORE_GITOPS}[gitops]\n${table}\n` });
const synthOf = (table: string): SynthResult => synthesize(planOf(withGitops(table)));
const objectsOf = (r: SynthResult, file: string): K8sObject[] => parseYamlObjects(r.files.get(file)!, file);
const ARGO = 'tool = "argo-cd"\nrepo_url = "https://git.example.com/platform.git"';
const FLUX = 'tool = "flux"\nrepo_url = "https://git.example.com/platform.git"';
/** Units from the bleeding edge to the most conservative ring, as the example registry orders them. */
const DELIVERY_ORDER = ['cluster', 'shared', 'ring-experimental', 'ring-canary', 'ring-edge', 'ring-stable'];

describe('the registry: [gitops]', () => {
  test('gitopsIsOptional: without [gitops] there is no dist/gitops/', () => {
    const r = synthesize(planOf(sourcesWith({ 'platform.toml': BEFORE_GITOPS })));
    expect([...r.files.keys()].filter((f) => f.startsWith('gitops/'))).toEqual([]);
    expect(r.delivery).toEqual([]);
  });

  test('gitopsToolKeysOnly passes: every key of the chosen tool', () => {
    expect(() => planOf(withGitops(`${ARGO}\nargo_cd_strategy = "applicationset"\ndestination_server = "https://10.0.0.1:6443"`))).not.toThrow();
    expect(() => planOf(withGitops(`${FLUX}\ninterval = "1m"\ntimeout = "90s"\nsource_name = "platform"\ncreate_source = false\nsecret_ref = "git-read"`))).not.toThrow();
  });

  test('gitopsToolKeysOnly fails: a key of the other tool is refused, not ignored', () => {
    expect(problemsOf(withGitops(`${FLUX}\nargo_cd_strategy = "applicationset"`))).toEqual([
      'rings/platform.toml: gitops.argo_cd_strategy: expected no argo_cd_strategy (it applies to tool = "argo-cd" only, and tool is "flux"); remove it, got "applicationset"',
    ]);
    expect(problemsOf(withGitops(`${ARGO}\ninterval = "5m"`))).toEqual([
      'rings/platform.toml: gitops.interval: expected no interval (it applies to tool = "flux" only, and tool is "argo-cd"); remove it, got "5m"',
    ]);
  });

  test('gitopsRepoUrl passes: https, ssh and oci', () => {
    for (const url of ['https://git.example.com/p.git', 'ssh://git@git.example.com/p.git', 'oci://registry.example.com/p']) {
      expect(() => planOf(withGitops(`tool = "flux"\nrepo_url = "${url}"`))).not.toThrow();
    }
  });

  test('gitopsRepoUrl fails: plain http and a bare path are refused with what was expected', () => {
    const [line] = problemsOf(withGitops('tool = "argo-cd"\nrepo_url = "http://git.example.com/p.git"'));
    expect(line).toBe(
      'rings/platform.toml: gitops.repo_url: expected a repository URL starting with https://, ssh:// or oci:// (not http://: anyone on the way could change what is deployed), got "http://git.example.com/p.git"',
    );
    expect(problemsOf(withGitops('tool = "argo-cd"\nrepo_url = "git.example.com/p.git"'))[0]).toMatch(/^rings\/platform\.toml: gitops\.repo_url: expected a repository URL/);
  });

  test('gitopsDuration fails: a Flux interval must be a Go duration', () => {
    expect(problemsOf(withGitops(`${FLUX}\ninterval = "5 minutes"`))[0]).toBe(
      'rings/platform.toml: gitops.interval: expected a duration such as "30s", "5m" or "1h" (ms, s, m, h), got "5 minutes"',
    );
  });

  test('gitopsPath fails: outside the repository', () => {
    expect(problemsOf(withGitops(`${ARGO}\npath = "../dist"`))[0]).toMatch(/^rings\/platform\.toml: gitops\.path: expected a relative path inside the repository/);
    expect(problemsOf(withGitops(`${ARGO}\npath = "/dist"`))[0]).toMatch(/^rings\/platform\.toml: gitops\.path: expected a relative path inside the repository/);
  });

  test('gitopsTool fails: an unknown tool', () => {
    expect(problemsOf(withGitops('tool = "spinnaker"\nrepo_url = "https://g.example.com/p.git"'))[0]).toBe('rings/platform.toml: gitops.tool: expected "argo-cd" or "flux", got "spinnaker"');
  });
});

describe('dist/: one folder per unit of delivery', () => {
  const r = synthOf(ARGO);

  test('the top-level kustomization lists the unit folders; dist/gitops/ is not among them', () => {
    expect(YAML.parse(r.files.get('kustomization.yaml')!).resources).toEqual(['cluster', 'shared', 'ring-stable', 'ring-edge', 'ring-canary', 'ring-experimental']);
  });

  test('dist/gitops/kustomization.yaml lists the delivery objects but not the root Application (applied once by hand)', () => {
    expect(YAML.parse(r.files.get('gitops/kustomization.yaml')!).resources).toEqual(['argo-cd.yaml']);
    expect(r.files.has('gitops/root.yaml')).toBe(true);
  });

  test('the platform objects do not change with [gitops]: only dist/gitops/ is added (Argo CD); Flux adds only its units\' Roles and RoleBindings to the cluster unit', () => {
    const without = synthesize(planOf(sourcesWith({ 'platform.toml': BEFORE_GITOPS })));
    expect([...r.files].filter(([f]) => !f.startsWith('gitops/'))).toEqual([...without.files]);
    const flux = synthOf(FLUX);
    expect([...flux.files].filter(([f]) => !f.startsWith('gitops/') && f !== 'cluster/cluster.yaml')).toEqual([...without.files].filter(([f]) => f !== 'cluster/cluster.yaml'));
    const withFlux = objectsOf(flux, 'cluster/cluster.yaml');
    const before = objectsOf(without, 'cluster/cluster.yaml');
    const added = withFlux.filter((o) => !before.some((w) => w.kind === o.kind && w.metadata.name === o.metadata.name && w.metadata.namespace === o.metadata.namespace));
    expect([...new Set(added.map((o) => o.kind))].sort()).toEqual(['Role', 'RoleBinding']);
    expect(withFlux.filter((o) => !added.includes(o))).toEqual(before);
  });
});

describe('Argo CD: one Application per unit in sync waves', () => {
  const r = synthOf(ARGO);
  const objects = objectsOf(r, 'gitops/argo-cd.yaml');
  const apps = objects.filter((o) => o.kind === 'Application');
  const project = objects.find((o) => o.kind === 'AppProject')!;
  const platformObjects = objectsOfFiles(r.files);

  test('argoWavesFollowPromotionOrder: cluster, shared layer, then rings from the bleeding edge to stable', () => {
    const byWave = [...apps].sort((a, b) => Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave']) - Number(b.metadata.annotations!['argocd.argoproj.io/sync-wave']));
    expect(byWave.map((a) => (a as any).spec.source.path)).toEqual(DELIVERY_ORDER.map((u) => `dist/${u}`));
    expect(new Set(apps.map((a) => a.metadata.annotations!['argocd.argoproj.io/sync-wave'])).size).toBe(apps.length);
    // The project comes first: the Applications name it.
    expect(Number(project.metadata.annotations!['argocd.argoproj.io/sync-wave'])).toBeLessThan(0);
  });

  test('argoWavesFollowPromotionOrder fails when promotion order changes: swapping canary and edge swaps their waves', () => {
    const swapped = synthesize(
      planOf(
        new Map(
          [...withGitops(ARGO)].map(([f, t]) => [
            f,
            f === 'canary.toml' ? t.replace('promotion_order = 20', 'promotion_order = 10') : f === 'edge.toml' ? t.replace('promotion_order = 10', 'promotion_order = 20') : t,
          ]),
        ),
      ),
    );
    const wave = (unit: string) => objectsOf(swapped, 'gitops/argo-cd.yaml').find((o) => o.metadata.name === `autocom-${unit}`)!.metadata.annotations!['argocd.argoproj.io/sync-wave'];
    expect([wave('ring-edge'), wave('ring-canary')]).toEqual(['3', '4']);
  });

  test('argoProjectLeastPrivilege: exactly the namespaces, kinds and repository of dist/', () => {
    const spec = (project as any).spec;
    const kinds = deliveredKinds(platformObjects);
    expect(spec.sourceRepos).toEqual(['https://git.example.com/platform.git']);
    expect(spec.destinations.map((d: any) => d.namespace)).toEqual(['autocom', 'autocom-canary', 'autocom-edge', 'autocom-experimental']);
    expect(spec.clusterResourceWhitelist).toEqual(kinds.clusterScoped);
    expect(spec.namespaceResourceWhitelist).toEqual(kinds.namespaced);
    // No wildcard anywhere.
    expect(JSON.stringify(spec)).not.toContain('"*"');
    // Every platform object is allowed by the project, and nothing else is.
    for (const o of platformObjects) {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      const list = o.metadata.namespace ? spec.namespaceResourceWhitelist : spec.clusterResourceWhitelist;
      expect(list).toContainEqual({ group, kind: o.kind });
      if (o.metadata.namespace) expect(spec.destinations.map((d: any) => d.namespace)).toContain(o.metadata.namespace);
    }
  });

  test('argoSyncPolicy: prune and self-heal as the registry says, server-side apply, resources finalizer on units only', () => {
    for (const a of apps) {
      expect((a as any).spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect((a as any).spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
      expect(a.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/foreground']);
    }
    const off = objectsOf(synthOf(`${ARGO}\nprune = false\nself_heal = false`), 'gitops/argo-cd.yaml').filter((o) => o.kind === 'Application');
    for (const a of off) expect((a as any).spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: false });
    const root = objectsOf(r, 'gitops/root.yaml')[0] as any;
    expect(root.spec.source.path).toBe('dist/gitops');
    expect(root.metadata.finalizers).toBeUndefined();
  });

  test('argoApplicationSet: RollingSync steps in delivery order, selected by the label the template sets', () => {
    const set = objectsOf(synthOf(`${ARGO}\nargo_cd_strategy = "applicationset"`), 'gitops/argo-cd.yaml').find((o) => o.kind === 'ApplicationSet') as any;
    const steps = set.spec.strategy.rollingSync.steps.map((s: any) => s.matchExpressions[0]);
    expect(set.spec.strategy.type).toBe('RollingSync');
    expect(steps.map((s: any) => s.values[0])).toEqual(DELIVERY_ORDER);
    for (const s of steps) expect(set.spec.template.metadata.labels[s.key]).toBe('{{.unit}}');
    expect(set.spec.generators[0].list.elements.map((e: any) => e.unit)).toEqual(DELIVERY_ORDER);
  });
});

describe('Flux: one Kustomization per unit', () => {
  const r = synthOf(FLUX);
  const objects = objectsOf(r, 'gitops/flux.yaml');
  const ks = new Map(objects.filter((o) => o.kind === 'Kustomization').map((k) => [k.metadata.name, k as any]));

  test('fluxDependsOn passes: shared on cluster, every ring on shared, never on another ring', () => {
    expect(ks.get('autocom-cluster').spec.dependsOn).toBeUndefined();
    expect(ks.get('autocom-shared').spec.dependsOn).toEqual([{ name: 'autocom-cluster' }]);
    for (const u of DELIVERY_ORDER.slice(2)) expect(ks.get(`autocom-${u}`).spec.dependsOn).toEqual([{ name: 'autocom-shared' }]);
  });

  test('fluxHealthChecks: each unit waits for exactly its own Deployments', () => {
    for (const u of DELIVERY_ORDER) {
      const deployments = parseYamlObjects(r.files.get(`${u}/${u}.yaml`)!, u)
        .filter((o) => o.kind === 'Deployment')
        .map((o) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: o.metadata.name, namespace: o.metadata.namespace }));
      expect(ks.get(`autocom-${u}`).spec.healthChecks ?? []).toEqual(deployments);
    }
    expect(ks.get('autocom-ring-canary').spec.healthChecks.length).toBeGreaterThan(0);
  });

  test('fluxSource: the kind follows repo_url, and create_source = false references one by name', () => {
    expect(objects.find((o) => o.kind === 'GitRepository')).toMatchObject({ metadata: { name: 'autocom', namespace: 'flux-system' }, spec: { ref: { branch: 'main' } } });
    const oci = objectsOf(synthOf('tool = "flux"\nrepo_url = "oci://r.example.com/p"\npath = "."'), 'gitops/flux.yaml');
    expect(oci.find((o) => o.kind === 'OCIRepository')).toMatchObject({ spec: { url: 'oci://r.example.com/p', ref: { tag: 'latest' } } });
    expect(oci.filter((o) => o.kind === 'Kustomization').map((k: any) => k.spec.path)).toEqual([...DELIVERY_ORDER, 'gitops'].map((u) => `./${u}`));
    const existing = objectsOf(synthOf(`${FLUX}\ncreate_source = false\nsource_name = "fleet"`), 'gitops/flux.yaml');
    expect(existing.filter((o) => o.kind === 'GitRepository')).toEqual([]);
    for (const k of existing.filter((o) => o.kind === 'Kustomization')) expect((k as any).spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'fleet' });
  });

  test('fluxSelfManaged: a last Kustomization keeps dist/gitops/ in sync', () => {
    expect(ks.get('autocom-delivery').spec.path).toBe('./dist/gitops');
  });

  test('fluxNamespace: dist/gitops/ creates the Flux namespace first, never pruned (kubectl apply -k dist/gitops works on a cluster without it)', () => {
    expect(objects[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'flux-system', annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' }, labels: expect.objectContaining({ 'app.kubernetes.io/part-of': 'autocom' }) },
    });
    const other = objectsOf(synthOf(`${FLUX}\nnamespace = "gitops"`), 'gitops/flux.yaml');
    expect(other.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['gitops']);
    expect(new Set(other.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace))).toEqual(new Set(['gitops']));
  });

  test('fluxLeastPrivilege passes: the shared layer and every ring apply as their own ServiceAccount, whose Role in the unit\'s namespace lists exactly the kinds the unit writes', () => {
    expect(leastPrivilegeProblems(r.files)).toEqual([]);
    // The cluster unit (Namespaces, cluster-scoped objects, this RBAC) and the delivery Kustomization run as kustomize-controller.
    expect(ks.get('autocom-cluster').spec.serviceAccountName).toBeUndefined();
    expect(ks.get('autocom-delivery').spec.serviceAccountName).toBeUndefined();
    expect(ks.get('autocom-ring-canary').spec.serviceAccountName).toBe('autocom-ring-canary');
    const canaryRole = objectsOf(r, 'cluster/cluster.yaml').find((o) => o.kind === 'Role' && o.metadata.name === 'autocom-ring-canary') as any;
    expect(canaryRole.metadata.namespace).toBe('autocom-canary');
    // Secrets: never written by a ring unit under External Secrets; only prunable (read and delete).
    expect(canaryRole.rules.filter((x: any) => x.resources.includes('secrets')).map((x: any) => x.verbs)).toEqual([['delete', 'get', 'list', 'watch']]);
  });

  test('fluxLeastPrivilege fails: a Role that grants one kind more, a binding to another namespace\'s identity, or a ring Kustomization without its ServiceAccount is reported', () => {
    const cluster = r.files.get('cluster/cluster.yaml')!;
    const flux = r.files.get('gitops/flux.yaml')!;
    const wider = cluster.replace(/(name: autocom-ring-edge\n  namespace: autocom-edge\nrules:\n  - apiGroups:\n      - ""\n    resources:\n)/, '$1      - secrets\n');
    expect(wider).not.toBe(cluster);
    expect(leastPrivilegeProblems(new Map([...r.files, ['cluster/cluster.yaml', wider]]))).toEqual([expect.stringMatching(/^Role autocom-edge\/autocom-ring-edge: grants \/secrets:write;/)]);
    const elsewhere = cluster.replace(/(subjects:\n  - kind: ServiceAccount\n    name: autocom-ring-canary\n    namespace: )flux-system/, '$1default');
    expect(elsewhere).not.toBe(cluster);
    expect(leastPrivilegeProblems(new Map([...r.files, ['cluster/cluster.yaml', elsewhere]]))).toEqual([expect.stringMatching(/^RoleBinding autocom-canary\/autocom-ring-canary: /)]);
    const unbound = flux.replace('  serviceAccountName: autocom-ring-stable\n', '');
    expect(unbound).not.toBe(flux);
    expect(leastPrivilegeProblems(new Map([...r.files, ['gitops/flux.yaml', unbound]]))).toEqual([
      'Kustomization autocom-ring-stable: runs as "(kustomize-controller)", expected its own ServiceAccount autocom-ring-stable',
      'Role autocom/autocom-ring-stable: grants a unit that does not run as it',
      'RoleBinding autocom/autocom-ring-stable: grants a unit that does not run as it',
    ]);
  });

  test('fluxLeastPrivilege: serviceAccounts = false on the construct leaves every Kustomization to kustomize-controller (and writes no ServiceAccount)', () => {
    const { FluxDelivery } = require('../../constructs') as typeof import('../../constructs');
    const { App } = require('cdk8s') as typeof import('cdk8s');
    const units = deliveryUnits([{ name: 'cluster', objects: [] }, { name: 'ring-a', ring: 'a', objects: [] }], new Map([['a', 1]]), 'home');
    const chart = new FluxDelivery(new App(), 'f', { platform: 'p', source: { kind: 'GitRepository', name: 'p', url: 'https://g.example/p.git' }, units, serviceAccounts: false });
    const out = chart.toJson();
    expect(out.filter((o: any) => o.kind === 'ServiceAccount')).toEqual([]);
    expect(out.filter((o: any) => o.kind === 'Kustomization' && o.spec.serviceAccountName)).toEqual([]);
  });
});

/**
 * Every least-privilege problem of a Flux dist/, recomputed from the files alone (not from the code
 * that wrote them): each shared/ring Kustomization runs as the ServiceAccount named like it, which
 * exists in the Flux namespace; in the cluster unit, for each namespace of that unit's objects, a Role
 * granting exactly the resources of the unit's kinds (plural names from the table below, read-only
 * ReplicaSets and Pods for Deployment health checks) and a RoleBinding of it to that ServiceAccount;
 * and no other Role or binding for it.
 */
const PLURAL: Record<string, string> = {
  ConfigMap: 'configmaps', Secret: 'secrets', SecretStore: 'secretstores', Service: 'services', ResourceQuota: 'resourcequotas', PersistentVolumeClaim: 'persistentvolumeclaims', ServiceAccount: 'serviceaccounts',
  Deployment: 'deployments', HorizontalPodAutoscaler: 'horizontalpodautoscalers', PodDisruptionBudget: 'poddisruptionbudgets', Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies', Certificate: 'certificates', ExternalSecret: 'externalsecrets', HTTPRoute: 'httproutes', ReferenceGrant: 'referencegrants',
  Role: 'roles', RoleBinding: 'rolebindings',
};
function leastPrivilegeProblems(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const flux = parseYamlObjects(files.get('gitops/flux.yaml')!, 'flux') as any[];
  const fluxNs = flux.find((o) => o.kind === 'Kustomization').metadata.namespace;
  const cluster = parseYamlObjects(files.get('cluster/cluster.yaml')!, 'cluster') as any[];
  const accounts = new Set(flux.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  const granted = new Set<string>();
  for (const k of flux.filter((o) => o.kind === 'Kustomization')) {
    const unit = k.spec.path.replace(/^\.\/dist\//, '');
    if (unit === 'cluster' || unit === 'gitops') continue;
    const sa = k.metadata.name;
    if (k.spec.serviceAccountName !== sa) {
      problems.push(`Kustomization ${sa}: runs as "${k.spec.serviceAccountName ?? '(kustomize-controller)'}", expected its own ServiceAccount ${sa}`);
      continue;
    }
    if (!accounts.has(`${fluxNs}/${sa}`)) problems.push(`ServiceAccount ${fluxNs}/${sa}: missing`);
    const objects = parseYamlObjects(files.get(`${unit}/${unit}.yaml`)!, unit) as any[];
    const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter(Boolean))].sort();
    for (const ns of namespaces) {
      const mine = objects.filter((o) => o.metadata.namespace === ns);
      const want = new Set(mine.map((o) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${PLURAL[o.kind] ?? `?${o.kind}`}:write`));
      const covered = (res: string) => [...want].some((w) => w.startsWith(`${res}:`));
      // What the unit may have written before: read and delete only (pruning).
      for (const k of PRUNABLE_KINDS) if (!covered(`${k.group}/${PLURAL[k.kind] ?? `?${k.kind}`}`)) want.add(`${k.group}/${PLURAL[k.kind] ?? `?${k.kind}`}:prune`);
      if (mine.some((o) => o.kind === 'Deployment')) for (const read of ['apps/replicasets', '/pods']) if (!covered(read)) want.add(`${read}:read`);
      const role = cluster.find((o) => o.kind === 'Role' && o.metadata.namespace === ns && o.metadata.name === sa);
      const binding = cluster.find((o) => o.kind === 'RoleBinding' && o.metadata.namespace === ns && o.metadata.name === sa);
      granted.add(`${ns}/${sa}`);
      if (!role) {
        problems.push(`Role ${ns}/${sa}: missing`);
        continue;
      }
      const has = new Set<string>();
      for (const rule of role.rules) {
        const verbs = [...rule.verbs].sort().join(',');
        const kind = verbs === 'create,delete,get,list,patch,update,watch' ? 'write' : verbs === 'delete,get,list,watch' ? 'prune' : verbs === 'get,list,watch' ? 'read' : `verbs ${verbs}`;
        for (const g of rule.apiGroups) for (const res of rule.resources) has.add(`${g}/${res}:${kind}`);
      }
      const extra = [...has].filter((x) => !want.has(x)).sort();
      const missing = [...want].filter((x) => !has.has(x)).sort();
      if (extra.length || missing.length) problems.push(`Role ${ns}/${sa}: grants ${extra.join(', ') || 'nothing extra'}; lacks ${missing.join(', ') || 'nothing'}`);
      const subject = binding?.subjects?.[0];
      if (!binding || binding.roleRef.kind !== 'Role' || binding.roleRef.name !== sa || binding.subjects.length !== 1 || subject.kind !== 'ServiceAccount' || subject.name !== sa || subject.namespace !== fluxNs) {
        problems.push(`RoleBinding ${ns}/${sa}: expected Role ${sa} bound to ServiceAccount ${fluxNs}/${sa}, got ${JSON.stringify(binding ? { roleRef: binding.roleRef, subjects: binding.subjects } : null)}`);
      }
    }
  }
  for (const o of cluster.filter((x) => (x.kind === 'Role' || x.kind === 'RoleBinding') && x.metadata.labels?.['app.kubernetes.io/component'] === 'delivery')) {
    if (!granted.has(`${o.metadata.namespace}/${o.metadata.name}`)) problems.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name}: grants a unit that does not run as it`);
  }
  return problems;
}

describe('guessResource and unitAccess (pure)', () => {
  test('PRUNABLE_KINDS holds every namespaced kind the project renders into a unit: the example registries and random ones', () => {
    const prunable = new Set(PRUNABLE_KINDS.map((k) => `${k.group}/${k.kind}`));
    const kindsOf = (files: ReadonlyMap<string, string>) =>
      [...files].filter(([f]) => /^(shared|ring-[^/]+)\/[^/]+\.yaml$/.test(f) && !f.endsWith('/kustomization.yaml')).flatMap(([f, t]) => parseYamlObjects(t, f)).filter((o) => o.metadata?.namespace).map((o) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`);
    const seen = new Set([...kindsOf(synthOf(FLUX).files)]);
    for (const k of kindsOf(renderDir(path.join(__dirname, '..', 'fixtures', 'registries', 'reflector-gateway')).result.files)) seen.add(k);
    fc.assert(
      fc.property(registryArb({ maxRings: 4, maxTenants: 20, maxModules: 6 }), (src) => {
        for (const k of kindsOf(renderSources(new Map(src)).result.files)) seen.add(k);
      }),
      { numRuns: 30 },
    );
    expect([...seen].filter((k) => !prunable.has(k)).sort()).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
  });


  test('guessResource gives the resource names the API serves: the plural of every CRD the cluster tests install, and the built-in kinds dist/ writes', () => {
    const crdDir = path.join(__dirname, '..', 'cluster', 'crds');
    const crds = fs.readdirSync(crdDir).filter((d) => fs.statSync(path.join(crdDir, d)).isDirectory()).flatMap((d) =>
      fs.readdirSync(path.join(crdDir, d)).filter((f) => f.endsWith('.yaml')).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(crdDir, d, f), 'utf8')).map((doc) => doc.toJS()).filter((o) => o?.kind === 'CustomResourceDefinition')),
    );
    expect(crds.length).toBeGreaterThan(20);
    for (const crd of crds) expect({ kind: crd.spec.names.kind, resource: guessResource(crd.spec.names.kind) }).toEqual({ kind: crd.spec.names.kind, resource: crd.spec.names.plural });
    for (const [kind, plural] of Object.entries(PLURAL)) expect({ kind, resource: guessResource(kind) }).toEqual({ kind, resource: plural });
  });

  test('unitAccess: one entry per namespace, sorted; cluster-scoped objects get nothing; read-only ReplicaSets and Pods only where the unit has Deployments', () => {
    const access = unitAccess({
      name: 'ring-x',
      ring: 'x',
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n', namespace: 'b' } },
      ],
    });
    expect(access.map((a) => a.namespace)).toEqual(['b', 'x']);
    expect(access[0].rules[0]).toEqual({ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] });
    const short = (a: (typeof access)[number]) => a.rules.map((x) => `${x.apiGroups[0]}/${x.resources.join('+')}:${x.verbs.length}`);
    // Written: every verb; the other prunable kinds: read and delete; no health-check reads without Deployments.
    expect(short(access[0]).filter((x) => x.endsWith(':7'))).toEqual(['networking.k8s.io/networkpolicies:7']);
    expect(short(access[0])).toContain('networking.k8s.io/ingresses:4');
    expect(short(access[0]).some((x) => x.includes('replicasets'))).toBe(false);
    expect(short(access[1]).filter((x) => !x.endsWith(':4'))).toEqual(['/configmaps:7', 'apps/deployments:7', '/pods:3', 'apps/replicasets:3']);
    expect(short(access[1])).toContain('/persistentvolumeclaims+resourcequotas+secrets+serviceaccounts+services:4');
    expect(access.every((a) => a.ring === 'x' && a.unit === 'ring-x')).toBe(true);
  });
});

describe('the real CRDs (Argo CD v3.6.1 and v3.2.11, Flux v1.10.1 and v1.9.6) admit every delivery object', () => {
  const variants = {
    'argo-cd applications': ARGO,
    'argo-cd applicationset': `${ARGO}\nargo_cd_strategy = "applicationset"\nnamespace = "gitops"`,
    'flux git': `${FLUX}\nsecret_ref = "git-read"\ninterval = "1m30s"`,
    'flux oci': 'tool = "flux"\nrepo_url = "oci://r.example.com/p"\nrevision = "v1"\npath = "."',
  };
  test.each(Object.entries(variants))('%s: no schema violation', (_name, table) => {
    const files = new Map([...synthOf(table).files].filter(([f]) => f.startsWith('gitops/')));
    expect(files.size).toBeGreaterThan(1);
    expect(schemaViolationsOfFiles(files)).toEqual([]);
  });

  test('the gate fails on a field the CRD does not have (a misspelt sync policy)', () => {
    const files = new Map([...synthOf(ARGO).files].filter(([f]) => f === 'gitops/argo-cd.yaml'));
    const broken = new Map([...files].map(([f, t]) => [f, t.replace('syncPolicy:', 'syncPolicyy:')]));
    expect(schemaViolationsOfFiles(broken).join('\n')).toMatch(/Application\/argocd\/autocom-cluster: .*syncPolicyy/);
  });
});

describe('deliveryUnits (pure)', () => {
  test('orders by kind of unit, then by descending promotion order, keeping ties in the given order', () => {
    const units = deliveryUnits(
      [
        { name: 'ring-b', ring: 'b', objects: [] },
        { name: 'shared', objects: [] },
        { name: 'ring-a', ring: 'a', objects: [] },
        { name: 'cluster', objects: [] },
        { name: 'ring-c', ring: 'c', objects: [] },
      ],
      new Map([['a', 0], ['b', 5], ['c', 5]]),
      'home',
    );
    expect(units.map((u) => [u.name, u.wave])).toEqual([['cluster', 0], ['shared', 1], ['ring-b', 2], ['ring-c', 3], ['ring-a', 4]]);
    expect(units.every((u) => u.namespace === 'home')).toBe(true);
  });

  test('property: for random registries with [gitops], every unit is delivered exactly once, rings after shared, waves by promotion order, no ring depends on another', () => {
    fc.assert(
      fc.property(registryArb({ maxRings: 5, maxTenants: 20, maxModules: 6 }), fc.constantFrom('argo-cd', 'flux'), (sources, tool) => {
        const s = new Map(sources);
        s.set('platform.toml', `${s.get('platform.toml')}\n[gitops]\ntool = "${tool}"\nrepo_url = "https://g.example.com/p.git"\n`);
        const { result, plan } = renderSources(s);
        const units = result.charts.map((c) => c.unit);
        const delivery = result.delivery.flatMap((c) => c.objects) as any[];
        const unitOf = (o: any): string | undefined => o.metadata.labels?.['rings.cdk8s.io/unit'];
        const perUnit = delivery.filter((o) => (o.kind === 'Application' || o.kind === 'Kustomization') && unitOf(o) && unitOf(o) !== 'gitops');
        expect(perUnit.map((o) => o.metadata.labels['rings.cdk8s.io/unit']).sort()).toEqual([...units].sort());
        const ringsEdgeFirst = [...plan.rings].sort((a, b) => b.promotionOrder - a.promotionOrder).map((r) => `ring-${r.name}`);
        if (tool === 'argo-cd') {
          const order = [...perUnit].sort((a, b) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']) - Number(b.metadata.annotations['argocd.argoproj.io/sync-wave']));
          expect(order.map((o) => o.metadata.labels['rings.cdk8s.io/unit'])).toEqual(['cluster', 'shared', ...ringsEdgeFirst].filter((u) => units.includes(u)));
        } else {
          for (const k of perUnit.filter((o) => o.metadata.labels.ring)) {
            // The shared layer when dist/ has one (a platform without shared services has none), else the cluster unit.
            expect(k.spec.dependsOn.map((d: any) => d.name)).toEqual([`${plan.platform}-${units.includes('shared') ? 'shared' : 'cluster'}`]);
          }
        }
        expect(schemaViolationsOfFiles(new Map([...result.files].filter(([f]) => f.startsWith('gitops/'))))).toEqual([]);
      }),
      propertyRuns(15),
    );
  });
});
