/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `rings status --html` in a real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core over CDP; see test/support/chromium.ts): the page the built CLI writes for the example
 * registry — in a git repository made from a copy of the project tree, with SSH keys made by ssh-keygen
 * here and one signed approval (bob approves payments into stable) — is checked through the DOM as the
 * browser laid it out: the rings in promotion order, soak remaining, the last verify's metric values,
 * approvals present and missing, the exact promote commands; no request leaves the page (every request
 * is routed and counted); no horizontal overflow at 390 px (a phone) and 1280 px; screenshots go to
 * build/screenshots/.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import { analysisRingOf } from '../../src/operate/analysis-gate';
import { formatHistoryLine, HistoryEntry } from '../../src/operate/history';
import { loadRegistry } from '../../src/registry/load';
import { RunningChromium, startChromium } from '../support/chromium';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const NOW = '2026-11-23T12:00:00Z';
const SHOTS = path.join(ROOT, 'build/screenshots');
const tmp: string[] = [];

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', RINGS_NOW: NOW, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', ...extra };
  delete e.RINGS_CRASH_AFTER;
  return e;
}
function sh(cwd: string, cmd: string, args: string[], e = env()) {
  const r = spawnSync(cmd, args, { cwd, env: e, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

let dir: string;
let html: string;
let chromium: RunningChromium;

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'build/src/cli/run.js'))) throw new Error('build first: npm run build (npm test does it)');
  const keys = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-html-keys-'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-html-'));
  tmp.push(keys, dir);
  for (const who of ['alice', 'bob']) sh(keys, 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${who}@example.test`, '-f', path.join(keys, who)]);
  const pub = (who: string) => fs.readFileSync(path.join(keys, `${who}.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  for (const f of ['rings', 'dist', '.gitignore']) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.writeFileSync(path.join(dir, 'rings/approvers'), ['alice', 'bob'].map((w) => `${w}@example.test namespaces="git" ${pub(w)}`).join('\n') + '\n');
  sh(dir, 'git', ['init', '-q', '-b', 'main']);
  sh(dir, 'git', ['config', 'user.name', 'Platform CI']);
  sh(dir, 'git', ['config', 'user.email', 'ci@example.test']);
  sh(dir, 'git', ['add', '-A']);
  sh(dir, 'git', ['commit', '-qm', 'the platform registry']);
  // bob approves payments 3.2.0 into stable: a signed commit that git verifies against rings/approvers.
  sh(dir, process.execPath, [BIN, 'approve', 'payments', '--to', 'stable', '--reason', 'edge clean', '--yes'], env({
    RINGS_ACTOR: 'Bob <bob@example.test>', GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'gpg.format', GIT_CONFIG_VALUE_0: 'ssh', GIT_CONFIG_KEY_1: 'user.signingkey', GIT_CONFIG_VALUE_1: path.join(keys, 'bob'),
  }));
  // A passing `verify --metrics --record` of canary (the analysis gate's evidence), in the shape that
  // command records: every declared check measured, with the ring file's queries and bounds.
  const reg = loadRegistry(path.join(dir, 'rings'));
  const worst: Record<string, number> = { 'error-rate': 0.0049, 'latency-p99': 0.412 };
  const metrics = analysisRingOf(reg, 'canary')!.checks.map((c) => ({ name: c.name, query: c.query, window: '30m', step: '60s', points: 31, series: 1, worst: worst[c.name], worst_at: '2026-11-23T11:12:00Z', ...(c.min !== undefined ? { min: c.min } : {}), ...(c.max !== undefined ? { max: c.max } : {}), result: 'pass' as const }));
  const canary = reg.rings.find((r) => r.spec.name === 'canary')!.spec.images!;
  const verify: HistoryEntry = {
    time: '2026-11-23T11:30:00Z', actor: 'ci-bot <ci@acme.io>', action: 'verify', to: 'canary', from: null, previous: null, new: null, reason: null, gates_checked: [], gates_waived: [],
    passed: true, checks: ['metrics'], findings: [], lock_checksums: [], pod_template_hashes: {},
    lock: { ...reg.locks.canary.modules }, images: { api: canary.api!, horizon: canary.api!, nginx: canary.nginx! }, source: 'registry', prometheus: 'http://prometheus.monitoring.svc:9090', metrics,
  };
  fs.appendFileSync(path.join(dir, 'rings/history.jsonl'), `${formatHistoryLine(verify)}\n`);
  const out = path.join(dir, 'status.html');
  sh(dir, process.execPath, [BIN, 'status', '--html', out]);
  html = fs.readFileSync(out, 'utf8');
  chromium = await startChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await chromium?.close();
  tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/** The page in a fresh context at `width`, every request routed, aborted and counted. */
async function open(width: number, mobile = false): Promise<{ page: Page; ctx: BrowserContext; requests: string[] }> {
  const ctx = await chromium.browser.newContext({ viewport: { width, height: mobile ? 844 : 900 }, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1 });
  const requests: string[] = [];
  await ctx.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  const page = await ctx.newPage();
  page.on('request', (r) => requests.push(`request ${r.url()}`));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, ctx, requests };
}

