/**
 * The cluster tests of one Kubernetes version, on every example registry: install, running, promote,
 * move a tenant, rollback, add and remove a ring, autoscaled ring; plus the negative fixtures that show
 * a broken quota, a missing Namespace and an uninstallable CRD are caught by the same checks.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CLUSTER_DIR, ControlPlane, startControlPlane } from './control-plane';
import {
  applyFileByFile,
  applyUnit,
  deliveryOrderFromCluster,
  gitopsFiles,
  applyKustomized,
  applyClientSide,
  applyServerSide,
  hpasSettled,
  liveVersions,
  changedObjects,
  crdFiles,
  currentTemplateHash,
  deploymentsWithNewReplicaSets,
  distObjects,
  eventUids,
  incompleteRollouts,
  installCrds,
  newEvents,
  nonCompliantPod,
  podRefusals,
  provideOperatorPrerequisites,
  pruneAllowlist,
  replicaSets,
  ringDataReaders,
  ringNamespaces,
  supportMatrix,
  rollWatchingTerminating,
  Workdir,
  workdir,
} from './platform';

const ROOT = path.resolve(CLUSTER_DIR, '..', '..');

/** A registry with `[clusters]` (rings across clusters): the multi-cluster suite applies it to two control planes. */
export function isMultiCluster(registryDir: string): boolean {
  return /^\[clusters\./m.test(fs.readFileSync(path.join(registryDir, 'platform.toml'), 'utf8'));
}

/** Every example registry of the project that runs in one cluster (test/cluster/multi-cluster-*.test.ts takes the others). */
export const EXAMPLE_REGISTRIES: ReadonlyArray<readonly [string, string]> = [
  ['rings/', path.join(ROOT, 'rings')],
  ...fs
    .readdirSync(path.join(ROOT, 'test', 'fixtures', 'registries'))
    .sort()
    .map((n) => [`test/fixtures/registries/${n}/`, path.join(ROOT, 'test', 'fixtures', 'registries', n)] as const)
    .filter(([, dir]) => !isMultiCluster(dir)),
];

const LONG = 15 * 60_000;

function readToml(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** The ring with the most api replicas among non-home rings (a promote there rolls several pods). */
function promotionTarget(wd: Workdir): { ring: string; namespace: string; module: string; version: string; sha256?: string } {
  const platform = readToml(path.join(wd.registry, 'platform.toml'));
  const home = /^home_ring\s*=\s*"([^"]+)"/m.exec(platform)![1];
  let best: { ring: string; namespace: string; replicas: number } | undefined;
  for (const f of fs.readdirSync(wd.registry).filter((x) => x.endsWith('.toml') && !['platform.toml', 'tenants.toml'].includes(x)).sort()) {
    const t = readToml(path.join(wd.registry, f));
    const ring = /^name\s*=\s*"([^"]+)"/m.exec(t)![1];
    if (ring === home) continue;
    const namespace = /^namespace\s*=\s*"([^"]+)"/m.exec(t)![1];
    const replicas = Number(/^\[replicas\][^[]*?^api\s*=\s*(\d+)/ms.exec(t)?.[1] ?? 1);
    if (!best || replicas > best.replicas) best = { ring, namespace, replicas };
  }
  const lock = JSON.parse(fs.readFileSync(path.join(wd.registry, 'locks', `${best!.ring}.lock.json`), 'utf8'));
  // AutoCom's form pins (version, sha256) under "modules"; the flat form pins versions at the top.
  const autocom = typeof lock.modules === 'object' && lock.modules !== null;
  const module = Object.keys(autocom ? lock.modules : lock).sort()[0];
  const version = '99.0.0';
  const sha256 = autocom ? createHash('sha256').update(`${module}@${version}`).digest('hex') : undefined;
  return { ring: best!.ring, namespace: best!.namespace, module, version, sha256 };
}

/**
 * `part`: 'example' runs rings/ and the negative fixtures, 'fixtures' the other example registries
 * (test/fixtures/registries/); one test file per part and version, so that jest runs them side by side.
 */
