// The StatefulSet: the tutorial's four containers under their tutorial names, wired to the script files,
// the flavor's words (as environment variables), the root password (from the Secret), and the volumes.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedArgs } from "../args";
import {
    CLONE_MARKER,
    CLONE_PORT,
    CONTAINERS,
    CREDENTIAL_FILES,
    DONOR_WAIT_SECONDS,
    PEER_CONNECT_TIMEOUT_SECONDS,
    FIRST_START_MARKER,
    LOCAL_HOSTS,
    IDENTITY_FILE,
    PASSWORD_KEYS,
    PATHS,
    PROBE_WAIT_MS,
    ROOT_CLIENT_CONFIG,
    ROTATION_GRACE_SECONDS,
    SCRIPT_FILES,
    SERVER_ID_BASE,
    SERVER_OS_USER,
    USERS,
    VOLUMES,
    WATCH_INTERVAL_SECONDS,
} from "../constants";
import { seriesUpgradesWords } from "../flavors";
import { ClusterNames } from "../names";
import { STATUS_FILE, STATUS_POLICY } from "../podStatus";
import { IMAGE_ENTRYPOINT, scriptEnv } from "../scriptContract";
import { podAffinity, zoneSpread } from "./availability";
import { binlogShipContainers, replayEnv, restoreEnv, restoreInitContainers, restoreMounts, restoreVolumes } from "./backup";
import { configMapName, PodScripts, scriptsConfigMapName } from "./config";
import { binlogShipMetricsContainers, metricsAnnotations, metricsContainers, metricsVolumes } from "./metrics";
import { claimTemplate } from "./storage";

type Container = k8s.types.input.core.v1.Container;

/**
 * pulumi-kubernetes deletes a StatefulSet it must replace (a changed volumeClaimTemplates, serviceName or
 * podManagementPolicy) before creating the new one, as the name stays. `orphan` leaves the pods running;
 * the new StatefulSet adopts them (its selector matches their labels) and rolls them one by one when its
 * pod template differs (a replacement that leaves the template as it is rolls none). The provider reads the policy
 * from the old state, so it is set from the first deploy on. After `pulumi destroy` the pods keep running
 * until deleted (`kubectl delete pod -l app.kubernetes.io/instance=<name>`, or `app=<name>` with legacy labels); their volumes are retained either way.
 */
export const DELETION_PROPAGATION_ANNOTATION = "pulumi.com/deletionPropagationPolicy";

const script = (file: string) => `${PATHS.scriptsDir}/${file}`;
/** A probe's command run until it succeeds, for at most PROBE_WAIT_MS (probe-wait.sh). */
const waitingProbe = (command: string[]) => ({ exec: { command: [script(SCRIPT_FILES.probeWait), String(PROBE_WAIT_MS), ...command] } });
const credential = (file: string) => `${PATHS.credentialsDir}/${file}`;

/**
 * Where a container's scripts write their status record (components/podStatus.ts), which kubelet reports as
 * its terminated.message: Kubernetes' defaults, written out because the scripts and the diagnosis rely on them.
 * @see https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/
 */
const STATUS = { terminationMessagePath: STATUS_FILE, terminationMessagePolicy: STATUS_POLICY };

/**
 * Each container keeps only the capabilities it needs, and none can gain more (no setuid escalation).
 * The backup containers run as root (percona/percona-xtrabackup:8.4 would run as uid 1001) and read and
 * move the server's files, which the server's user owns: CAP_DAC_OVERRIDE and CAP_FOWNER.
 */
function hardened(add: string[], extra: Record<string, unknown> = {}) {
    return { ...extra, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], ...(add.length > 0 ? { add } : {}) } };
}

const CAPABILITIES = {
    // Writes the derived files, then hands the server's to its user.
    init: ["CHOWN"],
    // Starts as root, gives the data directory to the server's user, and the server drops to it
    // (mysql-run.sh and `--user`, or the image's entrypoint and gosu): mysqld itself runs as that user.
    mysql: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
    backup: ["DAC_OVERRIDE", "FOWNER"],
};
const RUN_AS_ROOT = { runAsUser: 0 };

