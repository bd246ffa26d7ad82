#!/usr/bin/env bash
# The mysql container's command: waits while this pod's data is being cloned again (the replica's
# self-repair, see clone-mysql.sh), then starts the server ("$@"): through the image's entrypoint, or, with
# SERVER_OS_USER set, directly (the flavor's data directory is never the entrypoint's to make). On the first
# start of a data directory init-mysql made, with the accounts' SQL as the server's --init-file.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'exit 0' TERM INT
if [[ -e $CLONE_MARKER ]]; then
    log "the data directory is being cloned again: waiting before starting the server"
    while [[ -e $CLONE_MARKER ]]; do
        pause 1
    done
fi
if [[ -e $FIRST_START_MARKER && -e $FIRST_START_SQL ]]; then
    log "first start of a new data directory: the server takes root's password and the cluster's accounts (--init-file)"
    set -- "$@" --init-file="$FIRST_START_SQL"
fi
if [[ -n ${SERVER_OS_USER:-} ]]; then
    # The entrypoint's one task left: the data directory belongs to the server's user (a clone or a restore
    # wrote it as root). Only what does not is changed; the server then drops to that user itself.
    find "$DATA_DIR" ! -user "$SERVER_OS_USER" -exec chown "$SERVER_OS_USER:" {} +
    set -- "$@" --user="$SERVER_OS_USER"
fi
exec "$@"
