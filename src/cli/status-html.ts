/**
 * `rings status --html FILE`: the status page as one self-contained HTML document — inline CSS, no
 * script, no external asset, no request of any kind — readable at desktop and phone widths (the
 * candidate tables become cards below 760 px). Pure: the same `StatusPage` gives the same bytes.
 */
import { parseImageReference } from '../model/images';
import { metricPassed } from '../operate/verify/metrics';
import { formatMeasured } from '../operate/candidate-record';
import type { PageApproval, PageCandidate, PageGates, PageStep, PageVerify, StatusPage } from '../operate/status-page';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (ch) => ESC[ch]);

/** `api-octane:2026.12.0@sha256:0239e49dd8b1…` for an image reference, the value itself for a version. */
function short(value: string | null): string {
  if (value === null) return 'not pinned';
  if (!value.includes('/') && !value.includes('@')) return value;
  const { repository, tag, digest } = parseImageReference(value);
  return `${repository.split('/').pop()}${tag ? `:${tag}` : ''}${digest ? `@${digest.slice(0, 19)}…` : ''}`;
}

const value = (v: string | null) => (v !== null && v !== short(v) ? `<span title="${esc(v)}">${esc(short(v))}</span>` : esc(short(v)));
const cmd = (c: string) => `<code class="cmd">${esc(c)}</code>`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const CSS = `
:root{--fg:#1b1f24;--muted:#59636e;--line:#d0d7de;--bg:#fff;--card:#f6f8fa;--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#b3261e;--bad-bg:#ffebe9;--warn:#7d4e00;--warn-bg:#fff8c5;--accent:#0969da}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1240px;margin:0 auto;padding:0 20px}
header{padding-top:20px}
h1{font-size:1.6rem;margin:0 0 4px}
h2{font-size:1.2rem;margin:28px 0 8px}
h3{font-size:1.05rem;margin:0}
p{margin:6px 0}
.meta,.note{color:var(--muted);font-size:.9rem}
code{font:.85em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere;word-break:break-word}
code.cmd{display:inline-block;max-width:100%;background:#0d1117;color:#e6edf3;padding:3px 7px;border-radius:5px;white-space:pre-wrap;user-select:all}
ol.rings{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}
li.ring{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;min-width:0}
li.ring .flow{color:var(--muted);font-size:.85rem;margin-top:6px}
li.ring dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:8px 0 0;font-size:.9rem}
li.ring dt{color:var(--muted)}
li.ring dd{margin:0;min-width:0;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.72rem;font-weight:600;letter-spacing:.02em;padding:1px 7px;border-radius:999px;border:1px solid var(--line);background:var(--bg);color:var(--muted);vertical-align:middle;margin-left:4px}
.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}
.pill{display:inline-block;font-size:.8rem;font-weight:600;padding:1px 8px;border-radius:999px}
.pill.ok{background:var(--ok-bg)}.pill.bad{background:var(--bad-bg)}.pill.warn{background:var(--warn-bg)}.pill.none{background:var(--card);color:var(--muted)}
section.step{margin-top:8px}
table.candidates{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.9rem}
table.candidates th,table.candidates td{border-bottom:1px solid var(--line);padding:8px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
table.candidates th{font-size:.78rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);font-weight:600}
table.candidates col.c-name{width:14%}table.candidates col.c-ver{width:13%}table.candidates col.c-soak{width:12%}table.candidates col.c-verify{width:17%}table.candidates col.c-appr{width:14%}table.candidates col.c-gates{width:14%}table.candidates col.c-cmd{width:16%}
ul.metrics,ul.refusals{margin:4px 0 0;padding-left:16px}
ul.metrics li,ul.refusals li{margin:2px 0}
ul.refusals{list-style:none;padding-left:0}
details summary{cursor:pointer;font-weight:600;color:var(--bad)}
details[open] summary{margin-bottom:2px}
.small{font-size:.82rem;color:var(--muted)}
footer{margin:32px auto 24px;color:var(--muted);font-size:.85rem}
@media (max-width:760px){
  header,main,footer{padding:0 12px}
  header{padding-top:14px}
  table.candidates,table.candidates tbody,table.candidates tr,table.candidates td{display:block;width:100%}
  table.candidates colgroup,table.candidates thead{display:none}
  table.candidates tr{border:1px solid var(--line);border-radius:10px;margin:0 0 12px;padding:6px 12px;background:var(--card)}
  table.candidates td{border:0;padding:5px 0}
  table.candidates td::before{content:attr(data-label);display:block;font-size:.72rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);font-weight:600}
}
@media (prefers-color-scheme:dark){
  :root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--bg:#0d1117;--card:#151b23;--ok:#3fb950;--ok-bg:#12361f;--bad:#ff7b72;--bad-bg:#3c1618;--warn:#d29922;--warn-bg:#3a2d0b}
  code.cmd{background:#010409}
}
@media print{code.cmd{background:none;color:inherit;border:1px solid var(--line)}}
`;