/** The replica-status words the readiness check reads. */
function replicaStatusEnv(args: ResolvedArgs) {
    const status = args.flavor.replicaStatus;
    return {
        REPLICA_STATUS: status.statement,
        REPLICA_IO_RUNNING: status.ioRunning,
        REPLICA_SQL_RUNNING: status.sqlRunning,
        REPLICA_LAG: status.lag,
        REPLICA_IO_ERROR: status.ioError,
        REPLICA_IO_STATE: status.ioState,
    };
}

/** The replica-status words the sidecar's watch reads: the IO thread's error. */
function replicaErrorEnv(args: ResolvedArgs) {
    const status = args.flavor.replicaStatus;
    return { REPLICA_STATUS: status.statement, REPLICA_IO_ERRNO: status.ioErrno, REPLICA_IO_ERROR: status.ioError };
}

/** Requests, and limits when set. */
function resources(cpu: string, memory: string, cpuLimit: string | undefined, memoryLimit: string | undefined) {
    const limits = { ...(cpuLimit !== undefined ? { cpu: cpuLimit } : {}), ...(memoryLimit !== undefined ? { memory: memoryLimit } : {}) };
    return { requests: { cpu, memory }, ...(Object.keys(limits).length > 0 ? { limits } : {}) };
}

const mounts = {
    data: { name: VOLUMES.data, mountPath: PATHS.dataDir, subPath: PATHS.dataSubPath },
    conf: { name: VOLUMES.conf, mountPath: PATHS.confDir },
    scripts: { name: VOLUMES.scripts, mountPath: PATHS.scriptsDir, readOnly: true },
    credentials: { name: VOLUMES.credentials, mountPath: PATHS.credentialsDir, readOnly: true },
    claim: { name: VOLUMES.data, mountPath: PATHS.dataRoot },
};

/** What both backup containers need to agree on: the clone port, the transport, the tool, TLS. */
function backupEnv(args: ResolvedArgs) {
    const { flavor } = args;
    return {
        CLONE_PORT,
        CLONE_TRANSPORT: flavor.transport,
        BACKUP_TOOL: flavor.backupTool,
        BACKUP_INFO_PREFIXES: flavor.backupInfoPrefixes.join(" "),
        CLONE_IDLE_TIMEOUT: args.cloneIdleTimeoutSeconds,
        CLONE_MARKER,
        TLS_CA: credential(CREDENTIAL_FILES.caCert),
        TLS_CERT: credential(CREDENTIAL_FILES.tlsCert),
        TLS_KEY: credential(CREDENTIAL_FILES.tlsKey),
    };
}

/**
 * The first start of a data directory init-mysql made: the SQL the server takes as its `--init-file`, and
 * the marker present until it has (init-mysql writes both, mysql-run.sh passes the SQL, the sidecar removes them).
 */
const FIRST_START_FILES = { FIRST_START_SQL: credential(CREDENTIAL_FILES.firstStartSql), FIRST_START_MARKER };

/**
 * mysql-0's data directory made by init-mysql (the flavor's `installDb`), unless a restore fills it: the
 * command, the SQL that secures root, the time-zone tool and the system's zones it reads, where the server
 * finds that SQL with the accounts', and the marker.
 */
function firstStartEnv(args: ResolvedArgs) {
    const install = args.restoreFrom === undefined ? args.flavor.installDb : undefined;
    return {
        INSTALL_DB: install?.command.join(" ") ?? "",
        SECURE_ROOT_SQL: install?.secureRootSql ?? "",
        TIME_ZONE_TOOL: install?.timeZoneTool ?? "",
        ZONEINFO_DIR: PATHS.zoneinfoDir,
        ...FIRST_START_FILES,
    };
}

/**
 * A supported series step (SERIES_UPGRADES) and the flavor's system-table upgrade (`upgrade`, unset when
 * the server does it itself): init-mysql records the step in the identity file as pending, and the sidecar,
 * once the server answers, runs the tool and only on success records it done (docs/upgrades.md).
 * init-mysql only records the step: it needs the tool's name, not its options.
 */
