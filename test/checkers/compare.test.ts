/** The accepted-findings gate of test/checkers/run.sh (compare.js), on synthetic tool output. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const COMPARE = path.join(__dirname, 'compare.js');
const ks = (check: string, name: string, grade = 1) => ({
  type_meta: { kind: 'Deployment' }, object_meta: { name, namespace: 'autocom-experimental' },
  checks: [{ check: { id: check, name: check }, grade, skipped: false, comments: [{ summary: 'found' }] }],
});
function run(accepted: string, kubeScore: unknown[], checkov: unknown = { check_type: 'kubernetes', results: { failed_checks: [] } }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-compare-'));
  fs.writeFileSync(path.join(dir, 'accepted.txt'), accepted);
  fs.mkdirSync(path.join(dir, 'results'));
  fs.writeFileSync(path.join(dir, 'results', 'dist.kube-score.json'), JSON.stringify(kubeScore));
  fs.writeFileSync(path.join(dir, 'results', 'dist.checkov.json'), JSON.stringify(checkov));
  const r = spawnSync(process.execPath, [COMPARE, path.join(dir, 'accepted.txt'), path.join(dir, 'results')], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, out: r.stdout };
}

test('every finding accepted, every entry used: exit 0', () => {
  const r = run('kube-score deployment-replicas Deployment/autocom-experimental/* | by design\ncheckov CKV_K8S_43 | pinned tags\n', [ks('deployment-replicas', 'api'), ks('stable-version', 'api', 10)], {
    check_type: 'kubernetes', results: { failed_checks: [{ check_id: 'CKV_K8S_43', check_name: 'digest', resource: 'Deployment.autocom.api' }] },
  });
  expect(r.status).toBe(0);
  expect(r.out).toContain('found nothing outside accepted.txt (2 accepted findings');
});
test('a finding outside the list (or outside its scope) fails', () => {
  const r = run('kube-score deployment-replicas Deployment/autocom-canary/* | by design\n', [ks('deployment-replicas', 'api')]);
  expect(r.status).toBe(1);
  expect(r.out).toContain('not accepted: dist: kube-score deployment-replicas Deployment/autocom-experimental/api: found');
});
test('a stale entry and an entry without a reason fail', () => {
  const r = run('kube-score deployment-replicas | by design\nkube-score pod-probes-identical | gone\ncheckov CKV_K8S_15\n', [ks('deployment-replicas', 'api')]);
  expect(r.status).toBe(1);
  expect(r.out).toContain('kube-score pod-probes-identical */*/* matched no finding; remove the stale entry');
  expect(r.out).toContain('checkov CKV_K8S_15 has no reason');
});
