#!/usr/bin/env bash
# Independent checkers over dist/ and every example registry's output (test/checkers/README.md):
#   kubeconform -strict  against local schemas generated offline from test/fixtures (1.29 + CRDs)
#   kube-score           (Go module proxy)       checkov (PyPI, in a venv)
# Tools are cached outside the clone (RINGS_CHECKERS_CACHE, default ~/.cache/cdk8s-rings/checkers).
# Every kube-score/checkov finding must be on test/checkers/accepted.txt (with its reason), and every
# entry there must still match something; kubeconform must find nothing. Exit 1 otherwise.
set -euo pipefail

KUBE_SCORE_VERSION=v1.20.0
KUBECONFORM_VERSION=v0.8.0
CHECKOV_VERSION=3.3.30

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${RINGS_CHECKERS_CACHE:-$HOME/.cache/cdk8s-rings/checkers}"
work="$(mktemp -d "${TMPDIR:-/tmp}/rings-checkers-XXXXXX")"
outputs=()
cleanup() { rm -rf "$work"; for d in "${outputs[@]+"${outputs[@]}"}"; do [[ "$d" == "$root/dist" ]] || rm -rf "$d"; done; }
trap cleanup EXIT
mkdir -p "$cache/bin"
[ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"

# ---- tools (installed once per version)
go_tool() { # name module version
  local marker="$cache/bin/.$1-$3"
  if [[ ! -x "$cache/bin/$1" || ! -e "$marker" ]]; then
    echo "checkers: installing $2@$3"
    GOBIN="$cache/bin" GOFLAGS=-buildvcs=false go install "$2@$3"
    rm -f "$cache/bin/.$1-"*; touch "$marker"
  fi
}
go_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
venv="$cache/checkov-$CHECKOV_VERSION"
if [[ ! -x "$venv/bin/checkov" ]]; then
  echo "checkers: installing checkov==$CHECKOV_VERSION into $venv"
  rm -rf "$venv"; python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
ks="$cache/bin/kube-score"; kc="$cache/bin/kubeconform"
# checkov offline: no platform mappings, no downloads, no version check.
checkov() { BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false "$venv/bin/checkov" --skip-download --quiet --compact --framework kubernetes -o json "$@"; }

# ---- what to check: dist/ and the output of every example registry
(cd "$root" && npx tsc -p tsconfig.json)
outputs+=("$root/dist")
while IFS= read -r d; do outputs+=("$d"); done < <(bash "$root/test/conformance/synth-examples.sh" --print)
node "$here/kubeconform-schemas.js" "$work/schemas" >/dev/null
schema_location="$work/schemas/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json"
kubeconform() { "$kc" -strict -schema-location "$schema_location" -output text "$@"; }
# Every manifest file: the unit folders and dist/gitops/ (the Argo CD or Flux objects) included.
charts() { find "$1" -name '*.yaml' ! -name kustomization.yaml | sort; }

# ---- self-test: each checker must complain about a known-bad object
bad="$here/fixtures/bad.yaml"
if kubeconform "$bad" >/dev/null 2>&1; then echo "checkers: kubeconform accepted $bad; the schemas are broken" >&2; exit 1; fi
"$ks" score -o json "$bad" > "$work/self-kube-score.json" || true
if ! grep -q '"grade": 1,' "$work/self-kube-score.json"; then echo "checkers: kube-score found nothing in $bad" >&2; exit 1; fi
mkdir -p "$work/self" && cp "$bad" "$work/self/"
checkov -d "$work/self" > "$work/self-checkov.json" 2>/dev/null || true
if ! grep -q '"check_id"' "$work/self-checkov.json"; then echo "checkers: checkov found nothing in $bad" >&2; exit 1; fi

# ---- the outputs
mkdir -p "$work/results"
status=0
for d in "${outputs[@]}"; do
  label="$(basename "$d")"; [[ "$d" == "$root/dist" ]] && label=dist
  mapfile -t files < <(charts "$d")
  echo "checkers: $label (${#files[@]} files)"
  if ! kubeconform "${files[@]}"; then status=1; echo "checkers: kubeconform -strict rejected objects of $label" >&2; fi
  if [[ -d "$d/clusters" ]]; then
    # Rings across clusters: kube-score relates objects by namespace and name (an HPA to its Deployment),
    # and two clusters may each have a namespace of one name, so each cluster is scored on its own.
    for k in "$d"/clusters/*/kustomization.yaml; do
      c="$(basename "$(dirname "$k")")"
      mapfile -t units < <(sed -n 's|^  - \.\./\.\./||p' "$k")
      "$ks" score -o json $(for u in "${units[@]}"; do echo "$d/$u/$u.yaml"; done) > "$work/results/$label-$c.kube-score.json" || true
    done
    "$ks" score -o json $(find "$d/gitops" -name '*.yaml' ! -name kustomization.yaml | sort) > "$work/results/$label-gitops.kube-score.json" || true
  else
    "$ks" score -o json "${files[@]}" > "$work/results/$label.kube-score.json" || true
  fi
  checkov -d "$d" > "$work/results/$label.checkov.json" 2>"$work/checkov-$label.err" || true
  if ! grep -q '"check_type"' "$work/results/$label.checkov.json"; then status=1; echo "checkers: checkov did not run on $label:" >&2; tail -5 "$work/checkov-$label.err" >&2; fi
done
node "$here/compare.js" "$here/accepted.txt" "$work/results" || status=1
if (( status == 0 )); then
  echo "checkers: kubeconform -strict clean and every kube-score/checkov finding accepted, over ${#outputs[@]} outputs (dist/ and the example registries)"
else
  echo "checkers: FAILED: see the lines above" >&2
fi
exit "$status"
