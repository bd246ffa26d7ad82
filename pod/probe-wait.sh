#!/usr/bin/env bash
# probe-wait.sh MILLISECONDS COMMAND...: a probe that waits for its condition instead of failing at once.
# Runs COMMAND until it succeeds, every 0.1 s, for at most MILLISECONDS; prints the last attempt's output.
# Kubernetes probes at most once a second: a plain probe that fails a moment before the server serves
# costs a whole period, on every pod of the ordered start. The bound stays under the probe's period, so
# a probe that keeps failing still fails once per period, and its failureThreshold still means seconds.
set -o nounset -o pipefail

limit_us=$(($1 * 1000))
shift
deadline=$((${EPOCHREALTIME/./} + limit_us))
while true; do
    if output=$("$@" 2>&1); then
        [[ -z $output ]] || printf '%s\n' "$output"
        exit 0
    fi
    ((${EPOCHREALTIME/./} < deadline)) || break
    sleep 0.1
done
printf '%s\n' "$output" >&2
exit 1
