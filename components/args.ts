// The component's arguments: the documented interface users fill in, and `resolveArgs`, which checks every
// setting before any resource exists and fills in the defaults once. Each error names the setting, the
// value and the fix.

import * as pulumi from "@pulumi/pulumi";
import { MYSQL_PORT } from "./constants";
import { DEFAULT_FLAVOR, Flavor, FLAVORS } from "./flavors";
import { passwordProblem } from "./validation";
import {
    booleanSetting,
    checkAccessModes,
    checkAppAccount,
    checkLabelSelectors,
    checkPassword,
    checkClaimFits,
    checkClusterDomain,
    checkFlavor,
    checkImages,
    checkMysqldOptions,
    checkName,
    checkNamespace,
    checkNfsServer,
    checkReplicas,
    checkStorageClassName,
    numberSetting,
    passwordInput,
    Problems,
    quantitySetting,
    resolveNfsPaths,
    settingsObject,
    stringListSetting,
    stringSetting,
} from "./validation";

/**
 * Settings of a {@link MySqlCluster}. Flat, and plain-valued except the four passwords, so that every one
 * of them can be checked before anything is created.
 *
 * Types the multi-language schema analyzer (`@pulumi/pulumi/provider/experimental`) understands: `string`,
 * `number`, `boolean` and `string[]` (it refuses `readonly string[]`, so lists are mutable arrays in
 * `readonly` fields), no unions but `T | undefined`. A plain type becomes a plain property in other
 * languages' SDKs: the replica count, the flavor, the images, the storage and every list decide which
 * objects exist or are refused before anything is created, so they cannot wait for an `Output`. Only the
 * passwords are `pulumi.Input<string>`: they may come from another resource or a secret, and they are
 * checked once known.
 */
