// A running pod's v1 PodStatus, as kubelet's status manager reports it (pkg/kubelet/kubelet_pods.go
// generateAPIPodStatus): phase, pod and host IPs, conditions with the time each last changed, and each
// container's state (waiting with its reason, running, terminated with its exit code) and lastState.
// Pure: the node agent passes a snapshot of its Pod and what the API last held.

import { createHash } from "crypto";
import type { IContainerState, IContainerStatus, IPodCondition, IPodStatus } from "kubernetes-models/v1";
import type { PodStatus } from "./types";
import type { RunnerSnapshot } from "./runner";

export type { IPodStatus as ApiPodStatus, IPodCondition as ApiPodCondition };

/** What Pod.snapshot() returns. */
export interface PodSnapshot {
    phase: PodStatus["phase"];
    ip?: string;
    initialized: boolean;
    ready: boolean;
    /** Empty until the pod's volumes are set up. */
    containers: RunnerSnapshot[];
    failedMount?: string;
}

export interface StatusInput {
    /** undefined: the pod has not been started (its volumes are being resolved, or it was refused). */
    snapshot: PodSnapshot | undefined;
    uid: string;
    hostIP: string;
    /** The pod spec's containers (names and images), for those not started yet. */
    initContainers: { name: string; image?: string }[];
    containers: { name: string; image?: string }[];
    restartPolicy: string;
    /** When the agent accepted the pod (RFC 3339). */
    startTime: string;
    /** The conditions the API holds now (PodScheduled is the scheduler's, kept as is). */
    previous: IPodCondition[];
    /** Why the containers wait before the pod starts (CreateContainerConfigError: refused; ContainerCreating). */
    waiting?: { reason: string; message?: string };
    now: Date;
}

export const IMAGE_ID = "docker.io/library/mariadb@sha256:fake-kubelet-host-binaries";

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A stable id per instance: the pod's UID, the container and its start number. */
export function containerId(uid: string, name: string, start: number): string {
    return `fake-kubelet://${createHash("sha256").update(`${uid}/${name}/${start}`).digest("hex")}`;
}

function terminated(
    code: number,
    startedAt: number,
    finishedAt: number,
    id: string | undefined,
    message?: string,
): NonNullable<IContainerState["terminated"]> {
    return {
        exitCode: code,
        reason: code === 0 ? "Completed" : "Error",
        ...(message ? { message } : {}),
        startedAt: iso(startedAt),
        finishedAt: iso(finishedAt),
        ...(id ? { containerID: id } : {}),
    };
}

/** One container's status: state and lastState from its current and previous instances. */
export function containerStatus(
    spec: { name: string; image?: string },
    r: RunnerSnapshot | undefined,
    uid: string,
    podName: string,
    waiting: { reason: string; message?: string },
): IContainerStatus {
    const base = { name: spec.name, image: spec.image ?? "", imageID: "", restartCount: 0, ready: false, started: false };
    if (!r || (!r.current && !r.launchError)) return { ...base, state: { waiting } };
    const id = r.current ? containerId(uid, r.name, r.starts) : undefined;
    const prevId = r.starts > 1 ? containerId(uid, r.name, r.starts - 1) : undefined;
    const previous = r.previous
        ? { terminated: terminated(r.previous.code, r.previous.startedAt, r.previous.finishedAt, prevId, r.previous.message) }
        : {};
    const common = {
        ...base,
        imageID: IMAGE_ID,
        restartCount: Math.max(0, r.starts - 1),
        // A completed init container counts as ready, as kubelet reports it.
        ready: r.kind === "init" ? r.current?.exit?.code === 0 : r.ready,
        started: r.kind === "init" ? Boolean(r.current && !r.current.exit) : r.started,
        ...(id ? { containerID: id } : {}),
    };
    const c = r.current;
    if (!c)
        return {
            ...common,
            state: { waiting: { reason: "RunContainerError", message: r.launchError } },
            lastState: previous,
        };
    if (!c.exit) return { ...common, state: { running: { startedAt: iso(c.startedAt) } }, lastState: previous };
    const ended = terminated(c.exit.code, c.startedAt, c.exit.at, id, c.exit.message);
    if (r.backingOff) {
        return {
            ...common,
            state: {
                waiting: {
                    reason: "CrashLoopBackOff",
                    message: `back-off restarting failed container ${r.name} in pod ${podName}`,
                },
            },
            lastState: { terminated: ended },
        };
    }
    return { ...common, state: { terminated: ended }, lastState: previous };
}

/** Keeps a condition's lastTransitionTime while its status stays the same. */
function condition(previous: IPodCondition[], type: string, status: boolean, now: Date, reason?: string, message?: string): IPodCondition {
    const was = previous.find((c) => c.type === type);
    const s = status ? "True" : "False";
    return {
        type,
        status: s,
        lastTransitionTime: was?.status === s && was.lastTransitionTime ? was.lastTransitionTime : iso(now.getTime()),
        ...(reason && !status ? { reason } : {}),
        ...(message && !status ? { message } : {}),
    };
}

export function apiPodStatus(podName: string, input: StatusInput): IPodStatus {
    const snap = input.snapshot;
    const byName = new Map((snap?.containers ?? []).map((r) => [r.name, r]));
    const initWaiting = input.waiting ?? { reason: "PodInitializing" };
    const mainWaiting = input.waiting ?? { reason: snap?.initialized ? "ContainerCreating" : "PodInitializing" };
    const initStatuses = input.initContainers.map((c) => containerStatus(c, byName.get(c.name), input.uid, podName, initWaiting));
    const mainStatuses = input.containers.map((c) => containerStatus(c, byName.get(c.name), input.uid, podName, mainWaiting));

    let phase: IPodStatus["phase"] = "Pending";
    if (snap?.phase === "Succeeded" || snap?.phase === "Failed") phase = snap.phase;
    else if (snap?.initialized && mainStatuses.some((s) => s.state?.running || s.lastState?.terminated || s.state?.terminated))
        phase = "Running";

    const initialized = Boolean(snap?.initialized) || input.initContainers.length === 0;
    const incompleteInit = initStatuses.filter((s) => !s.ready).map((s) => s.name);
    const unready = mainStatuses.filter((s) => !s.ready).map((s) => s.name);
    const containersReady = unready.length === 0 && phase === "Running";
    const notReadyMessage = `containers with unready status: [${unready.join(" ")}]`;
    const conditions: IPodCondition[] = [
        condition(input.previous, "PodReadyToStartContainers", Boolean(snap?.ip), input.now),
        condition(
            input.previous,
            "Initialized",
            initialized && Boolean(snap),
            input.now,
            "ContainersNotInitialized",
            `containers with incomplete status: [${incompleteInit.join(" ")}]`,
        ),
        condition(input.previous, "Ready", containersReady, input.now, "ContainersNotReady", notReadyMessage),
        condition(input.previous, "ContainersReady", containersReady, input.now, "ContainersNotReady", notReadyMessage),
        ...input.previous.filter((c) => c.type === "PodScheduled"),
    ];
    return {
        phase,
        conditions,
        hostIP: input.hostIP,
        hostIPs: [{ ip: input.hostIP }],
        ...(snap?.ip ? { podIP: snap.ip, podIPs: [{ ip: snap.ip }] } : {}),
        startTime: input.startTime,
        ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
        containerStatuses: mainStatuses,
    };
}
