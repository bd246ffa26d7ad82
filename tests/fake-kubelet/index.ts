// The fake kubelet: runs the pods of a rendered StatefulSet for real on this machine.
export { FakeKubelet } from "./cluster";
export { requireFakeKubelet } from "./requirements";
export { run, runOk, runPrefix, runSubnet, waitFor } from "./util";
export type { KubeletEvent, ExecResult, K8sObject } from "./types";
