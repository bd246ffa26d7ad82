// The Secret with the root password, which every container that needs it reads through secretKeyRef.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedArgs } from "../args";
import { ROOT_PASSWORD_KEY } from "../constants";
import { ClusterNames } from "../names";

export function rootSecret(
    args: ResolvedArgs,
    names: ClusterNames,
    password: pulumi.Input<string>,
): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: names.secret, namespace: args.namespace, labels: { ...names.podLabels } },
        type: "Opaque",
        stringData: { [ROOT_PASSWORD_KEY]: pulumi.secret(password) },
    };
}
