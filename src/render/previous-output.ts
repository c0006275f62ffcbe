/**
 * The previous synth's content-addressed ConfigMaps, read from its output files (the committed
 * dist/): the Ring keeps the one its pods read there next to a new one. Only what the output says
 * is used, so the same registry and the same previous dist/ always render the same bytes.
 */
import { parseAllDocuments } from 'yaml';
import { isManifestFile } from './dist';
import { contentAddressedBase, PriorConfigMap, RETAINED_ANNOTATION } from '../model/content-address';

/** namespace → the content-addressed ConfigMaps the output files hold there. */
export function previousConfigMaps(files: ReadonlyMap<string, string>): Map<string, PriorConfigMap[]> {
  const out = new Map<string, PriorConfigMap[]>();
  for (const name of [...files.keys()].sort()) {
    if (!isManifestFile(name)) continue;
    const text = files.get(name)!;
    // Only the documents that can be one are parsed (tenant Ingresses can be large).
    for (const doc of text.split(/^---$/m)) {
      if (!/^kind: ConfigMap$/m.test(doc)) continue;
      for (const d of parseAllDocuments(doc)) {
        const o = d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string> } | null;
        const cmName = o?.metadata?.name;
        const ns = o?.metadata?.namespace;
        if (o?.kind !== 'ConfigMap' || !cmName || !ns || !contentAddressedBase(cmName)) continue;
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries(o.data ?? {})) if (typeof v === 'string') data[k] = v;
        if (!out.has(ns)) out.set(ns, []);
        const ring = o.metadata?.labels?.ring;
        out.get(ns)!.push({ name: cmName, data, retained: Boolean(o.metadata?.annotations?.[RETAINED_ANNOTATION]), ...(typeof ring === 'string' ? { ring } : {}) });
      }
    }
  }
  return out;
}
