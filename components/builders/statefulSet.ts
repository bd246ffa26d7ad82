// The StatefulSet: the tutorial's four containers under their tutorial names, wired to the script files,
// the flavor's words (as environment variables), the root password (from the Secret), and the volumes.

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import {
    CLONE_PORT,
    CONTAINERS,
    CREDENTIAL_FILES,
    PASSWORD_KEYS,
    PATHS,
    ROOT_CLIENT_CONFIG,
    SCRIPT_FILES,
    SERVER_ID_BASE,
    SERVER_OS_USER,
    USERS,
    VOLUMES,
} from "../constants";
import { ClusterNames } from "../names";
import { restoreEnv, restoreMounts, restoreVolumes } from "./backup";
import { configChecksum } from "./config";
import { claimTemplate } from "./storage";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Annotation on the pod template whose change rolls the pods when a my.cnf file or a script changes. */
export const CONFIG_CHECKSUM_ANNOTATION = "mysql-statefulset.pulumi.com/config-checksum";

const script = (file: string) => `${PATHS.scriptsDir}/${file}`;
const credential = (file: string) => `${PATHS.credentialsDir}/${file}`;

function env(values: Record<string, string | number>): EnvVar[] {
    return Object.entries(values).map(([name, value]) => ({ name, value: String(value) }));
}

/**
 * The backup containers read the server's files and write the volume, whoever owns them; the tutorial's
 * xtrabackup image runs as root anyway, percona/percona-xtrabackup:8.4 would run as uid 1001.
 */
const RUN_AS_ROOT = { runAsUser: 0 };

const mounts = {
    data: { name: VOLUMES.data, mountPath: PATHS.dataDir, subPath: PATHS.dataSubPath },
    conf: { name: VOLUMES.conf, mountPath: PATHS.confDir },
    scripts: { name: VOLUMES.scripts, mountPath: PATHS.scriptsDir, readOnly: true },
    credentials: { name: VOLUMES.credentials, mountPath: PATHS.credentialsDir, readOnly: true },
};

/** What both backup containers need to agree on: the clone port, the transport, the tool, TLS. */
function backupEnv(args: ResolvedArgs): EnvVar[] {
    const { flavor } = args;
    return env({
        CLONE_PORT,
        CLONE_TRANSPORT: flavor.transport,
        BACKUP_TOOL: flavor.backupTool,
        BACKUP_INFO_PREFIXES: flavor.backupInfoPrefixes.join(" "),
        TLS_CA: credential(CREDENTIAL_FILES.caCert),
        TLS_CERT: credential(CREDENTIAL_FILES.tlsCert),
        TLS_KEY: credential(CREDENTIAL_FILES.tlsKey),
    });
}

function initContainer(args: ResolvedArgs): Container {
    return {
        name: CONTAINERS.init,
        image: args.image,
        command: [script(SCRIPT_FILES.init)],
        env: env({
            SERVER_ID_BASE,
            SERVER_OS_USER,
            INIT_CONF_DIR: PATHS.initConfDir,
            CONFIG_MAP_DIR: PATHS.configMapDir,
            SECRETS_DIR: PATHS.secretsDir,
            TLS_SECRET_DIR: PATHS.tlsSecretDir,
            CREDENTIALS_DIR: PATHS.credentialsDir,
            INITDB_DIR: PATHS.initdbDir,
            APP_PASSWORD_KEY: args.appUser === undefined ? "" : PASSWORD_KEYS.app,
        }),
        volumeMounts: [
            { name: VOLUMES.conf, mountPath: PATHS.initConfDir },
            { name: VOLUMES.configMap, mountPath: PATHS.configMapDir, readOnly: true },
            mounts.scripts,
            { name: VOLUMES.secrets, mountPath: PATHS.secretsDir, readOnly: true },
            { name: VOLUMES.tls, mountPath: PATHS.tlsSecretDir, readOnly: true },
            { name: VOLUMES.credentials, mountPath: PATHS.credentialsDir },
            { name: VOLUMES.initdb, mountPath: PATHS.initdbDir },
        ],
    };
}

function cloneContainer(args: ResolvedArgs, names: ClusterNames): Container {
    const { flavor } = args;
    return {
        name: CONTAINERS.clone,
        image: args.backupImage,
        command: [script(SCRIPT_FILES.clone)],
        env: [
            ...env({
                DATA_ROOT: PATHS.dataRoot,
                DATA_SUBPATH: PATHS.dataSubPath,
                PEER_DOMAIN: names.peerDomain,
                STREAM_TOOL: flavor.streamTool,
            }),
            ...backupEnv(args),
            ...restoreEnv(args),
        ],
        volumeMounts: [{ name: VOLUMES.data, mountPath: PATHS.dataRoot }, mounts.conf, mounts.scripts, mounts.credentials, ...restoreMounts(args)],
        securityContext: RUN_AS_ROOT,
    };
}

