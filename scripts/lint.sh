#!/usr/bin/env bash
# `npm run lint` (first step of `npm test`): ESLint, Prettier, shellcheck and shfmt over the whole tree, and
# madge: no import loop among the product's and the scripts' modules.
# `npm run format` (`scripts/lint.sh --fix`) rewrites the files Prettier and shfmt would change instead.
# Shell scripts are found by their shebang, not by their name, so .ci/run and new scripts are never missed.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fix=false
case "${1:-}" in
"") ;;
--fix) fix=true ;;
*)
    echo "usage: $0 [--fix]" >&2
    exit 2
    ;;
esac

# The shfmt style of the scripts: 4-space indent; case items not indented (no -ci), as written.
SHFMT_OPTIONS=(-i 4)
# Checked by shellcheck but not reformatted by shfmt:
#   mariadb-entrypoint.sh: a stand-in for the mariadb image's docker-entrypoint.sh that keeps upstream's
#   tabs and layout, so it can be read side by side with the script it imitates.
SHFMT_EXCLUDE=(tests/fake-kubelet/entrypoint/mariadb-entrypoint.sh)
# Excluded shellcheck rules, each with its reason (none today: a finding is fixed, or disabled on its line
# with `# shellcheck disable=SCxxxx # reason`).
SHELLCHECK_EXCLUDE=()

# Every file of the project (tracked, or new and not ignored) whose first line is a sh/bash shebang.
shell_scripts() {
    local file line
    while IFS= read -r -d '' file; do
        [[ -f $file ]] || continue
        IFS= read -r line <"$file" || true
        if [[ $line =~ ^#![[:space:]]*/[^[:space:]]*/(env[[:space:]]+)?(ba|da|k)?sh([[:space:]]|$) ]]; then
            printf '%s\n' "$file"
        fi
    done < <(git ls-files -z --cached --others --exclude-standard)
}
mapfile -t scripts < <(shell_scripts)
formatted=()
for script in "${scripts[@]}"; do
    [[ " ${SHFMT_EXCLUDE[*]} " == *" $script "* ]] || formatted+=("$script")
done

status=0
step() {
    echo "== $*"
    "$@" || status=1
}
exclude_option=()
if ((${#SHELLCHECK_EXCLUDE[@]} > 0)); then
    printf -v joined '%s,' "${SHELLCHECK_EXCLUDE[@]}"
    exclude_option=(--exclude="${joined%,}")
fi
echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'), shfmt $(shfmt --version) (CI: Debian 12's 0.9.0 and 3.6.0)"

if $fix; then
    step npx prettier --log-level warn --write .
    step shfmt "${SHFMT_OPTIONS[@]}" -w "${formatted[@]}"
fi
step npx eslint --max-warnings 0 .
step npx prettier --log-level warn --check .
step shellcheck --external-sources --source-path=SCRIPTDIR "${exclude_option[@]}" "${scripts[@]}"
step shfmt "${SHFMT_OPTIONS[@]}" -d "${formatted[@]}"
# Type-only imports count: a loop through types alone still ties the modules' order of reading together.
step npx madge --circular --no-spinner --extensions ts,cjs,js --ts-config tsconfig.json index.ts components scripts policy
exit "$status"
