import { memoryForModules } from '../../src/model/memory';
import { edit, examplePlan, planOf } from '../support/registry-fixture';
import { named, objectsOf } from '../support/objects';

describe('Octane memory follows the module count', () => {
  test('23 modules give exactly the measured 1536Mi limit (992Mi request)', () => {
    expect(memoryForModules(23)).toEqual({ requestMib: 992, limitMib: 1536 });
  });
  test('33 modules give more than 1536Mi', () => {
    expect(memoryForModules(33).limitMib).toBeGreaterThan(1536);
    expect(memoryForModules(33)).toEqual({ requestMib: 1312, limitMib: 2048 });
  });
  test('the seed values that were OOMKilled (384Mi, 768Mi) are below the 23-module limit', () => {
    expect(memoryForModules(23).limitMib).toBeGreaterThan(768);
  });
  test('coefficients are configurable', () => {
    expect(memoryForModules(10, { base_mib: 512, per_module_mib: 64, limit_factor: 2, round_to_mib: 256 })).toEqual({ requestMib: 1152, limitMib: 2304 });
  });
  test('the stable ring (23 modules) gives api and horizon 992Mi/1536Mi in the YAML', () => {
    const objs = objectsOf(examplePlan());
    for (const name of ['api', 'horizon']) {
      const res = named(objs, 'Deployment', 'autocom', name)!.spec.template.spec.containers[0].resources;
      expect(res.requests.memory).toBe('992Mi');
      expect(res.limits.memory).toBe('1536Mi');
    }
  });
  test('adding ten modules to a ring raises its limit without anyone re-profiling', () => {
    const lock = JSON.parse(require('fs').readFileSync(`${__dirname}/../../rings/locks/edge.lock.json`, 'utf8'));
    for (let i = 0; i < 10; i++) lock.modules[`extra-${i}`] = { version: '1.0.0', sha256: String(i).repeat(64) };
    const objs = objectsOf(planOf(edit('locks/edge.lock.json', /[\s\S]*/, JSON.stringify(lock))));
    expect(named(objs, 'Deployment', 'autocom-edge', 'api')!.spec.template.spec.containers[0].resources.limits.memory).toBe('2048Mi');
  });
});
