/**
 * `rings diff --live`, the comparison: live objects and a server-side dry-run apply recorded from a
 * Kubernetes 1.29 API server after `kubectl scale deployment api --replicas=0` and
 * `kubectl set env deployment/horizon RING_NAME=stable` in autocom-canary.
 */
import * as fs from 'fs';
import * as path from 'path';
import { diffLiveObject, fieldsV1Paths, keptDrift, normalizeLive } from '../../../src/operate/verify/live-object-diff';

const rec = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'verify', 'live-diff-canary-scaled-and-set-env.json'), 'utf8'));
const pick = (xs: any[], name: string) => xs.find((o) => o.metadata.name === name);
const diffOf = (name: string) => diffLiveObject(pick(rec.desired, name), pick(rec.live, name), pick(rec.applied, name));

describe('diff --live: what applying dist/ changes, and the drift it keeps', () => {
  test('a field dist/ sets and another manager changed: the path applying restores', () =>
    expect(diffOf('api')).toEqual({ key: 'Deployment autocom-canary/api', status: 'changed', paths: ['spec.replicas'], kept: [] }));
  test('a field dist/ does not set, added by another manager: kept, one line for the list item, naming the manager', () =>
    expect(diffOf('horizon')).toEqual({
      key: 'Deployment autocom-canary/horizon',
      status: 'changed',
      paths: [],
      kept: [{ path: 'spec.template.spec.containers[name=horizon].env[name=RING_NAME]', manager: 'kubectl-set' }],
    }));
  test('an object that matches: same', () => {
    const api = pick(rec.applied, 'api');
    expect(diffLiveObject(pick(rec.desired, 'api'), api, api).status).toBe('same');
  });
  test('an object missing live: added', () => expect(diffLiveObject(pick(rec.desired, 'api'), undefined, undefined).status).toBe('added'));
  test('server bookkeeping is not a difference', () => {
    const live = pick(rec.live, 'api');
    const n = normalizeLive(live);
    expect(n.status).toBeUndefined();
    expect(Object.keys(n.metadata as object)).not.toEqual(expect.arrayContaining(['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp']));
  });
  test('fieldsV1 paths use the diff notation', () => {
    expect(fieldsV1Paths({ 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"api"}': { '.': {}, 'f:image': {} } } } } }, 'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/name': {} } } })).toEqual([
      'spec.replicas',
      'spec.template.spec.containers[name=api].image',
      'metadata.labels["app.kubernetes.io/name"]',
    ]);
  });
  test('system managers and the deployment revision annotation are not drift', () => {
    const applied = pick(rec.applied, 'api');
    expect(applied.metadata.managedFields.some((m: any) => m.manager === 'kube-controller-manager')).toBe(true);
    expect(keptDrift(applied)).toEqual([]);
  });
});
