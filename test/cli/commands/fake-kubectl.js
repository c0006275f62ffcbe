#!/usr/bin/env node
/**
 * A stand-in `kubectl` for the CLI tests of `rings verify`: answers the read-only requests verify
 * makes from a recorded snapshot (FAKE_KUBE_SNAPSHOT, a ClusterSnapshot JSON file). FAKE_KUBE_DOWN=1
 * answers like an unreachable API server. Every call is appended to FAKE_KUBE_LOG when set, so tests
 * can assert that only read verbs were used.
 */
const fs = require('fs');
let args = process.argv.slice(2);
if (process.env.FAKE_KUBE_LOG) fs.appendFileSync(process.env.FAKE_KUBE_LOG, `${JSON.stringify(args)}\n`);
// Several clusters: FAKE_KUBE_SNAPSHOT_DIR/<context>.json per kubeconfig context; FAKE_KUBE_DOWN_CONTEXT=<context> is unreachable.
const context = args.includes('--context') ? args[args.indexOf('--context') + 1] : undefined;
// Global flags verify passes first.
args = args.filter((a, i) => !/^--request-timeout=/.test(a) && !['--kubeconfig', '--context'].includes(a) && !['--kubeconfig', '--context'].includes(args[i - 1]));
const out = (s) => process.stdout.write(s);
const fail = (msg, code = 1) => {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
};
if (process.env.FAKE_KUBE_DOWN || (context !== undefined && process.env.FAKE_KUBE_DOWN_CONTEXT === context)) fail('The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?');
const snapshotFile = process.env.FAKE_KUBE_SNAPSHOT_DIR ? require('path').join(process.env.FAKE_KUBE_SNAPSHOT_DIR, `${context}.json`) : process.env.FAKE_KUBE_SNAPSHOT;
if (!fs.existsSync(snapshotFile)) fail(`error: context "${context}" does not exist`);
const snap = JSON.parse(fs.readFileSync(snapshotFile, 'utf8'));
const list = (items) => out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
const ns = () => args[args.indexOf('-n') + 1];
if (args[0] !== 'get') fail(`fake kubectl: only get is served, got ${args[0]}`);
if (args[1] === '--raw') {
  if (args[2] === '/version') out('{"major":"1","minor":"29","gitVersion":"v1.29.15"}');
  else fail('Error from server (Forbidden): resolve_deny: denied destination');
  process.exit(0);
}
const what = args[1];
if (what === 'namespaces') {
  const names = args.slice(2).filter((a) => !a.startsWith('-') && a !== 'name');
  out(names.filter((n) => snap.namespaces[n]).map((n) => `namespace/${n}\n`).join(''));
} else if (what === 'deployments.apps,pods,configmaps,services') {
  const s = snap.namespaces[ns()];
  list([...s.deployments, ...s.pods, ...s.configmaps, ...s.services]);
} else if (what === 'secrets') {
  out(snap.namespaces[ns()].secrets.map((n) => `secret/${n}\n`).join(''));
} else if (what === 'externalsecrets.external-secrets.io') {
  const items = snap.namespaces[ns()].externalsecrets;
  if (items === null) fail('error: the server doesn\'t have a resource type "externalsecrets"');
  list(items);
} else if (what === 'ingresses.networking.k8s.io') list(snap.ingresses);
else if (what === 'httproutes.gateway.networking.k8s.io') {
  if (snap.httproutes === null) fail('error: the server doesn\'t have a resource type "httproutes"');
  list(snap.httproutes);
} else fail(`fake kubectl: unexpected request ${args.join(' ')}`);
