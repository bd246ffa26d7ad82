// The data volumes: one NFS PersistentVolume per ordinal (on its own server with `nfsServers`), each pre-bound (claimRef) to the claim its pod
// will create, and the StatefulSet's claim template that asks for it. Both sides name the same storage
// class, so a cluster's default StorageClass cannot capture the claims.

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { VOLUMES } from "../constants";
import { ClusterNames } from "../names";

/** The access mode every claim requests (one node mounts a pod's volume). */
const CLAIM_ACCESS_MODES = ["ReadWriteOnce"];

export function persistentVolumes(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.PersistentVolumeArgs[] {
    return args.nfsPaths.map((path, ordinal) => ({
        metadata: {
            name: names.persistentVolume(ordinal),
            labels: { ...names.podLabels },
        },
        spec: {
            capacity: { storage: args.volumeCapacity },
            accessModes: [...args.volumeAccessModes],
            // Retain: deleting the claim (or the stack) never deletes the data on the NFS server.
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: args.storageClassName,
            // Pre-bound, so ordinal N always gets path N; without it, which PV a pod gets is chance.
            claimRef: { namespace: args.namespace, name: names.claim(ordinal) },
            mountOptions: [...args.volumeMountOptions],
            // Each ordinal's server: `nfsServers` rotated, or `nfsServer` (args.ts resolves them).
            nfs: { server: args.volumeServers[ordinal], path },
        },
    }));
}

export function claimTemplate(args: ResolvedArgs): k8s.types.input.core.v1.PersistentVolumeClaim {
    return {
        metadata: { name: VOLUMES.data },
        spec: {
            accessModes: CLAIM_ACCESS_MODES,
            storageClassName: args.storageClassName,
            resources: { requests: { storage: args.storageRequest } },
        },
    };
}
