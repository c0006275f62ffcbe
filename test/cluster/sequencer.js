/**
 * The cluster lane's order: the longest suites first, so that three workers finish together instead of
 * the Flux suites starting last (jest's own order needs the durations of a previous run, which a fresh
 * clone in a new folder does not have). Weights are measured seconds on 2 cores (docs/testing.md);
 * files not listed go last, by name.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

const SECONDS = [
  [/^flux-/, 800],
  [/^k8s-storefront-/, 420],
  [/^k8s-/, 700],
  [/^argo-cd-/, 460],
  [/^verify-/, 280],
  [/^multi-cluster-flux-/, 170],
  [/^multi-cluster-/, 230],
];

const weight = (file) => SECONDS.find(([re]) => re.test(path.basename(file)))?.[1] ?? 0;

class LongestFirst extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => weight(b.path) - weight(a.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

module.exports = LongestFirst;
