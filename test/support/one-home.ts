/**
 * One home per rule, default and shape (issue 20, "One definition per rule, default and shape"): each
 * entry of ONE_HOME is written out in its home file in src/model/ and nowhere else in the tree; every
 * other file reads the constant. Read from the source text with comments stripped (a `@default "…"` in
 * a doc comment may repeat the value; code may not).
 */
import type { SourceFile } from './layering';

export interface Home {
  /** What it is, for the failure line. */
  readonly what: string;
  /** The one file that may write it out. */
  readonly home: string;
  /** The constant (or function) the others read instead, for the failure line. */
  readonly use: string;
  /** How it looks when written out in code. */
  readonly pattern: RegExp;
  /** Folders searched (prefixes of repository-relative paths). @default src/ and constructs/ */
  readonly within?: readonly string[];
}

const NAMES = 'src/model/kubernetes-names.ts';
const DEFAULTS = 'src/model/defaults.ts';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** A regex's source as it would be written in a literal or a string (`\.` as `\.` or `\\.`). */
const written = (source: string) => new RegExp(esc(source).replace(/\\\\\\\\/g, '\\\\\\\\{1,2}'));
/** A string literal in either quote. */
const quoted = (s: string) => new RegExp(`['"\`]${esc(s)}['"\`]`);

export const ONE_HOME: readonly Home[] = [
  { what: 'the DNS-1123 label regex', home: NAMES, use: 'DNS_LABEL / isDnsLabel / isDnsSubdomain', pattern: written('[a-z0-9]([-a-z0-9]*[a-z0-9])?') },
  { what: 'the DNS-1035 label regex', home: NAMES, use: 'DNS_1035_LABEL / isDns1035Label', pattern: written('[a-z]([-a-z0-9]*[a-z0-9])?') },
  { what: 'the label-value regex', home: NAMES, use: 'LABEL_VALUE / isLabelValue', pattern: written('[-A-Za-z0-9_.]*)?[A-Za-z0-9]') },
  { what: 'the label-name regex', home: NAMES, use: 'LABEL_NAME / isLabelKey', pattern: written('[-A-Za-z0-9_.]{0,61}') },
  { what: 'the environment variable name regex', home: NAMES, use: 'ENV_NAME / isEnvName', pattern: written('^[A-Za-z_][A-Za-z0-9_]*$') },
  { what: 'the secret-named variable regex', home: 'src/model/secret-values.ts', use: 'SECRET_NAMED / looksLikeSecret', pattern: /PASSWORD\|PASSWD/ },
  { what: 'the default lock mount folder', home: DEFAULTS, use: 'DEFAULT_LOCK_MOUNT_DIR', pattern: quoted('/etc/rings') },
  { what: 'the default home ClusterSecretStore', home: DEFAULTS, use: 'DEFAULT_HOME_SECRET_STORE', pattern: quoted('ring-home-secrets') },
  { what: 'the default api port', home: DEFAULTS, use: 'DEFAULT_API_PORT', pattern: /(?<![\w.'"`:-])8000(?![\w.'"`])/ },
  { what: 'the default part-of', home: DEFAULTS, use: 'DEFAULT_PART_OF', pattern: /(\?\?|[^=!<>]=)\s*['"]platform['"]|\.default\(['"]platform['"]\)/ },
  { what: 'the default secret refresh interval', home: DEFAULTS, use: 'DEFAULT_SECRET_REFRESH_INTERVAL', pattern: /(\?\?|[^=!<>]=)\s*['"]1h['"]|\.default\(['"]1h['"]\)/ },
  { what: 'the default nginx port', home: DEFAULTS, use: 'DEFAULT_NGINX_PORT', pattern: /(?<![\w.'"`:-])8080(?![\w.'"`])/ },
  {
    what: 'the escape-hatch set',
    home: 'src/model/escape-hatches.ts',
    use: 'ESCAPE_HATCHES / EscapeHatchKey / EscapeHatchProp / ComponentOverrides',
    // The key → prop mapping, or a list of the keys as a union (`Pick<…, 'priority_class' | …>`).
    pattern: /priority_class:\s*['"]priorityClassName['"]|priorityClassName:\s*\w+\.priority_class|['"](priority_class|priorityClassName)['"]\s*\||\|\s*['"](priority_class|priorityClassName)['"]/,
  },
  { what: 'the hatches merged key by key', home: 'src/model/escape-hatches.ts', use: 'MERGED_BY_KEY / mergeComponent', pattern: /['"]node_selector['"],\s*['"]labels['"]/ },
  { what: 'a ring summary', home: 'src/model/ring-summary.ts', use: 'RingSummary / RingSummaryOf<…>', pattern: /\breadonly tenants: number\b/ },
  { what: 'the object type', home: 'src/model/objects.ts', use: "Obj (import type { Obj } from src/model/objects)", pattern: /\btype\s+K?Obj\s*=/, within: ['src/', 'constructs/', 'test/'] },
];

/** Files that hold these patterns as data, not as definitions: this checker and its own suite. */
const EXEMPT = ['test/support/one-home.ts', 'test/layering/'];

/** The source without comments (string contents stay; `//` after a quote or a colon is kept, as in URLs). */
export function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** One line per place a listed rule, default or shape is written outside its home, and per home that lacks it. */
export function oneHomeViolations(sources: readonly SourceFile[], homes: readonly Home[] = ONE_HOME): string[] {
  const out: string[] = [];
  for (const h of homes) {
    const within = h.within ?? ['src/', 'constructs/'];
    const home = sources.find((s) => s.file === h.home);
    if (!home || !h.pattern.test(codeOf(home.text))) out.push(`${h.home}: expected ${h.what} here, its home; found none`);
    for (const s of sources) {
      if (s.file === h.home || !within.some((w) => s.file.startsWith(w)) || EXEMPT.some((e) => s.file.startsWith(e))) continue;
      codeOf(s.text)
        .split('\n')
        .forEach((line, i) => {
          if (h.pattern.test(line)) out.push(`${s.file}:${i + 1}: writes out ${h.what}; it lives in ${h.home}, use ${h.use}`);
        });
    }
  }
  return out;
}
