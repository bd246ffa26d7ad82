#!/usr/bin/env bash
# `npm test`: every test of the project, in the order a failure is cheapest to read: types, shell scripts,
# unit and render tests under Pulumi's mocks, then the real-server suite.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh

echo "== tsc --noEmit (strict)"
npx tsc --noEmit -p .
echo "== shellcheck"
shellcheck --external-sources --source-path=SCRIPTDIR scripts/*.sh scripts/pod/*.sh .ci/run
echo "== unit, schema and docs tests (Pulumi mocks)"
npx mocha
