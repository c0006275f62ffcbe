/** Each rule, default and shape of issue 20 is written once, in src/model/, and read from there everywhere else. */
import * as path from 'path';
import { readSources, SourceFile } from '../support/layering';
import { ONE_HOME, oneHomeViolations } from '../support/one-home';

const ROOT = path.join(__dirname, '..', '..');
const src = (file: string, text: string): SourceFile => ({ file, imports: [], text });

/** The homes as they are, so the in-memory cases below start from a tree that passes. */
const homes = (): SourceFile[] => readSources(ROOT, ['src/model']);

describe('one home per rule, default and shape', () => {
  test('the tree: every listed regex, default and shape is written only in its home in src/model/', () => {
    const sources = readSources(ROOT, ['src', 'constructs', 'test']);
    expect(sources.length).toBeGreaterThan(200);
    expect(oneHomeViolations(sources)).toEqual([]);
  });

  test('passes: a construct and a rule that read the constants; a doc comment may repeat a value', () => {
    const files = [
      ...homes(),
      src('constructs/x.ts', "import { DEFAULT_LOCK_MOUNT_DIR } from '../src/model/defaults';\n/** @default \"/etc/rings\" (port 8000) */\nexport const dir = (d?: string) => d ?? DEFAULT_LOCK_MOUNT_DIR;\n"),
      src('src/registry/rules/y.ts', "import { isDnsLabel } from '../../model/kubernetes-names';\nexport const ok = (s: string) => isDnsLabel(s); // not /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/\nconst timeout = 18000;\n"),
    ];
    expect(oneHomeViolations(files)).toEqual([]);
  });

  test('fails: a regex, a default literal and a type Obj outside their home, each named with its line', () => {
    const files = [
      ...homes(),
      src('constructs/ring.ts', "const a = 1;\nif (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) throw new Error('x');\n"),
      src('constructs/component.ts', "const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;\n"),
      src('src/registry/schema/schema.ts', "lock_mount_dir: absolutePath.default('/etc/rings'),\nport: wholeNumber(1, 65535).default(8000),\nstore: x.default(\"ring-home-secrets\"),\n"),
      src('src/checks/guarantees.ts', '\ntype Obj = Record<string, any>;\n'),
      src('test/secrets-routing/x.test.ts', 'export type KObj = Record<string, any>;\n'),
      src('src/resolve/resolve-plan.ts', "type HatchKeys = Pick<C, 'node_selector' | 'priority_class'>;\nconst o = { priorityClassName: x.priority_class };\n"),
      src('src/registry/rules/validate.ts', "const merged = ['node_selector', 'labels', 'annotations', 'env'].includes(k);\n"),
      src('src/cli/commands/list.ts', 'export interface RingRow {\n  readonly ring: string;\n  readonly tenants: number;\n}\n'),
    ];
    expect(oneHomeViolations(files)).toEqual([
      'constructs/ring.ts:2: writes out the DNS-1123 label regex; it lives in src/model/kubernetes-names.ts, use DNS_LABEL / isDnsLabel / isDnsSubdomain',
      'constructs/component.ts:1: writes out the label-value regex; it lives in src/model/kubernetes-names.ts, use LABEL_VALUE / isLabelValue',
      'src/registry/schema/schema.ts:1: writes out the default lock mount folder; it lives in src/model/defaults.ts, use DEFAULT_LOCK_MOUNT_DIR',
      'src/registry/schema/schema.ts:3: writes out the default home ClusterSecretStore; it lives in src/model/defaults.ts, use DEFAULT_HOME_SECRET_STORE',
      'src/registry/schema/schema.ts:2: writes out the default api port; it lives in src/model/defaults.ts, use DEFAULT_API_PORT',
      'src/resolve/resolve-plan.ts:1: writes out the escape-hatch set; it lives in src/model/escape-hatches.ts, use ESCAPE_HATCHES / EscapeHatchKey / EscapeHatchProp / ComponentOverrides',
      'src/resolve/resolve-plan.ts:2: writes out the escape-hatch set; it lives in src/model/escape-hatches.ts, use ESCAPE_HATCHES / EscapeHatchKey / EscapeHatchProp / ComponentOverrides',
      'src/registry/rules/validate.ts:1: writes out the hatches merged key by key; it lives in src/model/escape-hatches.ts, use MERGED_BY_KEY / mergeComponent',
      'src/cli/commands/list.ts:3: writes out a ring summary; it lives in src/model/ring-summary.ts, use RingSummary / RingSummaryOf<…>',
      'src/checks/guarantees.ts:2: writes out the object type; it lives in src/model/objects.ts, use Obj (import type { Obj } from src/model/objects)',
      'test/secrets-routing/x.test.ts:1: writes out the object type; it lives in src/model/objects.ts, use Obj (import type { Obj } from src/model/objects)',
    ]);
  });

  test('fails: a home that no longer holds its definition (moved without updating the table)', () => {
    const files = homes().filter((s) => s.file !== 'src/model/defaults.ts');
    expect(oneHomeViolations(files)).toEqual(ONE_HOME.filter((h) => h.home === 'src/model/defaults.ts').map((h) => `src/model/defaults.ts: expected ${h.what} here, its home; found none`));
  });
});
