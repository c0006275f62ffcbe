/**
 * Byte-preserving edits of a lock file, in either form: a promote or rollback rewrites only the
 * entry it changes — every other byte (key order, indentation, line endings, final newline, the
 * metadata of AutoCom's form, other keys of a module) stays as it was. The caller re-parses the
 * result and checks that it means exactly the intended change.
 */
import type { LockFormat } from '../schema/schema';

interface Member {
  readonly key: string;
  /** Right after the `{` or `,` before this member. */
  readonly leadStart: number;
  readonly keyStart: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

interface ObjectSpan {
  /** Index of `{`. */
  readonly start: number;
  /** Index after `}`. */
  readonly end: number;
  readonly members: readonly Member[];
}

class Scanner {
  constructor(readonly text: string) {}

  ws(i: number): number {
    while (i < this.text.length && /\s/.test(this.text[i])) i++;
    return i;
  }

  string(i: number): number {
    if (this.text[i] !== '"') throw new Error(`expected a string at ${i}`);
    i++;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === '\\' ? 2 : 1;
    return i + 1;
  }

  value(i: number): number {
    const c = this.text[i];
    if (c === '"') return this.string(i);
    if (c === '{') return this.object(i).end;
    if (c === '[') {
      i = this.ws(i + 1);
      if (this.text[i] === ']') return i + 1;
      for (;;) {
        i = this.ws(this.value(i));
        if (this.text[i] === ']') return i + 1;
        i = this.ws(i + 1);
      }
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(this.text.slice(i, i + 64));
    if (!m) throw new Error(`expected a JSON value at ${i}`);
    return i + m[0].length;
  }

  object(start: number): ObjectSpan {
    const members: Member[] = [];
    let i = start + 1;
    let lead = i;
    i = this.ws(i);
    if (this.text[i] === '}') return { start, end: i + 1, members };
    for (;;) {
      const keyStart = i;
      const keyEnd = this.string(i);
      const key = JSON.parse(this.text.slice(keyStart, keyEnd)) as string;
      i = this.ws(keyEnd);
      i = this.ws(i + 1); // ':'
      const valueStart = i;
      const valueEnd = this.value(i);
      members.push({ key, leadStart: lead, keyStart, valueStart, valueEnd });
      i = this.ws(valueEnd);
      if (this.text[i] === '}') return { start, end: i + 1, members };
      lead = i + 1; // after ','
      i = this.ws(lead);
    }
  }
}

/** The pin to write: a version, with its sha256 in AutoCom's form; null removes the module. */
export interface PinEdit {
  readonly version: string;
  /** Required for AutoCom's form; ignored in the flat form. */
  readonly sha256?: string;
}

const lineIndent = (text: string, at: number) => {
  const nl = text.lastIndexOf('\n', at - 1);
  const before = text.slice(nl + 1, at);
  return /^[ \t]*$/.test(before) ? before : undefined;
};

/** The leading whitespace of the line holding `at` (whatever follows it on the line). */
const leadingIndent = (text: string, at: number) => /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', at - 1) + 1))![0];

/**
 * The file's indentation step: the leading whitespace of its first indented line (a tab, or so many
 * spaces); two spaces when no line is indented (`{}`, or everything on one line), as JSON.stringify's
 * common form has it.
 */
const indentUnit = (text: string) => /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';

/** Sets (or, with `pin` null, removes) one module's pin in the lock text, keeping every other byte. */
export function editLockText(text: string, format: LockFormat, alias: string, pin: PinEdit | null): string {
  if (format === 'hashed' && pin && !pin.sha256) throw new Error(`a hashed lock pins ${alias} with a sha256; none given`);
  const s = new Scanner(text);
  const top = s.object(s.ws(0));
  let container = top;
  if (format === 'hashed') {
    const m = top.members.find((x) => x.key === 'modules');
    if (!m) throw new Error('expected a "modules" table in the lock');
    container = s.object(m.valueStart);
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const members = container.members;
  const idx = members.findIndex((m) => m.key === alias);
  const splice = (from: number, to: number, insert: string) => text.slice(0, from) + insert + text.slice(to);

  if (idx >= 0) {
    const m = members[idx];
    if (pin === null) {
      if (idx + 1 < members.length) return splice(m.leadStart, members[idx + 1].leadStart, '');
      if (idx > 0) return splice(members[idx - 1].valueEnd, m.valueEnd, '');
      return splice(container.start + 1, container.end - 1, '');
    }
    if (format === 'flat') return splice(m.valueStart, m.valueEnd, JSON.stringify(pin.version));
    // Only the module's version and sha256 values change; its other keys and layout stay.
    const inner = s.object(m.valueStart);
    const edits = (['version', 'sha256'] as const)
      .map((k) => ({ k, at: inner.members.find((x) => x.key === k) }))
      .sort((a, b) => (b.at?.valueStart ?? 0) - (a.at?.valueStart ?? 0));
    let out = text;
    for (const { k, at } of edits) {
      if (!at) throw new Error(`expected ${alias}.${k} in the lock`);
      out = out.slice(0, at.valueStart) + JSON.stringify(pin[k]) + out.slice(at.valueEnd);
    }
    return out;
  }
  if (pin === null) return text;

  // A new module: the siblings' indentation and layout; in key order when the keys are sorted.
  const sibling = members[0];
  // Without a sibling to copy, one step deeper than the line that opens the object, in the file's own step.
  const indent = sibling ? (lineIndent(text, sibling.keyStart) ?? '') : `${leadingIndent(text, container.start)}${indentUnit(text)}`;
  const multiline = sibling ? text.slice(sibling.leadStart, sibling.keyStart).includes('\n') : true;
  let value: string;
  if (format === 'flat') value = JSON.stringify(pin.version);
  else {
    // The sibling's layout; without one, the file's: an indented file gets an indented entry.
    const tpl = sibling ? text.slice(sibling.valueStart, sibling.valueEnd) : /\n[ \t]+\S/.test(text) ? '{\n}' : '';
    if (tpl.includes('\n')) {
      const firstInner = sibling && s.object(sibling.valueStart).members[0];
      const innerIndent = (firstInner && lineIndent(text, firstInner.keyStart)) || `${indent}${indentUnit(text)}`;
      value = `{${eol}${innerIndent}"version": ${JSON.stringify(pin.version)},${eol}${innerIndent}"sha256": ${JSON.stringify(pin.sha256)}${eol}${indent}}`;
    } else {
      const spaced = /^\{\s/.test(tpl) || !tpl;
      value = spaced ? `{ "version": ${JSON.stringify(pin.version)}, "sha256": ${JSON.stringify(pin.sha256)} }` : `{"version":${JSON.stringify(pin.version)},"sha256":${JSON.stringify(pin.sha256)}}`;
    }
  }
  const colon = sibling ? text.slice(sibling.keyStart, sibling.valueStart).replace(/^"(?:[^"\\]|\\.)*"/, '') : ': ';
  const entry = `${JSON.stringify(alias)}${colon}${value}`;
  const sep = multiline ? `${eol}${indent}` : ' ';
  if (!sibling) return splice(container.start + 1, container.end - 1, `${eol}${indent}${entry}${eol}${leadingIndent(text, container.start)}`);
  const keys = members.map((m) => m.key);
  const sorted = keys.every((k, i) => i === 0 || keys[i - 1] <= k);
  const before = sorted ? members.find((m) => m.key > alias) : undefined;
  if (before) return splice(before.leadStart, before.leadStart, `${sep}${entry},`);
  const last = members[members.length - 1];
  return splice(last.valueEnd, last.valueEnd, `,${sep}${entry}`);
}
