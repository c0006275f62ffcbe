#!/usr/bin/env bash
# The library as another repo installs it, as the README says: `npm pack`, then the README's
# `npm install ./cdk8s-rings/<tarball> cdk8s cdk8s-plus-29 constructs` line (the tarball name checked
# against what npm pack wrote, the peers pinned to this repo's lock) into a scratch TypeScript
# project. Compiles against the shipped declarations (skipLibCheck off) and runs the app in app/ (it
# validates a broken registry built in code and synthesizes a good one into its own cdk8s App) and
# the README's smallest app, and checks that exactly one copy of cdk8s and of constructs is
# installed. Needs the npm registry (or a warm cache: RINGS_NPM_CACHE).
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

# The README's install line for the tarball: `npm install ./cdk8s-rings/<name>-<version>.tgz <peers>`.
readme_line="$(grep -E '^npm install \./cdk8s-rings/[^ ]+\.tgz ' "$root/README.md" || true)"
[ -n "$readme_line" ] || { echo "consumer: README.md has no 'npm install ./cdk8s-rings/<tarball> …' line" >&2; exit 1; }
read -r -a readme_words <<< "${readme_line%%#*}"
readme_tarball="${readme_words[2]}"
[ "$(basename "$readme_tarball")" = "$tarball" ] || { echo "consumer: README.md installs $(basename "$readme_tarball"), but npm pack writes $tarball" >&2; exit 1; }
readme_peers=("${readme_words[@]:3}")
[ "${readme_peers[*]}" = "cdk8s cdk8s-plus-29 constructs" ] || { echo "consumer: README.md's install line names the peers '${readme_peers[*]}', expected 'cdk8s cdk8s-plus-29 constructs'" >&2; exit 1; }

# The peers at the versions this repo builds with (package-lock.json), TypeScript 5 and Node 20 types.
ver() { node -p "require('$root/package-lock.json').packages['node_modules/$1'].version"; }
mkdir -p "$tmp/app/$(dirname "$readme_tarball")"
mv "$tmp/$tarball" "$tmp/app/$readme_tarball"
cp "$here/app/app.ts" "$here/app/tsconfig.json" "$tmp/app/"
# The README's smallest app (its one ts block), compiled and run as it is.
awk '/^```ts$/{on=1; next} /^```$/{on=0} on' "$root/README.md" > "$tmp/app/readme-app.ts"
grep -q "from 'cdk8s-rings'" "$tmp/app/readme-app.ts" || { echo "consumer: no smallest app (a \`\`\`ts block importing cdk8s-rings) in README.md" >&2; exit 1; }
cd "$tmp/app"
printf '{ "name": "shop-platform", "version": "1.0.0", "private": true }\n' > package.json
pinned=()
for p in "${readme_peers[@]}"; do pinned+=("$p@$(ver "$p")"); done
npm install "${npm_q[@]}" "$readme_tarball" "${pinned[@]}" "typescript@$(ver typescript)" "@types/node@$(ver @types/node)" >/dev/null
[ "$(node -p "require('cdk8s-rings/package.json').version")" = "$(node -p "require('$root/package.json').version")" ] || { echo "consumer: the installed cdk8s-rings is not this checkout's version" >&2; exit 1; }

# One copy of each peer: the library must not bring its own.
for pkg in cdk8s constructs cdk8s-plus-29; do
  copies="$(find . -type f -path "*/node_modules/$pkg/package.json" | wc -l)"
  [ "$copies" -eq 1 ] || { echo "consumer: $copies copies of $pkg installed:" >&2; find . -path "*/node_modules/$pkg/package.json" >&2; exit 1; }
done
npm ls cdk8s --all --parseable | sort -u | grep -c '/node_modules/cdk8s$' | grep -qx 1 || { echo "consumer: npm ls lists more than one cdk8s" >&2; npm ls cdk8s --all >&2; exit 1; }

npx --no-install tsc -p tsconfig.json
node build/app.js "$tmp/app/dist"
# The README's app writes into ./dist (cdk8s's default outdir): the cluster layer, the shared layer, both rings.
(mkdir -p readme && cd readme && node ../build/readme-app.js)
readme_files="$(cd readme/dist && ls | tr '\n' ' ')"
[ "$readme_files" = "cluster.k8s.yaml ring-canary.k8s.yaml ring-stable.k8s.yaml shared.k8s.yaml " ] || { echo "consumer: the README's app wrote $readme_files" >&2; exit 1; }
grep -q '^kind: ClusterSecretStore$' readme/dist/cluster.k8s.yaml || { echo "consumer: the README's app wrote no ClusterSecretStore" >&2; exit 1; }
echo "consumer: $tarball installed beside its peers by the README's line, app.ts and the README's smallest app compiled with tsc and run; one copy each of cdk8s, cdk8s-plus-29 and constructs"