export function defineClusterSuite(version: string, part: 'example' | 'fixtures'): void {
  const minor = version.split('.').slice(0, 2).join('.');
  const operators = supportMatrix()[minor];
  if (!operators) throw new Error(`test/cluster/support-matrix.json has no entry for ${minor}`);
  const operatorLabel = Object.entries(operators).map(([k, v]) => `${k} ${v}`).join(', ');

  describe(`Kubernetes ${version} (${operatorLabel})`, () => {
    const registries = EXAMPLE_REGISTRIES.filter(([label]) => (label === 'rings/') === (part === 'example'));
    describe.each(registries)('registry %s', (_label, source) => {
      describe('applied file by file', () => {
        let cp: ControlPlane | undefined;
        let wd: Workdir | undefined;
        afterAll(async () => {
          await cp?.stop();
          wd?.cleanup();
        });

        test('install: the operator CRDs, then each dist/ file in kustomization.yaml order, one pass, no error and no warning', async () => {
          cp = await startControlPlane(version);
          wd = workdir(source);
          wd.synth();
          const crds = installCrds(cp, operators);
          expect(crds.flatMap((o) => [...o.errors, ...o.warnings])).toEqual([]);
          provideOperatorPrerequisites(cp, wd.dist);
          const files = applyFileByFile(cp, wd.dist);
          expect(files.map((f) => ({ file: f.file, code: f.code, errors: f.errors, warnings: f.warnings }))).toEqual(
            files.map((f) => ({ file: f.file, code: 0, errors: [], warnings: [] })),
          );
        }, LONG);

        test('GitOps: dist/gitops/ is admitted by the real Argo CD or Flux CRDs (schema and CEL rules), and its delivery order, read back from the API server, puts the cluster unit, then the shared layer, then the rings (Argo CD: from the bleeding edge to the most conservative; Flux: each on the shared layer only); each unit applies alone in that order', () => {
          const gitops = gitopsFiles(wd!.dist);
          expect(gitops).toBeDefined(); // every example registry shows one GitOps tool
          const c = cp!;
          c.kubectlOk(['create', 'namespace', gitops!.namespace]);
          const applied = gitops!.files.map((file) => ({ file: path.basename(file), ...applyServerSide(c, { file }) }));
          expect(applied.map((a) => ({ file: a.file, code: a.code, errors: a.errors, warnings: a.warnings }))).toEqual(
            applied.map((a) => ({ file: a.file, code: 0, errors: [], warnings: [] })),
          );
          const order = deliveryOrderFromCluster(c, gitops!.namespace);
          const rings = ringsByPromotion(wd!).map((r) => `ring-${r}`);
          if (gitops!.files.some((f) => path.basename(f) === 'flux.yaml')) {
            // Flux: every ring depends on the shared layer only (a broken canary never holds stable back), so rings have no order among themselves.
            expect({ first: order.slice(0, 2), rings: order.slice(2).sort() }).toEqual({ first: ['cluster', 'shared'], rings: [...rings].sort() });
          } else {
            expect(order).toEqual(['cluster', 'shared', ...rings]);
          }
          // What Argo CD or Flux does, unit by unit: build the unit's own kustomization and apply it.
          const units = order.map((unit) => ({ unit, ...applyUnit(c, wd!.dist, unit) }));
          expect(units.map((u) => ({ unit: u.unit, code: u.code, errors: u.errors, warnings: u.warnings }))).toEqual(
            units.map((u) => ({ unit: u.unit, code: 0, errors: [], warnings: [] })),
          );
        }, LONG);

        test('GitOps, Argo CD progressive syncs: the ApplicationSet variant (argo_cd_strategy = "applicationset") is admitted, and its RollingSync steps deliver in the same order', () => {
          const c = cp!;
          const platform = readToml(path.join(wd!.registry, 'platform.toml'));
          if (!/^tool\s*=\s*"argo-cd"/m.test(platform)) return void expect(platform).toMatch(/^tool\s*=\s*"flux"/m);
          // The keys go right under the [gitops] header: later tables ([analysis]) would claim keys appended at the end.
          expect(platform).toMatch(/^\[gitops\]\n/m);
          fs.writeFileSync(path.join(wd!.registry, 'platform.toml'), platform.replace(/^\[gitops\]\n/m, '[gitops]\nargo_cd_strategy = "applicationset"\nnamespace = "argocd-progressive"\n'));
          const variant = path.join(wd!.dir, 'dist-applicationset');
          try {
            wd!.rings(['synth', '--out', variant]);
          } finally {
            fs.writeFileSync(path.join(wd!.registry, 'platform.toml'), platform);
          }
          const gitops = gitopsFiles(variant)!;
          expect(gitops.namespace).toBe('argocd-progressive');
          c.kubectlOk(['create', 'namespace', gitops.namespace]);
          const applied = gitops.files.map((file) => ({ file: path.basename(file), ...applyServerSide(c, { file }) }));
          expect(applied.map((a) => ({ file: a.file, code: a.code, errors: a.errors, warnings: a.warnings }))).toEqual(
            applied.map((a) => ({ file: a.file, code: 0, errors: [], warnings: [] })),
          );
          expect(deliveryOrderFromCluster(c, gitops.namespace)).toEqual(['cluster', 'shared', ...ringsByPromotion(wd!).map((r) => `ring-${r}`)]);
        }, LONG);
      });

      describe('applied client-side with --prune by label, a ring added and removed', () => {
        let cp: ControlPlane | undefined;
        let wd: Workdir | undefined;
        afterAll(async () => {
          await cp?.stop();
          wd?.cleanup();
        });

        test('add and remove a ring: a new ring comes up from nothing; removed, its objects are pruned by label; nothing of the other rings changes', async () => {
          cp = await startControlPlane(version);
          wd = workdir(source);
          wd.synth();
          const c = cp;
          const w = wd;
          expect(installCrds(c, operators).flatMap((o) => [...o.errors, ...o.warnings])).toEqual([]);
          provideOperatorPrerequisites(c, w.dist);
          const platform = /^name\s*=\s*"([^"]+)"/m.exec(readToml(path.join(w.registry, 'platform.toml')))![1];
          // kubectl refuses --prune with --server-side (outside its alpha ApplySets): pruning by label is client-side apply.
          const applyPruning = () => {
            const allow = pruneAllowlist(w.dist).flatMap((k) => ['--prune-allowlist', k]);
            const r = applyClientSide(c, w.dist, ['--prune', '-l', PRUNE_SELECTOR(platform), ...allow]);
            expect({ code: r.code, errors: r.errors, warnings: r.warnings }).toEqual({ code: 0, errors: [], warnings: [] });
            return r;
          };
          applyPruning();
          expect(incompleteRollouts(c)).toEqual([]);
          await hpasSettled(c);
          const liveOf = (ids: Set<string>) => liveVersions(c, ids);
          const others = new Set(distObjects(w.dist).filter((o) => o.ring).map((o) => o.id));
          const othersBefore = liveOf(others);
          const rsBefore = replicaSets(c);

          const added = { ring: 'beta', namespace: `${platform}-beta` };
          w.rings(['ring', 'add', added.ring, '--after', entryRing(w), '--reason', 'cluster test', '--yes']);
          w.synth();
          applyPruning();
          expect(incompleteRollouts(c)).toEqual([]);
          const rsAfterAdd = replicaSets(c);
          // The shared Deployments that mount the ring data (rings.json lists every ring) roll by design.
          const readers = new Set(ringDataReaders(w.dist).map((id) => id.replace(/^Deployment /, '')));
          const rolled = (a: Map<string, string[]>, b: Map<string, string[]>) => deploymentsWithNewReplicaSets(a, b).filter((d) => !readers.has(d));
          expect(rolled(rsBefore, rsAfterAdd)).toEqual(
            [...rsAfterAdd.keys()].filter((k) => k.startsWith(`${added.namespace}/`)).sort(),
          );
          expect([...rsAfterAdd.keys()].filter((k) => k.startsWith(`${added.namespace}/`)).length).toBeGreaterThan(0);
          expect(liveOf(others)).toEqual(othersBefore);

          w.rings(['ring', 'retire', added.ring, '--reason', 'cluster test', '--yes']);
          expect(fs.existsSync(path.join(w.registry, `${added.ring}.toml`))).toBe(false);
          w.synth();
          const pruned = applyPruning();
          expect(pruned.stdout).toContain(`namespace/${added.namespace} pruned`);
          // The namespace controller re-checks a namespace only after its pods' grace period (60 s for
          // horizon); KWOK's pods have no process to stop, so they go at once and the wait is for our objects.
          c.kubectl(['delete', 'pods', '--all', '-n', added.namespace, '--grace-period=0', '--force', '--wait=false']);
          c.kubectlOk(['wait', '--for=delete', `namespace/${added.namespace}`, '--timeout=240s']);
          const left = c.kubectl(['get', 'all,configmaps,ingresses,networkpolicies,resourcequotas,poddisruptionbudgets', '-A', '-l', `ring=${added.ring}`, '-o', 'name']);
          expect(left.stdout.trim()).toBe('');
          expect(rolled(rsBefore, replicaSets(c))).toEqual([]);
          expect(liveOf(others)).toEqual(othersBefore);
        }, LONG);
      });

      describe('applied through kubectl kustomize, then changed', () => {
        let cp: ControlPlane;
        let wd: Workdir;
        beforeAll(async () => {
          cp = await startControlPlane(version);
          wd = workdir(source);
          wd.synth();
        }, LONG);
        afterAll(async () => {
          await cp?.stop();
          wd?.cleanup();
        });

        const applyOnly = () => {
          const applied = applyKustomized(cp, wd.dist);
          expect({ code: applied.code, errors: applied.errors, warnings: applied.warnings }).toEqual({ code: 0, errors: [], warnings: [] });
        };
        const applyAndRoll = async () => {
          const applied = applyKustomized(cp, wd.dist);
          expect({ code: applied.code, errors: applied.errors, warnings: applied.warnings }).toEqual({ code: 0, errors: [], warnings: [] });
          expect(incompleteRollouts(cp)).toEqual([]);
        };

        test('install: the operator CRDs, then all of dist/ in one pass (kubectl kustomize | kubectl apply --server-side --validate=strict): no error, no warning', async () => {
          const crds = installCrds(cp, operators);
          expect(crds.flatMap((o) => [...o.errors, ...o.warnings])).toEqual([]);
          provideOperatorPrerequisites(cp, wd.dist);
          const applied = applyKustomized(cp, wd.dist);
          expect({ code: applied.code, errors: applied.errors, warnings: applied.warnings }).toEqual({ code: 0, errors: [], warnings: [] });
          // A second pass changes nothing and says nothing. Once the autoscalers made their first scale-up: a
          // `kubectl diff` racing it reads spec.replicas before and after (seen once on 1.37), which is not a change of ours.
          await hpasSettled(cp);
          expect(changedObjects(cp, wd.dist)).toEqual([]);
        }, LONG);

        test('running: every Deployment completes its rollout, no FailedCreate event, Pod Security refuses a non-compliant pod in every ring namespace', () => {
          expect(incompleteRollouts(cp)).toEqual([]);
          const deployments = cp.getJson(['get', 'deployments', '-A', '-l', 'app.kubernetes.io/managed-by=cdk8s-rings']).items;
          expect(deployments.length).toBeGreaterThan(0);
          expect(podRefusals(newEvents(cp, new Set()))).toEqual([]);
          const namespaces = ringNamespaces(wd.dist);
          expect(namespaces.length).toBeGreaterThan(1);
          for (const ns of namespaces) {
            const r = cp.kubectl(['create', '--dry-run=server', '-f', '-'], nonCompliantPod(ns));
            expect({ ns, code: r.code, refusedBy: /violates PodSecurity "restricted:v1\.29"/.test(r.stderr) }).toEqual({ ns, code: 1, refusedBy: true });
          }
        }, LONG);

        let promoted: ReturnType<typeof promotionTarget>;
        let hashesBeforePromote: Record<string, string>;

        test('promote: a new module version pinned in one ring rolls exactly that ring\'s api and horizon; no exceeded-quota event while old pods terminate', async () => {
          promoted = promotionTarget(wd);
          const { ring, namespace, module } = promoted;
          hashesBeforePromote = { api: currentTemplateHash(cp, namespace, 'api'), horizon: currentTemplateHash(cp, namespace, 'horizon') };
          const before = replicaSets(cp);
          const seen = eventUids(cp);
          const sha = promoted.sha256 ? ['--sha256', promoted.sha256] : [];
          wd.rings(['promote', module, '--with-version', promoted.version, ...sha, '--to', ring, '--emergency', '--reason', 'cluster test', '--yes']);
          wd.synth();
          const changed = changedObjects(cp, wd.dist);
          expect(changed.length).toBeGreaterThan(0);
          expect(changed.filter((id) => !id.includes(` ${namespace}/`))).toEqual([]);
          const maxTerminating = await rollWatchingTerminating(cp, namespace, applyOnly);
          expect(incompleteRollouts(cp)).toEqual([]);
          expect(deploymentsWithNewReplicaSets(before, replicaSets(cp))).toEqual([`${namespace}/api`, `${namespace}/horizon`]);
          // The situation the quota rule is about did happen: replaced pods were still terminating.
          expect(maxTerminating).toBeGreaterThan(0);
          expect(podRefusals(newEvents(cp, seen))).toEqual([]);
        }, LONG);

        test('move a tenant: only Ingress or HTTPRoute objects change (and the ring-data ConfigMap with what reads it); no ring Deployment gets a new ReplicaSet', async () => {
          const { tenant, to } = movableTenant(wd, promoted.ring);
          const before = replicaSets(cp);
          wd.rings(['assign', tenant, to, '--reason', 'cluster test', '--yes']);
          wd.synth();
          // By design (the app's view of the rings): the immutable ring-data ConfigMap gets a new name, and
          // the shared Deployments that mount it (ring_data_path) roll to read it. Nothing else may.
          const readers = new Set(ringDataReaders(wd.dist));
          const changed = changedObjects(cp, wd.dist);
          expect(changed.filter((id) => /^(Ingress|HTTPRoute) /.test(id)).length).toBeGreaterThan(0);
          expect(changed.filter((id) => !/^(Ingress|HTTPRoute) /.test(id) && !/^ConfigMap [^/]+\/ring-data-/.test(id) && !readers.has(id))).toEqual([]);
          await applyAndRoll();
          const rolled = deploymentsWithNewReplicaSets(before, replicaSets(cp));
          expect(rolled.filter((d) => !readers.has(`Deployment ${d}`))).toEqual([]);
        }, LONG);

        test('rollback: the ring\'s pods run the exact pod template they ran before the promote', async () => {
          const { ring, namespace, module } = promoted;
          const seen = eventUids(cp);
          wd.rings(['rollback', module, '--ring', ring, '--reason', 'cluster test', '--yes']);
          wd.synth();
          const maxTerminating = await rollWatchingTerminating(cp, namespace, applyOnly);
          expect(incompleteRollouts(cp)).toEqual([]);
          expect({ api: currentTemplateHash(cp, namespace, 'api'), horizon: currentTemplateHash(cp, namespace, 'horizon') }).toEqual(hashesBeforePromote);
          expect(maxTerminating).toBeGreaterThan(0);
          expect(podRefusals(newEvents(cp, seen))).toEqual([]);
        }, LONG);

        test('promote an image: a new api image pinned in one ring rolls exactly that ring\'s api and horizon (horizon runs the api image)', async () => {
          const { ring, namespace } = promoted;
          const before = replicaSets(cp);
          const seen = eventUids(cp);
          const ref = `registry.example/autocom/api-octane:2099.1.0@sha256:${createHash('sha256').update('api-octane 2099.1.0').digest('hex')}`;
          wd.rings(['promote', 'image', 'api', '--with-image', ref, '--to', ring, '--emergency', '--reason', 'cluster test', '--yes']);
          wd.synth();
          expect(changedObjects(cp, wd.dist).filter((id) => !id.includes(` ${namespace}/`))).toEqual([]);
          const maxTerminating = await rollWatchingTerminating(cp, namespace, applyOnly);
          expect(incompleteRollouts(cp)).toEqual([]);
          expect(deploymentsWithNewReplicaSets(before, replicaSets(cp))).toEqual([`${namespace}/api`, `${namespace}/horizon`]);
          expect(maxTerminating).toBeGreaterThan(0);
          expect(podRefusals(newEvents(cp, seen))).toEqual([]);
          const images = cp.getJson(['get', 'deployment', 'api', '-n', namespace]).spec.template.spec.containers.map((c: any) => c.image);
          expect(images).toContain(ref);
        }, LONG);

        test('autoscaled ring: the HorizontalPodAutoscaler owns the replica count and a re-apply does not fight it', async () => {
          const hpas = cp.getJson(['get', 'hpa', '-A', '-l', 'app.kubernetes.io/managed-by=cdk8s-rings']).items;
          expect(hpas.length).toBeGreaterThan(0);
          for (const hpa of hpas) {
            const ns = hpa.metadata.namespace;
            const target = hpa.spec.scaleTargetRef.name;
            const min = hpa.spec.minReplicas;
            await until(`${ns}/${target} scaled to the HPA minimum ${min}`, () => cp.getJson(['get', 'deployment', target, '-n', ns]).spec.replicas === min);
            const before = replicaSets(cp);
            const applied = applyKustomized(cp, wd.dist);
            expect(applied.code).toBe(0);
            const d = cp.getJson(['get', 'deployment', target, '-n', ns]);
            expect(d.spec.replicas).toBe(min);
            const ours = (d.metadata.managedFields ?? []).filter((m: any) => m.manager === 'cdk8s-rings');
            expect(ours.some((m: any) => m.fieldsV1?.['f:spec']?.['f:replicas'])).toBe(false);
            expect(deploymentsWithNewReplicaSets(before, replicaSets(cp))).toEqual([]);
          }
        }, LONG);
      });
    });

    if (part === 'example') describe('negative fixtures: the checks above do fail', () => {
      let cp: ControlPlane;
      beforeAll(async () => {
        cp = await startControlPlane(version);
      }, LONG);
      afterAll(async () => cp?.stop());

      test('a quota sized Σ(replicas + maxSurge), ignoring terminating pods, refuses surge pods during a rolling update', async () => {
        const ns = 'quota-negative';
        const yaml = fs.readFileSync(path.join(CLUSTER_DIR, 'fixtures', 'quota-without-terminating.yaml'), 'utf8');
        expect(applyServerSide(cp, { yaml }).code).toBe(0);
        cp.kubectlOk(['rollout', 'status', 'deployment/app', '-n', ns, '--timeout=120s']);
        const seen = eventUids(cp);
        cp.kubectlOk(['patch', 'deployment', 'app', '-n', ns, '--type=merge', '-p', '{"spec":{"template":{"metadata":{"annotations":{"rollout":"2"}}}}}']);
        await until('an exceeded-quota refusal', () => podRefusals(newEvents(cp, seen)).some((e) => /exceeded quota/.test(e.message)), 120_000);
      }, LONG);

      test('a namespaced object applied before its Namespace is refused (the old dist/ order)', () => {
        const files = applyFileByFile(cp, path.join(CLUSTER_DIR, 'fixtures', 'namespace-last'));
        expect(files[0].code).not.toBe(0);
        expect(files[0].errors.join('\n')).toMatch(/namespaces "late" not found/);
      }, LONG);

      if (minor === '1.29') {
        test('External Secrets v2.9.0 CRDs (selectableFields, a 1.30 field) do not install on 1.29', () => {
          const outcomes = crdFiles('external-secrets', 'v2.9.0').map((file) => applyServerSide(cp, { file }));
          const errors = outcomes.flatMap((o) => o.errors).join('\n');
          expect(outcomes.some((o) => o.code !== 0)).toBe(true);
          expect(errors).toMatch(/selectableFields: field not declared in schema/);
        }, LONG);
      }
    });
  });
}

