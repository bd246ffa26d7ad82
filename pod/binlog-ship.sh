#!/usr/bin/env bash
# binlog-ship: the binlog-ship container of every pod, with a bucket (backupS3Bucket). On mysql-0, the
# primary, it ships the binlogs to PREFIX/binlogs/<timeline>/ every BINLOG_SHIP_INTERVAL seconds: when the
# server has logged a transaction since the last round it rotates the binlog (FLUSH BINARY LOGS), so that the
# open file is closed, then uploads every closed binlog the bucket does not hold yet, once, and after each
# round writes SHIPPED (through: every transaction committed before that UTC time is in the bucket; the
# last file; the GTID position). The other ordinals idle.
#
# The timeline is mysql-0's binlog history: named by the UTC time its first round ran and the cluster's
# identity (`20261207T131500Z-1a2b3c4d`), kept on the data volume beside the data directory, so a restored or
# re-created primary (a new volume, binlogs numbered from 1 again) starts a new one, and two clusters sharing
# a prefix never write the same object. The backup Job records the cluster's newest timeline in each
# MANIFEST (backup.sh), which a restore to a time joins to these files (restore-mysql.sh).
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export TZ=UTC
trap 'exit 0' TERM INT

# With `metrics`, METRICS_FILE: the shipper's metrics in Prometheus' text format, which the binlog-ship-metrics
# container serves; rewritten whole and renamed after every round, so a scrape never reads half a file. The
# through-time and the last success once a round of this run shipped; the start time, for the alert when none did.
failures=0 through_epoch="" success_epoch="" started_epoch=$EPOCHSECONDS
write_metrics() {
    local file=${METRICS_FILE:-} m=mysql_binlog_ship
    [[ -n $file ]] || return 0
    if [[ ${1:-} == idle ]]; then
        printf '# Only ordinal 0 ships binlogs.\n' >"$file.tmp"
        mv "$file.tmp" "$file"
        return 0
    fi
    {
        printf '# HELP %s_started_timestamp_seconds When the shipper started.\n' "$m"
        printf '# TYPE %s_started_timestamp_seconds gauge\n%s_started_timestamp_seconds %s\n' "$m" "$m" "$started_epoch"
        printf '# HELP %s_failures_total Rounds that did not ship through their start.\n' "$m"
        printf '# TYPE %s_failures_total counter\n%s_failures_total %s\n' "$m" "$m" "$failures"
        if [[ -n $through_epoch ]]; then
            printf '# HELP %s_through_timestamp_seconds Every transaction committed before this time is in the bucket.\n' "$m"
            printf '# TYPE %s_through_timestamp_seconds gauge\n%s_through_timestamp_seconds %s\n' "$m" "$m" "$through_epoch"
        fi
        if [[ -n $success_epoch ]]; then
            printf '# HELP %s_last_success_timestamp_seconds When a round last wrote SHIPPED.\n' "$m"
            printf '# TYPE %s_last_success_timestamp_seconds gauge\n%s_last_success_timestamp_seconds %s\n' "$m" "$m" "$success_epoch"
        fi
    } >"$file.tmp"
    mv "$file.tmp" "$file"
}

if (($(pod_ordinal) != 0)); then
    log "not the primary: no binlogs to ship"
    write_metrics idle
    while true; do pause 3600; done
fi

data_dir="$DATA_ROOT/$DATA_SUBPATH"
timeline_file="$DATA_ROOT/binlog-timeline"
index="$data_dir/$BINLOG_BASENAME.index"

# A restore's statements reset the binlogs (restore-finish.sh): ship only what comes after them.
while [[ -f $data_dir/restore.sql.pending ]]; do pause 1; done
write_metrics
wait_for_mysqld

if [[ ! -s $timeline_file ]]; then
    printf '%(%Y%m%dT%H%M%SZ)T-%s\n' -1 "${CLUSTER_UID:0:8}" >"$timeline_file.tmp"
    mv "$timeline_file.tmp" "$timeline_file"