function upgradeEnv(args: ResolvedArgs) {
    const upgrade = args.flavor.upgrade;
    return { IDENTITY_FILE, UPGRADE_TOOL: upgrade?.tool ?? "" };
}
function upgradeRunEnv(args: ResolvedArgs) {
    return { ...upgradeEnv(args), UPGRADE_OPTIONS: args.flavor.upgrade?.options.join(" ") ?? "" };
}

/**
 * init-mysql also checks, on every start, that the data on the claim is this cluster's and this ordinal's,
 * of this server family and series or one supported upgrade older (the identity file beside the data
 * directory); so it mounts the whole claim, and runs in the server image to ask the server its version.
 */
function initContainer(args: ResolvedArgs, names: ClusterNames, clusterUid: pulumi.Input<string>): Container {
    return {
        name: CONTAINERS.init,
        image: args.image,
        command: [script(SCRIPT_FILES.init)],
        env: scriptEnv([SCRIPT_FILES.init], {
            DATA_ROOT: PATHS.dataRoot,
            DATA_SUBPATH: PATHS.dataSubPath,
            CLUSTER: `${args.namespace}/${names.statefulSet}`,
            CLUSTER_UID: clusterUid,
            SERVER_BINARY: args.flavor.server,
            SERIES_UPGRADES: seriesUpgradesWords(),
            SERVER_ID_BASE,
            SERVER_OS_USER,
            INIT_CONF_DIR: PATHS.initConfDir,
            CONFIG_MAP_DIR: PATHS.configMapDir,
            SECRETS_DIR: PATHS.secretsDir,
            TLS_SECRET_DIR: PATHS.tlsSecretDir,
            CREDENTIALS_DIR: PATHS.credentialsDir,
            INITDB_DIR: PATHS.initdbDir,
            APP_PASSWORD_KEY: args.appUser === undefined ? "" : PASSWORD_KEYS.app,
            APPLIED_DIR: CREDENTIAL_FILES.applied,
            STATUS_FILE,
            // mysql-0 on an empty data directory first asks whether another pod's server runs (the peer Service).
            PEER_SERVICE: names.peerServiceFqdn,
            PEER_CONNECT_TIMEOUT: PEER_CONNECT_TIMEOUT_SECONDS,
            MYSQL_PORT: args.port,
            RESTORE_FROM: args.restoreFrom,
            ...firstStartEnv(args),
            ...upgradeEnv(args),
        }),
        ...STATUS,
        securityContext: hardened(CAPABILITIES.init),
        volumeMounts: [
            mounts.claim,
            { name: VOLUMES.conf, mountPath: PATHS.initConfDir },
            // Where the server reads it: mariadb-install-db reads the server's settings (custom.cnf) too.
            mounts.conf,
            { name: VOLUMES.configMap, mountPath: PATHS.configMapDir, readOnly: true },
            mounts.scripts,
            { name: VOLUMES.secrets, mountPath: PATHS.secretsDir, readOnly: true },
            { name: VOLUMES.tls, mountPath: PATHS.tlsSecretDir, readOnly: true },
            { name: VOLUMES.credentials, mountPath: PATHS.credentialsDir },
            { name: VOLUMES.initdb, mountPath: PATHS.initdbDir },
        ],
    };
}

/** Where and how clone-mysql.sh clones: run by the clone-mysql init container and by the sidecar's self-repair. */
function cloneEnv(args: ResolvedArgs, names: ClusterNames) {
    return {
        DATA_ROOT: PATHS.dataRoot,
        DATA_SUBPATH: PATHS.dataSubPath,
        PEER_DOMAIN: names.peerDomain,
        STREAM_TOOL: args.flavor.streamTool,
        BOOTSTRAP: args.bootstrap,
        DONOR_WAIT: DONOR_WAIT_SECONDS,
        STATUS_FILE,
    };
}

function cloneContainer(args: ResolvedArgs, names: ClusterNames): Container {
    return {
        name: CONTAINERS.clone,
        image: args.backupImage,
        command: [script(SCRIPT_FILES.clone)],
        env: scriptEnv([SCRIPT_FILES.clone], { ...cloneEnv(args, names), ...backupEnv(args), ...restoreEnv(args) }),
        ...STATUS,
        volumeMounts: [mounts.claim, mounts.conf, mounts.scripts, mounts.credentials, ...restoreMounts(args)],
        securityContext: hardened(CAPABILITIES.backup, RUN_AS_ROOT),
    };
}

