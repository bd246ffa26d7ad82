#!/usr/bin/env bash
# `npm run render -- --stack dev`: installs what is missing, then prints the stack's Kubernetes objects.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
exec node --require ts-node/register/transpile-only scripts/render.ts "$@"
