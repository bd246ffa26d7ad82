#!/usr/bin/env bash
# `npm run diagnose -- --stack dev [--pod mysql-1]`: installs what is missing, then diagnoses the deployed cluster with kubectl.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
exec node --require ts-node/register/transpile-only scripts/diagnose.ts "$@"
