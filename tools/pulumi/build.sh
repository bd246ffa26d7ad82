#!/usr/bin/env bash
# Builds the Pulumi CLI, its language hosts and the resource providers from the Go module proxy (the only
# source this project's machines reach), and prints the directory to put first on PATH.
# Only what is missing is built: each binary is cached under its name, its version and a hash of its
# module folder (go.mod, go.sum, our main.go), so a version bump or a code change rebuilds it.
# stdout: that one directory; progress to stderr; a failure names the step and its log file.
# See tools/pulumi/README.md for the versions and the reasons behind each module.
set -o errexit -o nounset -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${MST_TOOLS_CACHE:-$HOME/.cache/mysql-statefulset/tools}/pulumi"
bin="$cache/bin"
store="$cache/store"
logs="$cache/logs"
mkdir -p "$bin" "$store" "$logs"

# Flags that change the binaries, so part of every cache key.
GO_BUILD_FLAGS=(-trimpath)
LDFLAGS="-s -w"

say() { echo "pulumi tools: $*" >&2; }
fail() {
    say "step '$1' failed; see $2"
    tail -n 20 "$2" >&2 || true
    exit 1
}

# Two builds at once would race on the same store entries.
exec 9>"$cache/.lock"
flock 9

# module_version DIR MODULE: the version of MODULE that DIR's go.mod selects.
module_version() {
    (cd "$1" && go list -m -f '{{.Version}}' "$2")
}

# module_dir DIR MODULE: where the module cache holds MODULE at the version DIR's go.mod selects.
module_dir() {
    (cd "$1" && go mod download -json "$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
}

# key NAME VERSION DIR: the store entry of NAME: its version, then a hash of every file of its module
# folder and of the build flags.
key() {
    local hash
    hash="$(
        cd "$3"
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
        echo "${GO_BUILD_FLAGS[*]} $LDFLAGS"
    )"
    hash="$(sha256sum <<<"$hash")"
    echo "$1-$2-${hash:0:12}"
}

# install NAME ENTRY: the cached binary goes into bin/ as a hard link (a copy across file systems), not a
# symlink: the CLI looks for its bundled language hosts next to its own resolved path, and would warn
# about ones found only on PATH.
install_bin() {
    [[ ! $store/$2/$1 -ef $bin/$1 ]] || return 0
    rm -f "$bin/$1.tmp"
    ln "$store/$2/$1" "$bin/$1.tmp" 2>/dev/null || cp "$store/$2/$1" "$bin/$1.tmp"
    mv -f "$bin/$1.tmp" "$bin/$1"
}

# build NAME FOLDER PACKAGE VERSION_MODULE [VERSION_VAR [PREPARE]]: builds PACKAGE in tools/pulumi/FOLDER
# unless the store has it. VERSION_MODULE's version (from FOLDER's go.mod) names the entry and, if
# VERSION_VAR is given, is linked into the binary. PREPARE, if given, is a function that makes a build copy
# of FOLDER and prints its path.
build() {
    local name="$1" folder="$here/$2" package="$3" version_module="$4" version_var="${5:-}" prepare="${6:-}"
    local version entry log flags start dir
    log="$logs/$name.log"
    version="$(module_version "$folder" "$version_module" 2>"$log")" ||
        fail "go list -m $version_module ($name)" "$log"
    entry="$(key "$name" "$version" "$folder")"
    if [[ -x $store/$entry/$name ]]; then
        install_bin "$name" "$entry"
        return
    fi
    dir="$folder"
    if [[ -n $prepare ]]; then
        dir="$("$prepare" "$folder" 2>>"$log")" || fail "$prepare ($name)" "$log"
    fi
    flags="$LDFLAGS"
    if [[ -n $version_var ]]; then
        # As upstream's releases: the CLI says v3.248.0, plugins say 1.25.0 (no "v").
        [[ $name == pulumi ]] || version="${version#v}"
        flags+=" -X $version_var=$version"
    fi
    say "building $name $version (log: $log)"
    start=$SECONDS
    rm -rf "${store:?}/$entry.tmp"
    mkdir -p "$store/$entry.tmp"
    (cd "$dir" && nice -n 10 go build "${GO_BUILD_FLAGS[@]}" -ldflags "$flags" \
        -o "$store/$entry.tmp/$name" "$package") >>"$log" 2>&1 ||
        fail "go build $name" "$log"
    mv "$store/$entry.tmp" "$store/$entry"
    say "built $name in $((SECONDS - start)) s"
    install_bin "$name" "$entry"
}

# The kubernetes provider's main package embeds schema-embed.json and terraform-mapping-embed.json, which
# upstream's `go generate` writes and its module zip lacks: the build copy gets schema.json and
# terraform-mapping.json from the module cache under those names (the schema's "version" field stays as
# published; the binary's version is linked in).
kubernetes_copy() {
    local src work="$cache/work/kubernetes"
    src="$(module_dir "$1" github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
    rm -rf "$work"
    mkdir -p "$work"
    cp "$1/go.mod" "$1/go.sum" "$1/main.go" "$work/"
    cp "$src/schema.json" "$work/schema-embed.json"
    cp "$src/terraform-mapping.json" "$work/terraform-mapping-embed.json"
    chmod u+w "$work"/*.json
    echo "$work"
}

build pulumi cli github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
build pulumi-language-nodejs language-hosts ./nodejs github.com/pulumi/pulumi/sdk/v3
build pulumi-language-python language-hosts ./python github.com/pulumi/pulumi/sdk/v3
build pulumi-language-yaml language-yaml github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
    github.com/pulumi/pulumi-yaml github.com/pulumi/pulumi-yaml/pkg/version.Version
build pulumi-resource-kubernetes kubernetes . github.com/pulumi/pulumi-kubernetes/provider/v4 \
    github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version kubernetes_copy
# Stand-ins for the random and tls providers the proxy does not serve; each reports the upstream version
# it mirrors (see standin-providers/), so the entry is named by the sdk they are built on.
build pulumi-resource-random standin-providers ./random github.com/pulumi/pulumi/sdk/v3
build pulumi-resource-tls standin-providers ./tls github.com/pulumi/pulumi/sdk/v3

# Launchers the CLI distribution ships as scripts: taken from the sdk/v3 module zip of the CLI's version.
sdk_log="$logs/sdk-scripts.log"
sdk_dir="$(module_dir "$here/cli" github.com/pulumi/pulumi/sdk/v3 2>"$sdk_log")" ||
    fail "go mod download github.com/pulumi/pulumi/sdk/v3" "$sdk_log"
for script in nodejs/dist/pulumi-resource-pulumi-nodejs python/dist/pulumi-resource-pulumi-python \
    python/cmd/pulumi-language-python-exec; do
    install -m 0755 "$sdk_dir/$script" "$bin/$(basename "$script")"
done
# pulumi-analyzer-policy is not in any module the proxy serves; ours is in this folder.
install -m 0755 "$here/pulumi-analyzer-policy" "$bin/pulumi-analyzer-policy"

echo "$bin"