/**
 * A restore to a time's replay (replay-binlogs.sh), after clone-mysql has staged the backup and decoded the
 * binlogs into SQL with the flavor's binlog tool, in the backup's image: in the server's image, which holds
 * the server and its client (mysql84's backup image has no mysqld, its server image no mysqlbinlog). Rendered only for a restore to a time, so only that changes
 * the pod template. It runs a server of its own as root on files clone-mysql wrote: as clone-mysql, root
 * with CAP_DAC_OVERRIDE and CAP_FOWNER.
 */
function replayContainers(args: ResolvedArgs): Container[] {
    const env = replayEnv(args);
    if (env === undefined) {
        return [];
    }
    return [
        {
            name: CONTAINERS.replay,
            image: args.image,
            command: [script(SCRIPT_FILES.replayBinlogs)],
            env: scriptEnv([SCRIPT_FILES.replayBinlogs], {
                ...env,
                DATA_ROOT: PATHS.dataRoot,
                DATA_SUBPATH: PATHS.dataSubPath,
                STATUS_FILE,
            }),
            ...STATUS,
            volumeMounts: [mounts.claim, mounts.scripts, mounts.credentials],
            securityContext: hardened(CAPABILITIES.backup, RUN_AS_ROOT),
        },
    ];
}

/**
 * The mysql container's command and what it needs to start the server. A flavor whose data directory
 * init-mysql makes (`installDb`; or a clone or a restore does) needs nothing of its image's entrypoint,
 * which would check the configuration twice over and re-execute itself as the server's user before it
 * starts the server (~0.3 s of every pod start, measured): mysql-run.sh gives the data directory to the
 * server's user and starts the server, which drops to that user itself (`--user`). The other flavors keep
 * the image's entrypoint, which makes the data directory and takes root's password from a file.
 */
function serverStart(args: ResolvedArgs) {
    const { flavor } = args;
    if (flavor.installDb !== undefined) {
        return { args: [flavor.server], env: { SERVER_OS_USER, DATA_DIR: PATHS.dataDir } };
    }
    return {
        args: [IMAGE_ENTRYPOINT, flavor.server],
        // The official images' entrypoints read the root password from this file and create root for
        // localhost only; users.sql in the initdb dir adds the loopback addresses.
        env: { MYSQL_ROOT_PASSWORD_FILE: credential(CREDENTIAL_FILES.rootPassword), MYSQL_ROOT_HOST: "localhost" },
    };
}

