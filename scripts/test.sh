#!/usr/bin/env bash
# `npm test`: every test of the project, in the order a failure is cheapest to read: lint and format
# (ESLint, Prettier, shellcheck, shfmt), types, unit and render tests under Pulumi's mocks, then the
# real-server suite (root; see docs/development.md), then the test bed's real tools: the control plane with the node agent,
# and the Pulumi engine (both built from Go modules into a cache on the first run, ~40 min; tools/*/README.md).
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh

echo "== lint and format (scripts/lint.sh)"
bash scripts/lint.sh
echo "== tsc --noEmit (strict)"
npx tsc --noEmit -p .
echo "== build rclone (the S3 server and the pods' rclone image; Go modules, cached after the first run)"
bash tools/rclone/build.sh >/dev/null
echo "== unit, schema and docs tests (Pulumi mocks)"
npx mocha
echo "== real-server suite: the rendered mariadb flavor on real MariaDB servers"
# One real-server run at a time on a machine: two would starve each other's probes on a small host.
# --exit: a failed case may leave a client loop running; the clusters are destroyed in the after hooks.
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 900000 \
    tests/real/fakeKubelet.test.ts tests/real/replication.test.ts tests/real/bootstrap.test.ts tests/real/metrics.test.ts

echo "== test bed: build the missing tools (Go modules; cached after the first run)"
bash tools/kubernetes/build.sh >/dev/null
bash tools/pulumi/build.sh >/dev/null
echo "== test bed: the docs' \`pulumi config\` commands, run as written on the built CLI (no cluster)"
npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 300000 tests/engine/docsConfig.test.ts
echo "== test bed: Go tests of the stand-in random and tls providers"
(cd tools/pulumi/standin-providers && go test ./...)
echo "== test bed: the real control plane with the fake kubelet as its node agent"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 900000 \
    tests/real/controlPlane.test.ts tests/real/cluster.test.ts
echo "== test bed: the component from Python and YAML programs on the real engine (local cluster)"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 1800000 \
    tests/engine/otherLanguages.test.ts
echo "== test bed: the real engine over a stack's life (pulumi up/preview/destroy of the program on the control plane)"
echo "   day 2 under writes (rolling restart, halted rollout, scaling, password rotation), backups and a restore drill,"
echo "   off-site backups to an S3 bucket (rclone serve s3), a restore from the bucket alone, and the point-in-time drill"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 1800000 \
    tests/engine/lifecycle.test.ts tests/engine/day2.test.ts tests/engine/backup.test.ts tests/engine/offsite.test.ts \
    tests/engine/pitr.test.ts
echo "== test bed: \`npm start\` on a fresh clone (local cluster, stack, the printed client commands, \`down\`)"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 1800000 \
    tests/engine/start.test.ts
echo "== test bed: the labels of a stack from before selectorLabels, kept and migrated (docs/labels.md)"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 1800000 \
    tests/engine/labels.test.ts
echo "== test bed: volumes on three NFS servers (nfsServers), one server lost and replaced, its pod cloned again"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 1800000 \
    tests/engine/nfsServers.test.ts
echo "== test bed: mysql-0 on an empty export while the replicas hold the data: refused, then its data back (issue #22)"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 1800000 \
    tests/engine/emptyPrimary.test.ts
echo "== test bed: \`metrics: true\` deployed: every pod's exporter and binlog-ship endpoint scraped from the pod network"
flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only --timeout 1800000 \
    tests/engine/metrics.test.ts
echo "== test bed: the Pulumi engine offline (Node.js, Python and YAML programs; random and tls stand-ins)"
bash tools/pulumi/prove.sh
