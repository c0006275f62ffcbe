import { App, Testing } from 'cdk8s';
import { octaneComponents, Ring } from '../../constructs';
import { edit, examplePlan, exampleSources, planOf, sourcesWith } from '../support/registry-fixture';
import { cpuMillis, inNs, memMib, named, objectsOf, ofKind, podSpecs } from '../support/objects';

const objs = objectsOf(examplePlan());
const plan = examplePlan();
const nonHome = plan.rings.filter((r) => r.namespace !== plan.homeNamespace);

describe('ring namespaces', () => {
  test.each(plan.rings.map((r) => r.namespace))('%s enforces, warns and audits at restricted v1.29, is labelled and owned', (ns) => {
    const n = objs.find((o) => o.kind === 'Namespace' && o.metadata.name === ns)!;
    for (const mode of ['enforce', 'warn', 'audit']) {
      expect(n.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      expect(n.metadata.labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.29');
    }
    expect(n.metadata.labels.ring).toBe(plan.rings.find((r) => r.namespace === ns)!.name);
    expect(n.metadata.annotations['rings.cdk8s.io/registry']).toBe('autocom');
    expect(n.metadata.namespace).toBeUndefined();
  });
});

describe('ring ConfigMap and lock', () => {
  test.each(plan.rings.map((r) => [r.name, r.namespace]))('%s: RING_NAME, MODULE_LOCK_PATH and alias hosts', (ring, ns) => {
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && /^ring-config-[0-9a-f]{10}$/.test(o.metadata.name))!;
    expect(cm.data.RING_NAME).toBe(ring);
    expect(cm.data.MODULE_LOCK_PATH).toBe(`/etc/rings/${ring}.lock.json`);
    expect(cm.data.DB_HOST).toBe('autocom-db-rw');
    expect(cm.data.REDIS_HOST).toBe('redis');
    const lock = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && /^module-lock-[0-9a-f]{10}$/.test(o.metadata.name))!;
    expect(Object.keys(lock.data)).toEqual([`${ring}.lock.json`]);
  });
  test('api and horizon mount the lock read-only where MODULE_LOCK_PATH points', () => {
    for (const r of plan.rings) {
      for (const name of ['api', 'horizon']) {
        const spec = named(objs, 'Deployment', r.namespace, name)!.spec.template.spec;
        const vol = spec.volumes.find((v: any) => /^module-lock-[0-9a-f]{10}$/.test(v.configMap?.name ?? ''));
        const mount = spec.containers[0].volumeMounts.find((m: any) => m.name === vol.name);
        expect(mount).toEqual({ name: vol.name, mountPath: '/etc/rings', readOnly: true });
        expect(spec.containers[0].envFrom.filter((e: any) => /^ring-config-[0-9a-f]{10}$/.test(e.configMapRef?.name ?? ''))).toHaveLength(1);
      }
    }
  });
  test('a lock change changes only that ring\'s checksum', () => {
    const before = objectsOf(plan);
    const after = objectsOf(planOf(edit('locks/canary.lock.json', /("orders": \{\s*"version": )"1\.6\.1"/, '$1"1.6.2"')));
    const checksums = (os: any[]) =>
      Object.fromEntries(ofKind(os, 'Deployment').map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, JSON.stringify(d.spec.template.metadata.annotations ?? {})]));
    const b = checksums(before);
    const a = checksums(after);
    const changed = Object.keys(b).filter((k) => a[k] !== b[k]).sort();
    expect(changed).toEqual(['autocom-canary/api', 'autocom-canary/horizon']);
  });
});

