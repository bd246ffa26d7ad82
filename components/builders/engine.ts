// What the component tells pulumi-kubernetes about its objects beyond their specs: how long the engine waits
// for each (children do not inherit the component's customTimeouts), which objects it need not wait for, and
// which fields the cluster owns after creation. Pure functions of the settings, so tests call them directly.
// Read against pulumi-kubernetes 4.x (provider/pkg/await/await.go, provider/pkg/metadata/annotations.go).

import * as pulumi from "@pulumi/pulumi";
import { ResolvedArgs } from "../args";

/** The provider waits for nothing but the API server's acceptance of the object. */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

/**
 * The fields of a PersistentVolume that the cluster owns once it is bound. `spec.claimRef` is atomic and the
 * volume controller rewrites it when it binds (adding the claim's `uid` and `resourceVersion`), so after binding
 * it is kube-controller-manager's: a later apply of the component's `{namespace, name}` would conflict with it,
 * and a forced one would drop the `uid`. With `ignoreChanges`, pulumi-kubernetes leaves a field another manager
 * owns out of its apply (await.go, handleSSAIgnoreFields), so the volume keeps its binding.
 */
export const VOLUME_IGNORE_CHANGES: readonly string[] = ["spec.claimRef"];

/** Seconds the engine may wait for a pod whose start has nothing wrong with it beyond being slow. */
function podBudgetSeconds(args: ResolvedArgs): number {
    // A rolling restart stops a pod (its grace period) and starts it again (the startup probe's bound); a new
    // replica clones first, which ends within cloneIdleTimeoutSeconds of the stream stalling.
    return args.terminationGracePeriodSeconds + args.cloneIdleTimeoutSeconds + args.startupTimeoutSeconds;
}

/**
 * How long `pulumi up` waits for the StatefulSet (create and update): pulumi-kubernetes waits until every replica
 * is Ready on the current revision, and its default of 10 minutes is shorter than a normal first deploy, scale-up
 * or rollout of a large database. Pods start (OrderedReady) and roll one after another, so the bound is the sum of
 * every pod's budget, for the most pods the StatefulSet may run.
 */
export function statefulSetTimeouts(args: ResolvedArgs): pulumi.CustomTimeouts {
    const seconds = Math.max(args.replicas, 1) * podBudgetSeconds(args);
    return { create: `${seconds}s`, update: `${seconds}s` };
}
