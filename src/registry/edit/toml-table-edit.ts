/**
 * Line-level edit of one `key = "value"` in one table of a TOML file (a ring file's `[images]`):
 * in place when the key is there, after the table's last entry when it is not, or as a new table at
 * the end of the file. Every other byte stays. The caller re-parses the result.
 */
const KEY = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const VALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|'[^']*')`;
const ENTRY = new RegExp(String.raw`^(\s*)(${KEY})(\s*=\s*)(${VALUE})(.*)$`);
const ANY_ENTRY = new RegExp(String.raw`^\s*${KEY}\s*=`);
const HEADER = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(#.*)?$/;

const unquote = (k: string) => (k.startsWith('"') ? (JSON.parse(k) as string) : k.startsWith("'") ? k.slice(1, -1) : k);

/** Sets `key = "value"` in `[table]` (or removes the line, with `value` null). */
export function setTableString(text: string, table: string, key: string, value: string | null): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  let inTable = false;
  let tableStart = -1;
  let lastEntry = -1;
  for (let i = 0; i < lines.length; i++) {
    const h = HEADER.exec(lines[i]);
    if (h) {
      if (inTable) break;
      inTable = h[1] === table && !lines[i].trimStart().startsWith('[[');
      if (inTable) tableStart = i;
      continue;
    }
    if (!inTable) continue;
    if (ANY_ENTRY.test(lines[i])) lastEntry = i;
    const m = ENTRY.exec(lines[i]);
    if (!m || unquote(m[2]) !== key) continue;
    if (value === null) lines.splice(i, 1);
    else lines[i] = `${m[1]}${m[2]}${m[3]}${JSON.stringify(value)}${m[5]}`;
    return lines.join(eol);
  }
  if (value === null) return text;
  const line = `${key} = ${JSON.stringify(value)}`;
  if (tableStart < 0) {
    const body = text.length === 0 || text.endsWith('\n') ? text : text + eol;
    return `${body}${body.trim() === '' ? '' : eol}[${table}]${eol}${line}${eol}`;
  }
  lines.splice((lastEntry >= 0 ? lastEntry : tableStart) + 1, 0, line);
  return lines.join(eol);
}
