#!/usr/bin/env bash
# The promotion job of examples/ci (GitLab CI and GitHub Actions run this same script):
#   check → promote (the gates apply) → synth → commit → push
# rings promote --commit does the synth and the commit: dist/ is rendered from the changed registry and
# both are committed as `promote(<to>): <module> <old> → <new>`, the reason as the body and the actor
# as a trailer. A refused gate exits 1 before anything is written, so nothing is committed or pushed.
#
# Inputs (environment):
#   PROMOTE_ALIAS      module to promote, e.g. orders                                   (required)
#   PROMOTE_TO         destination ring, e.g. edge                                      (required)
#   PROMOTE_FROM       source ring, e.g. canary      } exactly one of the two; --with-version
#   PROMOTE_VERSION    a new version, e.g. 1.7.0     } pins into the entry ring only
#   PROMOTE_REASON     why; recorded in the history and the commit body
#   PROMOTE_EMERGENCY  true waives refusing gates (--emergency); only with PROMOTE_REASON
#   PUSH_BRANCH        branch to push the commit to, e.g. main                          (required)
#   PUSH_REMOTE        remote to push to (default origin)
#   RINGS              how to run the CLI (default: npx --no-install rings)
#   RINGS_ACTOR        "Name <email>" recorded as the actor (default: git user.name <user.email>)
set -euo pipefail

fail() { echo "ring-promote: $*" >&2; exit 1; }

[ -n "${PROMOTE_ALIAS:-}" ] || fail "PROMOTE_ALIAS is empty: set it to the module to promote (e.g. orders)"
[ -n "${PROMOTE_TO:-}" ] || fail "PROMOTE_TO is empty: set it to the destination ring (e.g. edge)"
[ -n "${PUSH_BRANCH:-}" ] || fail "PUSH_BRANCH is empty: set it to the branch the commit goes to (e.g. main)"
if [ -n "${PROMOTE_FROM:-}" ] && [ -n "${PROMOTE_VERSION:-}" ]; then
  fail "set PROMOTE_FROM or PROMOTE_VERSION, not both"
fi
[ -n "${PROMOTE_FROM:-}${PROMOTE_VERSION:-}" ] || fail "set PROMOTE_FROM (promote from that ring) or PROMOTE_VERSION (pin into the entry ring)"
case "${PROMOTE_EMERGENCY:-false}" in
  true) [ -n "${PROMOTE_REASON:-}" ] || fail "PROMOTE_EMERGENCY=true needs PROMOTE_REASON (the waiver is recorded)" ;;
  false | "") ;;
  *) fail "PROMOTE_EMERGENCY: expected true or false, got \"${PROMOTE_EMERGENCY}\"" ;;
esac

read -r -a rings <<<"${RINGS:-npx --no-install rings}"

args=(promote "$PROMOTE_ALIAS" --to "$PROMOTE_TO" --yes --commit)
if [ -n "${PROMOTE_FROM:-}" ]; then args+=(--from "$PROMOTE_FROM"); else args+=(--with-version "$PROMOTE_VERSION"); fi
[ -z "${PROMOTE_REASON:-}" ] || args+=(--reason "$PROMOTE_REASON")
[ "${PROMOTE_EMERGENCY:-false}" != true ] || args+=(--emergency)

echo "== check"
"${rings[@]}" check
echo "== promote, synth, commit"
"${rings[@]}" "${args[@]}"
echo "== drift check of the commit"
"${rings[@]}" diff
echo "== push"
git push "${PUSH_REMOTE:-origin}" "HEAD:refs/heads/${PUSH_BRANCH}"
