#!/usr/bin/env bash
# `npm test`: every test of the project, in the order a failure is cheapest to read: lint and format
# (ESLint, Prettier, shellcheck, shfmt), types, unit and render tests under Pulumi's mocks, then the
# real-server suite (root; see README).
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh

echo "== lint and format (scripts/lint.sh)"
bash scripts/lint.sh
echo "== tsc --noEmit (strict)"
npx tsc --noEmit -p .
echo "== unit, schema and docs tests (Pulumi mocks)"
npx mocha
echo "== real-server suite: the rendered mariadb flavor on real MariaDB servers"
# One real-server run at a time on a machine: two would starve each other's probes on a small host.
# --exit: a failed case may leave a client loop running; the clusters are destroyed in the after hooks.
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 900000 \
    tests/real/fakeKubelet.test.ts tests/real/replication.test.ts tests/real/day2.test.ts tests/real/bootstrap.test.ts \
    tests/real/backup.test.ts
