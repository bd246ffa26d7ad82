// The two Services of the tutorial: the headless one that gives each pod its stable DNS name (and is the
// StatefulSet's serviceName), and the read Service that balances over every Ready pod; and the peer Service,
// which lists every pod's address, Ready or not.

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { ClusterNames } from "../names";
import { SKIP_AWAIT_ANNOTATION } from "./engine";

function service(args: ResolvedArgs, names: ClusterNames, name: string, headless: boolean, notReady = false): k8s.core.v1.ServiceArgs {
    return {
        metadata: {
            name,
            namespace: args.namespace,
            labels: { ...names.podLabels },
            // pulumi-kubernetes fails a non-headless Service's await while a selected pod is NotReady, and a replica
            // that lags is NotReady by design (it leaves mysql-read until it catches up). The StatefulSet's await
            // already waits for every pod; the read Service only has to exist.
            ...(headless ? {} : { annotations: { [SKIP_AWAIT_ANNOTATION]: "true" } }),
        },
        spec: {
            ...(headless ? { clusterIP: "None" } : {}),
            ...(notReady ? { publishNotReadyAddresses: true } : {}),
            ports: [{ name: "mysql", port: args.port, targetPort: "mysql" }],
            selector: { ...names.podSelector },
        },
    };
}

export function headlessService(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceArgs {
    return service(args, names, names.headlessService, true);
}

/**
 * The peer Service: headless, with every pod's address whether Ready or not. The governing Service names only
 * Ready pods, and while mysql-0 is down no replica is Ready (none replicates), so mysql-0's empty-data guard
 * (init-mysql.sh) finds its peers here, by address.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
 */
export function peerService(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceArgs {
    return service(args, names, names.peerService, true, true);
}

export function readService(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceArgs {
    return service(args, names, names.readService, false);
}
