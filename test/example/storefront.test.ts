/**
 * The hidden-case example: examples/storefront/, a platform that is not AutoCom's (preset = "none":
 * components web and worker with their own images, ports and probes, a memcached cache, another
 * domain, no database). It passes the same gates as rings/: the Kubernetes and CRD schemas, every
 * invariant, the secret and host checks; Pod Security and the checkers run it through
 * test/conformance/synth-examples.sh, the cluster suites through test/cluster/k8s-storefront-newest.
 */
import * as path from 'path';
import { duplicateHostClaims, uncoveredHosts, unsyncedSecretReferences } from '../../src';
import { loadRegistry } from '../../src/registry/load';
import { checkInvariants } from '../support/invariants';
import { validateManifests } from '../support/k8s-schema';
import { invariantContext, render, REPO } from '../support/render';

const DIR = path.join(REPO, 'examples', 'storefront');
const registry = loadRegistry(DIR);
const rendered = render(registry);
const objects = rendered.objects;
const text = [...rendered.result.files.values()].join('\n');
const ringObjects = (ns: string) => objects.filter((o) => o.metadata?.namespace === ns);

/** Names that only AutoCom's platform has (its components, images, stack and domain). */
const AUTOCOM_NAMES = /autocom|acme|octane|laravel|artisan|horizon|nginx|redis|\bapi\b|\/app\/storage|\/api\/health/i;

describe('examples/storefront (a platform that is not AutoCom\'s)', () => {
  test('it contains no AutoCom name: not in any object, label, image, probe or config', () => {
    const hits = text.split('\n').filter((l) => AUTOCOM_NAMES.test(l) && !/^\s*apiVersion:/.test(l));
    expect(hits).toEqual([]);
    // The check itself can fail: the Octane example is full of them.
    expect(AUTOCOM_NAMES.test('name: horizon')).toBe(true);
  });

  test('every object validates against its Kubernetes or CRD schema', () => {
    const checked = objects.filter((o) => !(o.apiVersion === 'cert-manager.io/v1' && o.kind === 'Certificate'));
    expect(validateManifests(checked)).toEqual([]);
  });

  test('every invariant holds (restricted pods, pinned images, quotas, references, names, sizes)', () => {
    expect(checkInvariants(objects, invariantContext(registry, rendered.plan))).toEqual([]);
  });

  test('secrets are synced where referenced, hosts are covered and claimed once', () => {
    expect(unsyncedSecretReferences(objects)).toEqual([]);
    expect(uncoveredHosts(objects)).toEqual([]);
    expect([...duplicateHostClaims(objects)]).toEqual([]);
  });

  test('each ring runs exactly the declared components, with their images, ports, probes and commands', () => {
    const preview = ringObjects('storefront-preview');
    const deployments = preview.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec.replicas])).toEqual([['web', 2], ['worker', 1]]);
    const [web, worker] = deployments.map((d) => d.spec.template.spec.containers[0]);
    expect(web.image).toMatch(/^ghcr\.io\/storefront\/web:3\.3\.0@sha256:/);
    expect(web.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(web.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 3000, scheme: 'HTTP' });
    expect(web.env).toEqual(expect.arrayContaining([{ name: 'FEATURE_FLAGS', value: 'new-checkout' }]));
    expect(worker.command).toEqual(['/app/worker']);
    expect(worker.args).toEqual(['--queue', 'orders']);
    expect(worker.readinessProbe.exec).toEqual({ command: ['/app/worker', 'health'] });
    expect(worker.ports).toBeUndefined();
    expect(deployments[1].spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(preview.filter((o) => o.kind === 'Service').map((s) => s.metadata.name).sort()).toEqual(['memcached', 'web']);
  });

  test('the tenant hosts route to the entry (web), and only its Service', () => {
    const ingress = ringObjects('storefront-preview').filter((o) => o.kind === 'Ingress');
    const backends = ingress.flatMap((i) => i.spec.rules.map((r: any) => r.http.paths[0].backend.service));
    expect(backends.length).toBeGreaterThan(0);
    expect(new Set(backends.map((b: any) => `${b.name}:${b.port.number}`))).toEqual(new Set(['web:80']));
    expect(ingress[0].spec.ingressClassName).toBe('traefik');
  });

  test('the shared cache admits the ring components that use it, and nothing else', () => {
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'shared-allow-memcached')!;
    const names = policy.spec.ingress[0].from[0].podSelector.matchExpressions.find((e: any) => e.key === 'app.kubernetes.io/name').values;
    expect(names).toEqual(['web', 'worker']);
  });

  test('no database: the ring config has no DB_* keys, and no redis keys', () => {
    const cm = ringObjects('storefront').find((o) => o.kind === 'ConfigMap' && /^ring-config-/.test(o.metadata.name ?? ''))!;
    expect(Object.keys(cm.data).filter((k) => /^(DB|REDIS)_/.test(k))).toEqual([]);
    expect(cm.data.MODULE_LOCK_PATH).toBe('/etc/storefront/main.lock.json');
  });
});
