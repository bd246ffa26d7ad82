// The two Services of the tutorial: the headless one that gives each pod its stable DNS name (and is the
// StatefulSet's serviceName), and the read Service that balances over every Ready pod.

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { ClusterNames } from "../names";

function service(args: ResolvedArgs, names: ClusterNames, name: string, headless: boolean): k8s.core.v1.ServiceArgs {
    return {
        metadata: { name, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: {
            ...(headless ? { clusterIP: "None" } : {}),
            ports: [{ name: "mysql", port: args.port, targetPort: "mysql" }],
            selector: { ...names.podLabels },
        },
    };
}

export function headlessService(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceArgs {
    return service(args, names, names.headlessService, true);
}

export function readService(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ServiceArgs {
    return service(args, names, names.readService, false);
}
