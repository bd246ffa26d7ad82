// Shapes shared by the fake-kubelet harness: the options of a FakeCluster and the
// (loosely typed) parts of Kubernetes objects it reads. Only the fields the harness
// interprets are spelled out; everything else stays reachable through index signatures.

export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
}

/** Any rendered Kubernetes object (a StatefulSet, ConfigMap, Service, Secret, PV...). */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    // Rendered objects come from YAML: their bodies are untyped by nature.
    [k: string]: any;
}

export interface KeyToPath {
    key: string;
    path: string;
    mode?: number;
}

export interface EnvVarSource {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: unknown;
}

export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: EnvVarSource;
}

export interface EnvFromSource {
    prefix?: string;
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
}

export interface VolumeMount {
    name: string;
    mountPath: string;
    subPath?: string;
    subPathExpr?: string;
    readOnly?: boolean;
}

export interface ExecAction {
    command: string[];
}

export interface TcpSocketAction {
    port: number | string;
    host?: string;
}

export interface HttpGetAction {
    port: number | string;
    path?: string;
    host?: string;
    scheme?: string;
    httpHeaders?: { name: string; value: string }[];
}

export interface Probe {
    exec?: ExecAction;
    tcpSocket?: TcpSocketAction;
    httpGet?: HttpGetAction;
    grpc?: unknown;
    initialDelaySeconds?: number;
    periodSeconds?: number;
    timeoutSeconds?: number;
    failureThreshold?: number;
    successThreshold?: number;
    terminationGracePeriodSeconds?: number;
}

export interface LifecycleHandler {
    exec?: ExecAction;
    httpGet?: HttpGetAction;
    tcpSocket?: TcpSocketAction;
    sleep?: { seconds: number };
}

export interface SecurityContext {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
}

export interface ContainerPort {
    name?: string;
    containerPort: number;
    protocol?: string;
}

