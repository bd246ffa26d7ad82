// The kubectl calls of the diagnosis: the tutorial's debugging steps (pods, events, claims and volumes,
// each container's logs, the status records of the scripts still at work, replication status), behind a
// runner the tests replace with recorded outputs.
// Read-only: `get`, `logs`, and `exec` of a client statement and `cat`s; no password on any command line
// (the client reads root's option file inside the pod).

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl's JSON output: untyped until verdict.ts reads it */
import { spawnSync } from "child_process";
import { CLONE_MARKER, CONTAINERS, ROOT_CLIENT_CONFIG } from "../../components/constants";
import { STATUS_FILE } from "../../components/podStatus";
import { ContainerLogs, ExecResult, nodeNotReady, PodFacts, podSelector, Target } from "./verdict";

/** What one kubectl run printed and exited with. */
export interface KubectlRun {
    status: number;
    stdout: string;
    stderr: string;
}

/** Runs kubectl with these arguments (the runner adds nothing to them). */
export type Runner = (args: string[]) => KubectlRun;

/** A mistake that stops the diagnosis (kubectl missing, the cluster unreachable), said in one sentence. */
export class DiagnoseError extends Error {}

/** The runner of the real kubectl binary; `context` selects the kubeconfig context. */
export function kubectlRunner(kubectl: string, context?: string): Runner {
    return (args) => {
        const run = spawnSync(kubectl, [...(context ? ["--context", context] : []), ...args], {
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        if (run.error) {
            throw new DiagnoseError(
                `cannot run ${kubectl} (${(run.error as NodeJS.ErrnoException).code ?? run.error.message}): install kubectl or give its path with --kubectl PATH (or KUBECTL).`,
            );
        }
        return { status: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
    };
}

/** A `kubectl get -o json` list's items; a failure stops the diagnosis, as nothing else would work either. */
function getList(run: Runner, args: string[]): any[] {
    const result = run(args);
    if (result.status !== 0) {
        throw new DiagnoseError(`\`kubectl ${args.join(" ")}\` failed: ${result.stderr.trim() || `exit ${result.status}`}`);
    }
    try {
        return JSON.parse(result.stdout).items ?? [];
    } catch {
        throw new DiagnoseError(`\`kubectl ${args.join(" ")}\` did not print JSON: ${result.stdout.slice(0, 200)}`);
    }
}

/** Whether a container has run at least once, so that kubectl has logs of it. */
function hasRun(status: any): boolean {
    return (
        status !== undefined &&
        (status.state?.running !== undefined ||
            status.state?.terminated !== undefined ||
            (status.restartCount ?? 0) > 0 ||
            status.lastState?.terminated !== undefined)
    );
}

/** The statement's argv inside the pod: the flavor's client, root's option file, over TCP. */
export function replicaStatusCommand(target: Target): string[] {
    return [
        target.flavor.client,
        `--defaults-extra-file=${ROOT_CLIENT_CONFIG}`,
        "--host=127.0.0.1",
        "-e",
        `${target.flavor.replicaStatus.statement}\\G`,
    ];
}

/** Everything kubectl tells about each pod of `ordinals`. */
export function collect(run: Runner, target: Target, ordinals: readonly number[]): PodFacts[] {
    const ns = ["-n", target.namespace];
    const pods = getList(run, ["get", "pods", "-l", podSelector(target), ...ns, "-o", "json"]);
    // PersistentVolumes are cluster-scoped: -n applies to the claims only.
    const storage = getList(run, ["get", "pvc,pv", ...ns, "-o", "json"]);
    // Nodes are cluster-scoped, and a namespace's user may not read them: then nothing is said about nodes.
    const nodeRun = run(["get", "nodes", "-o", "json"]);
    const nodes: any[] | undefined = nodeRun.status === 0 ? (JSON.parse(nodeRun.stdout).items ?? []) : undefined;
    return ordinals.map((ordinal) => {
        const name = target.names.pod(ordinal);
        const pod = pods.find((p) => p.metadata?.name === name);
        const claim = storage.find((o) => o.kind === "PersistentVolumeClaim" && o.metadata?.name === target.names.claim(ordinal));
        const volume = storage.find((o) => o.kind === "PersistentVolume" && o.metadata?.name === target.names.persistentVolume(ordinal));
        const events = getList(run, ["get", "events", ...ns, "--field-selector", `involvedObject.name=${name}`, "-o", "json"]).sort(
            (a, b) => String(a.lastTimestamp ?? a.eventTime ?? "").localeCompare(String(b.lastTimestamp ?? b.eventTime ?? "")),
        );
        const node = nodes?.find((n) => n.metadata?.name === pod?.spec?.nodeName);
        if (nodeNotReady(node) !== undefined) {
            // The API server proxies logs and exec to the node's kubelet, which is gone: nothing to ask.
            return { name, ordinal, pod, events, claim, volume, logs: {}, node };
        }
        const logs: Record<string, ContainerLogs> = {};
        const statuses = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
        for (const status of statuses.filter(hasRun)) {
            const read = (previous: boolean) => {
                const result = run(["logs", name, ...ns, "-c", status.name, ...(previous ? ["--previous"] : []), "--tail=50"]);
                return result.status === 0 ? result.stdout : undefined;
            };
            logs[status.name] = {
                current: read(false),
                previous: (status.restartCount ?? 0) > 0 || status.lastState?.terminated ? read(true) : undefined,
            };
        }
        let replicaStatus: ExecResult | undefined;
        let marker: ExecResult | undefined;
        const exec = (container: string, command: string[]): ExecResult => {
            const result = run(["exec", name, ...ns, "-c", container, "--", ...command]);
            return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
        };
        // What the scripts that report as they work say now (a finished one's word is in its pod status).
        const liveStatus: Record<string, ExecResult> = {};
        for (const container of [CONTAINERS.clone, CONTAINERS.replay, CONTAINERS.sidecar]) {
            if (statuses.some((s) => s.name === container && s.state?.running !== undefined)) {
                liveStatus[container] = exec(container, ["cat", STATUS_FILE]);
            }
        }
        const mysqlRunning = statuses.some((s) => s.name === CONTAINERS.mysql && s.state?.running !== undefined);
        if (ordinal > 0 && mysqlRunning) {
            // The mysql container sees the claim read-only at the marker's directory.
            marker = exec(CONTAINERS.mysql, ["cat", CLONE_MARKER]);
            replicaStatus = exec(CONTAINERS.mysql, replicaStatusCommand(target));
        }
        return { name, ordinal, pod, events, claim, volume, logs, liveStatus, replicaStatus, marker, node };
    });
}