describe('workloads', () => {
  test('every container carries the restricted security context', () => {
    for (const { owner, spec } of podSpecs(objs)) {
      expect({ owner, ...spec.securityContext }).toMatchObject({ owner, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true });
        expect(c.securityContext.runAsUser).toBeGreaterThan(0);
      }
    }
  });
  test('nginx is nginx-unprivileged on 8080 with emptyDirs exactly at /tmp and /var/cache/nginx', () => {
    for (const r of plan.rings) {
      const spec = named(objs, 'Deployment', r.namespace, 'nginx')!.spec.template.spec;
      const c = spec.containers[0];
      expect(c.image).toMatch(/^nginxinc\/nginx-unprivileged:/);
      expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      const emptyDirs = spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => c.volumeMounts.find((m: any) => m.name === v.name).mountPath);
      expect(emptyDirs).toEqual(['/tmp', '/var/cache/nginx']);
      expect(named(objs, 'Service', r.namespace, 'nginx')!.spec.ports[0]).toMatchObject({ port: 80, targetPort: 'http' });
    }
  });
  test('rolling updates never take a pod away before its replacement is ready', () => {
    // redis alone recreates: it owns a ReadWriteOnce volume (its append-only file).
    for (const d of ofKind(objs, 'Deployment')) {
      if (d.metadata.name === 'redis') expect(d.spec.strategy).toEqual({ type: 'Recreate' });
      else expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    }
  });
  test('api probes /api/health on 8000; horizon, without a port, gets an exec probe', () => {
    const api = named(objs, 'Deployment', 'autocom-canary', 'api')!.spec.template.spec.containers[0];
    for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(api[p].httpGet).toEqual({ path: '/api/health', port: 8000, scheme: 'HTTP' });
    const horizon = named(objs, 'Deployment', 'autocom-canary', 'horizon')!.spec.template.spec.containers[0];
    expect(horizon.ports).toBeUndefined();
    for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(horizon[p].exec.command).toEqual(['php', 'artisan', 'horizon:status']);
    expect(named(objs, 'Service', 'autocom-canary', 'horizon')).toBeUndefined();
  });
  test('replicas come from the ring file; image pull secrets by name', () => {
    expect(named(objs, 'Deployment', 'autocom-canary', 'api')!.spec.replicas).toBe(2);
    expect(named(objs, 'Deployment', 'autocom-canary', 'nginx')!.spec.replicas).toBe(1);
    expect(named(objs, 'Deployment', 'autocom-edge', 'horizon')!.spec.replicas).toBe(2);
    for (const { spec } of podSpecs(objs)) expect(spec.imagePullSecrets).toEqual([{ name: 'gitlab-registry' }]);
  });
  test('every container has cpu and memory requests and limits', () => {
    for (const { spec } of podSpecs(objs)) {
      for (const c of spec.containers) {
        expect(cpuMillis(c.resources.limits.cpu)).toBeGreaterThanOrEqual(cpuMillis(c.resources.requests.cpu));
        expect(memMib(c.resources.limits.memory)).toBeGreaterThanOrEqual(memMib(c.resources.requests.memory));
      }
    }
  });
});