function mysqlContainer(args: ResolvedArgs): Container {
    const { flavor } = args;
    const client = [`--defaults-extra-file=${ROOT_CLIENT_CONFIG}`];
    return {
        name: CONTAINERS.mysql,
        image: args.image,
        // The official images' entrypoints (mysql and mariadb alike) read the root password from this file
        // and create root for localhost only; users.sql in the initdb dir adds the loopback addresses.
        env: env({
            MYSQL_ROOT_PASSWORD_FILE: credential(CREDENTIAL_FILES.rootPassword),
            MYSQL_ROOT_HOST: "localhost",
        }),
        ports: [{ name: "mysql", containerPort: args.port }],
        volumeMounts: [mounts.data, mounts.conf, mounts.credentials, { name: VOLUMES.initdb, mountPath: PATHS.initdbDir, readOnly: true }],
        resources: { requests: { cpu: args.cpuRequest, memory: args.memoryRequest } },
        livenessProbe: {
            exec: { command: [flavor.admin, ...client, "ping"] },
            initialDelaySeconds: 30,
            periodSeconds: 10,
            timeoutSeconds: 5,
        },
        readinessProbe: {
            exec: { command: [flavor.client, ...client, "--host=127.0.0.1", `--port=${args.port}`, "--execute=SELECT 1"] },
            initialDelaySeconds: 5,
            periodSeconds: 2,
            timeoutSeconds: 1,
        },
    };
}

function sidecarContainer(args: ResolvedArgs, names: ClusterNames): Container {
    const { flavor } = args;
    return {
        name: CONTAINERS.sidecar,
        image: args.backupImage,
        command: [script(SCRIPT_FILES.sidecar)],
        env: [
            ...env({
                DATA_DIR: PATHS.dataDir,
                MYSQL_CLIENT: flavor.client,
                MYSQL_PORT: args.port,
                CLIENT_CONFIG: ROOT_CLIENT_CONFIG,
                BACKUP_CLIENT_CONFIG: credential(CREDENTIAL_FILES.backupClient),
                REPLICATION_PASSWORD_FILE: credential(CREDENTIAL_FILES.replicationPassword),
                PRIMARY_HOST: names.podFqdn(0),
                REPLICATION_USER: USERS.replication,
                REPLICATION_SQL: flavor.replicationSql,
            }),
            ...backupEnv(args),
        ],
        ports: [{ name: "clone", containerPort: CLONE_PORT }],
        volumeMounts: [mounts.data, mounts.conf, mounts.scripts, mounts.credentials],
        resources: { requests: { cpu: args.backupCpuRequest, memory: args.backupMemoryRequest } },
        securityContext: RUN_AS_ROOT,
        // Ready only once the clone port serves, which the sidecar opens after replication is configured.
        readinessProbe: {
            exec: { command: [script(SCRIPT_FILES.cloneEndpointReady)] },
            periodSeconds: 2,
            timeoutSeconds: 1,
        },
    };
}

export function statefulSet(args: ResolvedArgs, names: ClusterNames): k8s.apps.v1.StatefulSetArgs {
    return {
        metadata: { name: names.statefulSet, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: {
            serviceName: names.headlessService,
            replicas: args.replicas,
            podManagementPolicy: "OrderedReady",
            selector: { matchLabels: { ...names.podLabels } },
            template: {
                metadata: {
                    labels: { ...names.podLabels },
                    annotations: { [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(args) },
                },
                spec: {
                    initContainers: [initContainer(args), cloneContainer(args, names)],
                    containers: [mysqlContainer(args), sidecarContainer(args, names)],
                    volumes: [
                        { name: VOLUMES.conf, emptyDir: {} },
                        { name: VOLUMES.configMap, configMap: { name: names.configMap } },
                        { name: VOLUMES.scripts, configMap: { name: names.scriptsConfigMap, defaultMode: 0o755 } },
                        // Read by init-mysql (root) only.
                        { name: VOLUMES.secrets, secret: { secretName: names.secret, defaultMode: 0o400 } },
                        { name: VOLUMES.tls, secret: { secretName: names.tlsSecret, defaultMode: 0o400 } },
                        // Memory-backed: the derived credentials never reach a disk.
                        { name: VOLUMES.credentials, emptyDir: { medium: "Memory" } },
                        { name: VOLUMES.initdb, emptyDir: { medium: "Memory" } },
                        ...restoreVolumes(args, names),
                    ],
                },
            },
            volumeClaimTemplates: [claimTemplate(args)],
        },
    };
}
