/** Rule requestsWithinLimits: a request above its limit is a registry problem naming the field, not a crash at synth. */
import { readRegistryDir, parseRegistry } from '../../src/registry/load';
import { RegistryError } from '../../src/registry/errors';
import { EXAMPLE_REGISTRY } from '../support/render';

const example = readRegistryDir(EXAMPLE_REGISTRY).sources;
function problems(find: string, replace: string): string[] {
  const s = new Map(example);
  const text = s.get('platform.toml')!;
  expect(text).toContain(find);
  s.set('platform.toml', text.replace(find, replace));
  try {
    parseRegistry('rings', s);
    return [];
  } catch (e) {
    if (e instanceof RegistryError) return e.lines();
    throw e;
  }
}

test('requests within limits: the example registry passes', () => {
  expect(problems('cpu_request_millicores = 250', 'cpu_request_millicores = 2000')).toEqual([]);
});

test('requests within limits: a cpu request above the limit is refused with its field', () => {
  expect(problems('cpu_request_millicores = 250', 'cpu_request_millicores = 2500')).toEqual([
    'rings/platform.toml: components.api.cpu_request_millicores: expected at most cpu_limit_millicores (2000), got 2500',
  ]);
});

test('requests within limits: a shared service memory request above its (default) limit is refused', () => {
  expect(problems('health_path = "/healthz"', 'health_path = "/healthz"\nmemory_request_mib = 300')).toEqual([
    'rings/platform.toml: shared.services.3.memory_request_mib: expected at most memory_limit_mib (256), got 300',
  ]);
});
