#!/usr/bin/env bash
# Builds the Kubernetes control-plane binaries pinned in versions.env, and etcd, from Go modules (go.mod, go.sum here),
# into a cache outside the repository, and prints that bin directory on stdout (nothing else).
# A binary is rebuilt only when it is missing: the directory's name holds the version and a hash of
# go.mod, go.sum, versions.env and the Go version, so any change of those builds into a new directory.
# Progress goes to stderr; a failed step names itself and its log file.
# Usage: PATH="$(tools/kubernetes/build.sh):$PATH"
set -o errexit -o nounset -o pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# shellcheck source=versions.env
source ./versions.env

go_version=$(go env GOVERSION)
key=$(cat go.mod go.sum versions.env <(echo "$go_version") | sha256sum | cut -c1-12)
cache="${MST_TOOLS_CACHE:-$HOME/.cache/mysql-statefulset/tools}/kubernetes"
bin="$cache/$KUBERNETES_VERSION-$key/bin"
logs="$cache/$KUBERNETES_VERSION-$key/logs"
mkdir -p "$bin" "$logs"

# What `kubectl version` and the API server's /version report (hack/lib/version.sh sets the same).
if [[ ! $KUBERNETES_VERSION =~ ^v([0-9]+)\.([0-9]+)\. ]]; then
    echo "build.sh: KUBERNETES_VERSION '$KUBERNETES_VERSION' in versions.env is not like v1.37.2." >&2
    exit 2
fi
ldflags=(-s -w)
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=(
        -X "$package.gitVersion=$KUBERNETES_VERSION"
        -X "$package.gitMajor=${BASH_REMATCH[1]}"
        -X "$package.gitMinor=${BASH_REMATCH[2]}"
        -X "$package.gitTreeState=clean"
        -X "$package.buildDate=1970-01-01T00:00:00Z"
    )
done

# build NAME PACKAGE [LDFLAGS...]: builds PACKAGE into $bin/NAME unless it is there.
build() {
    local name=$1 package=$2 log="$logs/$1.log" started
    shift 2
    if [[ -x $bin/$name ]]; then
        echo "build.sh: $name is built ($bin/$name)." >&2
        return
    fi
    echo "build.sh: building $name from $package (log: $log) …" >&2
    started=$SECONDS
    if ! CGO_ENABLED=0 GOFLAGS=-buildvcs=false nice -n 10 \
        go build -mod=readonly -trimpath -ldflags="$*" -o "$bin/.$name.partial" "$package" >"$log" 2>&1; then
        echo "build.sh: step 'go build $package' failed; see $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    mv "$bin/.$name.partial" "$bin/$name"
    echo "build.sh: built $name in $((SECONDS - started)) s." >&2
}

for command in $KUBERNETES_COMMANDS; do
    build "$command" "k8s.io/kubernetes/cmd/$command" "${ldflags[@]}"
done
build etcd go.etcd.io/etcd/server/v3 -s -w
echo "$bin"