function mysqlContainer(args: ResolvedArgs): Container {
    const { flavor } = args;
    const client = [`--defaults-extra-file=${ROOT_CLIENT_CONFIG}`];
    const ping = [flavor.admin, ...client, "ping"];
    // Probed every second, Kubernetes' shortest period, each probe waiting up to PROBE_WAIT_MS for its
    // condition: each pod of the ordered start waits on these probes (server up, then replicating, then
    // serving clones) before the next pod starts, which follows within 0.1 s instead of up to a period.
    const startupPeriod = 1;
    const start = serverStart(args);
    return {
        name: CONTAINERS.mysql,
        image: args.image,
        // Waits while a self-repair clones this replica's data again, then starts the server.
        command: [script(SCRIPT_FILES.mysqlRun)],
        args: start.args,
        env: scriptEnv([SCRIPT_FILES.mysqlRun, IMAGE_ENTRYPOINT, SCRIPT_FILES.probeWait, SCRIPT_FILES.mysqlReady], {
            ...start.env,
            MYSQL_CLIENT: flavor.client,
            MYSQL_PORT: args.port,
            CLIENT_CONFIG: ROOT_CLIENT_CONFIG,
            MAX_REPLICATION_LAG: args.maxReplicationLagSeconds,
            ROTATION_MARKER: credential(CREDENTIAL_FILES.rotationMarker),
            CLONE_MARKER,
            STATUS_FILE,
            // A data directory init-mysql made: the server's first start takes the accounts (mysql-run.sh).
            ...FIRST_START_FILES,
            ...replicaStatusEnv(args),
        }),
        ...STATUS,
        ports: [{ name: "mysql", containerPort: args.port }],
        volumeMounts: [
            mounts.data,
            mounts.conf,
            mounts.scripts,
            mounts.credentials,
            { name: VOLUMES.initdb, mountPath: PATHS.initdbDir, readOnly: true },
            // Only to see the self-repair's marker beside the data directory.
            { ...mounts.claim, readOnly: true },
        ],
        resources: resources(args.cpuRequest, args.memoryRequest, args.cpuLimit, args.memoryLimit),
        securityContext: hardened(CAPABILITIES.mysql),
        // A first initialisation or crash recovery may take long: only the startup probe waits for it;
        // liveness and readiness start once the server answers. `ping` succeeds even on "Access denied":
        // the server is up, which is all liveness asks.
        startupProbe: {
            ...waitingProbe(ping),
            periodSeconds: startupPeriod,
            timeoutSeconds: 5,
            failureThreshold: Math.ceil(args.startupTimeoutSeconds / startupPeriod),
        },
        livenessProbe: { exec: { command: ping }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        // The primary while it takes writes; a replica while it replicates, at most the allowed lag behind.
        readinessProbe: {
            ...waitingProbe([script(SCRIPT_FILES.mysqlReady)]),
            periodSeconds: 1,
            timeoutSeconds: 5,
            failureThreshold: 1,
        },
    };
}

/** What rotate-credentials.sh (run by the sidecar) needs: the Secret, the accounts, the flavor's statement. */
function rotationEnv(args: ResolvedArgs) {
    return {
        SECRETS_DIR: PATHS.secretsDir,
        CREDENTIALS_DIR: PATHS.credentialsDir,
        APPLIED_DIR: CREDENTIAL_FILES.applied,
        ROOT_PASSWORD_KEY: PASSWORD_KEYS.root,
        BACKUP_PASSWORD_KEY: PASSWORD_KEYS.backup,
        REPLICATION_PASSWORD_KEY: PASSWORD_KEYS.replication,
        APP_PASSWORD_KEY: args.appUser === undefined ? "" : PASSWORD_KEYS.app,
        APP_USER: args.appUser ?? "",
        BACKUP_USER: USERS.backup,
        LOCAL_HOSTS: LOCAL_HOSTS.join(" "),
        REPLICATION_ROTATE_SQL: args.flavor.changeReplicationPasswordSql,
        ROTATION_MARKER: credential(CREDENTIAL_FILES.rotationMarker),
        ROTATION_GRACE: ROTATION_GRACE_SECONDS,
    };
}

function sidecarContainer(args: ResolvedArgs, names: ClusterNames): Container {
    const { flavor } = args;
    return {
        name: CONTAINERS.sidecar,
        image: args.backupImage,
        command: [script(SCRIPT_FILES.sidecar)],
        env: scriptEnv([SCRIPT_FILES.sidecar, SCRIPT_FILES.probeWait, SCRIPT_FILES.cloneEndpointReady], {
            DATA_DIR: PATHS.dataDir,
            MYSQL_CLIENT: flavor.client,
            MYSQL_PORT: args.port,
            CLIENT_CONFIG: ROOT_CLIENT_CONFIG,
            BACKUP_CLIENT_CONFIG: credential(CREDENTIAL_FILES.backupClient),
            REPLICATION_PASSWORD_FILE: credential(CREDENTIAL_FILES.replicationPassword),
            PRIMARY_HOST: names.podFqdn(0),
            REPLICATION_USER: USERS.replication,
            REPLICATION_SQL: flavor.replicationSql,
            WATCH_INTERVAL: WATCH_INTERVAL_SECONDS,
            ...FIRST_START_FILES,
            ...rotationEnv(args),
            ...replicaErrorEnv(args),
            ...cloneEnv(args, names),
            ...backupEnv(args),
            ...upgradeRunEnv(args),
        }),
        ...STATUS,
        ports: [{ name: "clone", containerPort: CLONE_PORT }],
        // The Secret's volume, which kubelet keeps current, and the credential files, which a rotation rewrites;
        // the whole claim for the self-repair's marker and the identity file (the upgrade's state).
        volumeMounts: [
            mounts.data,
            mounts.conf,
            mounts.scripts,
            { name: VOLUMES.credentials, mountPath: PATHS.credentialsDir },
            { name: VOLUMES.secrets, mountPath: PATHS.secretsDir, readOnly: true },
            mounts.claim,
        ],
        resources: resources(args.backupCpuRequest, args.backupMemoryRequest, args.backupCpuLimit, args.backupMemoryLimit),
        securityContext: hardened(CAPABILITIES.backup, RUN_AS_ROOT),
        // Ready only once the clone port serves, which the sidecar opens after replication is configured.
        readinessProbe: {
            ...waitingProbe([script(SCRIPT_FILES.cloneEndpointReady)]),
            periodSeconds: 1,
            timeoutSeconds: 2,
        },
    };
}

/** The StatefulSet's podManagementPolicy for each `bootstrap` mode. */
const POD_MANAGEMENT_POLICIES: Readonly<Record<ResolvedArgs["bootstrap"], string>> = { ordered: "OrderedReady", parallel: "Parallel" };

/** `{ [key]: value }`, or nothing when the value is unset. */
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, V>);

