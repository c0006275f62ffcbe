/**
 * Line-level editing of tenants.toml: changes the value of one `tenant = "ring"` line in the
 * [tenants] table and leaves every other byte alone (comments, order, spacing, line endings).
 * The caller re-parses the result and checks it means exactly the intended change.
 */

const KEY = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const VALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|'[^']*')`;
const ENTRY = new RegExp(String.raw`^(\s*)(${KEY})(\s*=\s*)(${VALUE})(.*)$`);
const HEADER = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(#.*)?$/;

function unquoteKey(k: string): string {
  if (k.startsWith('"')) return JSON.parse(k) as string;
  if (k.startsWith("'")) return k.slice(1, -1);
  return k;
}

/** A bare key when possible, quoted otherwise. */
function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

export interface TenantEdit {
  readonly text: string;
  /** The ring the tenant was on before, undefined for a new tenant. */
  readonly previous?: string;
}

/** Sets `tenant = "ring"` in the [tenants] table: in place when present, else appended after the table's last entry. */
export function setTenantRing(text: string, tenant: string, ring: string): TenantEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  let inTenants = false;
  let tableStart = -1;
  let lastEntry = -1;
  for (let i = 0; i < lines.length; i++) {
    const h = HEADER.exec(lines[i]);
    if (h) {
      if (inTenants) break;
      inTenants = h[1] === 'tenants' && !lines[i].trimStart().startsWith('[[');
      if (inTenants) tableStart = i;
      continue;
    }
    if (!inTenants) continue;
    const m = ENTRY.exec(lines[i]);
    if (!m) continue;
    lastEntry = i;
    if (unquoteKey(m[2]) !== tenant) continue;
    const quote = m[4].startsWith("'") && !ring.includes("'") ? `'${ring}'` : JSON.stringify(ring);
    const previous = m[4].startsWith("'") ? m[4].slice(1, -1) : (JSON.parse(m[4]) as string);
    lines[i] = `${m[1]}${m[2]}${m[3]}${quote}${m[5]}`;
    return { text: lines.join(eol), previous };
  }
  const line = `${tomlKey(tenant)} = ${JSON.stringify(ring)}`;
  if (tableStart < 0) {
    // No [tenants] table yet: add one at the end.
    const body = text.length === 0 || text.endsWith('\n') ? text : text + eol;
    return { text: `${body}${body.trim() === '' ? '' : eol}[tenants]${eol}${line}${eol}` };
  }
  lines.splice((lastEntry >= 0 ? lastEntry : tableStart) + 1, 0, line);
  return { text: lines.join(eol) };
}

/**
 * Lock files have one canonical form, so a lock edit changes only the lines it means to:
 * keys sorted, 2-space indentation, trailing newline.
 */
export function formatLock(modules: Readonly<Record<string, string>>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(modules).sort()) sorted[k] = modules[k];
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Sets (or, with `version` null, removes) one module in a lock. */
export function setLockVersion(modules: Readonly<Record<string, string>>, module: string, version: string | null): Record<string, string> {
  const out: Record<string, string> = { ...modules };
  if (version === null) delete out[module];
  else out[module] = version;
  return out;
}
