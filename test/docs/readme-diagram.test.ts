import * as fs from 'fs';
import * as path from 'path';
import { statusMatrix, statusMermaid } from '../../src/cli/commands/status';
import { loadRegistry } from '../../src/registry/load';

const root = path.join(__dirname, '..', '..');
const BEGIN = '<!-- rings status --mermaid: begin -->\n';
const END = '<!-- rings status --mermaid: end -->';

/** The text between the README's diagram markers, or a description of what is wrong with them. */
export function diagramBlock(readme: string): string {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < 0) throw new Error(`README.md lacks the markers ${JSON.stringify(BEGIN.trim())} … ${JSON.stringify(END)}`);
  if (readme.indexOf(BEGIN, from + 1) >= 0 || readme.indexOf(END, to + 1) >= 0) throw new Error('README.md has the diagram markers more than once');
  if (to < from) throw new Error('README.md has the end marker of the diagram before its begin marker');
  return readme.slice(from + BEGIN.length, to);
}

describe('the README ring diagram', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const expected = statusMermaid(statusMatrix(loadRegistry(path.join(root, 'rings'))));

  test('is exactly what `rings status --mermaid` prints for the example registry', () => {
    const block = diagramBlock(readme);
    if (block !== expected) {
      throw new Error(
        'README.md\'s ring diagram differs from `rings status --mermaid` on rings/.\n' +
          'Regenerate it with `npm run docs:diagram` and commit README.md.\n\n' +
          `README has:\n${block}\nrings status --mermaid prints:\n${expected}`,
      );
    }
  });

  test('the comparison notices a stale diagram (one ring moved in the promotion order)', () => {
    const stale = readme.replace(expected, expected.replace('order 10 · soak 7d', 'order 15 · soak 7d'));
    expect(stale).not.toBe(readme);
    expect(diagramBlock(stale)).not.toBe(expected);
  });

  test('missing or doubled markers are reported, not silently passed', () => {
    expect(() => diagramBlock(readme.replace(BEGIN, ''))).toThrow(/lacks the markers/);
    expect(() => diagramBlock(readme + BEGIN + END)).toThrow(/more than once/);
  });
});
