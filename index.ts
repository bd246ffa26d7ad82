// The Pulumi program: reads this stack's settings (declared, with defaults, in Pulumi.yaml), deploys one
// MySqlCluster, and exports where to reach it. `npm run render` runs this same file under mocks.

import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster } from "./components";

const config = new pulumi.Config();

const cluster = new MySqlCluster("mysql", {
    name: config.get("name"),
    namespace: config.get("namespace"),
    clusterDomain: config.get("clusterDomain"),
    replicas: config.getNumber("replicas"),
    maxReplicas: config.getNumber("maxReplicas"),
    flavor: config.get("flavor"),
    image: config.get("image"),
    backupImage: config.get("backupImage"),
    // Passwords are read plain so an empty value is caught with the other settings; the component keeps
    // them secret.
    rootPassword: config.get("rootPassword"),
    replicationPassword: config.get("replicationPassword"),
    backupPassword: config.get("backupPassword"),
    appDatabase: config.get("appDatabase"),
    appUser: config.get("appUser"),
    appPassword: config.get("appPassword"),
    networkPolicy: config.getBoolean("networkPolicy"),
    clientPodLabels: config.getObject<string[]>("clientPodLabels"),
    clientNamespaceLabels: config.getObject<string[]>("clientNamespaceLabels"),
    requireClientTls: config.getBoolean("requireClientTls"),
    maxReplicationLagSeconds: config.getNumber("maxReplicationLagSeconds"),
    startupTimeoutSeconds: config.getNumber("startupTimeoutSeconds"),
    terminationGracePeriodSeconds: config.getNumber("terminationGracePeriodSeconds"),
    cloneIdleTimeoutSeconds: config.getNumber("cloneIdleTimeoutSeconds"),
    replicaApplyThreads: config.getNumber("replicaApplyThreads"),
    bootstrap: config.get("bootstrap"),
    spreadAcrossNodes: config.get("spreadAcrossNodes"),
    spreadAcrossZones: config.get("spreadAcrossZones"),
    cpuLimit: config.get("cpuLimit"),
    memoryLimit: config.get("memoryLimit"),
    backupCpuLimit: config.get("backupCpuLimit"),
    backupMemoryLimit: config.get("backupMemoryLimit"),
    priorityClassName: config.get("priorityClassName"),
    nfsServer: config.get("nfsServer"),
    nfsPaths: config.getObject<string[]>("nfsPaths"),
    nfsPathPattern: config.get("nfsPathPattern"),
    volumeCapacity: config.get("volumeCapacity"),
    volumeAccessModes: config.getObject<string[]>("volumeAccessModes"),
    storageRequest: config.get("storageRequest"),
    storageClassName: config.get("storageClassName"),
    cpuRequest: config.get("cpuRequest"),
    memoryRequest: config.get("memoryRequest"),
    backupCpuRequest: config.get("backupCpuRequest"),
    backupMemoryRequest: config.get("backupMemoryRequest"),
    mysqldOptions: config.getObject<string[]>("mysqldOptions"),
    backupSchedule: config.get("backupSchedule"),
    backupRetention: config.getNumber("backupRetention"),
    backupNfsPath: config.get("backupNfsPath"),
    backupVolumeCapacity: config.get("backupVolumeCapacity"),
    restoreFrom: config.get("restoreFrom"),
    allowDestructiveChanges: config.getObject<string[]>("allowDestructiveChanges"),
});

export const primaryHost = cluster.primaryHost;
export const primaryFqdn = cluster.primaryFqdn;
export const readEndpoint = cluster.readEndpoint;
export const port = cluster.port;
export const namespace = cluster.namespace;
export const secretName = cluster.secretName;
export const tlsSecretName = cluster.tlsSecretName;
export const caCertificate = cluster.caCertificate;
export const appPassword = cluster.appPassword;