fi
timeline=$(<"$timeline_file")
object_store_remote
# A failed round is retried the next one: one try per call, and few low-level retries. rclone's defaults (3
# tries of 10 attempts with the S3 SDK's backoff) held one call ~225 s per try against a bucket refusing
# connections (measured; 3 attempts: ~4 s), during which no round ran and no failure was counted.
export RCLONE_RETRIES=1 RCLONE_LOW_LEVEL_RETRIES=3
remote="$OBJECT_STORE_REMOTE/binlogs/$timeline"
log "shipping binlogs to $remote/ every $BINLOG_SHIP_INTERVAL s"

# What the bucket holds already (a restarted container ships nothing twice).
declare -A shipped=()
until listing=$("$RCLONE" lsf --files-only "$remote/"); do
    log "cannot list $remote/; retrying in $BINLOG_SHIP_INTERVAL s"
    failures=$((failures + 1))
    write_metrics
    pause "$BINLOG_SHIP_INTERVAL"
done
while read -r entry; do
    [[ -n $entry ]] && shipped[$entry]=1
done <<<"$listing"

# The last round's SHIPPED, kept on the volume: a restarted container rotates only for new transactions.
state="$DATA_ROOT/binlog-ship.state"
last_gtid=unknown
if [[ -f $state && $(key_value "$state" timeline || true) == "$timeline" ]]; then
    last_gtid=$(key_value "$state" gtid) || last_gtid=unknown
fi
while true; do
    round_started=$EPOCHREALTIME
    shipped_round=false
    through=$(printf '%(%Y-%m-%dT%H:%M:%SZ)T' "${round_started%.*}")
    # Whole seconds: what a restore's --stop-datetime compares. Everything committed before `through` is
    # in a file the flush below closes.
    if gtid=$(sql --batch --skip-column-names --execute="$BINLOG_GTID_SQL"); then
        if [[ $gtid != "$last_gtid" ]]; then
            sql --execute="FLUSH BINARY LOGS" || gtid=unknown
        fi
        # The index lists the files oldest first; the last is open.
        files=()
        # The server writes the last line without a newline.
        if [[ -f $index ]]; then
            while read -r entry || [[ -n $entry ]]; do
                [[ -n $entry ]] && files+=("${entry##*/}")
            done <"$index"
        else
            log "no $index: is log-bin off?"
        fi
        ok=true
        for ((i = 0; i < ${#files[@]} - 1; i++)); do
            file=${files[i]}
            [[ -z ${shipped[$file]:-} ]] || continue
            if "$RCLONE" copyto "$data_dir/$file" "$remote/$file"; then
                shipped[$file]=1
                log "shipped $file"
            else
                log "could not ship $file; trying again next round"
                ok=false
                break
            fi
        done
        if [[ $ok == true && ${#files[@]} -gt 1 && $gtid != unknown ]]; then
            last=${files[${#files[@]} - 2]}
            printf 'timeline=%s\ncluster=%s\nthrough=%s\nlast_file=%s\ngtid=%s\n' \
                "$timeline" "$CLUSTER_UID" "$through" "$last" "$gtid" >"$state.next"
            if "$RCLONE" copyto "$state.next" "$remote/SHIPPED"; then
                mv "$state.next" "$state"
                last_gtid=$gtid
                shipped_round=true through_epoch=${round_started%.*} success_epoch=$EPOCHSECONDS
            else
                log "could not write $remote/SHIPPED; trying again next round"
            fi
        fi
    else
        log "cannot read the binlog position; trying again next round"
    fi
    [[ $shipped_round == true ]] || failures=$((failures + 1))
    write_metrics
    # The next round BINLOG_SHIP_INTERVAL after this one started.
    spent=$((${EPOCHREALTIME/./} - ${round_started/./}))
    wait_us=$((BINLOG_SHIP_INTERVAL * 1000000 - spent))
    ((wait_us > 0)) || log "a round took $(elapsed "$round_started" "$EPOCHREALTIME") s, longer than the interval"
    ((wait_us <= 0)) || pause "$((wait_us / 1000000)).$(printf '%06d' $((wait_us % 1000000)))"
done