export interface MySqlClusterArgs {
    /**
     * Name of the StatefulSet and the headless Service; pods are `<name>-0`, `<name>-1`, …, the read
     * Service is `<name>-read`. A DNS label that starts with a letter, at most 52 characters.
     * @default "mysql"
     */
    readonly name?: string;
    /**
     * Namespace of every namespaced object. It must exist.
     * @default "default"
     */
    readonly namespace?: string;
    /**
     * DNS domain of the cluster, used in the FQDN outputs.
     * @default "cluster.local"
     */
    readonly clusterDomain?: string;
    /**
     * Number of pods: one primary (`<name>-0`) and `replicas - 1` read replicas.
     * @default 3
     */
    readonly replicas?: number;
    /**
     * Database flavor: `mysql57` (the tutorial's MySQL 5.7 + XtraBackup 2.4), `mysql84` (MySQL 8.4 LTS +
     * XtraBackup 8.4) or `mariadb` (MariaDB 11.4 LTS + mariadb-backup).
     * @default "mysql57"
     */
    readonly flavor?: string;
    /**
     * Image of the `init-mysql` and `mysql` containers.
     * @default the flavor's server image (`mysql:5.7`, `mysql:8.4`, `mariadb:11.4`)
     */
    readonly image?: string;
    /**
     * Image of the `clone-mysql` and `xtrabackup` containers.
     * @default the flavor's backup image (`gcr.io/google-samples/xtrabackup:1.0`,
     * `percona/percona-xtrabackup:8.4`, `mariadb:11.4`)
     */
    readonly backupImage?: string;
    /**
     * Root password, kept a Pulumi secret wherever it goes. When absent, a 32-character password is
     * generated with `@pulumi/random` and kept in the stack's state. It must not be empty or hold a newline.
     * @default generated
     */
    readonly rootPassword?: pulumi.Input<string>;
    /**
     * Password of the `replication` user, the only account the replicas log in to the primary with
     * (REPLICATION SLAVE only, TLS required). At most 32 characters on MySQL, 96 on MariaDB.
     * @default generated
     */
    readonly replicationPassword?: pulumi.Input<string>;
    /**
     * Password of the `backup` user, which the backup tool runs as (local connections only).
     * @default generated
     */
    readonly backupPassword?: pulumi.Input<string>;
    /**
     * A database for the application, created on the primary's first start. Needs `appUser`.
     */
    readonly appDatabase?: string;
    /**
     * An application user with every privilege on `appDatabase` and nothing else, from any host. It can
     * write on the primary only: the replicas are read-only.
     */
    readonly appUser?: string;
    /**
     * Password of `appUser`.
     * @default generated when `appUser` is set
     */
    readonly appPassword?: pulumi.Input<string>;
    /**
     * NetworkPolicies for the cluster's pods: the clone port only from the cluster's own pods, the MySQL
     * port from them and from the clients below. Needs a network plugin that enforces NetworkPolicy.
     * @default true
     * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
     */
    readonly networkPolicy?: boolean;
    /**
     * Pods of the cluster's namespace that may connect to the MySQL port, one label selector per item
     * (`app=web` or `app=web,tier=frontend`). With neither this nor `clientNamespaceLabels`, every pod of
     * the namespace may.
     * @default []
     */
    readonly clientPodLabels?: string[];
    /**
     * Namespaces whose pods may connect to the MySQL port, one label selector per item
     * (`kubernetes.io/metadata.name=shop` names one namespace).
     * @default []
     */
    readonly clientNamespaceLabels?: string[];
    /**
     * Refuse client connections without TLS (`require_secure_transport`). Replication always uses TLS.
     * @default false
     */
    readonly requireClientTls?: boolean;
    /** Host name or IP address of the NFS server that holds the volumes. Required. */
    readonly nfsServer?: string;
    /**
     * Exported NFS paths, one per ordinal (the first for `<name>-0`). Give this or `nfsPathPattern`.
     * @see https://kubernetes.io/docs/concepts/storage/volumes/#nfs
     */
    readonly nfsPaths?: string[];
    /**
     * Pattern of the exported NFS paths: `{ordinal}` becomes 0, 1, …; `{number}` becomes 1, 2, ….
     * Give this or `nfsPaths`.
     */
    readonly nfsPathPattern?: string;
    /**
     * Capacity of each PersistentVolume.
     * @default "20Gi"
     */
    readonly volumeCapacity?: string;
    /**
     * Access modes of each PersistentVolume; must include ReadWriteOnce, the mode the claims request.
     * @default ["ReadWriteOnce"]
     */
    readonly volumeAccessModes?: string[];
    /**
     * Storage each pod's claim requests; at most `volumeCapacity`.
     * @default "10Gi"
     */
    readonly storageRequest?: string;
    /**
     * Storage class shared by the PersistentVolumes and the claim template. Explicit, so a cluster's default
     * StorageClass cannot capture the claims; no StorageClass object of this name is needed.
     * @default "mysql-nfs"
     * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
     */
    readonly storageClassName?: string;
    /**
     * CPU request of the `mysql` container.
     * @default "500m"
     */
    readonly cpuRequest?: string;
    /**
     * Memory request of the `mysql` container.
     * @default "500Mi"
     */
    readonly memoryRequest?: string;
    /**
     * CPU request of the `xtrabackup` sidecar.
     * @default "100m"
     */
    readonly backupCpuRequest?: string;
    /**
     * Memory request of the `xtrabackup` sidecar.
     * @default "100Mi"
     */
    readonly backupMemoryRequest?: string;
    /**
     * Extra my.cnf settings for every pod, one `option` or `option=value` per item, written under
     * `[mysqld]` after the component's own. `server-id`, `log-bin`, `read-only` and `super-read-only`
     * are managed per pod and cannot be set here, nor can `gtid-mode`, `enforce-gtid-consistency`, `port`,
     * `datadir`, `skip-networking`, `skip-grant-tables` or a local `bind-address`, however spelt.
     * @see https://dev.mysql.com/doc/refman/8.4/en/option-modifiers.html
     * @default []
     */
    readonly mysqldOptions?: string[];
}

/** The arguments after validation, with every default filled in. */
export interface ResolvedArgs {
    readonly name: string;
    readonly namespace: string;
    readonly clusterDomain: string;
    readonly replicas: number;
    readonly flavor: Flavor;
    readonly image: string;
    readonly backupImage: string;
    readonly rootPassword: pulumi.Input<string> | undefined;
    readonly replicationPassword: pulumi.Input<string> | undefined;
    readonly backupPassword: pulumi.Input<string> | undefined;
    readonly appDatabase: string | undefined;
    readonly appUser: string | undefined;
    readonly appPassword: pulumi.Input<string> | undefined;
    readonly networkPolicy: boolean;
    /** Each item a label selector's `matchLabels`. */
    readonly clientPodLabels: ReadonlyArray<Readonly<Record<string, string>>>;
    readonly clientNamespaceLabels: ReadonlyArray<Readonly<Record<string, string>>>;
    readonly requireClientTls: boolean;
    readonly nfsServer: string;
    /** Exactly one path per ordinal. */
    readonly nfsPaths: readonly string[];
    readonly volumeCapacity: string;
    readonly volumeAccessModes: readonly string[];
    readonly storageRequest: string;
    readonly storageClassName: string;
    readonly cpuRequest: string;
    readonly memoryRequest: string;
    readonly backupCpuRequest: string;
    readonly backupMemoryRequest: string;
    readonly mysqldOptions: readonly string[];
    readonly port: number;
}