/**
 * The StatefulSet: pods, probes, volumes and claims. `clusterUid` is the cluster's identity for the life of
 * the stack (a generated UUID), recorded beside each pod's data directory.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/
 */
export function statefulSet(
    args: ResolvedArgs,
    names: ClusterNames,
    scripts: PodScripts,
    clusterUid: pulumi.Input<string>,
): k8s.apps.v1.StatefulSetArgs {
    return {
        metadata: {
            name: names.statefulSet,
            namespace: args.namespace,
            labels: { ...names.podLabels },
            annotations: { [DELETION_PROPAGATION_ANNOTATION]: "orphan" },
        },
        spec: {
            serviceName: names.headlessService,
            replicas: args.replicas,
            // OrderedReady starts pod k once k-1 is Ready (its donor); with Parallel, clone-mysql waits for its donor.
            podManagementPolicy: POD_MANAGEMENT_POLICIES[args.bootstrap],
            selector: { matchLabels: { ...names.podSelector } },
            template: {
                // The ConfigMaps are named by their content: a changed my.cnf or script changes the
                // template, which rolls the pods.
                metadata: { labels: { ...names.podLabels }, ...(args.metrics ? { annotations: metricsAnnotations(args) } : {}) },
                spec: {
                    serviceAccountName: names.serviceAccount,
                    automountServiceAccountToken: false,
                    terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
                    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                    ...optional("affinity", podAffinity(args, names)),
                    ...optional("topologySpreadConstraints", zoneSpread(args, names)),
                    ...optional("priorityClassName", args.priorityClassName),
                    initContainers: [
                        initContainer(args, names, clusterUid),
                        ...restoreInitContainers(args),
                        cloneContainer(args, names),
                        ...replayContainers(args),
                    ],
                    containers: [
                        mysqlContainer(args),
                        sidecarContainer(args, names),
                        ...metricsContainers(args),
                        ...binlogShipContainers(args, clusterUid),
                        ...binlogShipMetricsContainers(args),
                    ],
                    volumes: [
                        { name: VOLUMES.conf, emptyDir: {} },
                        { name: VOLUMES.configMap, configMap: { name: configMapName(args, names) } },
                        { name: VOLUMES.scripts, configMap: { name: scriptsConfigMapName(names, scripts), defaultMode: 0o755 } },
                        // Read by init-mysql and the sidecar (root) only.
                        { name: VOLUMES.secrets, secret: { secretName: names.secret, defaultMode: 0o400 } },
                        { name: VOLUMES.tls, secret: { secretName: names.tlsSecret, defaultMode: 0o400 } },
                        // Memory-backed: the derived credentials never reach a disk.
                        { name: VOLUMES.credentials, emptyDir: { medium: "Memory" } },
                        { name: VOLUMES.initdb, emptyDir: { medium: "Memory" } },
                        ...restoreVolumes(args, names),
                        ...metricsVolumes(args, names),
                    ],
                },
            },
            volumeClaimTemplates: [claimTemplate(args)],
        },
    };
}