function verifyText(v: PageVerify | undefined): string {
  if (!v) return '<span class="pill none">no verify recorded</span>';
  const state = v.passed ? '<span class="pill ok">passed</span>' : `<span class="pill bad">failed</span> <span class="small">${esc(plural(v.findings, 'finding'))}${v.firstFinding ? `: ${esc(v.firstFinding)}` : ''}</span>`;
  const metrics = v.metrics.length ? `<ul class="metrics">${v.metrics.map((m) => `<li class="metric ${metricPassed(m) ? 'ok' : 'bad'}" data-metric="${esc(m.name)}">${esc(formatMeasured(m))}</li>`).join('')}</ul>` : '';
  return `${state} <span class="small">at <time>${esc(v.time)}</time></span>${metrics}`;
}

function ringCard(r: StatusPage['rings'][number], next: string | undefined): string {
  const badges = [r.home ? 'home' : '', r.default ? 'default' : '', r.active ? '' : 'inactive'].filter(Boolean).map((b) => `<span class="badge">${esc(b)}</span>`).join('');
  const rows: [string, string][] = [
    ['namespace', `<code>${esc(r.namespace)}</code>`],
    ...(r.cluster ? ([['cluster', `<code>${esc(r.cluster)}</code>`]] as [string, string][]) : []),
    ['tenants', esc(r.tenants)],
    ['soak', esc(r.soak)],
    ['order', esc(r.promotionOrder)],
    ['requires', r.requires.length ? esc(r.requires.join(', ')) : '<span class="small">order and soak only</span>'],
    ['last verify', verifyText(r.lastVerify)],
  ];
  const flow = next ? `promotes into <strong>${esc(next)}</strong> after ${esc(r.soak)}` : r.active ? 'the most conservative ring' : 'inactive: takes no promotions';
  return `<li class="ring" data-ring="${esc(r.ring)}"${r.cluster ? ` data-cluster="${esc(r.cluster)}"` : ''}><h3>${esc(r.ring)}${badges}</h3><p class="flow">${flow}</p><dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl></li>`;
}

function soakText(c: PageCandidate, ring: string): string {
  if (c.soakRemaining === undefined) return `<span class="soak pill bad" data-soak="unknown">no arrival record</span> <span class="small">history has no record of it arriving in ${esc(ring)}, so its soak cannot be proven</span>`;
  if (c.soakRemaining === null) return `<span class="soak pill ok" data-soak="done">soaked</span>${c.soakUntil ? ` <span class="small">since <time>${esc(c.soakUntil)}</time></span>` : ''}`;
  return `<span class="soak pill warn" data-soak="remaining">${esc(c.soakRemaining)} left</span> <span class="small">until <time>${esc(c.soakUntil!)}</time></span>`;
}

function approvalText(a: PageApproval): string {
  switch (a.state) {
    case 'not-required':
      return '<span class="approval pill none" data-approval="not-required">not required</span>';
    case 'present':
      return `<span class="approval pill ok" data-approval="present">approved</span> <span class="small">by ${esc(a.approver ?? '')}${a.commit ? ` in <code>${esc(a.commit.slice(0, 12))}</code>` : ''}${a.approvedAt ? ` at <time>${esc(a.approvedAt)}</time>` : ''}</span>`;
    default:
      return `<span class="approval pill bad" data-approval="${esc(a.state)}">${a.state === 'missing' ? 'missing' : 'cannot be verified'}</span>${a.detail ? ` <span class="small">${esc(a.detail)}</span>` : ''}${a.command ? `<br>${cmd(a.command)}` : ''}`;
  }
}

function gatesText(g: PageGates): string {
  if (g.problem) return `<span class="gates pill bad" data-gates="problem">cannot promote</span> <span class="small">${esc(g.problem)}</span>`;
  if (g.ok) return '<span class="gates pill ok" data-gates="pass">every gate passes</span>';
  // Each refusal folds (no script needed): the gate's name shows, its full sentence on request.
  const why = (r: { gate: string; message: string }) => (r.gate === 'approval' ? 'the approval (see the approval column) is missing' : r.message);
  return `<span class="gates pill bad" data-gates="refused">refused</span><ul class="refusals">${g.refused.map((r) => `<li data-gate="${esc(r.gate)}"><details><summary>${esc(r.gate)}</summary><span class="small">${esc(why(r))}</span></details></li>`).join('')}</ul>`;
}

