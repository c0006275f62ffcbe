/** chartRenderer renders each chart as chart.toJson() does, validating the app once instead of per chart. */
import { ApiObject, App, Chart } from 'cdk8s';
import { loadRegistry } from '../../src/registry/load';
import { resolvePlan } from '../../src/resolve/resolve-plan';
import { buildApp, chartRenderer } from '../../src/render/synth';

describe('chartRenderer', () => {
  it('gives the objects chart.toJson() gives, for every chart of the example registry', () => {
    const { app, shared, rings } = buildApp(resolvePlan(loadRegistry('rings')));
    const render = chartRenderer(app);
    for (const chart of [shared, ...rings]) expect(render(chart)).toEqual(chart.toJson());
  });

  it('keeps dependency order, falling back to cdk8s when a construct declares a dependency', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    a.addDependency(b);
    expect(chartRenderer(app)(chart).map((o) => o.metadata.name)).toEqual(['b', 'a']);
  });

  it('reports failed construct validations as cdk8s does', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }).node.addValidation({ validate: () => ['broken'] });
    expect(() => chartRenderer(app)).toThrow('Validation failed with the following errors:\n  [c/a] broken');
    expect(() => chart.toJson()).toThrow('Validation failed with the following errors:\n  [c/a] broken');
  });
});
