#!/usr/bin/env bash
# Synthesizes every extra example registry (test/fixtures/registries/*/ and examples/*/ with a
# platform.toml, e.g. examples/storefront/, which is not AutoCom's) into a temporary folder and
# runs the Pod Security gate on dist/ plus those outputs:
#   bash test/conformance/synth-examples.sh            # build, synth the examples, run run.sh on them
#   bash test/conformance/synth-examples.sh --print    # only synth; print the output folders
# dist/ itself is never touched (RINGS_OUT points at the temporary folder).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mktemp -d "${TMPDIR:-/tmp}/rings-examples-XXXXXX")"
trap 'rm -rf "$out"' EXIT

(cd "$root" && npx tsc -p tsconfig.json)
dirs=()
for reg in "$root"/test/fixtures/registries/*/ "$root"/examples/*/; do
  [[ -f "$reg/platform.toml" ]] || continue
  name="$(basename "$reg")"
  RINGS_REGISTRY="$reg" RINGS_OUT="$out/$name" node "$root/build/src/bin/synth-app.js" >/dev/null
  dirs+=("$out/$name")
done

if [[ "${1:-}" == "--print" ]]; then
  trap - EXIT
  printf '%s\n' "${dirs[@]}"
  exit 0
fi
bash "$here/run.sh" "${dirs[@]}"