describe('PDB and HPA', () => {
  test('a PDB (AlwaysAllow) for every Deployment of ≥ 2 replicas, none when 1 (but redis, minAvailable 1)', () => {
    expect(named(objs, 'PodDisruptionBudget', 'autocom-edge', 'api')).toBeDefined();
    expect(named(objs, 'PodDisruptionBudget', 'autocom-edge', 'nginx')).toBeDefined();
    expect(named(objs, 'PodDisruptionBudget', 'autocom-canary', 'api')).toBeDefined();
    expect(named(objs, 'PodDisruptionBudget', 'autocom-canary', 'nginx')).toBeUndefined();
    expect(named(objs, 'PodDisruptionBudget', 'autocom-experimental', 'api')).toBeUndefined();
    expect(named(objs, 'PodDisruptionBudget', 'autocom-edge', 'horizon')).toBeDefined();
    expect(named(objs, 'PodDisruptionBudget', 'autocom-canary', 'horizon')).toBeUndefined();
    expect(named(objs, 'PodDisruptionBudget', 'autocom', 'redis')!.spec).toMatchObject({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    for (const b of ofKind(objs, 'PodDisruptionBudget')) expect(b.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });
  test('an HPA for api only when the ring file asks; the Deployment then leaves replicas to it', () => {
    const hpa = named(objs, 'HorizontalPodAutoscaler', 'autocom', 'api')!;
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 8, scaleTargetRef: { kind: 'Deployment', name: 'api' } });
    expect(named(objs, 'Deployment', 'autocom', 'api')!.spec.replicas).toBeUndefined();
    expect(ofKind(objs, 'HorizontalPodAutoscaler')).toHaveLength(1);
  });
});

describe('SharedAliases', () => {
  const shared = [...plan.rings[0].home.sharedServices.map((s) => s.name)].sort();
  test('shared services include those the shared layer runs and the external ones', () => {
    expect(shared).toEqual(['autocom-db-ro', 'autocom-db-rw', 'docs', 'frontend', 'indian-post', 'minio', 'redis']);
  });
  test.each(nonHome.map((r) => r.namespace))('%s has an ExternalName alias for every shared service', (ns) => {
    const aliases = inNs(ofKind(objs, 'Service'), ns).filter((s) => s.spec.type === 'ExternalName');
    expect(aliases.map((a) => a.metadata.name).sort()).toEqual(shared);
    for (const a of aliases) expect(a.spec.externalName).toBe(`${a.metadata.name}.autocom.svc.cluster.local`);
  });
  test('the home ring has no aliases', () => {
    expect(inNs(ofKind(objs, 'Service'), 'autocom').filter((s) => s.spec.type === 'ExternalName')).toEqual([]);
  });
});

describe('tenant hosts', () => {
  // canary-by-header Ingresses (tenant previews) route a header, not a host: they are not claims.
  const isPreview = (i: any) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/canary'] === 'true';
  const claims = (os: any[]) => ofKind(os, 'Ingress').filter((i) => !isPreview(i)).flatMap((i) => i.spec.rules.map((r: any) => ({ host: r.host, ns: i.metadata.namespace, ingress: i.metadata.name })));
  test('every host is claimed by exactly one Ingress in the whole output', () => {
    const hosts = claims(objs).map((c) => c.host);
    expect(new Set(hosts).size).toBe(hosts.length);
  });
  test('each tenant has its ring host and its bare host, in its ring', () => {
    const c = claims(objs);
    expect(c).toContainEqual({ host: 'acme.stable.acme.io', ns: 'autocom', ingress: 'tenants' });
    expect(c).toContainEqual({ host: 'acme.acme.io', ns: 'autocom', ingress: 'tenants' });
    expect(c).toContainEqual({ host: 'test-canary.canary.acme.io', ns: 'autocom-canary', ingress: 'tenants' });
    expect(c).toContainEqual({ host: 'test-canary.acme.io', ns: 'autocom-canary', ingress: 'tenants' });
  });
  test('only the default ring takes *.<domain>', () => {
    expect(claims(objs).filter((c) => c.host.startsWith('*.'))).toEqual([{ host: '*.acme.io', ns: 'autocom', ingress: 'tenants' }]);
  });
  test('moving a tenant moves both its hosts (the bare URL never changes)', () => {
    const moved = claims(objectsOf(planOf(edit('tenants.toml', 'acme = "stable"', 'acme = "canary"'))));
    const acme = moved.filter((c) => c.host.startsWith('acme.'));
    expect(acme.sort((a, b) => a.host.localeCompare(b.host))).toEqual([
      { host: 'acme.acme.io', ns: 'autocom-canary', ingress: 'tenants' },
      { host: 'acme.canary.acme.io', ns: 'autocom-canary', ingress: 'tenants' },
    ]);
  });
  test('TLS secrets come from the registry', () => {
    const ing = named(objs, 'Ingress', 'autocom-edge', 'tenants')!;
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.tls.map((t: any) => t.secretName)).toEqual(['wildcard-edge-acme-io-tls', 'wildcard-acme-io-tls']);
  });
  test('the shared layer exposes frontend and docs', () => {
    const ing = named(objs, 'Ingress', 'autocom', 'shared-hosts')!;
    expect(ing.spec.rules.map((r: any) => r.host)).toEqual(['docs.acme.io', 'app.acme.io']);
  });
});

