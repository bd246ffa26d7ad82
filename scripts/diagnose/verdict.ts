// The diagnosis itself, as plain functions of what kubectl printed (pods, events, claims and volumes, the pod
// scripts' status records, replication status, the self-repair marker): one verdict per pod, and the report.
// The verdicts read structured status only (components/podStatus.ts: what each script reported, from its
// container's termination message or, while it runs, its status file); logs are shown to the reader, never
// parsed. No kubectl call here: ./kubectl.ts gathers the facts, so the tests feed recorded outputs to these
// functions.

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl's JSON (pods, events, claims, volumes): untyped; each field read is checked where it is used */
import { CONTAINERS } from "../../components/constants";
import { Flavor } from "../../components/flavors";
import { ClusterNames } from "../../components/names";
import { parseStatus, StatusRecord } from "../../components/podStatus";

/** The cluster being diagnosed, from the stack's config. */
export interface Target {
    readonly stack: string;
    readonly name: string;
    readonly namespace: string;
    readonly flavor: Flavor;
    readonly replicas: number;
    readonly maxReplicationLagSeconds: number;
    readonly names: ClusterNames;
}

/** What one container printed: its current (or last) run, and the run before a restart. */
export interface ContainerLogs {
    readonly current?: string;
    readonly previous?: string;
}

/** The outcome of one `kubectl exec`: its output, or why there is none. */
export interface ExecResult {
    readonly ok: boolean;
    readonly stdout: string;
    readonly stderr: string;
}

/** Everything kubectl told about one pod of the cluster. */
export interface PodFacts {
    readonly name: string;
    readonly ordinal: number;
    /** The pod object (`kubectl get pods -o json` item); absent when the StatefulSet has not created it. */
    readonly pod?: any;
    /** Its events (`kubectl get events -o json` items), oldest first. */
    readonly events: readonly any[];
    /** The claim `data-<pod>`, and the PersistentVolume reserved for the ordinal, when they exist. */
    readonly claim?: any;
    readonly volume?: any;
    /** Logs by container name: shown in the report, not read by the verdicts. */
    readonly logs: Readonly<Record<string, ContainerLogs>>;
    /**
     * `cat` of the status file (components/podStatus.ts STATUS_FILE) of each running container that reports
     * while it works (clone-mysql, the sidecar), by container name.
     */
    readonly liveStatus?: Readonly<Record<string, ExecResult>>;
    /** `SHOW SLAVE STATUS\G` (or `SHOW REPLICA STATUS\G`), asked of a replica whose mysql container runs. */
    readonly replicaStatus?: ExecResult;
    /** `cat` of the self-repair marker, asked likewise. */
    readonly marker?: ExecResult;
    /** The Node the pod is bound to (`kubectl get nodes -o json` item); absent when nodes cannot be read. */
    readonly node?: any;
}

export type VerdictKind =
    | "ok"
    | "missing"
    | "pending"
    | "init-failing"
    | "empty-primary-refused"
    | "clone-failing"
    | "replay-failing"
    | "cloning"
    | "re-cloning"
    | "crashing"
    | "not-replicating"
    | "lagging"
    | "not-ready"
    | "node-lost";

export interface Verdict {
    readonly pod: string;
    readonly kind: VerdictKind;
    /** One line, starting with what is wrong (or OK), then the evidence. */
    readonly text: string;
}

/** Replication error fields, named alike by every flavor (only the thread and lag fields differ). */
const SQL_ERRNO = "Last_SQL_Errno";
const SQL_ERROR = "Last_SQL_Error";

/** The fields of a vertical (`\G`) result; empty when the statement returned no row. */
export function parseVertical(text: string): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const match = /^\s*([A-Za-z_]+): ?(.*)$/.exec(line);
        if (match && !line.startsWith("*")) {
            fields[match[1]] = match[2].trimEnd();
        }
    }
    return fields;
}

