// The fake kubelet: runs the pods of a rendered StatefulSet (and its CronJob's Jobs) for real on this machine.
export { FakeKubelet } from "./cluster";
export type { JobRun } from "./cluster";
export { requireFakeKubelet } from "./requirements";
export { run, runOk, runPrefix, runSubnet, waitFor } from "./util";
export type { KubeletEvent, ExecResult, K8sObject } from "./types";
