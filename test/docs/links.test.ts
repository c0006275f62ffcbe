/**
 * The documentation's relative links hold: every `[text](target)` in README.md and docs/*.md that is not
 * a URL names an existing file, and every `#anchor` a heading of its page (GitHub's slugs).
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const pages = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown without its fenced code blocks (a `# comment` in a TOML block is not a heading). */
const prose = (md: string) => md.replace(/^```[\s\S]*?^```$/gm, '');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2… */
export function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(md).matchAll(/^#{1,6} (.*)$/gm)) {
    const base = m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Each relative link of a page: [target file, anchor or ''], resolved from the page's folder. */
export function relativeLinks(page: string, md: string): Array<{ link: string; file: string; anchor: string }> {
  const out: Array<{ link: string; file: string; anchor: string }> = [];
  for (const m of prose(md).replace(/`[^`\n]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
    const link = m[1];
    if (/^[a-z]+:/.test(link)) continue;
    const [target, anchor = ''] = link.split('#');
    out.push({ link, file: target ? path.join(path.dirname(page), target) : page, anchor });
  }
  return out;
}

describe('documentation links', () => {
  test.each(pages)('%s: every relative link reaches a file and a heading', (page) => {
    const broken: string[] = [];
    for (const { link, file, anchor } of relativeLinks(page, fs.readFileSync(path.join(ROOT, page), 'utf8'))) {
      const abs = path.join(ROOT, file);
      if (!fs.existsSync(abs)) broken.push(`${link}: no file ${file}`);
      else if (anchor && !(file.endsWith('.md') && anchors(fs.readFileSync(abs, 'utf8')).has(anchor))) broken.push(`${link}: no heading #${anchor} in ${file}`);
    }
    expect(broken).toEqual([]);
  });

  test('the README links every page under docs/', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const linked = new Set(relativeLinks('README.md', readme).map((l) => l.file));
    expect(pages.filter((p) => p.startsWith('docs/') && !linked.has(p))).toEqual([]);
  });

  test('the checks catch a broken link and a missing heading', () => {
    expect(anchors('# The `rings` CLI\n## Audit trail: `rings/history.jsonl`\n## Audit trail: `rings/history.jsonl`\n```\n# not a heading\n```\n')).toEqual(
      new Set(['the-rings-cli', 'audit-trail-ringshistoryjsonl', 'audit-trail-ringshistoryjsonl-1']),
    );
    expect(anchors('## Verifying the cluster (`rings verify` and `rings diff --live`)')).toEqual(new Set(['verifying-the-cluster-rings-verify-and-rings-diff---live']));
    const links = relativeLinks('docs/cli.md', 'see [x](runbook.md#nope), [y](https://example.com), `[z](code.md)`, [w](#here)');
    expect(links).toEqual([
      { link: 'runbook.md#nope', file: 'docs/runbook.md', anchor: 'nope' },
      { link: '#here', file: 'docs/cli.md', anchor: 'here' },
    ]);
    expect(anchors(fs.readFileSync(path.join(ROOT, 'docs/runbook.md'), 'utf8')).has('nope')).toBe(false);
  });
});