function candidateRow(s: PageStep, c: PageCandidate): string {
  const cells: [string, string, string][] = [
    ['c-name', 'Candidate', `<strong>${esc(c.name)}</strong><br><code class="id">${esc(c.kind === 'image' && c.id.length > 40 ? `${c.id.slice(0, 40)}…` : c.id)}</code>`],
    ['c-ver', `${s.from} / ${s.to}`, `${value(c.value)} <span class="small">in ${esc(s.from)}</span><br>${value(c.current)} <span class="small">in ${esc(s.to)}</span>`],
    ['c-soak', `Soak in ${s.from}`, soakText(c, s.from)],
    ['c-verify', `Last verify of ${s.from}`, `${verifyText(c.lastVerify)}${c.lastVerify && !c.lastVerify.sawCandidate ? `<br><span class="small warn">it compared another ${c.kind === 'image' ? 'image' : 'version'} than this one</span>` : ''}`],
    ['c-appr', `Approval for ${s.to}`, approvalText(c.approval)],
    ['c-gates', 'Gates now', gatesText(c.gates)],
    ['c-cmd', 'Next command', `${c.approval.state === 'missing' || c.approval.state === 'unverifiable' ? '<span class="small">once approved:</span><br>' : ''}${cmd(c.command)}`],
  ];
  return `<tr class="candidate" data-candidate="${esc(c.id)}">${cells.map(([cls, label, html]) => `<td class="${cls}" data-label="${esc(label)}">${html}</td>`).join('')}</tr>`;
}

function stepSection(s: PageStep): string {
  const head = `<h2 id="step-${esc(s.from)}-${esc(s.to)}">${esc(s.from)} → ${esc(s.to)}: ${s.candidates.length ? esc(plural(s.candidates.length, 'candidate')) : 'nothing ahead'}</h2>`;
  if (s.candidates.length === 0) return `<section class="step" data-from="${esc(s.from)}" data-to="${esc(s.to)}">${head}<p class="note">${esc(s.from)} runs every module version and image ${esc(s.to)} runs.</p></section>`;
  const intro = `<p>What <strong>${esc(s.from)}</strong> runs ahead of <strong>${esc(s.to)}</strong>.${s.trainCommand ? ` All of it as one unit (a release train): ${cmd(s.trainCommand)}` : ''}</p>`;
  const left = s.left.length ? `<p class="note">Not carried: ${esc(s.left.join(', '))} (${esc(s.to)} pins ${s.left.length === 1 ? 'it' : 'them'} and ${esc(s.from)} does not).</p>` : '';
  const cols = ['c-name', 'c-ver', 'c-soak', 'c-verify', 'c-appr', 'c-gates', 'c-cmd'].map((c) => `<col class="${c}">`).join('');
  const th = ['Candidate', `${s.from} / ${s.to}`, `Soak in ${s.from}`, `Last verify of ${s.from}`, `Approval for ${s.to}`, 'Gates now', 'Next command'].map((t) => `<th scope="col">${esc(t)}</th>`).join('');
  return `<section class="step" data-from="${esc(s.from)}" data-to="${esc(s.to)}">${head}${intro}${left}<table class="candidates"><colgroup>${cols}</colgroup><thead><tr>${th}</tr></thead><tbody>${s.candidates.map((c) => candidateRow(s, c)).join('')}</tbody></table></section>`;
}

export function renderStatusHtml(p: StatusPage): string {
  const active = p.rings.filter((r) => r.active);
  const nextOf = (r: StatusPage['rings'][number]) => {
    const i = active.indexOf(r);
    return i >= 0 && i + 1 < active.length ? active[i + 1].ring : undefined;
  };
  const total = p.steps.reduce((n, s) => n + s.candidates.length, 0);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Belt and braces: the page loads nothing, and says so to the browser.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(p.platform)} rings — ${esc(p.at)}</title>`,
    `<style>${CSS.trim()}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${esc(p.platform)} rings</h1><p class="meta">${esc(p.domain)} · as of <time datetime="${esc(p.at)}">${esc(p.at)}</time> · ${esc(plural(p.rings.length, 'ring'))}, ${esc(plural(total, 'candidate'))} waiting to move on</p></header>`,
    '<main>',
    `<section aria-labelledby="rings-h"><h2 id="rings-h">Rings in promotion order</h2><ol class="rings">${p.rings.map((r) => ringCard(r, nextOf(r))).join('')}</ol></section>`,
    ...p.steps.map(stepSection),
    '</main>',
    `<footer>Made by <code>rings status --html</code> from the registry and its history (rings/history.jsonl) at the clock above; the gates are what <code>rings promote</code> would say then. One page, no scripts, nothing loaded from anywhere.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