/** Whether a log has a line to show. */
const hasLines = (log: string | undefined): boolean => (log ?? "").trim() !== "";

const containerStatus = (pod: any, name: string): any =>
    [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])].find((s: any) => s.name === name);

/** "restarted 4 times (CrashLoopBackOff)", "running", "exited 1 (Error)", ... */
export function describeContainer(status: any): string {
    if (status === undefined) {
        return "not started";
    }
    const restarts = status.restartCount ?? 0;
    const state = status.state ?? {};
    let now: string;
    if (state.running) {
        now = status.ready === false ? "running, not ready" : status.ready ? "running, ready" : "running";
    } else if (state.terminated) {
        now = state.terminated.exitCode === 0 ? "completed" : `exited ${state.terminated.exitCode} (${state.terminated.reason ?? "Error"})`;
    } else if (state.waiting) {
        now = `waiting (${state.waiting.reason ?? "unknown"})`;
    } else {
        now = "unknown";
    }
    const last = status.lastState?.terminated;
    const previous = last && last.exitCode !== 0 ? `, last exit ${last.exitCode} (${last.reason ?? "Error"})` : "";
    return `${now}, ${restarts} restart${restarts === 1 ? "" : "s"}${previous}`;
}

/** A container that has failed and is being retried (or is waiting to be). */
function failing(status: any): boolean {
    if (status === undefined) {
        return false;
    }
    const waiting = status.state?.waiting?.reason;
    const terminated = status.state?.terminated;
    return (
        ["CrashLoopBackOff", "Error", "RunContainerError", "CreateContainerError", "CreateContainerConfigError"].includes(waiting) ||
        (terminated !== undefined && terminated.exitCode !== 0) ||
        ((status.restartCount ?? 0) > 0 && status.lastState?.terminated?.exitCode !== 0 && !status.ready)
    );
}

const times = (n: number) => `${n} time${n === 1 ? "" : "s"}`;

/** "restarted 4 times (CrashLoopBackOff)" or "exited 1 (Error)". */
function failure(status: any): string {
    const reason = status.state?.waiting?.reason ?? status.state?.terminated?.reason ?? "Error";
    return status.restartCount > 0 ? `restarted ${times(status.restartCount)} (${reason})` : `failed (${reason})`;
}

/**
 * What a container's script last reported (components/podStatus.ts): while it runs, its status file (read with
 * exec); once it has ended, its termination message (state.terminated); while it waits to start again, the
 * last run's (lastState.terminated). undefined: nothing reported, or text that is no record (a server's log
 * tail under FallbackToLogsOnError).
 */
export function reportedStatus(facts: PodFacts, name: string): StatusRecord | undefined {
    const status = containerStatus(facts.pod, name);
    const live = facts.liveStatus?.[name];
    if (status?.state?.running && live?.ok) {
        return parseStatus(live.stdout) ?? parseStatus(status.lastState?.terminated?.message);
    }
    return parseStatus(status?.state?.terminated?.message) ?? parseStatus(status?.lastState?.terminated?.message);
}

/**
 * Why a failing container failed: the newest of its records that reports a failure (a retry that is running
 * has not failed yet: its last run's message says why it is retried), else what it reported last.
 */
export function failureStatus(facts: PodFacts, name: string): StatusRecord | undefined {
    const status = containerStatus(facts.pod, name);
    const live = status?.state?.running && facts.liveStatus?.[name]?.ok ? facts.liveStatus[name].stdout : undefined;
    const records = [live, status?.state?.terminated?.message, status?.lastState?.terminated?.message].map(parseStatus);
    return records.find((r) => r?.phase === "failed") ?? reportedStatus(facts, name);
}

/** A failed script's own words: its record's error, or that it said nothing. */
function said(record: StatusRecord | undefined): string {
    if (record?.error !== undefined) {
        return record.error;
    }
    return record === undefined
        ? "it reported no status (see its log below)"
        : `its last status was ${record.phase}${record.at ? ` at ${record.at}` : ""}`;
}