describe('ResourceQuota', () => {
  // Computed here from the Deployments in the YAML, not from the constructs' own arithmetic.
  test.each(plan.rings.map((r) => r.namespace))('%s: the quota covers every Deployment rolling at once, replaced pods still terminating', (ns) => {
    const hpas = inNs(ofKind(objs, 'HorizontalPodAutoscaler'), ns);
    let pods = 0;
    let cpu = 0;
    let mem = 0;
    for (const d of inNs(ofKind(objs, 'Deployment'), ns)) {
      const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
      const replicas = hpa ? hpa.spec.maxReplicas : d.spec.replicas;
      // Recreate: old pods go before new ones start; RollingUpdate: 2 × replicas + maxSurge (replaced pods still terminating).
      const n = replicas === 0 ? 0 : d.spec.strategy.type === 'Recreate' ? replicas : 2 * replicas + d.spec.strategy.rollingUpdate.maxSurge;
      pods += n;
      for (const c of d.spec.template.spec.containers) {
        cpu += n * cpuMillis(c.resources.limits.cpu);
        mem += n * memMib(c.resources.limits.memory);
      }
    }
    const hard = named(objs, 'ResourceQuota', ns, 'ring-quota')!.spec.hard;
    expect(hard.pods).toBeGreaterThanOrEqual(pods);
    expect(cpuMillis(hard['limits.cpu'])).toBeGreaterThanOrEqual(cpu);
    expect(memMib(hard['limits.memory'])).toBeGreaterThanOrEqual(mem);
  });
  test('the margin is stated: 10% above the footprint', () => {
    const hard = named(objs, 'ResourceQuota', 'autocom-canary', 'ring-quota')!.spec.hard;
    // 2 × replicas + 1: api 5 pods + horizon 3 + nginx 3 = 11 pods → 12.1 → 13
    expect(hard.pods).toBe(13);
  });
});

describe('NetworkPolicies', () => {
  test('default deny selects only the ring\'s pods, so the shared layer in the home namespace is not cut off', () => {
    for (const r of plan.rings) {
      const deny = named(objs, 'NetworkPolicy', r.namespace, 'ring-default-deny')!;
      expect(deny.spec.podSelector).toEqual({ matchLabels: { ring: r.name } });
      expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    }
    const sharedPods = inNs(ofKind(objs, 'Deployment'), 'autocom').filter((d) => !d.metadata.labels.ring);
    expect(sharedPods.map((d) => d.metadata.name).sort()).toEqual(['docs', 'frontend', 'indian-post', 'redis']);
    for (const d of sharedPods) expect(d.spec.template.metadata.labels.ring).toBeUndefined();
  });
  test('ingress controller → nginx; nginx → api; api and horizon → shared services and DNS', () => {
    const ns = 'autocom-canary';
    const nginx = named(objs, 'NetworkPolicy', ns, 'ring-allow-nginx')!.spec;
    expect(nginx.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }]);
    expect(nginx.egress[0]).toEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', ring: 'canary' } } }], ports: [{ protocol: 'TCP', port: 8000 }] });
    const api = named(objs, 'NetworkPolicy', ns, 'ring-allow-api')!.spec;
    expect(api.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nginx', ring: 'canary' } } }]);
    // Each port is tied to its destination: a shared service's own pods, or (external without a selector) the home namespace.
    const home = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'autocom' } } };
    const to = (pods?: Record<string, string>) => [{ ...home, ...(pods ? { podSelector: { matchLabels: pods } } : {}) }];
    expect(api.egress.slice(0, 6).map((r: any) => [r.to, r.ports.map((p: any) => p.port)])).toEqual([
      [to(), [5432]], // autocom-db-ro and autocom-db-rw: no pod selector in the registry (one rule for both)
      [to({ 'app.kubernetes.io/name': 'docs' }), [8080]],
      [to({ 'app.kubernetes.io/name': 'frontend' }), [3000]],
      [to({ 'app.kubernetes.io/name': 'indian-post' }), [8080]],
      [to({ 'app.kubernetes.io/name': 'minio' }), [9000]],
      [to({ 'app.kubernetes.io/name': 'redis' }), [6379]],
    ]);
    expect(named(objs, 'NetworkPolicy', ns, 'ring-allow-dns')!.spec.egress[0].ports.map((p: any) => p.port)).toEqual([53, 53]);
  });
});