/** The widest thing on the page against the viewport: nothing may stick out sideways. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const cw = document.documentElement.clientWidth;
    const sticking = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > cw + 0.5 || e.getBoundingClientRect().left < -0.5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { clientWidth: cw, scrollWidth: document.documentElement.scrollWidth, sticking };
  });

const text = (page: Page, sel: string) => page.locator(sel).first().innerText();

describe('rings status --html in Chromium', () => {
  test('the rings in promotion order, with namespace and what each requires', async () => {
    const { page, ctx } = await open(1280);
    expect(await page.locator('li.ring').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.ring))).toEqual(['experimental', 'canary', 'edge', 'stable']);
    expect(await text(page, 'li.ring[data-ring="stable"]')).toMatch(/namespace\s+autocom\b[\s\S]*requires\s+approval/);
    expect(await text(page, 'li.ring[data-ring="canary"]')).toMatch(/requires\s+analysis/);
    expect(await text(page, 'li.ring[data-ring="edge"] .flow')).toBe('promotes into stable after 7d');
    // no [clusters] in the example: no cluster line
    expect(await page.locator('li.ring dt', { hasText: 'cluster' }).count()).toBe(0);
    await ctx.close();
  });

  test('a candidate row: soak remaining, the last verify with its metric values, the exact promote command', async () => {
    const { page, ctx } = await open(1280);
    const ai = page.locator('section.step[data-from="canary"] tr[data-candidate="ai@2.4.0"]');
    expect(await ai.locator('.soak').innerText()).toBe('14h left');
    expect(await ai.locator('td.c-soak').innerText()).toContain('until 2026-11-24T02:00:00Z');
    expect(await ai.locator('td.c-gates [data-gate="soak"] summary').innerText()).toBe('soak');
    expect(await ai.locator('td.c-cmd code.cmd').innerText()).toBe('rings promote ai --from canary --to edge');
    expect(await ai.locator('li.metric').allInnerTexts()).toEqual(['error-rate: worst 0.0049 (max 0.01) over 30m, 31 points: pass', 'latency-p99: worst 0.412 (max 0.5) over 30m, 31 points: pass']);
    // ai has not soaked, and the measurement was taken before its soak was over: soak and analysis refuse
    expect(await ai.locator('td.c-gates [data-gate]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.gate))).toEqual(['soak', 'analysis']);
    const orders = page.locator('section.step[data-from="canary"] tr[data-candidate="orders@1.6.1"]');
    expect(await orders.locator('.soak').innerText()).toBe('soaked');
    // orders 1.6.1 soaked and was measured after its soak: every gate passes, the analysis gate included
    expect(await orders.locator('[data-gates]').getAttribute('data-gates')).toBe('pass');
    expect(await page.locator('section.step[data-from="canary"] tr[data-candidate^="image:api@"] [data-gates]').getAttribute('data-gates')).toBe('pass');
    expect(await orders.locator('td.c-cmd code.cmd').innerText()).toBe('rings promote orders --from canary --to edge');
    expect(await page.locator('section.step[data-from="canary"] > p code.cmd').innerText()).toBe('rings promote --all --from canary --to edge');
    expect(await page.locator('li.ring[data-ring="canary"] li.metric').count()).toBe(2);
    await ctx.close();
  });

  test('approvals for stable: present for payments (bob, verified by git), missing for the others, with the approve command', async () => {
    const { page, ctx } = await open(1280);
    const step = page.locator('section.step[data-from="edge"][data-to="stable"]');
    const state = async (id: string) => step.locator(`tr[data-candidate="${id}"] [data-approval]`).getAttribute('data-approval');
    expect(await state('payments@3.2.0')).toBe('present');
    expect(await step.locator('tr[data-candidate="payments@3.2.0"] td.c-appr').innerText()).toMatch(/^approved by bob@example\.test in [0-9a-f]{12} at 2026-11-23T12:00:00Z$/);
    expect(await step.locator('tr[data-candidate="payments@3.2.0"] [data-gates]').getAttribute('data-gates')).toBe('pass');
    for (const id of ['orders@1.6.0', 'shipping-india-post@1.6.0']) expect(await state(id)).toBe('missing');
    expect(await step.locator('tr[data-candidate="shipping-india-post@1.6.0"] td.c-appr code.cmd').innerText()).toBe('rings approve shipping-india-post --to stable');
    expect(await step.locator('tr[data-candidate="shipping-india-post@1.6.0"] td.c-cmd').innerText()).toBe('once approved:\nrings promote shipping-india-post --from edge --to stable');
    expect(await step.locator('tr[data-candidate="shipping-india-post@1.6.0"] [data-gate]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.gate))).toEqual(['approval']);
    await ctx.close();
  });

  test('no request leaves the page, and the browser was asked for none', async () => {
    const { page, ctx, requests } = await open(1280);
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => performance.getEntriesByType('resource').length)).toBe(0);
    expect(await page.locator('script, link, img, iframe, object, embed').count()).toBe(0);
    // the counting is real: a page (a fresh one: no CSP) that loads an image and a stylesheet is caught
    await (await ctx.newPage()).setContent('<link rel="stylesheet" href="https://cdn.example.test/x.css"><img src="https://cdn.example.test/x.png">', { waitUntil: 'load' });
    expect(requests.filter((r) => !r.startsWith('request ')).sort()).toEqual(['https://cdn.example.test/x.css', 'https://cdn.example.test/x.png']);
    await ctx.close();
  });

  for (const [width, mobile] of [[1280, false], [390, true]] as const) {
    test(`no horizontal overflow at ${width} px${mobile ? ' (a phone: the tables become cards)' : ''}; screenshot in build/screenshots/`, async () => {
      const { page, ctx, requests } = await open(width, mobile);
      const o = await overflow(page);
      expect(o.sticking).toEqual([]);
      expect(o.scrollWidth).toBeLessThanOrEqual(o.clientWidth);
      const display = await page.locator('table.candidates thead').first().evaluate((e) => getComputedStyle(e).display);
      expect(display).toBe(mobile ? 'none' : 'table-header-group');
      if (mobile) expect(await page.locator('tr[data-candidate="ai@2.4.0"] td.c-soak').first().evaluate((e) => getComputedStyle(e, '::before').content)).toBe('"Soak in canary"');
      await page.screenshot({ path: path.join(SHOTS, `status-${width}.png`), fullPage: true });
      expect(fs.statSync(path.join(SHOTS, `status-${width}.png`)).size).toBeGreaterThan(10_000);
      expect(requests).toEqual([]);
      await ctx.close();
    });
  }

  test('the same registry, history and clock give the same bytes', () => {
    const again = path.join(dir, 'again.html');
    sh(dir, process.execPath, [BIN, 'status', '--html', again]);
    expect(fs.readFileSync(again, 'utf8')).toBe(html);
  });
});
