// The NetworkPolicies: the clone port (a full copy of the database) only from the cluster's own pods, the
// MySQL port from them and from the clients the settings list (by default, every pod of the namespace), and
// with `metrics` the exporters' port (and the binlog shipper's metrics port) from the monitoring namespace.
// Enforced only by a network plugin that implements NetworkPolicy.
// @see https://kubernetes.io/docs/concepts/services-networking/network-policies/

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { BINLOG_SHIP_METRICS, CLONE_PORT, METRICS } from "../constants";
import { servesBinlogShipMetrics } from "./metrics";
import { ClusterNames } from "../names";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

function policy(
    args: ResolvedArgs,
    names: ClusterNames,
    name: string,
    ports: number | number[],
    from: Peer[],
): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: {
            podSelector: { matchLabels: { ...names.podSelector } },
            policyTypes: ["Ingress"],
            ingress: [{ from, ports: [ports].flat().map((port) => ({ protocol: "TCP", port })) }],
        },
    };
}

/** The policies by the port they guard, none when `networkPolicy` is off. */
export function networkPolicies(args: ResolvedArgs, names: ClusterNames): Record<string, k8s.networking.v1.NetworkPolicyArgs> {
    if (!args.networkPolicy) {
        return {};
    }
    const clusterPods: Peer = { podSelector: { matchLabels: { ...names.podSelector } } };
    const listed = args.clientPodLabels.length + args.clientNamespaceLabels.length > 0;
    const clients: Peer[] = listed
        ? [
              ...args.clientPodLabels.map((labels) => ({ podSelector: { matchLabels: { ...labels } } })),
              ...args.clientNamespaceLabels.map((labels) => ({ namespaceSelector: { matchLabels: { ...labels } } })),
          ]
        : [{ podSelector: {} }];
    return {
        // The backup Job's pods stream from a replica's clone port too.
        clone: policy(args, names, names.clonePolicy, CLONE_PORT, [
            clusterPods,
            ...(args.backupSchedule === undefined ? [] : [{ podSelector: { matchLabels: { ...names.backupPodSelector } } }]),
        ]),
        mysql: policy(args, names, names.mysqlPolicy, args.port, [clusterPods, ...clients]),
        // The exporters' port, from the namespace of the Prometheus that scrapes them (`metrics`).
        ...(args.metrics
            ? {
                  metrics: policy(
                      args,
                      names,
                      names.metricsPolicy,
                      [METRICS.port, ...(servesBinlogShipMetrics(args) ? [BINLOG_SHIP_METRICS.port] : [])],
                      [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.metricsNamespace } } }],
                  ),
              }
            : {}),
    };
}
