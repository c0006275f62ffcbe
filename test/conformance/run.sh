#!/usr/bin/env bash
# Pod Security "restricted" (v1.29) conformance gate.
#   bash test/conformance/run.sh [EXTRA_FILE_OR_DIR...]
# 1. builds bin/psa-check (upstream k8s.io/pod-security-admission evaluator)
# 2. compliant fixture must pass
# 3. every negative fixture must be reported, with its "# expect:" reason
# 4. dist/ (if it has YAML) and any extra arguments must pass
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dist="$here/../../dist"
bin="$here/bin/psa-check"
trap 'rc=$?; (( rc == 0 )) || echo "conformance: FAILED (exit $rc)" >&2' EXIT

# Resolve extra paths before changing directory.
extra=()
for p in "$@"; do
  if [[ ! -e "$p" ]]; then
    echo "conformance: no such file or directory: $p" >&2
    exit 2
  fi
  extra+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
done

cd "$here"
echo "conformance: building bin/psa-check ($(go version | awk '{print $3}'))"
go build -o "$bin" .

echo "conformance: [1/3] compliant fixture must pass"
"$bin" fixtures/compliant.yaml

echo "conformance: [2/3] negative fixtures must be reported"
shopt -s nullglob
negatives=(fixtures/violations/*.yaml)
if (( ${#negatives[@]} == 0 )); then
  echo "conformance gate is broken: no negative fixtures in fixtures/violations/" >&2
  exit 1
fi
for f in "${negatives[@]}"; do
  expect="$(sed -n 's/^# expect: *//p' "$f" | head -n 1)"
  if [[ -z "$expect" ]]; then
    echo "conformance gate is broken: $f has no '# expect: <reason>' line" >&2
    exit 1
  fi
  set +e
  out="$("$bin" -expect-violation "$f" 2>&1)"
  rc=$?
  set -e
  if (( rc != 0 )) || ! grep -qF -- "$f: " <<<"$out" || ! grep -qF -- ": $expect" <<<"$out"; then
    echo "$out" >&2
    echo "conformance gate is broken: $f was not reported (expected a violation matching \"$expect\")" >&2
    exit 1
  fi
  echo "  ok  $f -> $expect"
done

echo "conformance: [3/3] rendered manifests must pass"
targets=()
if [[ -n "$(find "$dist" -name '*.yaml' ! -name kustomization.yaml -print -quit 2>/dev/null)" ]]; then
  targets+=("$(cd "$dist" && pwd)")
else
  echo "  note: no *.yaml in dist/ yet, skipping the dist check"
fi
targets+=("${extra[@]+"${extra[@]}"}")
if (( ${#targets[@]} > 0 )); then
  "$bin" "${targets[@]}"
else
  echo "  note: nothing to check"
fi
echo "conformance: passed"
