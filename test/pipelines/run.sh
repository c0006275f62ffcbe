#!/usr/bin/env bash
# The pipelines of examples/ci/, checked the way their CI systems would read them:
#   - actionlint (from the Go module proxy) lints the GitHub Actions workflows;
#   - gitlab-ci-local (npm) validates examples/ci/gitlab-ci.yml against GitLab's schema and runs its
#     jobs in shell mode in a temporary repository with a bare remote: ring-promote pushes exactly one
#     commit with the conventional message; a refused gate and an emergency without a reason fail and
#     leave the remote untouched; rings-drift passes on a clean tree and fails on drift.
# Tools are installed once into a cache outside the clone (RINGS_TOOL_CACHE, default ~/.cache/cdk8s-rings).
# Needs: go, npm, git, rsync (gitlab-ci-local copies the tree with it); the CLI built (npm run build).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE="${RINGS_TOOL_CACHE:-$HOME/.cache/cdk8s-rings}"
ACTIONLINT_VERSION=v1.7.12
GCL_VERSION=4.69.0 # the newest release that runs on Node 20 (4.70 and later need Node 22)
NOW=2026-11-23T12:00:00Z

[ -f build/src/cli/run.js ] || { echo "pipelines: build first (npm run build)" >&2; exit 1; }
for tool in go npm git rsync; do
  command -v "$tool" >/dev/null || { echo "pipelines: $tool is needed and not installed" >&2; exit 1; }
done

# ---- actionlint
AL="$CACHE/actionlint-$ACTIONLINT_VERSION/actionlint"
if [ ! -x "$AL" ]; then
  echo "pipelines: installing actionlint $ACTIONLINT_VERSION into $CACHE"
  GOBIN="$(dirname "$AL")" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
