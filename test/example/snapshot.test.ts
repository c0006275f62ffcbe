/**
 * Snapshots of the example platform, one per dist file, for review: a change to any generated
 * object shows up here as a readable YAML diff (update with `npx jest -u` after reviewing).
 */
import { synthesize } from '../../src/synth';
import { examplePlan } from '../support/registry-fixture';

const files = synthesize(examplePlan()).files;

test('the example platform writes the cluster-scoped layer, the shared layer, one file per ring and a kustomization', () => {
  expect([...files.keys()]).toEqual(['cluster.yaml', 'shared.yaml', 'ring-stable.yaml', 'ring-edge.yaml', 'ring-canary.yaml', 'ring-experimental.yaml', 'kustomization.yaml']);
});

test.each([...files.keys()])('%s', (file) => {
  expect(files.get(file)).toMatchSnapshot();
});
