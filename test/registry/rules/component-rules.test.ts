/**
 * The rules of a platform of any components (preset = "none"), on examples/storefront/: each passes on
 * the example and fails, with one line naming the file and field, on a registry broken its way.
 */
import * as path from 'path';
import { parse, problemsOf } from '../../support/registry-fixture';
import { readRegistryDir } from '../../../src/registry/load';

const DIR = path.join(__dirname, '..', '..', '..', 'examples', 'storefront');
const storefront = () => readRegistryDir(DIR).sources as Map<string, string>;
function edited(rel: string, find: string | RegExp, replace: string): Map<string, string> {
  const s = storefront();
  const out = s.get(rel)!.replace(find, replace);
  if (out === s.get(rel)) throw new Error(`edit of ${rel} changed nothing`);
  s.set(rel, out);
  return s;
}

test('the example passes every rule', () => {
  expect(parse(storefront()).platform.preset).toBe('none');
});

describe('entryReceivesTheHosts', () => {
  test('an entry that is not a component is refused, with a did-you-mean', () => {
    expect(problemsOf(edited('platform.toml', 'entry = "web"', 'entry = "wbe"'))).toEqual([
      'rings/platform.toml: entry: expected a component of platform.toml\'s [components] (web, worker), got "wbe"; did you mean "web"?',
    ]);
  });
  test('an entry without a port is refused', () => {
    expect(problemsOf(edited('platform.toml', 'entry = "web"', 'entry = "worker"'))).toEqual([
      'rings/platform.toml: entry: expected a component with a port (the tenant hosts route to its Service), got "worker", which has none; give it a port or name another',
    ]);
  });
});

describe('everyComponentHasAnImage', () => {
  test('a component without an image, and an image of no component, are refused', () => {
    const s = edited('platform.toml', /^worker = "ghcr[^\n]*\n/m, 'wroker = "ghcr.io/storefront/worker:3.2.0"\n');
    expect(problemsOf(s)).toEqual([
      'rings/platform.toml: images.worker: expected the image component worker runs (an image reference such as registry.example/worker:1.0.0)',
      'rings/platform.toml: images.wroker: expected a component of platform.toml\'s [components] (web, worker), got "wroker"; did you mean "worker"?',
    ]);
  });
});

describe('callersAreComponents', () => {
  test('reachable_from names other declared components', () => {
    const s = edited('platform.toml', 'probe_path = "/healthz"', 'probe_path = "/healthz"\nreachable_from = ["worker", "web", "wroker"]');
    expect(problemsOf(s)).toEqual([
      'rings/platform.toml: components.web.reachable_from.1: expected another component (a component always reaches itself), got "web"',
      'rings/platform.toml: components.web.reachable_from.2: expected a component of platform.toml\'s [components] (web, worker), got "wroker"; did you mean "worker"?',
    ]);
  });
  test('a declared caller may reach the component: the worker gets egress to web, web admits it', () => {
    const reg = parse(edited('platform.toml', 'probe_path = "/healthz"', 'probe_path = "/healthz"\nreachable_from = ["worker"]'));
    expect(reg.platform.preset === 'none' && reg.platform.components.web.reachable_from).toEqual(['worker']);
  });
});

describe('ringsNameTheComponents', () => {
  test('a ring missing a component\'s replicas, or naming one that does not exist, is refused', () => {
    const s = edited('preview.toml', 'worker = 2', 'wroker = 2');
    expect(problemsOf(s)).toEqual([
      'rings/preview.toml: replicas.worker: expected a whole number ≥ 0',
      'rings/preview.toml: replicas.wroker: expected a component of platform.toml\'s [components] (web, worker), got "wroker"; did you mean "worker"?',
    ]);
  });
  test('overrides and image pins of an unknown component are refused', () => {
    const s = edited('preview.toml', '[components.web]', '[components.webb]');
    expect(problemsOf(s)).toEqual(['rings/preview.toml: components.webb: expected a component of platform.toml\'s [components] (web, worker), got "webb"; did you mean "web"?']);
  });
});

describe('the components schema', () => {
  test('a component without a port needs a probe command; an HTTP probe needs a port', () => {
    const s = edited('platform.toml', 'probe_command = ["/app/worker", "health"]', 'probe_path = "/health"');
    expect(problemsOf(s)).toEqual([
      'rings/platform.toml: components.worker.probe_command: missing: expected a probe: a component without a port needs probe_command',
      'rings/platform.toml: components.worker.probe_path: expected a port: an HTTP probe needs the port it is served on, got "/health"',
    ]);
  });
  test('a component name that is not a DNS-1035 label is refused', () => {
    const s = edited('platform.toml', '[components.worker]', '[components.Worker_1]');
    expect(problemsOf(s)).toEqual(expect.arrayContaining(['rings/platform.toml: components.Worker_1: expected a component name: a DNS-1035 label (starts with a letter; lower-case letters, digits and \'-\', at most 63), got "Worker_1"']));
  });
  test('the Octane tables are not part of a components platform, and preset takes two values', () => {
    expect(problemsOf(edited('platform.toml', '[ingress]', '[memory]\nbase_mib = 256\n\n[ingress]'))).toEqual(['rings/platform.toml: memory: unknown key']);
    // An unknown preset is the one line: the other files cannot be read by shapes nobody chose.
    expect(problemsOf(edited('platform.toml', /^preset = "none"/m, 'preset = "nope"'))).toEqual(['rings/platform.toml: preset: expected "octane" or "none", got "nope"']);
  });
});
