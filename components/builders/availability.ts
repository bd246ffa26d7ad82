// What keeps the cluster serving through drains and node failures: a PodDisruptionBudget (at most one pod
// down at a time), the pods kept apart on nodes and zones, and a ServiceAccount that mounts no API token.

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { ClusterNames } from "../names";
import { SpreadMode } from "../validation";

type Affinity = k8s.types.input.core.v1.Affinity;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;

const NODE = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";

/**
 * A drain evicts at most one pod of the cluster at a time.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export function podDisruptionBudget(args: ResolvedArgs, names: ClusterNames): k8s.policy.v1.PodDisruptionBudgetArgs {
    return {
        metadata: { name: names.podDisruptionBudget, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: { maxUnavailable: 1, selector: { matchLabels: { ...names.podSelector } } },
    };
}

/** The pods need no Kubernetes API: their ServiceAccount mounts no token. */
export function serviceAccount(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceAccountArgs {
    return {
        metadata: { name: names.serviceAccount, namespace: args.namespace, labels: { ...names.podLabels } },
        automountServiceAccountToken: false,
    };
}

/**
 * Pod anti-affinity over nodes, per `spreadAcrossNodes`.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
 */
export function podAffinity(args: ResolvedArgs, names: ClusterNames): Affinity | undefined {
    const term = { labelSelector: { matchLabels: { ...names.podSelector } }, topologyKey: NODE };
    switch (args.spreadAcrossNodes) {
        case "required":
            return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
        case "preferred":
            return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
        case "none":
            return undefined;
    }
}

/**
 * An even spread over zones, per `spreadAcrossZones`.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export function zoneSpread(args: ResolvedArgs, names: ClusterNames): TopologySpreadConstraint[] | undefined {
    const when: Record<SpreadMode, string | undefined> = { none: undefined, preferred: "ScheduleAnyway", required: "DoNotSchedule" };
    const whenUnsatisfiable = when[args.spreadAcrossZones];
    return whenUnsatisfiable === undefined
        ? undefined
        : [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable, labelSelector: { matchLabels: { ...names.podSelector } } }];
}