export interface ContainerSpec {
    name: string;
    image: string;
    command?: string[];
    args?: string[];
    workingDir?: string;
    env?: EnvVar[];
    envFrom?: EnvFromSource[];
    ports?: ContainerPort[];
    volumeMounts?: VolumeMount[];
    readinessProbe?: Probe;
    livenessProbe?: Probe;
    startupProbe?: Probe;
    lifecycle?: { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
    securityContext?: SecurityContext;
    /** Only "Always" is meaningful, on an init container: a native sidecar (Kubernetes 1.29+). */
    restartPolicy?: string;
    [k: string]: unknown;
}

export interface VolumeSpec {
    name: string;
    emptyDir?: { medium?: string; sizeLimit?: string };
    configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
    secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
    persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
    [k: string]: unknown;
}

export interface PodSecurityContext {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    fsGroup?: number;
    supplementalGroups?: number[];
}

export interface PodSpec {
    initContainers?: ContainerSpec[];
    containers: ContainerSpec[];
    volumes?: VolumeSpec[];
    terminationGracePeriodSeconds?: number;
    enableServiceLinks?: boolean;
    securityContext?: PodSecurityContext;
    serviceAccountName?: string;
    [k: string]: unknown;
}

/** What an image offers the containers that run it. See profiles.ts for ready ones. */
export interface ImageProfile {
    /** Free text: which image this stands for and where the facts come from. */
    description?: string;
    /** Names of the binaries on the image's PATH. Each must exist on this host (under /usr). */
    path: string[];
    /** Binaries the real image has but this host may lack: missing ones are left out, with a warning. */
    optionalPath?: string[];
    /** Which entrypoint stand-in the image's ENTRYPOINT is (absent: the image has no ENTRYPOINT). */
    entrypoint?: "mariadb";
    /** The image's CMD (default: the stand-in's, else none). */
    cmd?: string[];
    /** The image's USER: a user name or uid known to this host (default root). */
    user?: string;
    /** The image's ENV besides PATH. */
    env?: Record<string, string>;
    /** The image's PATH (default Docker's: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin). */
    pathEnv?: string;
    /** Users the image defines, with the home directory the image gives them (uid/gid come from this host). */
    users?: { name: string; home: string }[];
    /** Extra files and directories of the image layer. */
    files?: ImageFile[];
}

/** One entry of an image layer. Paths are absolute paths inside the container. */
export interface ImageFile {
    path: string;
    type: "file" | "dir" | "symlink";
    content?: string;
    target?: string;
    /** Numeric mode, e.g. 0o755. */
    mode?: number;
    /** "user:group" known to this host. */
    owner?: string;
    /** For a dir under /etc: hide what this host has there (the image ships its own). */
    replace?: boolean;
}

export interface FakeClusterOptions {
    /** Prefixes every netns, interface and marker, so two runs cannot collide: [a-z][a-z0-9]{0,7}. */
    prefix: string;
    /** IPv4 CIDR the pod IPs are taken from (only ever used inside the harness's own namespaces). */
    subnet: string;
    /** All per-pod dirs, volumes and logs live here. Removed by destroy() (unless keepWorkDir). */
    workDir: string;
    /** Rendered objects: exactly one StatefulSet, plus its ConfigMaps, Services, Secrets... */
    objects: K8sObject[];
    /** Secret name -> key -> plain value (rendered Secrets have their values masked). */
    secrets?: Record<string, Record<string, string>>;
    /**
     * Image reference (exactly as in the pod spec) -> what that image offers. Merged over
     * DEFAULT_IMAGES (profiles.ts: mariadb:11.4, mariadb:10.11), so it may be omitted for those.
     */
    images?: Record<string, ImageProfile>;
    /**
     * Claim name -> host directory, for a persistentVolumeClaim volume that outlives this cluster (a retained
     * NFS volume another cluster reuses), or a claim template's claim (`<template>-<pod>`, e.g. data-mysql-0).
     * Other claims live under workDir/pvc.
     */
    claimPaths?: Record<string, string>;
    /** Default "cluster.local". */
    clusterDomain?: string;
    /** Restart back-off of crashed containers: first delay, then doubled up to maxMs. Default 1000/2000. */
    restartBackoffMs?: { initialMs: number; maxMs: number };
    /** Keep workDir (logs, volumes) after destroy(), for post-mortems. Also: env FAKE_KUBELET_KEEP=1. */
    keepWorkDir?: boolean;
    /** Print pod and container events as they happen (also: env FAKE_KUBELET_VERBOSE=1). */
    verbose?: boolean;
}

/** How FakeCluster.apply takes a new render (as `pulumi up` and the controllers would). */
export interface ApplyOptions {
    /** Secret name -> key -> plain value, instead of the ones given so far (for masked Secrets). */
    secrets?: Record<string, Record<string, string>>;
    /** How long each pod may take to become Ready before the rollout halts there (pulumi's await). Default 180 s. */
    readyTimeoutMs?: number;
    /** Grace period of the pods the rollout deletes (default: the pod's terminationGracePeriodSeconds). */
    graceSeconds?: number;
    /**
     * kubelet's delay before running pods see changed ConfigMaps and Secrets in their volumes; the rollout
     * goes on meanwhile. Default: none, the volumes are rewritten before the StatefulSet is applied.
     */
    volumeSyncDelayMs?: number;
    /** Replace the StatefulSet even when no changed field forces it (`pulumi up --replace`). */
    replaceStatefulSet?: boolean;
    /**
     * Accept replacing a StatefulSet that lacks `pulumi.com/deletionPropagationPolicy: orphan`: every pod is
     * then deleted at once (Foreground cascade) before the new StatefulSet creates them again.
     */
    cascade?: boolean;
}

export interface ApplyResult {
    statefulSet: "unchanged" | "updated" | "replaced";
    /** The changed fields that made pulumi-kubernetes replace the StatefulSet. */
    replacedFor: string[];
    /** The update revision (the new render's template). */
    revision: string;
    /**
     * Set when a pod did not become Ready within readyTimeoutMs: the rollout stops there, as the StatefulSet
     * controller does (lower ordinals keep their revision and keep serving). A later apply continues it once
     * the stuck pod is Ready or deleted: the controller waits for it even after a revert ("forced rollback").
     */
    halted?: { ordinal: number; revision: string; reason: string };
}

/** The outcome of a Job run by FakeCluster.startJob. */
export interface JobResult {
    succeeded: boolean;
    /** One entry per pod (attempt), in order: each container's exit code. */
    attempts: Record<string, number>[];
}

export interface ExecOptions {
    stdin?: string;
    /** Extra variables on top of the container's environment (passed through a file, never argv). */
    env?: Record<string, string>;
    /** Default 60 s. On timeout the exec'd process group is killed and code is 137, timedOut true. */
    timeoutMs?: number;
}

export interface ExecResult {
    code: number;
    stdout: string;
    stderr: string;
    timedOut?: boolean;
}

export interface ClusterEvent {
    /** Milliseconds since the cluster was created. */
    t: number;
    /** The pod; for an event of another object, its kind and name ("ConfigMap/mysql"). */
    pod: string;
    container?: string;
    type:
        | "PodCreated"
        | "PodDeleted"
        | "FailedMount"
        | "VolumeUpdated"
        | "ConfigMapCreated"
        | "ConfigMapUpdated"
        | "ConfigMapDeleted"
        | "SecretCreated"
        | "SecretUpdated"
        | "SecretDeleted"
        | "StatefulSetUpdated"
        | "StatefulSetReplaced"
        | "RolloutHalted"
        | "RolloutComplete"
        | "PodStarting"
        | "PodReady"
        | "PodNotReady"
        | "PodStopping"
        | "PodStopped"
        | "ContainerStarted"
        | "ContainerExited"
        | "ContainerReady"
        | "ContainerNotReady"
        | "ProbeFailed"
        | "Killing"
        | "BackOff"
        | "NetworkBlocked"
        | "NetworkUnblocked";
    detail?: string;
}

export interface ContainerStatus {
    name: string;
    kind: "init" | "sidecar" | "main";
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
