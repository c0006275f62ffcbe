#!/usr/bin/env bash
# The library as another repo installs it: `npm pack`, install the tarball with its peers (cdk8s,
# cdk8s-plus-29, constructs) into a scratch TypeScript project, compile the app in app/ against the
# shipped declarations (skipLibCheck off), run it (it validates a broken registry built in code and
# synthesizes a good one into its own cdk8s App), and check that exactly one copy of cdk8s and of
# constructs is installed. Needs the npm registry (or a warm cache: RINGS_NPM_CACHE).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/test/consumer"
cache="${RINGS_NPM_CACHE:-$HOME/.cache/cdk8s-rings/npm}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/rings-consumer-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
npm_q=(--no-audit --no-fund --loglevel=error --cache "$cache" --prefer-offline)

# The build `npm test` made (pack would otherwise run `prepare`, the same build).
[ -f "$root/build/src/index.d.ts" ] || (cd "$root" && npm run build --silent)
tarball="$(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$tmp" "${npm_q[@]}" | tail -1)"
tar -tzf "$tmp/$tarball" > "$tmp/contents.txt"
grep -qx 'package/build/src/index.d.ts' "$tmp/contents.txt" || { echo "consumer: $tarball ships no declarations (build/src/index.d.ts)" >&2; exit 1; }
# The README links into docs/: the pages ship with it, so the links work in node_modules too.
grep -qx 'package/docs/gitops.md' "$tmp/contents.txt" || { echo "consumer: $tarball ships no docs/ (the README links into it)" >&2; exit 1; }

# The peers at the versions this repo builds with (package-lock.json), TypeScript 5 and Node 20 types.
ver() { node -p "require('$root/package-lock.json').packages['node_modules/$1'].version"; }
mkdir -p "$tmp/app"
cp "$here/app/app.ts" "$here/app/tsconfig.json" "$tmp/app/"
cd "$tmp/app"
printf '{ "name": "shop-platform", "version": "1.0.0", "private": true }\n' > package.json
npm install "${npm_q[@]}" "$tmp/$tarball" "cdk8s@$(ver cdk8s)" "cdk8s-plus-29@$(ver cdk8s-plus-29)" "constructs@$(ver constructs)" \
  "typescript@$(ver typescript)" "@types/node@$(ver @types/node)" >/dev/null

# One copy of each peer: the library must not bring its own.
for pkg in cdk8s constructs cdk8s-plus-29; do
  copies="$(find . -type f -path "*/node_modules/$pkg/package.json" | wc -l)"
  [ "$copies" -eq 1 ] || { echo "consumer: $copies copies of $pkg installed:" >&2; find . -path "*/node_modules/$pkg/package.json" >&2; exit 1; }
done
npm ls cdk8s --all --parseable | sort -u | grep -c '/node_modules/cdk8s$' | grep -qx 1 || { echo "consumer: npm ls lists more than one cdk8s" >&2; npm ls cdk8s --all >&2; exit 1; }

npx --no-install tsc -p tsconfig.json
node build/app.js "$tmp/app/dist"
echo "consumer: $tarball installed beside its peers, compiled with tsc and run; one copy each of cdk8s, cdk8s-plus-29 and constructs"
