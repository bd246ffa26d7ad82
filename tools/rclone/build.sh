#!/usr/bin/env bash
# Builds rclone (the version in versions.env, with the backends and commands main.go lists) from Go modules
# (go.mod, go.sum here) into a cache outside the repository, and prints that bin directory on stdout
# (nothing else). The test bed uses it twice: `rclone serve s3` is its S3-compatible server, and the node
# agent runs it for the pods' rclone/rclone image. Rebuilt only when missing: the directory's name holds
# the version and a hash of the inputs and the Go version.
# Usage: PATH="$(tools/rclone/build.sh):$PATH"
set -o errexit -o nounset -o pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# shellcheck source=versions.env
source ./versions.env

go_version=$(go env GOVERSION)
key=$(cat go.mod go.sum main.go versions.env <(echo "$go_version") | sha256sum | cut -c1-12)
cache="${MST_TOOLS_CACHE:-$HOME/.cache/mysql-statefulset/tools}/rclone"
bin="$cache/$RCLONE_VERSION-$key/bin"
log="$cache/$RCLONE_VERSION-$key/build.log"
mkdir -p "$bin"

if [[ -x $bin/rclone ]]; then
    echo "build.sh: rclone is built ($bin/rclone)." >&2
else
    echo "build.sh: building rclone $RCLONE_VERSION (log: $log) …" >&2
    started=$SECONDS
    if ! CGO_ENABLED=0 GOFLAGS=-buildvcs=false nice -n 10 go build -mod=readonly -trimpath \
        -ldflags="-s -w -X github.com/rclone/rclone/fs.Version=$RCLONE_VERSION" -o "$bin/.rclone.partial" . >"$log" 2>&1; then
        echo "build.sh: step 'go build' of rclone failed; see $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    mv "$bin/.rclone.partial" "$bin/rclone"
    echo "build.sh: built rclone in $((SECONDS - started)) s." >&2
fi
echo "$bin"
