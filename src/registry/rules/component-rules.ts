/**
 * The rules of a platform of any components (`preset = "none"`): the entry can receive the tenant
 * hosts, every component has an image, and the ring files name the platform's components only. Each
 * rule is a pure function of the parsed files; none applies to an Octane platform.
 */
import { closest, RegistryProblem } from '../errors';
import type { ComponentsPlatformFile } from '../schema/presets';
import type { ClusterRuleInput } from './cluster-rules';

type Rule = (input: ClusterRuleInput) => RegistryProblem[];

const list = (xs: readonly string[]) => xs.join(', ');
const components = (p: ComponentsPlatformFile) => Object.keys(p.components).sort();
const unknownComponent = (name: string, known: readonly string[]) => {
  const near = closest(name, known);
  return `expected a component of platform.toml's [components] (${list(known)}), got "${name}"${near ? `; did you mean "${near}"?` : ''}`;
};

/** `entry` names a declared component with a port: the tenant hosts always have a Service to route to. */
export const entryReceivesTheHosts: Rule = ({ platform, platformFile }) => {
  if (platform?.preset !== 'none') return [];
  const c = platform.components[platform.entry];
  if (!c) return [{ file: platformFile, path: 'entry', message: unknownComponent(platform.entry, components(platform)) }];
  if (c.port === undefined) return [{ file: platformFile, path: 'entry', message: `expected a component with a port (the tenant hosts route to its Service), got "${platform.entry}", which has none; give it a port or name another` }];
  return [];
};

/** Every component has a default image, and `[images]` names only components. */
export const everyComponentHasAnImage: Rule = ({ platform, platformFile }) => {
  if (platform?.preset !== 'none') return [];
  const known = components(platform);
  const out: RegistryProblem[] = [];
  for (const c of known) if (platform.images[c] === undefined) out.push({ file: platformFile, path: `images.${c}`, message: `expected the image component ${c} runs (an image reference such as registry.example/${c}:1.0.0)` });
  for (const k of Object.keys(platform.images).sort()) if (!known.includes(k)) out.push({ file: platformFile, path: `images.${k}`, message: unknownComponent(k, known) });
  return out;
};

/** `reachable_from` names other declared components. */
export const callersAreComponents: Rule = ({ platform, platformFile }) => {
  if (platform?.preset !== 'none') return [];
  const known = components(platform);
  const out: RegistryProblem[] = [];
  for (const name of known) {
    platform.components[name].reachable_from.forEach((caller, i) => {
      const at = `components.${name}.reachable_from.${i}`;
      if (caller === name) out.push({ file: platformFile, path: at, message: `expected another component (a component always reaches itself), got "${caller}"` });
      else if (!known.includes(caller)) out.push({ file: platformFile, path: at, message: unknownComponent(caller, known) });
    });
  }
  return out;
};

/** A ring file gives the replicas of every component, and pins images and overrides of components only. */
export const ringsNameTheComponents: Rule = ({ platform, rings }) => {
  if (platform?.preset !== 'none') return [];
  const known = components(platform);
  const out: RegistryProblem[] = [];
  for (const r of rings) {
    const replicas = r.spec.replicas as Readonly<Record<string, number>>;
    for (const c of known) if (replicas[c] === undefined) out.push({ file: r.file, path: `replicas.${c}`, message: 'expected a whole number ≥ 0' });
    for (const table of ['replicas', 'images', 'components'] as const) {
      for (const k of Object.keys((r.spec[table] as object | undefined) ?? {}).sort()) if (!known.includes(k)) out.push({ file: r.file, path: `${table}.${k}`, message: unknownComponent(k, known) });
    }
  }
  return out;
};

export const COMPONENT_RULES: readonly Rule[] = [entryReceivesTheHosts, everyComponentHasAnImage, callersAreComponents, ringsNameTheComponents];
