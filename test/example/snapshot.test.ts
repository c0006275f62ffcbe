/**
 * Snapshots of the example platform, one per dist file, for review: a change to any generated
 * object shows up here as a readable YAML diff (update with `npx jest -u` after reviewing).
 */
import { synthesize } from '../../src/render/synth';
import { examplePlan } from '../support/registry-fixture';

const files = synthesize(examplePlan()).files;

test('the example platform writes one folder per unit of delivery (cluster-scoped layer, shared layer, one per ring), each with its kustomization, a top-level kustomization, and the GitOps delivery objects', () => {
  const unit = (u: string) => [`${u}/${u}.yaml`, `${u}/kustomization.yaml`];
  expect([...files.keys()]).toEqual([
    ...['cluster', 'shared', 'ring-stable', 'ring-edge', 'ring-canary', 'ring-experimental'].flatMap(unit),
    'kustomization.yaml',
    'gitops/argo-cd.yaml',
    'gitops/root.yaml',
    'gitops/kustomization.yaml',
  ]);
});

test.each([...files.keys()])('%s', (file) => {
  expect(files.get(file)).toMatchSnapshot();
});