function pendingVerdict(facts: PodFacts, target: Target): string {
    const claimName = target.names.claim(facts.ordinal);
    const volumeName = target.names.persistentVolume(facts.ordinal);
    const claimPhase = facts.claim?.status?.phase;
    let volume: string;
    if (facts.volume === undefined) {
        volume = `its PersistentVolume ${volumeName} is missing`;
    } else {
        const phase = facts.volume.status?.phase ?? "unknown";
        const ref = facts.volume.spec?.claimRef;
        const boundTo = ref ? `${ref.namespace}/${ref.name}` : undefined;
        volume =
            boundTo !== undefined && boundTo !== `${target.namespace}/${claimName}`
                ? `its PersistentVolume ${volumeName} is reserved for ${boundTo}`
                : phase === "Released" || phase === "Failed"
                  ? `its PersistentVolume ${volumeName} is ${phase}: clear its claimRef.uid to let the claim bind again`
                  : `its PersistentVolume ${volumeName} is ${phase} but does not bind: compare its storage class, capacity and access modes with the claim's`;
    }
    if (facts.claim === undefined) {
        return `Pending: its claim ${claimName} does not exist yet${facts.volume === undefined ? `, and ${volume}` : ""}`;
    }
    if (claimPhase !== "Bound") {
        return `Pending: its claim ${claimName} is unbound (${claimPhase ?? "no phase"}): ${volume}`;
    }
    const scheduling = [...facts.events].reverse().find((e) => e.reason === "FailedScheduling");
    return `Pending: not scheduled${scheduling ? `: ${oneLine(scheduling.message)}` : ""}`;
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** The cluster's pods as a kubectl label selector (`app.kubernetes.io/name=mysql-statefulset,…`, or `app=mysql`). */
export function podSelector(target: Target): string {
    return Object.entries(target.names.podSelector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/** The Ready condition of a Node that is not Ready (its kubelet stopped reporting, or reports NotReady). */
export function nodeNotReady(node: any): { status: string; since: string; message: string } | undefined {
    const ready = (node?.status?.conditions ?? []).find((c: any) => c.type === "Ready");
    if (node === undefined || ready?.status === "True") {
        return undefined;
    }
    return {
        status: ready?.status ?? "unknown",
        since: ready?.lastTransitionTime ?? "unknown",
        message: oneLine(ready?.message ?? ready?.reason ?? "no Ready condition"),
    };
}

/** A pod on a Node that is not Ready: Terminating there forever, or about to be evicted into that state. */
function nodeLostVerdict(facts: PodFacts): string | undefined {
    const notReady = nodeNotReady(facts.node);
    if (notReady === undefined) {
        return undefined;
    }
    const node = `node ${facts.pod.spec.nodeName}, which is NotReady (Ready=${notReady.status} since ${notReady.since}: ${notReady.message})`;
    const deleted = facts.pod.metadata?.deletionTimestamp;
    const role = facts.ordinal === 0 ? "; no writes until then (it is the primary)" : "";
    return deleted !== undefined
        ? `node lost: Terminating since ${deleted} on ${node}; the StatefulSet starts no new ${facts.name} until this one is gone` +
              `${role}, and NFS cannot fence the node: see "When a node is lost" below`
        : `node lost: on ${node}; its status is stale, and once evicted (the unreachable taint's toleration, 300 s by default) ` +
              `it stays Terminating: see "When a node is lost" below`;
}

/** The verdict on one pod. */
export function podVerdict(facts: PodFacts, target: Target): Verdict {
    const verdict = (kind: VerdictKind, text: string): Verdict => ({ pod: facts.name, kind, text });
    const { pod } = facts;
    const role = facts.ordinal === 0 ? "primary" : "replica";
    if (pod === undefined) {
        return facts.ordinal === 0
            ? verdict(
                  "missing",
                  `not created: the StatefulSet ${target.names.statefulSet} has no pod ${facts.name}; look at \`kubectl describe statefulset ${target.names.statefulSet}\``,
              )
            : verdict(
                  "missing",
                  `not created: the StatefulSet creates ${facts.name} only after ${target.names.pod(facts.ordinal - 1)} is Ready`,
              );
    }
    if (pod.status?.phase === "Pending" && !pod.spec?.nodeName) {
        return verdict("pending", pendingVerdict(facts, target));
    }
    const lost = nodeLostVerdict(facts);
    if (lost !== undefined) {
        return verdict("node-lost", lost);
    }

    // Init containers, in order: the first that fails says why the pod does not start, in its own words.
    const init = containerStatus(pod, CONTAINERS.init);
    if (failing(init)) {
        const failed = failureStatus(facts, CONTAINERS.init);
        // mysql-0's empty data directory while other pods' servers hold the data (init-mysql.sh): not a crash to retry away.
        if (failed?.phase === "refused") {
            return verdict("empty-primary-refused", `empty primary refused: init-mysql ${failure(init)}: ${said(failed)}`);
        }
        return verdict("init-failing", `init-mysql failing: ${failure(init)}: ${said(failed)}`);
    }
    const clone = containerStatus(pod, CONTAINERS.clone);
    if (failing(clone)) {
        const failed = failureStatus(facts, CONTAINERS.clone);
        const donor = failed?.donor ? `, cloning from ${failed.donor}` : "";
        return verdict("clone-failing", `clone failing: clone-mysql ${failure(clone)}${donor}: ${said(failed)}`);
    }
    if (clone?.state?.running) {
        return verdict("cloning", cloningVerdict(reportedStatus(facts, CONTAINERS.clone)));
    }
    // A restore to a time's replay (only rendered for one), after clone-mysql staged the backup.
    const replay = containerStatus(pod, CONTAINERS.replay);
    if (failing(replay)) {
        return verdict(
            "replay-failing",
            `restore to a time failing: replay-binlogs ${failure(replay)}: ${said(failureStatus(facts, CONTAINERS.replay))}`,
        );
    }
    if (replay?.state?.running) {
        const record = reportedStatus(facts, CONTAINERS.replay);
        return verdict(
            "cloning",
            `restoring: replay-binlogs is replaying the shipped binlogs onto the staged backup (restoreFrom)${record?.position ? ` from ${record.position}` : ""}`,
        );
    }

    // Self-repair: the marker (present until the new clone is whole), or the sidecar's record (its own, or
    // that of the clone-mysql.sh it runs).
    const sidecar = reportedStatus(facts, CONTAINERS.sidecar);
    const marker = facts.marker?.ok ? oneLine(facts.marker.stdout) : undefined;
    const recloning = sidecar?.phase === "re-clone" || (sidecar?.script === "clone-mysql.sh" && sidecar.phase !== "cloned");
    if (facts.ordinal > 0 && (marker !== undefined || recloning)) {
        const from = sidecar?.script === "clone-mysql.sh" ? sidecar.donor : undefined;
        const why = marker !== undefined ? `clone-pending marker "${marker}"` : (sidecar?.reason ?? "the sidecar reported a new clone");
        const failed = sidecar?.phase === "failed" ? sidecar.error : undefined;
        return verdict(
            "re-cloning",
            `re-cloning (self-repair in progress): ${why}${from ? `, cloning from ${from}` : ", waiting for mysqld to stop"}${failed ? `; last error: ${failed}` : ""}`,
        );
    }

    for (const name of [CONTAINERS.mysql, CONTAINERS.sidecar]) {
        const status = containerStatus(pod, name);
        if (failing(status)) {
            return verdict("crashing", `${name} crashing: ${failure(status)}: ${crashWords(status, failureStatus(facts, name))}`);
        }
    }

    const mysql = containerStatus(pod, CONTAINERS.mysql);
    const fields = target.flavor.replicaStatus;
    if (facts.ordinal > 0 && facts.replicaStatus !== undefined) {
        if (!facts.replicaStatus.ok) {
            return verdict("not-ready", `not Ready: cannot read replication status: ${oneLine(facts.replicaStatus.stderr) || "no output"}`);
        }
        const status = parseVertical(facts.replicaStatus.stdout);
        if (Object.keys(status).length === 0) {
            const configuring = sidecar?.phase === "configuring-replication" ? sidecar : undefined;
            const retries = Number(configuring?.attempts ?? 0);
            return verdict(
                "not-replicating",
                `not replicating: replication is not configured yet` +
                    (retries > 0 ? `; the sidecar has tried ${times(retries)} and tries again every 5 s` : "") +
                    (configuring?.error ? `: ${oneLine(configuring.error)}` : ""),
            );
        }
        const io = status[fields.ioRunning];
        const sql = status[fields.sqlRunning];
        if (io !== "Yes") {
            const error = status[fields.ioError];
            return verdict(
                "not-replicating",
                `not replicating: ${fields.ioRunning} is '${io ?? ""}'${error ? ` (${fields.ioErrno} ${status[fields.ioErrno]}: ${oneLine(error)})` : ""}`,
            );
        }
        if (sql !== "Yes") {
            const error = status[SQL_ERROR];
            return verdict(
                "not-replicating",
                `not replicating: ${fields.sqlRunning} is '${sql ?? ""}'${error ? ` (${SQL_ERRNO} ${status[SQL_ERRNO]}: ${oneLine(error)})` : ""}`,
            );
        }
        const lag = status[fields.lag];
        if (!/^[0-9]+$/.test(lag ?? "")) {
            return verdict("not-replicating", `not replicating: ${fields.lag} is '${lag ?? ""}'`);
        }
        if (Number(lag) > target.maxReplicationLagSeconds) {
            return verdict(
                "lagging",
                `lagging: ${lag} s behind the primary, more than the ${target.maxReplicationLagSeconds} s allowed (maxReplicationLagSeconds); not in ${target.names.readService} until it catches up`,
            );
        }
        if (mysql?.ready && isReady(pod)) {
            return verdict(
                "ok",
                `OK: replica, Ready, replicating ${lag} s behind the primary (at most ${target.maxReplicationLagSeconds} s allowed)`,
            );
        }
    }
    if (isReady(pod)) {
        return verdict("ok", `OK: ${role}, Ready`);
    }
    const unhealthy = [...facts.events].reverse().find((e) => e.reason === "Unhealthy");
    const notReady = describeNotReady(pod);
    return verdict("not-ready", `not Ready: ${notReady}${unhealthy ? `; last probe failure: ${oneLine(unhealthy.message)}` : ""}`);
}

/** What a clone-mysql that is running reported: waiting for its donor, streaming, preparing, restoring. */
function cloningVerdict(record: StatusRecord | undefined): string {
    switch (record?.phase) {
        case "waiting-for-donor":
            // `bootstrap: parallel`: the pod started before its donor was Ready and waits for it.
            return `waiting: clone-mysql waits until its donor ${record.donor} is Ready (${record.reason}), then clones from it`;
        case "cloning":
            return `cloning: clone-mysql is cloning from ${record.donor} (${record.reason})`;
        case "preparing":
            return `cloning: clone-mysql is preparing the backup it streamed from ${record.donor}`;
        case "downloading":
        case "restoring":
            return `restoring: clone-mysql is ${record.phase} the backup (restoreFrom)${record.position ? ` at ${record.position}` : ""}`;
        default:
            return `cloning: clone-mysql is running${record ? ` (its last status: ${record.phase})` : " and has reported no status yet"}`;
    }
}

/**
 * Why a main container failed: its script's error, or, when the record is empty (the server, which
 * mysql-run.sh exec'd), kubelet's tail of its log (FallbackToLogsOnError), shown as the reader's context.
 */
function crashWords(status: any, record: StatusRecord | undefined): string {
    if (record !== undefined) {
        return said(record);
    }
    const tail = (status.state?.terminated ?? status.lastState?.terminated)?.message as string | undefined;
    const last = tail?.trimEnd().split("\n").pop();
    return last ? `its last words: ${oneLine(last)}` : said(undefined);
}

function isReady(pod: any): boolean {
    return (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
}

function describeNotReady(pod: any): string {
    const notReady = (pod.status?.containerStatuses ?? []).filter((s: any) => !s.ready).map((s: any) => s.name);
    return notReady.length > 0 ? `${notReady.join(" and ")} not ready` : `phase ${pod.status?.phase ?? "unknown"}`;
}

/** How many lines of a failing container's log the report shows. */
const LOG_LINES = 8;

/** The report: one section per pod, then the verdicts, one line each. */
export function report(target: Target, pods: readonly PodFacts[], verdicts: readonly Verdict[]): string {
    const out: string[] = [];
    out.push(
        `Cluster ${target.name} in namespace ${target.namespace} (stack ${target.stack}, flavor ${target.flavor.name}, ` +
            `${target.replicas} replicas, maxReplicationLagSeconds ${target.maxReplicationLagSeconds})`,
    );
    for (const facts of pods) {
        const verdict = verdicts.find((v) => v.pod === facts.name);
        out.push("", `== ${facts.name} (${facts.ordinal === 0 ? "primary" : "replica"})`);
        const { pod } = facts;
        if (pod === undefined) {
            out.push("  not created");
            continue;
        }
        const ready = isReady(pod) ? "Ready" : "not Ready";
        out.push(`  phase ${pod.status?.phase ?? "unknown"}, ${ready}${pod.spec?.nodeName ? `, on node ${pod.spec.nodeName}` : ""}`);
        const claim = facts.claim
            ? `${facts.claim.status?.phase ?? "unknown"}${facts.claim.spec?.volumeName ? ` to ${facts.claim.spec.volumeName}` : ""}`
            : "missing";
        const volume = facts.volume ? `${facts.volume.status?.phase ?? "unknown"}` : "missing";
        out.push(
            `  claim ${target.names.claim(facts.ordinal)}: ${claim}; volume ${target.names.persistentVolume(facts.ordinal)}: ${volume}`,
        );
        out.push("  containers:");
        const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: any) => c.name);
        for (const name of containers) {
            out.push(`    ${name.padEnd(12)} ${describeContainer(containerStatus(pod, name))}`);
            const record = reportedStatus(facts, name);
            if (record !== undefined) {
                out.push(`    ${"".padEnd(12)} ${describeRecord(record)}`);
            }
        }
        const warnings = facts.events.filter((e) => e.type === "Warning").slice(-5);
        if (warnings.length > 0) {
            out.push("  recent warnings:");
            for (const e of warnings) {
                out.push(`    ${e.reason}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ""}: ${oneLine(e.message ?? "")}`);
            }
        }
        for (const name of containers) {
            const status = containerStatus(pod, name);
            const logs = facts.logs[name];
            const shown =
                failing(status) ||
                (verdict?.kind === "re-cloning" && name === CONTAINERS.sidecar) ||
                (verdict?.kind === "not-replicating" && name === CONTAINERS.sidecar);
            const lines = hasLines(logs?.current) ? (logs?.current ?? "") : (logs?.previous ?? "");
            if (shown && lines.trim() !== "") {
                out.push(`  last lines of ${name}:`);
                out.push(
                    ...lines
                        .trimEnd()
                        .split("\n")
                        .slice(-LOG_LINES)
                        .map((l) => `    ${l}`),
                );
            }
        }
        if (facts.ordinal > 0) {
            out.push(`  replication: ${replicationSummary(facts, target)}`);
        }
    }
    const width = Math.max(...verdicts.map((v) => v.pod.length));
    out.push("", "== Verdicts", ...verdicts.map((v) => `${v.pod.padEnd(width)}  ${v.text}`));
    const lost = pods.filter((facts) => verdicts.find((v) => v.pod === facts.name)?.kind === "node-lost");
    if (lost.length > 0) {
        out.push("", ...nodeLossRunbook(target, lost));
    }
    return `${out.join("\n")}\n`;
}

/** "reported phase failed (clone-mysql.sh, 2026-01-01T00:00:00): donor=…, error=…". */
export function describeRecord(record: StatusRecord): string {
    const { script, at, phase, ...rest } = record;
    const fields = Object.entries(rest)
        .filter(([, value]) => value !== "")
        .map(([key, value]) => `${key}=${value}`);
    return `reported ${phase} (${[script, at].filter(Boolean).join(", ")})${fields.length > 0 ? `: ${fields.join(", ")}` : ""}`;
}

function replicationSummary(facts: PodFacts, target: Target): string {
    if (facts.replicaStatus === undefined) {
        return "not asked (the mysql container is not running)";
    }
    if (!facts.replicaStatus.ok) {
        return `unknown: ${oneLine(facts.replicaStatus.stderr)}`;
    }
    const status = parseVertical(facts.replicaStatus.stdout);
    if (Object.keys(status).length === 0) {
        return `not configured (${target.flavor.replicaStatus.statement} returned no row)`;
    }
    const f = target.flavor.replicaStatus;
    return [
        `${f.ioRunning}=${status[f.ioRunning] ?? "?"}`,
        `${f.sqlRunning}=${status[f.sqlRunning] ?? "?"}`,
        `${f.lag}=${status[f.lag] ?? "?"}`,
        ...(status[f.ioError] ? [`${f.ioError}=${status[f.ioError]}`] : []),
        ...(status[SQL_ERROR] ? [`${SQL_ERROR}=${status[SQL_ERROR]}`] : []),
    ].join(", ");
}

/**
 * What to do for pods on a lost node (docs/node-loss.md says the same, with the why): fence the node first,
 * as NFS has no attach/detach fencing and a partitioned node may still write; then let Kubernetes go on.
 */
export function nodeLossRunbook(target: Target, lost: readonly PodFacts[]): string[] {
    const nodes = [...new Set(lost.map((facts) => facts.pod.spec.nodeName as string))];
    const ns = target.namespace;
    return [
        "== When a node is lost (docs/node-loss.md)",
        `1. Make sure ${nodes.join(" and ")} can no longer write to the NFS server: power ${nodes.length > 1 ? "them" : "it"} off, or ` +
            "cut it off the NFS server's network. NotReady only says the kubelet stopped reporting: a partitioned node may still run " +
            "mysqld, and two servers on one data directory corrupt it.",
        "2. Then let Kubernetes release the pods, either way:",
        ...nodes.map(
            (node) => `     kubectl taint nodes ${node} node.kubernetes.io/out-of-service=nodeshutdown:NoExecute   # Kubernetes 1.28+`,
        ),
        ...lost.map((facts) => `     kubectl delete pod ${facts.name} -n ${ns} --grace-period=0 --force`),
        `3. The StatefulSet starts ${lost.map((facts) => facts.name).join(", ")} on another node, on the same volume; ` +
            `\`kubectl get pods -n ${ns} -l ${podSelector(target)} -w\` shows ${lost.length > 1 ? "them" : "it"} become Ready.`,
        "4. Once the node is repaired and back, remove the taint:",
        ...nodes.map((node) => `     kubectl taint nodes ${node} node.kubernetes.io/out-of-service=nodeshutdown:NoExecute-`),
    ];
}
