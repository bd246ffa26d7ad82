// The two Secrets: the passwords, and the cluster's TLS material. Only init-mysql mounts them; it derives the
// files the other containers read (option files, the entrypoint's password file, the TLS files) into a
// memory-backed volume, so no password is ever in an environment variable.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedArgs } from "../args";
import { PASSWORD_KEYS, TLS_KEYS } from "../constants";
import { ClusterNames } from "../names";

/** The passwords, by role; `app` only when the settings ask for an application user. */
export interface Passwords {
    readonly root: pulumi.Input<string>;
    readonly replication: pulumi.Input<string>;
    readonly backup: pulumi.Input<string>;
    readonly app?: pulumi.Input<string>;
}

/** The cluster's TLS material, PEM-encoded. */
export interface TlsMaterial {
    readonly caCert: pulumi.Input<string>;
    readonly cert: pulumi.Input<string>;
    readonly key: pulumi.Input<string>;
}

/**
 * The passwords Secret itself, without its data: the object the pods mount, which never changes after it is
 * made. pulumi-kubernetes replaces a Secret whose `data`/`stringData` changes (unless the provider's
 * `enableSecretMutable` is on, a setting of the caller's provider), and with a fixed name it deletes the old
 * one first: a pod starting in between could not mount it, and a failed create would leave none. So the
 * passwords are applied to it by {@link credentialsSecretData}, which a change updates in place.
 */
export function credentialsSecret(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: names.secret, namespace: args.namespace, labels: { ...names.podLabels } },
        type: "Opaque",
    };
}

/**
 * The passwords, applied to {@link credentialsSecret} by a SecretPatch (server-side apply, its own field
 * manager): a password change is an update of the same Secret, so a rotation keeps its name and its pods (each
 * sidecar sees the mounted Secret change and rotates; see pod/rotate-credentials.sh).
 * @see https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/
 */
export function credentialsSecretData(args: ResolvedArgs, names: ClusterNames, passwords: Passwords): k8s.core.v1.SecretPatchArgs {
    const data: Record<string, pulumi.Input<string>> = {
        [PASSWORD_KEYS.root]: pulumi.secret(passwords.root),
        [PASSWORD_KEYS.replication]: pulumi.secret(passwords.replication),
        [PASSWORD_KEYS.backup]: pulumi.secret(passwords.backup),
    };
    if (passwords.app !== undefined) {
        data[PASSWORD_KEYS.app] = pulumi.secret(passwords.app);
    }
    return {
        metadata: { name: names.secret, namespace: args.namespace },
        stringData: data,
    };
}

export function tlsSecret(args: ResolvedArgs, names: ClusterNames, tls: TlsMaterial): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: names.tlsSecret, namespace: args.namespace, labels: { ...names.podLabels } },
        type: "kubernetes.io/tls",
        stringData: {
            [TLS_KEYS.cert]: tls.cert,
            [TLS_KEYS.key]: pulumi.secret(tls.key),
            [TLS_KEYS.ca]: tls.caCert,
        },
    };
}
