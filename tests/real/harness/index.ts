// The fake kubelet: runs the pods of a rendered StatefulSet (and its CronJob's Jobs) for real on this machine.
export { FakeCluster } from "./cluster";
export type { FakeJob } from "./cluster";
export { requireFakeKubelet } from "./requirements";
export { run, runOk, waitFor } from "./util";
export type { ClusterEvent, ExecResult, K8sObject } from "./types";