describe('constructs without a registry', () => {
  test('the DESIGN example: plain objects in, manifests out', () => {
    const app = Testing.app();
    const ring = new Ring(app, 'ring-canary', {
      name: 'canary',
      namespace: 'shop-canary',
      hostnameSegment: 'canary',
      domain: 'shop.example',
      home: { namespace: 'shop', sharedServices: [{ name: 'redis', port: 6379 }] },
      workload: octaneComponents({ apiImage: `registry.example/shop/api@sha256:${'b'.repeat(64)}`, modules: 23 }),
      tenants: ['acme'],
      lock: { orders: '1.6.0' },
    });
    const out = Testing.synth(ring);
    expect(out.filter((o) => o.kind === 'Service' && o.spec.type === 'ExternalName').map((o) => o.metadata.name)).toEqual(['redis']);
    expect(out.find((o) => o.kind === 'Ingress').spec.rules.map((r: any) => r.host)).toEqual(['acme.canary.shop.example', 'acme.shop.example']);
    expect(out.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api').spec.template.spec.containers[0].resources.limits.memory).toBe('1536Mi');
  });
  test('a bad ring name is refused early, naming the value', () => {
    expect(
      () =>
        new Ring(new App(), 'x', {
          name: 'Canary',
          namespace: 'shop-canary',
          hostnameSegment: 'canary',
          domain: 'shop.example',
          home: { namespace: 'shop', sharedServices: [] },
          workload: [],
        }),
    ).toThrow('ring name "Canary" is not a DNS label; use lower-case letters, digits and \'-\', at most 63 characters');
  });
  test('a floating component image is refused early', () => {
    expect(
      () =>
        new Ring(new App(), 'x', {
          name: 'canary',
          namespace: 'shop-canary',
          hostnameSegment: 'canary',
          domain: 'shop.example',
          home: { namespace: 'shop', sharedServices: [] },
          workload: octaneComponents({ apiImage: 'shop/api:latest' }),
        }),
    ).toThrow('component api: image "shop/api:latest" is not pinned; use a tag other than latest, or a digest');
  });
});

describe('home ResourceQuota and external workloads', () => {
  const withoutExternalQuota = () => {
    const platform = exampleSources().get('platform.toml')!.replace(/^quota = \{.*\}$/gm, '');
    return objectsOf(planOf(sourcesWith({ 'platform.toml': platform })));
  };
  test('the home quota also admits the pods external services run in the home namespace (CNPG, MinIO)', () => {
    const withExternal = named(objs, 'ResourceQuota', 'autocom', 'ring-quota')!.spec.hard;
    const without = named(withoutExternalQuota(), 'ResourceQuota', 'autocom', 'ring-quota')!.spec.hard;
    // CNPG 3 pods + MinIO 1 pod, 12288+2048 MiB of limits, plus the 10% margin.
    expect(withExternal.pods - without.pods).toBeGreaterThanOrEqual(4);
    expect(memMib(withExternal['limits.memory']) - memMib(without['limits.memory'])).toBeGreaterThanOrEqual(14336);
  });
  test('non-home quotas do not count them', () => {
    const without = named(withoutExternalQuota(), 'ResourceQuota', 'autocom-edge', 'ring-quota')!.spec.hard;
    expect(named(objs, 'ResourceQuota', 'autocom-edge', 'ring-quota')!.spec.hard).toEqual(without);
  });
});

test('api and horizon state where migrations run that schema changes must be additive', () => {
  for (const name of ['api', 'horizon']) {
    expect(named(objs, 'Deployment', 'autocom-canary', name)!.metadata.annotations['rings.cdk8s.io/schema-changes']).toMatch(/^additive only/);
  }
});
