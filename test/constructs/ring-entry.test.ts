/** Which component a ring's tenant hosts route to (`entry`): declared or found, never silently none. */
import { Testing } from 'cdk8s';
import { ComponentSpec, entryComponent, Ring, RingProps } from '../../constructs';

const spec = (name: string, extra: Partial<ComponentSpec> = {}): ComponentSpec => ({
  name,
  image: `registry.example/${name}:1.0.0`,
  replicas: 1,
  cpuRequestMillicores: 100,
  cpuLimitMillicores: 500,
  memoryRequestMib: 128,
  memoryLimitMib: 256,
  probe: { kind: 'exec', command: ['true'] },
  ...extra,
});
const web = spec('web', { port: 8080, servicePort: 80, probe: { kind: 'http', path: '/healthz', port: 8080 } });
const worker = spec('worker');
const ring = (extra: Partial<RingProps>): RingProps => ({
  name: 'beta',
  namespace: 'shop-beta',
  hostnameSegment: 'beta',
  domain: 'shop.example',
  partOf: 'shop',
  home: { namespace: 'shop', sharedServices: [] },
  tenants: ['t1'],
  workload: [web, worker],
  ...extra,
});
const ingressBackends = (props: RingProps) =>
  Testing.synth(new Ring(Testing.app(), 'r', props))
    .filter((o) => o.kind === 'Ingress')
    .flatMap((i) => i.spec.rules.map((r: any) => r.http.paths[0].backend.service));

// Both tenant hosts: t1.beta.shop.example and t1.shop.example.
const WEB_80 = { name: 'web', port: { number: 80 } };

describe('ring entry', () => {
  test('a declared entry with any name backs the tenant Ingress', () => {
    expect(ingressBackends(ring({ entry: 'web' }))).toEqual([WEB_80, WEB_80]);
  });

  test('without entry, the one component reachable from the ingress controller is it', () => {
    const props = ring({ workload: [{ ...web, reachableFrom: { ingressController: true } }, worker] });
    expect(entryComponent(props, true)?.name).toBe('web');
    expect(ingressBackends(props)).toEqual([WEB_80, WEB_80]);
  });

  test('a ring with hosts and nothing to route them to is refused, not left without an Ingress', () => {
    expect(() => new Ring(Testing.app(), 'r', ring({}))).toThrow('ring beta: its tenant hosts have no component to route to; set entry to a component with a port');
    expect(() => entryComponent(ring({ entry: 'worker' }), true)).toThrow('ring beta: entry "worker" has no port');
    expect(() => entryComponent(ring({ entry: 'wbe' }), true)).toThrow('ring beta: entry "wbe" is not one of its components (web, worker)');
    const both = ring({ workload: [{ ...web, reachableFrom: { ingressController: true } }, { ...worker, name: 'admin', port: 9000, reachableFrom: { ingressController: true } }] });
    expect(() => entryComponent(both, true)).toThrow('ring beta: web, admin are all reachable from the ingress controller; set entry');
  });

  test('a ring without hosts needs no entry', () => {
    expect(entryComponent(ring({ tenants: [], workload: [worker] }), false)).toBeUndefined();
  });
});
