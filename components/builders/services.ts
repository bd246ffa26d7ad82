// The two Services of the tutorial: the headless one that gives each pod its stable DNS name (and is the
// StatefulSet's serviceName), and the read Service that balances over every Ready pod.

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { ClusterNames } from "../names";
import { SKIP_AWAIT_ANNOTATION } from "./engine";

function service(args: ResolvedArgs, names: ClusterNames, name: string, headless: boolean): k8s.core.v1.ServiceArgs {
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
            ports: [{ name: "mysql", port: args.port, targetPort: "mysql" }],
            selector: { ...names.podSelector },
        },
    };
}

export function headlessService(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceArgs {
    return service(args, names, names.headlessService, true);
}

export function readService(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceArgs {
    return service(args, names, names.readService, false);
}
