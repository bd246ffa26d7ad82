#!/usr/bin/env bash
# Readiness probe of the xtrabackup sidecar: succeeds once something listens on the clone port. It reads
# /proc instead of connecting, because a connection would start a backup.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

listening "$CLONE_PORT"
