#!/usr/bin/env bash
# Builds (or reuses) the binaries of the local control plane the cluster tests start:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler (one per Kubernetes version), KWOK, and
# Flux's source-controller and kustomize-controller, Argo CD and kustomize, all from the Go module proxy. Binaries live in a cache folder outside the clone
# (RINGS_CLUSTER_CACHE, default ~/.cache/cdk8s-rings/cluster) and are rebuilt only when missing.
#
#   bash test/cluster/build.sh            # every version in test/cluster/versions.env
#   bash test/cluster/build.sh 1.29       # one Kubernetes minor (and etcd, KWOK)
#   bash test/cluster/build.sh flux       # the Flux controllers only
#   bash test/cluster/build.sh argo-cd    # Argo CD and the kustomize it execs only
#
# Prints one line per component: "reused" or "built in N s".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${RINGS_CLUSTER_CACHE:-$HOME/.cache/cdk8s-rings/cluster}"
mkdir -p "$cache"
[ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

# One build at a time, also across concurrent test processes.
exec 9>"$cache/.build.lock"
flock 9

stamp() { date +%s; }

build_etcd() {
  local v="$1"; local dir="$cache/etcd-$v"
  if [ -x "$dir/etcd" ]; then echo "etcd $v: reused ($dir)"; return; fi
  local t0; t0=$(stamp)
  local src; src="$(mktemp -d)"
  cat >"$src/bin/synth-app.go" <<GO
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$src" && go mod init rings.local/etcd >/dev/null 2>&1 && go get "go.etcd.io/etcd/server/v3@v$v" >/dev/null 2>&1 \
    && go mod tidy >/dev/null 2>&1 && go build -trimpath -ldflags "-s -w" -o "$src/etcd" .)
  mkdir -p "$dir.tmp" && mv "$src/etcd" "$dir.tmp/etcd" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
  rm -rf "$src"
  echo "etcd $v: built in $(( $(stamp) - t0 )) s"
}

build_kwok() {
  local v="$1"; local dir="$cache/kwok-$v"
  if [ -x "$dir/kwok" ] && [ -d "$dir/stage" ]; then echo "kwok $v: reused ($dir)"; return; fi
  local t0; t0=$(stamp)
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$v"
  # KWOK refuses to start without Stage definitions; the module ships them.
  local mod; mod="$(go env GOMODCACHE)/sigs.k8s.io/kwok@v$v"
  cp -r "$mod/kustomize/stage" "$dir.tmp/stage" && chmod -R u+w "$dir.tmp/stage"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  echo "kwok $v: built in $(( $(stamp) - t0 )) s"
}

# kube-apiserver, kube-controller-manager and kube-scheduler from k8s.io/kubernetes as a dependency of a
# wrapper module. k8s.io/kubernetes replaces its staging modules with ./staging/src/...; those replaces do
# not apply to a dependency, so the wrapper replaces each with its published v0.<minor>.<patch>.
build_kube() {
  local v="$1" tags="$2"; local dir="$cache/kube-$v"
  if [ -x "$dir/kube-apiserver" ] && [ -x "$dir/kube-controller-manager" ] && [ -x "$dir/kube-scheduler" ]; then
    echo "kubernetes $v: reused ($dir)"; return
  fi
  local t0; t0=$(stamp)
  local src; src="$(mktemp -d)"
  local staging="v0.${v#1.}"
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@v$v" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
  {
    echo "module rings.local/kube"
    echo
    echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")"
    echo
    echo "require k8s.io/kubernetes v$v"
    echo
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$gomod"
    echo ")"
  } >"$src/go.mod"
  cat >"$src/tools.go" <<GO
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
GO
  (cd "$src" && go mod tidy >/dev/null)
  local major="${v%%.*}"; local rest="${v#*.}"; local minor="${rest%%.*}"
  local ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=v$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  mkdir -p "$src/out"
  (cd "$src" && go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ld" -o "$src/out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  rm -rf "$dir" && mv "$src/out" "$dir" && rm -rf "$src"
  echo "kubernetes $v: built in $(( $(stamp) - t0 )) s"
}

# Flux's source-controller or kustomize-controller (CLUSTER.md, "Flux controllers, run out of cluster"): the
# module's own tree is the main module, so its go.mod pins every dependency as upstream released it.
#  - its go.mod replaces github.com/fluxcd/<c>/api with ./api, a nested module the zip leaves out: the
#    replace is dropped and the api module required at the version go.mod names, from the proxy;
#  - source-controller asks for github.com/fluxcd/pkg/artifact v0.18.3, which the proxy refuses (403):
#    it is replaced by v0.18.0;
#  - no `go mod tidy` (it fails on test-only dependencies); -mod=mod lets the build complete go.sum.
build_flux() {
  local c="$1" v="$2"; local dir="$cache/flux-$c-$v"
  if [ -x "$dir/$c" ]; then echo "flux $c $v: reused ($dir)"; return; fi
  local t0; t0=$(stamp)
  local src; src="$(mktemp -d)"
  local mod; mod="$(go mod download -json "github.com/fluxcd/$c@v$v" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')"
  [ -d "$mod" ] || { echo "flux $c $v: go mod download gave no module folder" >&2; return 1; }
  cp -r "$mod/." "$src/" && chmod -R u+w "$src"
  local api; api="$(cd "$src" && go mod edit -json | sed -n '/"Path": "github.com\/fluxcd\/'"$c"'\/api"/{n;s/.*"Version": "\(.*\)".*/\1/p;q}')"
  (
    cd "$src"
    go mod edit -dropreplace "github.com/fluxcd/$c/api"
    if [ "$c" = source-controller ]; then go mod edit -replace github.com/fluxcd/pkg/artifact=github.com/fluxcd/pkg/artifact@v0.18.0; fi
    go get "github.com/fluxcd/$c/api@${api:-v$v}" >/dev/null 2>&1
    mkdir -p out && go build -trimpath -ldflags '-s -w' -o "out/$c" .
  )
  mkdir -p "$dir.tmp" && mv "$src/out/$c" "$dir.tmp/$c" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
  rm -rf "$src"
  echo "flux $c $v: built in $(( $(stamp) - t0 )) s"
}

# Argo CD (CLUSTER.md has no recipe; docs/testing.md, "What a running controller proves"): v3.2.11 is the
# newest release whose module zip builds from the proxy (3.4-3.6 need a ./gitops-engine replace the zip
# leaves out; v3.2.12 does not compile). Its own tree is the main module, as for Flux; ./cmd is the one
# binary every component runs as, chosen by ARGOCD_BINARY_NAME (argocd-application-controller,
# argocd-repo-server, argocd-applicationset-controller; the repo-server runs it again as argocd-git-ask-pass).
build_argocd() {
  local v="$1"; local dir="$cache/argo-cd-$v"
  if [ -x "$dir/argocd" ] && [ -d "$dir/config" ]; then echo "argo-cd $v: reused ($dir)"; return; fi
  local t0; t0=$(stamp)
  local src; src="$(mktemp -d)"
  local mod; mod="$(go mod download -json "github.com/argoproj/argo-cd/v3@v$v" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')"
  [ -d "$mod" ] || { echo "argo-cd $v: go mod download gave no module folder" >&2; return 1; }
  cp -r "$mod/." "$src/" && chmod -R u+w "$src"
  local pkg=github.com/argoproj/argo-cd/v3/common
  (cd "$src" && mkdir -p out && go build -trimpath \
    -ldflags "-s -w -X $pkg.version=$v -X $pkg.gitTag=v$v -X $pkg.gitTreeState=clean" -o out/argocd ./cmd)
  # The release's own ConfigMaps and Secret (argocd-cm with its default resource exclusions…), which the
  # harness applies before it starts the components, as install.yaml would.
  mkdir -p "$dir.tmp" && mv "$src/out/argocd" "$dir.tmp/argocd" && cp -r "$src/manifests/base/config" "$dir.tmp/config"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  rm -rf "$src"
  echo "argo-cd $v: built in $(( $(stamp) - t0 )) s"
}

# The kustomize binary Argo CD's repo-server execs (the version Argo CD pins in hack/tool-versions.sh).
build_kustomize() {
  local v="$1"; local dir="$cache/kustomize-$v"
  if [ -x "$dir/kustomize" ]; then echo "kustomize $v: reused ($dir)"; return; fi
  local t0; t0=$(stamp)
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@v$v"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  echo "kustomize $v: built in $(( $(stamp) - t0 )) s"
}

want="${1:-all}"
if [ "$want" = flux ]; then
  build_flux source-controller "$FLUX_SOURCE_CONTROLLER_VERSION"
  build_flux kustomize-controller "$FLUX_KUSTOMIZE_CONTROLLER_VERSION"
  exit 0
fi
if [ "$want" = argo-cd ]; then
  build_kustomize "$KUSTOMIZE_VERSION"
  build_argocd "$ARGOCD_VERSION"
  exit 0
fi
build_etcd "$ETCD_VERSION"
build_kwok "$KWOK_VERSION"
build_flux source-controller "$FLUX_SOURCE_CONTROLLER_VERSION"
build_flux kustomize-controller "$FLUX_KUSTOMIZE_CONTROLLER_VERSION"
build_kustomize "$KUSTOMIZE_VERSION"
build_argocd "$ARGOCD_VERSION"
for k in $KUBE_VERSIONS; do
  case "$want" in all|"${k%.*}"|"$k") ;; *) continue ;; esac
  # providerless drops the in-tree cloud providers (1.29: 240 s -> 170 s); 1.37 has no such tag any more.
  tags=""; [ "${k%.*}" = "1.29" ] && tags="providerless"
  build_kube "$k" "$tags"
done
