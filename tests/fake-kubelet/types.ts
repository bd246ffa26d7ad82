// The fake kubelet's own shapes (options, results, events). Kubernetes objects are kubernetes-models' types
// (type-only imports: that package is ESM-only at run time, its declarations are fine for tsc).

import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IContainer, IPodSpec, IProbe, IVolume, IVolumeMount } from "kubernetes-models/v1";

export type { ICronJob as CronJob, IStatefulSet as StatefulSet, IContainer as Container, IPodSpec as PodSpec, IProbe as Probe };
export type { IVolume as Volume, IVolumeMount as VolumeMount };

/** Any rendered object: its kind and name are read, the rest as the kind's kubernetes-models type. */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    // Rendered objects come from YAML: the bodies of the kinds the fake kubelet does not run are not typed.
    [k: string]: any;
}

export interface FakeKubeletOptions {
    /** Prefixes every netns, interface and marker, so two runs cannot collide: [a-z][a-z0-9]{0,7}. */
    prefix: string;
    /** IPv4 CIDR the pod IPs are taken from (only ever used inside the fake kubelet's own namespaces). */
    subnet: string;
    /** All per-pod dirs, volumes and logs live here. Removed by destroy() (unless FAKE_KUBELET_KEEP=1). */
    workDir: string;
    /** Rendered objects (`render --show-secrets`: real Secret values): one StatefulSet, its ConfigMaps, Services, Secrets... */
    objects: K8sObject[];
    /**
     * Claim name -> host directory, for a persistentVolumeClaim volume that outlives this cluster (a retained
     * NFS volume another cluster reuses), or a claim template's claim (`<template>-<pod>`, e.g. data-mysql-0).
     * Other claims live under workDir/pvc.
     */
    claimPaths?: Record<string, string>;
    /** Restart back-off of crashed containers: first delay, then doubled up to maxMs. Default 1000/2000. */
    restartBackoffMs?: { initialMs: number; maxMs: number };
}

export interface ExecOptions {
    stdin?: string;
    /** Default 60 s. On timeout the exec'd process group is killed and code is 137, timedOut true. */
    timeoutMs?: number;
}

export interface ExecResult {
    code: number;
    stdout: string;
    stderr: string;
    timedOut?: boolean;
}

export interface KubeletEvent {
    /** Milliseconds since the cluster was created. */
    t: number;
    /** The pod; for an event of another object, its kind and name ("ConfigMap/mysql"). */
    pod: string;
    container?: string;
    /**
     * PodCreated, PodDeleted, PodStarting, PodReady, PodNotReady, PodStopping, PodStopped, FailedMount, VolumeUpdated;
     * ContainerStarted, ContainerExited, ContainerReady, ContainerNotReady, ProbeFailed, Killing, BackOff;
     * RolloutHalted (a pod not Ready in time while scaling); NetworkBlocked, NetworkUnblocked.
     */
    type: string;
    detail?: string;
}

export interface ContainerStatus {
    name: string;
    kind: "init" | "main";
    state: "waiting" | "running" | "terminated";
    ready: boolean;
    /** How many times this container was started in the current pod (Kubernetes' restartCount = starts - 1). */
    starts: number;
    lastExitCode?: number;
}

export interface PodStatus {
    name: string;
    ordinal: number;
    /** Succeeded and Failed: a Job's pod (restartPolicy Never) whose containers have all exited. */
    phase: "Pending" | "Running" | "Terminating" | "Stopped" | "Succeeded" | "Failed";
    ready: boolean;
    /** The StatefulSet revision the pod was made from (its controller-revision-hash label). */
    revision?: string;
    /** Why its volumes could not be set up: the pod stays Pending until deleted. */
    failedMount?: string;
    ip?: string;
    containers: ContainerStatus[];
}