/** Thrown when settings are wrong; `problems` holds one sentence per wrong setting. */
export class MySqlClusterArgsError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(`Invalid MySqlCluster settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "MySqlClusterArgsError";
    }
}

export const DEFAULTS = {
    name: "mysql",
    namespace: "default",
    clusterDomain: "cluster.local",
    replicas: 3,
    flavor: DEFAULT_FLAVOR,
    volumeCapacity: "20Gi",
    volumeAccessModes: ["ReadWriteOnce"],
    storageRequest: "10Gi",
    storageClassName: "mysql-nfs",
    cpuRequest: "500m",
    memoryRequest: "500Mi",
    backupCpuRequest: "100m",
    backupMemoryRequest: "100Mi",
    mysqldOptions: [],
    networkPolicy: true,
    clientPodLabels: [],
    clientNamespaceLabels: [],
    requireClientTls: false,
} as const;

/**
 * Checks every setting and fills in the defaults. Throws {@link MySqlClusterArgsError} listing every
 * problem at once, before any resource is created. Each setting is checked for its type first (the
 * library is also called from JavaScript and YAML programs), then its syntax and meaning, and the
 * relations between settings last; the checks live in ./validation, one module per group.
 */
export function resolveArgs(args: MySqlClusterArgs): ResolvedArgs {
    const p = new Problems();
    const a = settingsObject(p, args);
    if (a === undefined) {
        throw new MySqlClusterArgsError(p.list);
    }

    const name = checkName(p, stringSetting(p, "name", a.name, DEFAULTS.name));
    const namespace = checkNamespace(p, stringSetting(p, "namespace", a.namespace, DEFAULTS.namespace));
    const clusterDomain = checkClusterDomain(p, stringSetting(p, "clusterDomain", a.clusterDomain, DEFAULTS.clusterDomain));
    const replicas = checkReplicas(p, numberSetting(p, "replicas", a.replicas, DEFAULTS.replicas));
    const flavor = checkFlavor(p, stringSetting(p, "flavor", a.flavor, DEFAULTS.flavor));
    const images = checkImages(p, flavor, {
        image: stringSetting(p, "image", a.image, undefined, FLAVORS[DEFAULTS.flavor].image),
        backupImage: stringSetting(p, "backupImage", a.backupImage, undefined, FLAVORS[DEFAULTS.flavor].backupImage),
    });
    const rootPassword = checkPassword(p, "rootPassword", passwordInput(p, "rootPassword", a.rootPassword));
    const replicationPassword = checkPassword(p, "replicationPassword", passwordInput(p, "replicationPassword", a.replicationPassword), flavor);
    const backupPassword = checkPassword(p, "backupPassword", passwordInput(p, "backupPassword", a.backupPassword));
    const app = checkAppAccount(p, {
        appDatabase: stringSetting(p, "appDatabase", a.appDatabase, undefined, "orders"),
        appUser: stringSetting(p, "appUser", a.appUser, undefined, "orders"),
        appPassword: checkPassword(p, "appPassword", passwordInput(p, "appPassword", a.appPassword)),
    });
    const networkPolicy = booleanSetting(p, "networkPolicy", a.networkPolicy, DEFAULTS.networkPolicy);
    const clientPodLabels = checkLabelSelectors(p, "clientPodLabels", stringListSetting(p, "clientPodLabels", a.clientPodLabels, DEFAULTS.clientPodLabels, ["app=web"]));
    const clientNamespaceLabels = checkLabelSelectors(
        p,
        "clientNamespaceLabels",
        stringListSetting(p, "clientNamespaceLabels", a.clientNamespaceLabels, DEFAULTS.clientNamespaceLabels, ["kubernetes.io/metadata.name=shop"]),
    );
    const requireClientTls = booleanSetting(p, "requireClientTls", a.requireClientTls, DEFAULTS.requireClientTls);
    const nfsServer = checkNfsServer(p, stringSetting(p, "nfsServer", a.nfsServer, undefined, "192.168.164.141"));
    const nfsPaths = resolveNfsPaths(
        p,
        stringListSetting(p, "nfsPaths", a.nfsPaths, undefined, ["/data/volumes/v1", "/data/volumes/v2"]),
        stringSetting(p, "nfsPathPattern", a.nfsPathPattern, undefined, "/data/volumes/v{number}"),
        replicas,
    );
    const volumeCapacity = quantitySetting(p, "volumeCapacity", a.volumeCapacity, DEFAULTS.volumeCapacity, "bytes");
    const storageRequest = quantitySetting(p, "storageRequest", a.storageRequest, DEFAULTS.storageRequest, "bytes");
    checkClaimFits(p, volumeCapacity, storageRequest);
    const volumeAccessModes = checkAccessModes(
        p,
        stringListSetting(p, "volumeAccessModes", a.volumeAccessModes, DEFAULTS.volumeAccessModes, DEFAULTS.volumeAccessModes),
    );
    const storageClassName = checkStorageClassName(p, stringSetting(p, "storageClassName", a.storageClassName, DEFAULTS.storageClassName));
    const cpuRequest = quantitySetting(p, "cpuRequest", a.cpuRequest, DEFAULTS.cpuRequest, "cpu");
    const memoryRequest = quantitySetting(p, "memoryRequest", a.memoryRequest, DEFAULTS.memoryRequest, "bytes");
    const backupCpuRequest = quantitySetting(p, "backupCpuRequest", a.backupCpuRequest, DEFAULTS.backupCpuRequest, "cpu");
    const backupMemoryRequest = quantitySetting(p, "backupMemoryRequest", a.backupMemoryRequest, DEFAULTS.backupMemoryRequest, "bytes");
    const mysqldOptions = checkMysqldOptions(
        p,
        stringListSetting(p, "mysqldOptions", a.mysqldOptions, DEFAULTS.mysqldOptions, ["max_connections=500"]),
    );

    return complete(p, {
        name,
        namespace,
        clusterDomain,
        replicas,
        flavor,
        image: images?.image,
        backupImage: images?.backupImage,
        rootPassword,
        replicationPassword,
        backupPassword,
        appDatabase: app?.appDatabase,
        appUser: app?.appUser,
        appPassword: app?.appPassword,
        networkPolicy,
        clientPodLabels,
        clientNamespaceLabels,
        requireClientTls,
        nfsServer,
        nfsPaths,
        volumeCapacity: volumeCapacity.value === undefined ? undefined : volumeCapacity.text,
        volumeAccessModes: volumeAccessModes && [...volumeAccessModes],
        storageRequest: storageRequest.value === undefined ? undefined : storageRequest.text,
        storageClassName,
        cpuRequest: cpuRequest.value === undefined ? undefined : cpuRequest.text,
        memoryRequest: memoryRequest.value === undefined ? undefined : memoryRequest.text,
        backupCpuRequest: backupCpuRequest.value === undefined ? undefined : backupCpuRequest.text,
        backupMemoryRequest: backupMemoryRequest.value === undefined ? undefined : backupMemoryRequest.text,
        mysqldOptions: mysqldOptions && [...mysqldOptions],
        port: MYSQL_PORT,
    });
}

/**
 * The resolved settings, or {@link MySqlClusterArgsError} with every problem found. A check returns
 * `undefined` only after reporting why, and `null` stands for "unset" (only `rootPassword` may stay so).
 */
function complete<T extends Record<string, unknown>>(problems: Problems, values: T): { [K in keyof T]: Exclude<T[K], undefined | null> } {
    const unreported = Object.keys(values).filter((key) => values[key] === undefined);
    if (problems.list.length > 0 || unreported.length > 0) {
        throw new MySqlClusterArgsError(
            problems.list.length > 0 ? problems.list : [`${unreported.map((k) => `\`${k}\``).join(", ")} could not be resolved.`],
        );
    }
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? undefined : v])) as any;
}

/**
 * Checks a password that was only known once deployed (an Output); a plain one is checked with the other
 * settings, before anything is created.
 */
export function requirePassword(key: string, password: string, flavor?: Flavor): string {
    const problem = passwordProblem(key, password, flavor);
    if (problem !== undefined) {
        throw new MySqlClusterArgsError([problem]);
    }
    return password;
}
