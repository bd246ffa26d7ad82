#!/usr/bin/env bash
# The mysql container's command: waits while this pod's data is being cloned again (the replica's
# self-repair, see clone-mysql.sh), then starts the server ("$@"): through the image's entrypoint, or, with
# SERVER_OS_USER set, directly (the flavor's data directory is never the entrypoint's to make). On the first
# start of a data directory init-mysql made, with the accounts' SQL as the server's --init-file.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit

trap 'exit 0' TERM INT
if [[ -e $CLONE_MARKER ]]; then
    log "the data directory is being cloned again: waiting before starting the server"
    report phase=waiting-for-clone
    while [[ -e $CLONE_MARKER ]]; do
        pause 1
    done
fi
if [[ -e $FIRST_START_MARKER && -e $FIRST_START_SQL ]]; then
    log "first start of a new data directory: the server takes root's password and the cluster's accounts (--init-file)"
    set -- "$@" --init-file="$FIRST_START_SQL"
fi
# The entrypoint's one task left when the server is started directly: the data directory belongs to the
# server's user (a clone or a restore wrote it as root). Only what does not is changed. The sidecar, started at
# the same moment, consumes the clone's info files (sidecar.sh, save_coordinates), so a file find lists may be
# gone before chown reaches it: then the pass runs again (a vanished file is not listed twice). Any other error
# (a root-squashed export: "Operation not permitted") stops the start with find's and chown's own words.
own_data_dir() {
    local pass errors line
    for pass in 1 2 3; do
        errors=$(LC_ALL=C find "$DATA_DIR" ! -user "$SERVER_OS_USER" -exec chown "$SERVER_OS_USER:" {} + 2>&1) && return 0
        while IFS= read -r line; do
            [[ $line == *": No such file or directory" ]] || die "cannot give $DATA_DIR to $SERVER_OS_USER: $line"
        done <<<"$errors"
        log "a file vanished during the ownership pass $pass of $DATA_DIR (the sidecar consumed it): running it again"
    done
    die "cannot give $DATA_DIR to $SERVER_OS_USER: files kept vanishing in $pass passes; the last said: $errors"
}

if [[ -n ${SERVER_OS_USER:-} ]]; then
    own_data_dir
    set -- "$@" --user="$SERVER_OS_USER"
fi
# The server says nothing in the record: emptied, so that kubelet reports the tail of the server's log if it
# fails (terminationMessagePolicy FallbackToLogsOnError).
[[ -z $STATUS_FILE ]] || : >"$STATUS_FILE"
exec "$@"
