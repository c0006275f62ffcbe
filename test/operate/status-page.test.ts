/**
 * The status page's data (status-page.ts) and its HTML (status-html.ts), pure: the rings in promotion
 * order, the steps and their candidates, soak remaining, the last verify of the source ring, the
 * callbacks' gates and approvals, [clusters] shown only when present, escaping, byte-identical output.
 * The page as a browser lays it out is tested in status-html-chromium.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HistoryEntry, parseHistory } from '../../src/operate/history';
import { renderStatusHtml } from '../../src/cli/status-html';
import { PageCallbacks, statusPage } from '../../src/operate/status-page';
import { exampleSources, parse, sourcesWith } from '../support/registry-fixture';

const NOW = new Date('2026-11-23T12:00:00Z');
const reg = parse(exampleSources());
const history = parseHistory(fs.readFileSync(path.join(__dirname, '../../rings/history.jsonl'), 'utf8')).entries;
const cb: PageCallbacks = {
  gates: (item) => (item.subject === 'ai' ? { ok: false, refused: [{ gate: 'soak', message: 'not yet <soon>' }] } : { ok: true, refused: [] }),
  approval: (item) => (item.to === 'stable' ? { state: 'missing', detail: 'no approval commit names it', command: `rings approve ${item.subject} --to stable` } : { state: 'not-required' }),
};

describe('statusPage', () => {
  const page = statusPage(reg, history, NOW, cb);
  test('rings least conservative first, with what each requires; one step per adjacent pair of active rings', () => {
    expect(page.rings.map((r) => r.ring)).toEqual(['experimental', 'canary', 'edge', 'stable']);
    expect(page.rings.find((r) => r.ring === 'stable')).toMatchObject({ home: true, default: true, requires: ['approval'], tenants: 5 });
    expect(page.steps.map((s) => `${s.from}→${s.to}:${s.candidates.length}`)).toEqual(['experimental→canary:4', 'canary→edge:5', 'edge→stable:3']);
    expect(page.at).toBe('2026-11-23T12:00:00Z');
  });
  test('a candidate: what each ring runs, its arrival and soak left, the callbacks\' verdicts, the exact command', () => {
    const ai = page.steps[1].candidates.find((c) => c.id === 'ai@2.4.0')!;
    expect(ai).toMatchObject({ value: '2.4.0', current: '2.3.1', arrived: '2026-11-23T02:00:00Z', soakRemaining: '14h', soakUntil: '2026-11-24T02:00:00Z', command: 'rings promote ai --from canary --to edge', gates: { ok: false } });
    const orders = page.steps[2].candidates.find((c) => c.id === 'orders@1.6.0')!;
    expect(orders).toMatchObject({ soakRemaining: '1d 21h', approval: { state: 'missing', command: 'rings approve orders --to stable' } });
    const api = page.steps[1].candidates.find((c) => c.kind === 'image')!;
    expect(api.id).toBe('image:api@sha256:0239e49dd8b12caaddfe04a8ced5bf76a4a81b640702f6e927c27d0af0d13606');
    expect(page.steps[1].trainCommand).toBe('rings promote --all --from canary --to edge');
  });
  test('no arrival record: the soak cannot be told (undefined), unless the ring needs none', () => {
    const noHistory = statusPage(reg, [], NOW, cb);
    expect(noHistory.steps[1].candidates[0].soakRemaining).toBeUndefined();
  });
  test('the latest verify of the source ring, and whether it saw the candidate', () => {
    const v = { time: '2026-11-23T11:00:00Z', actor: 'ci', action: 'verify', to: 'canary', from: null, previous: null, new: null, reason: null, gates_checked: [], gates_waived: [], passed: false, checks: ['rollout'], findings: ['canary: [rollout] x'], lock: { ai: '2.4.0' }, images: {} } as HistoryEntry;
    const p = statusPage(reg, [...history, v], NOW, cb);
    const [ai, orders] = [p.steps[1].candidates.find((c) => c.id === 'ai@2.4.0')!, p.steps[1].candidates.find((c) => c.id === 'orders@1.6.1')!];
    expect(ai.lastVerify).toMatchObject({ passed: false, findings: 1, firstFinding: 'canary: [rollout] x', sawCandidate: true });
    expect(orders.lastVerify?.sawCandidate).toBe(false);
    expect(p.rings.find((r) => r.ring === 'canary')!.lastVerify?.time).toBe('2026-11-23T11:00:00Z');
  });
  test('an inactive ring is shown and takes no part in the steps', () => {
    const edge = exampleSources().get('edge.toml')!.replace('active = true', 'active = false');
    const tenants = exampleSources().get('tenants.toml')!.replace(/"edge"/g, '"stable"');
    const p = statusPage(parse(sourcesWith({ 'edge.toml': edge, 'tenants.toml': tenants })), history, NOW, cb);
    expect(p.inactive).toEqual(['edge']);
    expect(p.steps.map((s) => `${s.from}→${s.to}`)).toEqual(['experimental→canary', 'canary→stable']);
  });
});

describe('renderStatusHtml', () => {
  const html = renderStatusHtml(statusPage(reg, history, NOW, cb));
  test('self-contained: inline CSS, no script, no URL to fetch, a CSP that allows nothing else', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });
  test('text is escaped', () => {
    expect(html).toContain('not yet &lt;soon&gt;');
    expect(html).not.toContain('<soon>');
  });
  test('deterministic: the same page data gives the same bytes', () => {
    expect(renderStatusHtml(statusPage(reg, history, NOW, cb))).toBe(html);
  });
  test('the cluster of each ring only where [clusters] exists', () => {
    expect(html).not.toContain('data-cluster');
    const withClusters = { ...reg, platform: { ...reg.platform, clusters: { eu: {}, us: {} }, home_cluster: 'eu' }, rings: reg.rings.map((r) => (r.spec.name === 'canary' ? { ...r, spec: { ...r.spec, cluster: 'us' } } : r)) } as typeof reg;
    const h = renderStatusHtml(statusPage(withClusters, history, NOW, cb));
    expect([...h.matchAll(/data-ring="(\w+)" data-cluster="(\w+)"/g)].map((m) => `${m[1]}@${m[2]}`)).toEqual(['experimental@eu', 'canary@us', 'edge@eu', 'stable@eu']);
    expect(h).toContain('<dt>cluster</dt><dd><code>us</code></dd>');
  });
});
