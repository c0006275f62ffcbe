#!/usr/bin/env node
/**
 * Compares what kube-score and checkov found with the accepted list (test/checkers/accepted.txt).
 *   node test/checkers/compare.js ACCEPTED_FILE RESULTS_DIR
 * RESULTS_DIR holds `<label>.kube-score.json` and `<label>.checkov.json` per checked output.
 * Prints every finding not on the list and every list entry nothing matched (a stale entry must be
 * removed: the list only holds what is still found), and exits 1 when there is any; else prints a
 * one-line summary and exits 0.
 */
const fs = require('fs');
const path = require('path');

const [acceptedFile, resultsDir] = process.argv.slice(2);
if (!acceptedFile || !resultsDir) {
  console.error('usage: compare.js ACCEPTED_FILE RESULTS_DIR');
  process.exit(2);
}

/** `tool check [scope] | reason`; scope is a glob over `Kind/namespace/name` (* matches within a part). */
function readAccepted(file) {
  const entries = [];
  const problems = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const bar = line.indexOf('|');
    const head = (bar < 0 ? line : line.slice(0, bar)).trim().split(/\s+/);
    const reason = bar < 0 ? '' : line.slice(bar + 1).trim();
    if (head.length < 2 || head.length > 3 || !['kube-score', 'checkov'].includes(head[0])) problems.push(`${file}:${i + 1}: expected "<kube-score|checkov> <check id> [<Kind/namespace/name glob>] | <reason>"`);
    else if (!reason) problems.push(`${file}:${i + 1}: ${head.join(' ')} has no reason; every accepted finding says why in one line`);
    else {
      const scope = head[2] ?? '*/*/*';
      const re = new RegExp(`^${scope.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
      entries.push({ tool: head[0], check: head[1], scope, re, line: i + 1, used: 0 });
    }
  });
  return { entries, problems };
}

function kubeScoreFindings(file) {
  const out = [];
  for (const o of JSON.parse(fs.readFileSync(file, 'utf8')) ?? []) {
    const id = `${o.type_meta.kind}/${o.object_meta.namespace ?? ''}/${o.object_meta.name}`;
    for (const c of o.checks ?? []) {
      if (c.skipped || c.grade >= 10) continue;
      const what = (c.comments ?? []).map((x) => `${x.path ? `(${x.path}) ` : ''}${x.summary}`).join('; ') || c.check.name;
      out.push({ tool: 'kube-score', check: c.check.id, object: id, what });
    }
  }
  return out;
}

function checkovFindings(file) {
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!text) return [];
  let data = JSON.parse(text);
  if (!Array.isArray(data)) data = [data];
  const out = [];
  for (const r of data) {
    for (const f of r.results?.failed_checks ?? []) {
      // checkov names a resource `Kind.namespace.name`.
      const [kind, ns, ...name] = String(f.resource).split('.');
      out.push({ tool: 'checkov', check: f.check_id, object: `${kind}/${ns ?? ''}/${name.join('.')}`, what: f.check_name });
    }
  }
  return out;
}

const { entries, problems } = readAccepted(acceptedFile);
const findings = [];
for (const f of fs.readdirSync(resultsDir).sort()) {
  const label = f.replace(/\.(kube-score|checkov)\.json$/, '');
  const got = f.endsWith('.kube-score.json') ? kubeScoreFindings(path.join(resultsDir, f)) : f.endsWith('.checkov.json') ? checkovFindings(path.join(resultsDir, f)) : [];
  findings.push(...got.map((x) => ({ ...x, label })));
}
const unaccepted = [];
for (const x of findings) {
  const e = entries.find((a) => a.tool === x.tool && a.check === x.check && a.re.test(x.object));
  if (e) e.used++;
  else unaccepted.push(x);
}
for (const x of unaccepted) console.log(`not accepted: ${x.label}: ${x.tool} ${x.check} ${x.object}: ${x.what}`);
for (const e of entries.filter((a) => !a.used)) problems.push(`${acceptedFile}:${e.line}: ${e.tool} ${e.check} ${e.scope} matched no finding; remove the stale entry`);
for (const p of problems) console.log(p);
const accepted = findings.length - unaccepted.length;
if (unaccepted.length || problems.length) {
  console.log(`checkers: ${unaccepted.length} finding(s) outside ${acceptedFile}, ${problems.length} problem(s) with the list`);
  process.exit(1);
}
console.log(`checkers: kube-score and checkov found nothing outside ${path.basename(acceptedFile)} (${accepted} accepted findings of ${entries.length} listed kinds)`);