"$AL" -no-color examples/ci/github/*.yml
echo "pipelines: actionlint found nothing in examples/ci/github/ ($(ls examples/ci/github/*.yml | wc -l) workflows)"

# ---- gitlab-ci-local
GCL="$CACHE/gitlab-ci-local-$GCL_VERSION/node_modules/.bin/gitlab-ci-local"
if [ ! -x "$GCL" ]; then
  echo "pipelines: installing gitlab-ci-local $GCL_VERSION into $CACHE"
  npm install --no-audit --no-fund --loglevel=error --prefix "$CACHE/gitlab-ci-local-$GCL_VERSION" "gitlab-ci-local@$GCL_VERSION" >/dev/null
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/rings-pipelines-XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# A project repository as a team would have it (rings/, dist/, the pipeline file and script), pushed
# to a bare remote; gitlab-ci-local's own state folder is excluded locally.
new_repo() {
  local name=$1
  git init -q --bare "$TMP/$name.git"
  git init -q -b main "$TMP/$name"
  (
    cd "$TMP/$name"
    cp -r "$ROOT/rings" .
    # The canary's metric checks would ask for a measurement first (test/analysis/ proves that gate).
    sed -i '/^# Metric checks/,$d' rings/canary.toml
    mkdir -p examples/ci && cp "$ROOT/examples/ci/promote.sh" examples/ci/
    cp "$ROOT/examples/ci/gitlab-ci.yml" .gitlab-ci.yml
    printf 'node_modules\n' >.gitignore
    node "$ROOT/bin/rings.js" synth >/dev/null
    echo ".gitlab-ci-local/" >>.git/info/exclude
    git -c user.name=setup -c user.email=setup@example.invalid add -A
    git -c user.name=setup -c user.email=setup@example.invalid commit -qm "initial registry"
    git remote add origin "$TMP/$name.git"
    git push -q origin main
    git remote set-head origin main
  )
}

# gitlab-ci-local JOB [--variable K=V ...]: runs one job in shell mode; its log goes to $TMP/<repo>.log.
gcl() {
  local repo=$1 job=$2
  shift 2
  (cd "$TMP/$repo" && "$GCL" --force-shell-executor --json-schema-validation --no-color \
    --ignore-predefined-vars CI_PIPELINE_SOURCE,GITLAB_USER_NAME,GITLAB_USER_EMAIL \
    --variable RINGS_INSTALL=true --variable "RINGS=node $ROOT/bin/rings.js" --variable "RINGS_NOW=$NOW" \
    "$@" "$job") >"$TMP/$repo-$job.log" 2>&1
}

remote_head() { git --git-dir="$TMP/$1.git" rev-parse main; }
fail() {
  echo "pipelines: $*" >&2
  for f in "$TMP"/*.log; do echo "--- $(basename "$f")" >&2; tail -25 "$f" >&2; done
  exit 1
}

promote_vars=(--variable CI_PIPELINE_SOURCE=web --variable "GITLAB_USER_NAME=Priya Raman" --variable GITLAB_USER_EMAIL=priya.raman@acme.io)

# 1. A promotion that passes its gates: one commit on the remote, message and files as expected.
new_repo ok
before=$(remote_head ok)
gcl ok ring-promote "${promote_vars[@]}" --variable PROMOTE_ALIAS=orders --variable PROMOTE_FROM=canary \
  --variable PROMOTE_TO=edge --variable "PROMOTE_REASON=canary clean for a day" || fail "ring-promote failed"
[ "$(git --git-dir="$TMP/ok.git" rev-list --count "$before..main")" = 1 ] || fail "expected exactly one new commit on the remote"
subject=$(git --git-dir="$TMP/ok.git" log -1 --format=%s main)
[ "$subject" = "promote(edge): orders 1.6.0 → 1.6.1" ] || fail "unexpected commit subject: $subject"
body=$(git --git-dir="$TMP/ok.git" log -1 --format=%b main)
grep -qx 'canary clean for a day' <<<"$body" || fail "the reason is not the commit body: $body"
grep -qx 'Rings-Actor: Priya Raman <priya.raman@acme.io>' <<<"$body" || fail "no Rings-Actor trailer naming who ran the pipeline: $body"
files=$(git --git-dir="$TMP/ok.git" show --name-only --format= main | sort | tr '\n' ' ')
[ "$files" = "dist/ring-edge/ring-edge.yaml rings/history.jsonl rings/locks/edge.lock.json " ] || fail "unexpected files in the commit: $files"

# 2. A refused gate (experimental → edge skips canary): the job fails, the remote is untouched.
new_repo refused
before=$(remote_head refused)
if gcl refused ring-promote "${promote_vars[@]}" --variable PROMOTE_ALIAS=orders --variable PROMOTE_FROM=experimental --variable PROMOTE_TO=edge; then
  fail "ring-promote passed although the order gate refuses experimental → edge"
fi
grep -q 'refused by the order gate' "$TMP/refused-ring-promote.log" || fail "the job log does not show the order gate's refusal"
[ "$(remote_head refused)" = "$before" ] || fail "a refused promotion changed the remote"

# 3. --emergency only with a reason.
if gcl refused ring-promote "${promote_vars[@]}" --variable PROMOTE_ALIAS=orders --variable PROMOTE_FROM=experimental --variable PROMOTE_TO=edge --variable PROMOTE_EMERGENCY=true; then
  fail "an emergency promotion without a reason passed"
fi
grep -q 'PROMOTE_EMERGENCY=true needs PROMOTE_REASON' "$TMP/refused-ring-promote.log" || fail "no message about the missing reason"
[ "$(remote_head refused)" = "$before" ] || fail "an emergency without a reason changed the remote"

# 4. The merge-request job: clean passes; a hand edit of dist/ fails it.
new_repo mr
gcl mr rings-drift --variable CI_PIPELINE_SOURCE=merge_request_event || fail "rings-drift failed on a clean tree"
(cd "$TMP/mr" && sed -i 's/replicas: 2/replicas: 3/' dist/ring-edge/ring-edge.yaml && git -c user.name=dev -c user.email=dev@example.invalid commit -qam "hand edit of dist")
if gcl mr rings-drift --variable CI_PIPELINE_SOURCE=merge_request_event; then fail "rings-drift passed although dist/ drifted"; fi
grep -q 'differs from a fresh synth' "$TMP/mr-rings-drift.log" || fail "the drift job's log does not show the drift"

echo "pipelines: gitlab-ci-local ran ring-promote (one commit pushed; refused gate and reasonless emergency left the remote untouched) and rings-drift (clean ok, drift caught)"
