/**
 * The README's tour stays true: every `$ npx rings …` and `$ npm run synth` line in its code blocks is
 * run with the built CLI in a scratch copy of rings/ and dist/, and prints what the README shows. A
 * block that elides lines (`…`) must show the command's lines in order; any other block, all of them.
 * The ring diagram is checked byte for byte against the CLI too.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Shown {
  command: string;
  output: string[];
}

/** Each `$ command` line of the README's code blocks with the lines shown under it. */
export function shownCommands(markdown: string): Shown[] {
  const blocks = [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1].replace(/\n$/, '').split('\n'));
  const out: Shown[] = [];
  for (const lines of blocks) {
    let current: Shown | undefined;
    for (const line of lines) {
      if (line.startsWith('$ ')) out.push((current = { command: line.slice(2), output: [] }));
      else if (current) current.output.push(line);
    }
  }
  return out;
}

/** `npx rings a b` → [a, b]; `npm run synth` prints what `rings synth` does. */
export function ringsArgs(command: string): string[] {
  if (command === 'npm run synth') return ['synth'];
  const m = /^npx rings (.*)$/.exec(command);
  if (!m) throw new Error(`the README tour shows a command this test cannot run: ${command}`);
  return m[1].split(' ');
}

/** Lines shown are the command's lines: all of them, or, where the README elides with `…`, in order. */
export function showsOutput(shown: readonly string[], actual: readonly string[]): boolean {
  if (!shown.includes('…')) return shown.join('\n') === actual.join('\n');
  let at = 0;
  for (const line of shown.filter((l) => l !== '…')) {
    while (at < actual.length && actual[at] !== line) at++;
    if (at === actual.length) return false;
    at++;
  }
  return true;
}

describe('the README tour', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'build/src/cli/run.js'))) throw new Error('build first: npm run build (npm test does it)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-readme-'));
    fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const commands = shownCommands(readme);
  test('shows commands', () => {
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['npx rings status', 'npm run synth', 'npx rings diff']));
    expect(commands.some((c) => /^npx rings promote .*--dry-run/.test(c.command) && c.output.some((l) => l.startsWith('refused by the soak gate')))).toBe(true);
  });

  test.each(commands.map((c) => [c.command, c] as const))('%s prints what the README shows', (_, c) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.RINGS_NOW;
    const r = spawnSync(process.execPath, [BIN, ...ringsArgs(c.command)], { cwd: dir, env, encoding: 'utf8' });
    const actual = `${r.stdout}${r.stderr}`.replace(/\n$/, '').split('\n');
    if (!showsOutput(c.output, actual)) {
      throw new Error(`README.md shows for \`${c.command}\`:\n${c.output.join('\n')}\n\nbut it prints (exit ${r.status}):\n${actual.join('\n')}\n\nUpdate the README's tour.`);
    }
  });

  test('the tour changes nothing: the scratch registry and dist/ are as committed', () => {
    for (const sub of ['rings', 'dist']) {
      const files = fs.readdirSync(path.join(ROOT, sub), { recursive: true }).map(String).filter((f) => fs.statSync(path.join(ROOT, sub, f)).isFile());
      for (const f of files) expect([sub, f, fs.readFileSync(path.join(dir, sub, f), 'utf8')]).toEqual([sub, f, fs.readFileSync(path.join(ROOT, sub, f), 'utf8')]);
    }
  });

  test('the ring diagram is byte for byte what the built CLI prints', () => {
    const r = spawnSync(process.execPath, [BIN, 'status', '--mermaid'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(readme).toContain(`<!-- rings status --mermaid: begin -->\n${r.stdout}<!-- rings status --mermaid: end -->`);
  });
});

describe('the tour check itself', () => {
  test('an elided block must show lines in order; a full block all of them', () => {
    expect(showsOutput(['a', '…', 'c'], ['a', 'b', 'c'])).toBe(true);
    expect(showsOutput(['c', '…', 'a'], ['a', 'b', 'c'])).toBe(false);
    expect(showsOutput(['a', 'c'], ['a', 'b', 'c'])).toBe(false);
    expect(showsOutput(['a', 'x'], ['a', 'b'])).toBe(false);
  });
  test('a command it cannot run is an error, not a pass', () => {
    expect(() => ringsArgs('kubectl apply -f dist')).toThrow(/cannot run/);
    expect(ringsArgs('npx rings diff')).toEqual(['diff']);
  });
});
