/** Registry problems the gate found as crashes, unclear output or plaintext secrets: requests above limits, clashing writable paths, invalid lock JSON echoing the file, secrets inline. */
import { readRegistryDir, parseRegistry } from '../../../src/registry/load';
import { RegistryError } from '../../../src/registry/errors';
import { EXAMPLE_REGISTRY } from '../../support/render';

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
    'rings/platform.toml: shared.services[name=indian-post].memory_request_mib: expected at most memory_limit_mib (256), got 300',
  ]);
});

test('writable paths distinct: the example registry passes', () => {
  expect(problems('writable_paths = ["/tmp", "/app/.next/cache"]', 'writable_paths = ["/tmp", "/app/.next/cache", "/app/other"]')).toEqual([]);
});

test('writable paths distinct: the same folder twice, a volume-name clash and the lock folder are refused', () => {
  expect(problems('writable_paths = ["/tmp", "/app/storage", "/app/bootstrap/cache"]', 'writable_paths = ["/tmp", "/tmp/", "/a-b", "/a/b", "/etc/rings"]')).toEqual([
    'rings/platform.toml: components.api.writable_paths.1: expected a folder no other mount uses, got "/tmp/" (clashes with "/tmp")',
    'rings/platform.toml: components.api.writable_paths.3: expected a folder no other mount uses, got "/a/b" (clashes with "/a-b")',
    'rings/platform.toml: components.api.writable_paths.4: expected a folder no other mount uses, got "/etc/rings" (clashes with the ConfigMap mounted at "/etc/rings")',
  ]);
});

describe('invalid lock JSON is reported on one line, without quoting the file', () => {
  const lockProblems = (text: string) => {
    const s = new Map(example);
    s.set('locks/canary.lock.json', text);
    try {
      parseRegistry('rings', s);
    } catch (e) {
      if (e instanceof RegistryError) return e.lines();
      throw e;
    }
    return [];
  };
  test('a valid lock passes', () => expect(lockProblems('{"orders": "1.6.0"}\n')).toEqual([]));
  test.each([
    ['}{"orders": "1.6.0"}\n', "rings/locks/canary.lock.json: invalid JSON: unexpected token '}'"],
    ['{\n  "orders": "base64:c2VjcmV0c2VjcmV0" x}', "rings/locks/canary.lock.json: invalid JSON: line 2, column 39: expected ',' or '}' after property value"],
    ['\u0000', 'rings/locks/canary.lock.json: invalid JSON: unexpected character U+0000'],
  ])('%j', (text, line) => expect(lockProblems(text)).toEqual([line]));
});

test('no inline secrets: ordinary args and descriptions pass', () => {
  expect(problems('# password and persistence come from [redis]: the shared layer sets --requirepass and --appendonly itself', 'args = ["--maxmemory", "256mb"]')).toEqual([]);
});

test('no inline secrets: a key in a shared service\'s args is refused without echoing it', () => {
  const key = 'base64:q3Jc8sKc1yPz0vV0ZzS4sLbYwV1oQk2x7HnU9e4mA0c=';
  const lines = problems('# password and persistence come from [redis]: the shared layer sets --requirepass and --appendonly itself', `args = ["--maxmemory", "${key}"]`);
  expect(lines).toEqual([
    'rings/platform.toml: shared.services[name=redis].args.1: expected no secret in the registry, got what looks like one (value not shown); keep it in a Secret in the home namespace',
  ]);
  expect(lines.join('\n')).not.toContain(key.slice(7, 20));
});