/** Label selector users prune by: every object the platform writes carries both labels. */
export const PRUNE_SELECTOR = (platform: string) => `app.kubernetes.io/part-of=${platform},app.kubernetes.io/managed-by=cdk8s-rings`;

/** Ring names from the least conservative (highest promotion_order) to the most, as read from the ring files. */
function ringsByPromotion(wd: Workdir): string[] {
  const rings = fs.readdirSync(wd.registry).filter((x) => x.endsWith('.toml') && !['platform.toml', 'tenants.toml'].includes(x));
  return rings
    .map((f) => ({ f, order: Number(/^promotion_order\s*=\s*(\d+)/m.exec(readToml(path.join(wd.registry, f)))![1]) }))
    .sort((a, b) => b.order - a.order)
    .map((x) => x.f.replace(/\.toml$/, ''));
}

/** The least conservative ring (highest promotion_order): a new ring goes after it. */
function entryRing(wd: Workdir): string {
  const rings = fs.readdirSync(wd.registry).filter((x) => x.endsWith('.toml') && !['platform.toml', 'tenants.toml'].includes(x));
  const byOrder = rings.map((f) => ({ f, order: Number(/^promotion_order\s*=\s*(\d+)/m.exec(readToml(path.join(wd.registry, f)))![1]) }));
  byOrder.sort((a, b) => b.order - a.order);
  return byOrder[0].f.replace(/\.toml$/, '');
}

/** A tenant without a preview, and a ring it is not on (the promoted ring when possible). */
function movableTenant(wd: Workdir, preferred: string): { tenant: string; to: string } {
  const text = readToml(path.join(wd.registry, 'tenants.toml'));
  const [before, previews = ''] = text.split(/^\[previews\]/m);
  const withPreview = new Set([...previews.matchAll(/^([a-z0-9-]+)\s*=/gm)].map((m) => m[1]));
  const rings = fs.readdirSync(wd.registry).filter((x) => x.endsWith('.toml') && !['platform.toml', 'tenants.toml'].includes(x)).map((f) => f.replace(/\.toml$/, ''));
  for (const m of (before.split(/^\[tenants\]/m)[1] ?? '').matchAll(/^([a-z0-9-]+)\s*=\s*"([a-z0-9-]+)"/gm)) {
    const [, tenant, from] = m;
    if (withPreview.has(tenant)) continue;
    const to = from !== preferred ? preferred : rings.find((r) => r !== from)!;
    return { tenant, to };
  }
  throw new Error('no tenant without a preview to move');
}

async function until(what: string, check: () => boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}
