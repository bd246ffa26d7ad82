// The fake-kubelet harness: runs the pods of a rendered StatefulSet for real on this machine.
// See cluster.ts for the entry point (FakeCluster.create) and README-style notes in each file.

export { FakeCluster } from "./cluster";
export type { FakeJob } from "./cluster";
export { assertCanRun, canRunProblems } from "./requirements";
export { DEFAULT_IMAGES, MARIADB_10_11, MARIADB_11_4 } from "./profiles";
export { DEFAULT_CAPS } from "./container";
export { expandK8s } from "./env";
export type {
    ApplyOptions,
    ApplyResult,
    ClusterEvent,
    ContainerSpec,
    ContainerStatus,
    ExecOptions,
    ExecResult,
    FakeClusterOptions,
    ImageFile,
    ImageProfile,
    JobResult,
    K8sObject,
    PodSpec,
    PodStatus,
} from "./types";
