#!/usr/bin/env bash
# Readiness of the mysql container: the primary is Ready while it accepts writes; a replica only while
# both replication threads run and it is at most MAX_REPLICATION_LAG seconds behind, so the read Service
# never sends a read to a replica that stopped replicating or fell behind. It turns Ready again by itself.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if (($(pod_ordinal) == 0)); then
    read_only=$(root_sql --batch --skip-column-names --execute="SELECT @@global.read_only")
    [[ $read_only == 0 ]] || die "the primary is read-only"
    exit 0
fi

# The sidecar stops replication for a moment to give it a new password: still a replica that replicates.
# The marker holds when (epoch seconds); an old one (a sidecar killed at that moment) counts for nothing.
printf -v now '%(%s)T' -1
marked=$(cat "$ROTATION_MARKER" 2>/dev/null) || marked=""
if [[ $marked =~ ^[0-9]+$ ]] && ((marked + 30 > now)); then
    exit 0
fi
# The replica's status into $status; fails unless its I/O thread runs, with the thread's last error.
read_status_io_running() {
    local io
    status=$(root_sql --execute="$REPLICA_STATUS\\G")
    [[ -n $status ]] || die "replication is not configured yet"
    io=$(field "$status" "$REPLICA_IO_RUNNING")
    [[ $io == Yes ]] || die "$REPLICA_IO_RUNNING is '$io': $(field "$status" "$REPLICA_IO_ERROR")"
}

read_status_io_running
applier=$(field "$status" "$REPLICA_SQL_RUNNING")
lag=$(field "$status" "$REPLICA_LAG")
# Running is not yet replicating: until the primary has taken the binlog request (or refused it, error
# 1236, when it no longer has what this replica needs), the I/O thread runs and the lag reads 0 however
# far behind the replica is. Only a connected I/O thread counts.
state=$(field "$status" "$REPLICA_IO_STATE")
if [[ $state =~ ^(Connecting|Checking|Registering|Requesting|Waiting\ to\ reconnect|Reconnecting|Waiting\ for\ (master|source)\ update) ]]; then
    die "the replication I/O thread is not connected to the primary yet: $state"
fi
[[ $applier == Yes ]] || die "$REPLICA_SQL_RUNNING is '$applier'"
[[ $lag =~ ^[0-9]+$ ]] || die "$REPLICA_LAG is '$lag'"
((lag <= MAX_REPLICATION_LAG)) || die "$lag s behind the primary, more than the $MAX_REPLICATION_LAG s allowed"
# The primary answers the binlog request of a replica it can no longer serve with error 1236 a moment after
# the I/O thread reads "Waiting for master to send event"; the probe, retried 10 times a second
# (probe-wait.sh), would catch that moment. A replica counts only if its I/O thread still runs 0.3 s later.
pause 0.3
read_status_io_running
