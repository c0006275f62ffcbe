/** The Component construct: stable construct ids, object names from the spec, refusal of a bad spec. */
import { Chart, Testing } from 'cdk8s';
import { Component, ComponentProps } from '../../constructs';

const web: ComponentProps = {
  name: 'web',
  image: 'registry.example/web:1.0.0',
  replicas: 2,
  port: 8080,
  cpuRequestMillicores: 100,
  cpuLimitMillicores: 500,
  memoryRequestMib: 128,
  memoryLimitMib: 256,
  probe: { kind: 'http', path: '/healthz', port: 8080 },
  namespace: 'shop',
  partOf: 'shop',
  hpa: { min: 2, max: 4 },
};

describe('Component', () => {
  test('its objects sit under stable ids (Resource, Service, Pdb, Hpa) and take their names from the spec', () => {
    const chart = new Chart(Testing.app(), 'c');
    const c = new Component(chart, 'frontend', web);
    expect(c.node.children.map((x) => x.node.id)).toEqual(['Resource', 'Service', 'Pdb', 'Hpa']);
    expect(c.deployment.node.id).toBe('Resource');
    expect(c.service?.node.id).toBe('Service');
    const objs = Testing.synth(chart);
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Deployment/shop/web',
      'Service/shop/web',
      'PodDisruptionBudget/shop/web',
      'HorizontalPodAutoscaler/shop/web',
    ]);
  });

  test('the same spec renders the same objects whatever the construct id', () => {
    const a = Testing.synth(new Component(new Chart(Testing.app(), 'a'), 'one', web).node.scope as Chart);
    const b = Testing.synth(new Component(new Chart(Testing.app(), 'b'), 'two', web).node.scope as Chart);
    expect(b).toEqual(a);
  });

  test('a component without a port has no Service; one replica, no budget', () => {
    const chart = new Chart(Testing.app(), 'c');
    const c = new Component(chart, 'worker', { ...web, name: 'worker', port: undefined, replicas: 1, hpa: undefined, probe: { kind: 'exec', command: ['true'] } });
    expect(c.service).toBeUndefined();
    expect(Testing.synth(chart).map((o) => o.kind)).toEqual(['Deployment']);
  });

  test('0 replicas scales the component to zero: the Deployment and Service stay, no budget (docs/registry.md)', () => {
    const chart = new Chart(Testing.app(), 'c');
    new Component(chart, 'web', { ...web, replicas: 0, hpa: undefined });
    const objs = Testing.synth(chart);
    expect(objs.map((o) => o.kind)).toEqual(['Deployment', 'Service']);
    expect(objs[0].spec.replicas).toBe(0);
  });

  test('a bad spec is refused early, naming the component and what to do', () => {
    expect(() => new Component(new Chart(Testing.app(), 'c'), 'web', { ...web, image: 'registry.example/web:latest' })).toThrow(/^component web: .*latest/);
  });
});
