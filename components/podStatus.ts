// What the pod scripts report of themselves, declared once: the record each one writes to its container's
// termination-message file (lib.sh `report`, `report_exit`), which kubelet turns into
// `status.containerStatuses[].state.terminated.message` (or `lastState.terminated.message` after a restart)
// when the container ends, and which `npm run diagnose` reads there, or with `kubectl exec … cat` while the
// container still runs. tests/unit/podStatus.test.ts checks that the scripts write only these fields and
// phases, and every one of them, and that this parser reads what lib.sh writes.
//
// Why the termination message: it is Kubernetes' place for a container's last word, needs no API access from
// the pod (no ServiceAccount token, no RBAC, unlike a pod condition the pod patches itself) and survives the
// container: a crash-looping init container's reason stays in its lastState. While the container runs the same
// file is the status file that the diagnosis reads through exec (init containers have no probes to report it).

/** The file, Kubernetes' default terminationMessagePath, set explicitly on each container that reports. */
export const STATUS_FILE = "/dev/termination-log";

/**
 * The termination message policy: a container that ends with an empty record (the server, once mysql-run.sh
 * has exec'd it) gets the tail of its log instead, as kubelet does for `FallbackToLogsOnError`.
 * @see https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/#customizing-the-termination-message
 */
export const STATUS_POLICY = "FallbackToLogsOnError";

/** kubelet reads at most the last 4096 bytes of the file (MaxContainerTerminationMessageLength). */
export const STATUS_MAX_BYTES = 4096;

/** The record's fields, in the order lib.sh writes them; one `key=value` line each, values on one line. */
export const STATUS_FIELDS = {
    script: "the pod script that wrote the record (clone-mysql.sh, also when the sidecar runs it to repair a replica)",
    at: "when it was written, UTC (2026-01-01T00:00:00)",
    phase: "the step the script is in, or ended in: one of STATUS_PHASES",
    donor: "the pod a clone streams from, as `<fqdn>:<port>`",
    reason: "why that donor: the bootstrap rule, or why an earlier one gave way",
    position: "the replication coordinates a clone or a restore carries (`file:position`, GTID after a space)",
    attempts: "how many times the step has failed so far (the sidecar's replication setup)",
    error: "what went wrong, in the script's words (its `die` message, or the command that failed)",
    peers: "the addresses of the other pods whose server answered (init-mysql's refusal of an empty primary)",
} as const;

export type StatusField = keyof typeof STATUS_FIELDS;

/** Each phase a script reports, and what it means. */
export const STATUS_PHASES = {
    // init-mysql.sh
    configured: "init-mysql checked the data's identity and wrote this pod's configuration and credentials",
    refused:
        "mysql-0's data directory is empty while other pods' servers (`peers`) hold the data: it was not initialised (see `error` for the fixes)",
    // clone-mysql.sh (the clone-mysql init container, and the sidecar's self-repair)
    "kept-data": "the data directory already holds a database: nothing to clone",
    "primary-empty":
        "ordinal 0 without restoreFrom, and no other pod's server answered init-mysql: the server initialises an empty data directory",
    "waiting-for-donor": "waiting until the donor is Ready",
    cloning: "streaming a backup from the donor",
    preparing: "preparing the streamed backup (applying its redo log)",
    cloned: "the clone is whole and in place",
    // restore-mysql.sh
    downloading: "downloading the backup from the bucket",
    restoring: "checking and copying the backup into place",
    staged: "a restore to a time: the backup is checked and staged, the binlogs downloaded and decoded into SQL; the replay-binlogs container replays it",
    restored: "the restore is in place",
    // replay-binlogs.sh (a restore to a time)
    "no-replay": "not mysql-0, or its data is in place already: nothing to replay",
    replaying: "replaying the shipped binlogs onto the staged backup (position: the backup's)",
    // mysql-run.sh
    "waiting-for-clone": "the server waits while its data is cloned again (self-repair)",
    // sidecar.sh
    "configuring-replication": "setting up replication at the clone's coordinates (retried until it works)",
    replicating: "replication is configured",
    "re-clone": "replication cannot resume (error 1236): the data is marked for a new clone",
    serving: "serving clones to the next pods",
    // any script
    failed: "the script exited with an error (see `error`)",
} as const;

export type StatusPhase = keyof typeof STATUS_PHASES;

/** One record as read back: the fields the script wrote. */
export type StatusRecord = Partial<Record<StatusField, string>>;

/**
 * Reads a record; undefined for an empty message, and for text that is no record (the log tail kubelet
 * reports instead under FallbackToLogsOnError, an older version's pods): no line is a declared field.
 */
export function parseStatus(text: string | undefined): StatusRecord | undefined {
    const record: StatusRecord = {};
    for (const line of (text ?? "").split("\n")) {
        const eq = line.indexOf("=");
        const key = line.slice(0, eq);
        if (eq > 0 && Object.hasOwn(STATUS_FIELDS, key)) {
            record[key as StatusField] = line.slice(eq + 1);
        }
    }
    return record.phase === undefined ? undefined : record;
}
