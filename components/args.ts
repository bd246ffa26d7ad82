// The component's arguments: the documented interface users fill in, and `resolveArgs`, which checks every
// setting before any resource exists and fills in the defaults once. Each error names the setting, the
// value and the fix.

import * as pulumi from "@pulumi/pulumi";
import { MYSQL_PORT } from "./constants";
import { DEFAULT_FLAVOR, Flavor, FLAVORS } from "./flavors";
import { ImageFamily, inImageFamily, parseImageReference } from "./imageReference";
import { parseQuantity } from "./quantity";

/**
 * Settings of a {@link MySqlCluster}. Flat and plain-valued (except the password), so that every one of
 * them can be checked before anything is created.
 */
export interface MySqlClusterArgs {
    /**
     * Name of the StatefulSet and the headless Service; pods are `<name>-0`, `<name>-1`, …, the read
     * Service is `<name>-read`. A DNS label of at most 52 characters.
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
     * generated with @pulumi/random and kept in the stack's state. It must not be empty or hold a newline.
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
    readonly clientPodLabels?: readonly string[];
    /**
     * Namespaces whose pods may connect to the MySQL port, one label selector per item
     * (`kubernetes.io/metadata.name=shop` names one namespace).
     * @default []
     */
    readonly clientNamespaceLabels?: readonly string[];
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
    readonly nfsPaths?: readonly string[];
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
    readonly volumeAccessModes?: readonly string[];
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
     * are managed per pod and cannot be set here.
     * @default []
     */
    readonly mysqldOptions?: readonly string[];
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

/** Longest StatefulSet name: its pods carry a `controller-revision-hash` label of name + 11 characters. */
const MAX_NAME_LENGTH = 52;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NFS_SERVER = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:]+\]?$/;
const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
const MYSQLD_OPTION = /^([A-Za-z][A-Za-z0-9_-]*)(=[^\n\r]*)?$/;
/** Options the component sets per pod; a user value would break replication or the role split. */
const MANAGED_OPTIONS = ["server-id", "log-bin", "read-only", "super-read-only"];
const PATH_PLACEHOLDER = /\{(ordinal|number)\}/;
/** A label key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const LABEL_KEY = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or at most 63 characters. */
const LABEL_VALUE = /^(?:[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const show = (value: unknown) => JSON.stringify(value);

/**
 * Checks every setting and fills in the defaults. Throws {@link MySqlClusterArgsError} listing every
 * problem at once, before any resource is created.
 */
export function resolveArgs(args: MySqlClusterArgs): ResolvedArgs {
    const problems: string[] = [];
    const check = (ok: boolean, problem: string) => {
        if (!ok) {
            problems.push(problem);
        }
    };

    const name = args.name ?? DEFAULTS.name;
    check(
        DNS_LABEL.test(name) && name.length <= MAX_NAME_LENGTH,
        `\`name\` is ${show(name)}: use a DNS label of at most ${MAX_NAME_LENGTH} characters ` +
            `(lower-case letters, digits and '-', starting and ending with a letter or digit), e.g. "mysql".`,
    );

    const namespace = args.namespace ?? DEFAULTS.namespace;
    check(
        DNS_LABEL.test(namespace) && namespace.length <= 63,
        `\`namespace\` is ${show(namespace)}: use the name of an existing namespace, a DNS label of at most ` +
            `63 characters, e.g. "default".`,
    );

    const clusterDomain = args.clusterDomain ?? DEFAULTS.clusterDomain;
    check(
        DNS_SUBDOMAIN.test(clusterDomain),
        `\`clusterDomain\` is ${show(clusterDomain)}: use the cluster's DNS domain, e.g. "cluster.local".`,
    );

    const replicas = args.replicas ?? DEFAULTS.replicas;
    const replicasOk = Number.isInteger(replicas) && replicas >= 1 && replicas <= 100;
    check(
        replicasOk,
        `\`replicas\` is ${show(replicas)}: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).`,
    );

    const flavorName = args.flavor ?? DEFAULTS.flavor;
    const flavor = Object.prototype.hasOwnProperty.call(FLAVORS, flavorName) ? FLAVORS[flavorName] : undefined;
    check(
        flavor !== undefined,
        `\`flavor\` is ${show(flavorName)}: use one of ${Object.keys(FLAVORS).map(show).join(", ")}.`,
    );

    if (flavor !== undefined) {
        for (const [key, value, family, example] of [
            ["image", args.image, flavor.serverImages, flavor.image],
            ["backupImage", args.backupImage, flavor.backupImages, flavor.backupImage],
        ] as const) {
            if (value !== undefined) {
                const problem = imageProblem(key, value, flavor, family, example);
                check(problem === undefined, problem ?? "");
            }
        }
    }

    for (const [key, value] of [
        ["rootPassword", args.rootPassword],
        ["replicationPassword", args.replicationPassword],
        ["backupPassword", args.backupPassword],
        ["appPassword", args.appPassword],
    ] as const) {
        if (typeof value === "string") {
            const problem = passwordProblem(key, value, key === "replicationPassword" ? flavor : undefined);
            check(problem === undefined, problem ?? "");
        }
    }
    const { appDatabase, appUser } = args;
    check(
        appDatabase === undefined || /^[A-Za-z0-9_$]{1,64}$/.test(appDatabase),
        `\`appDatabase\` is ${show(appDatabase)}: use 1 to 64 letters, digits, '_' or '$', e.g. "orders".`,
    );
    check(
        appUser === undefined || (/^[A-Za-z0-9_$.-]{1,32}$/.test(appUser) && !RESERVED_USERS.includes(appUser.toLowerCase())),
        `\`appUser\` is ${show(appUser)}: use 1 to 32 letters, digits, '_', '$', '.' or '-', other than ` +
            `${RESERVED_USERS.map(show).join(", ")}, e.g. "orders".`,
    );
    check(
        (appDatabase === undefined) === (appUser === undefined),
        `\`appDatabase\` and \`appUser\` go together (${appDatabase === undefined ? "`appUser`" : "`appDatabase`"} ` +
            `is set alone): set both for an application database and its user, or neither.`,
    );
    check(
        args.appPassword === undefined || appUser !== undefined,
        "`appPassword` is set without `appUser`: set `appUser` (and `appDatabase`), or remove `appPassword`.",
    );
    const clientPodLabels = labelSelectors("clientPodLabels", args.clientPodLabels ?? DEFAULTS.clientPodLabels, problems);
    const clientNamespaceLabels = labelSelectors(
        "clientNamespaceLabels",
        args.clientNamespaceLabels ?? DEFAULTS.clientNamespaceLabels,
        problems,
    );

    const nfsServer = args.nfsServer ?? "";
    check(
        NFS_SERVER.test(nfsServer),
        nfsServer === ""
            ? "`nfsServer` is not set: give the host name or IP address of the NFS server that exports the volumes."
            : `\`nfsServer\` is ${show(nfsServer)}: use a host name or an IP address, e.g. "192.168.164.141".`,
    );

    const nfsPaths = resolveNfsPaths(args, replicasOk ? replicas : 0, problems);

    const volumeCapacity = args.volumeCapacity ?? DEFAULTS.volumeCapacity;
    const storageRequest = args.storageRequest ?? DEFAULTS.storageRequest;
    const capacityBytes = checkQuantity("volumeCapacity", volumeCapacity, "20Gi", problems);
    const requestBytes = checkQuantity("storageRequest", storageRequest, "10Gi", problems);
    if (capacityBytes !== undefined && requestBytes !== undefined) {
        check(
            requestBytes <= capacityBytes,
            `\`storageRequest\` is ${show(storageRequest)}, more than \`volumeCapacity\` ${show(volumeCapacity)}: ` +
                `no volume could satisfy the claims; lower \`storageRequest\` or raise \`volumeCapacity\`.`,
        );
    }

    const volumeAccessModes = args.volumeAccessModes ?? DEFAULTS.volumeAccessModes;
    const unknownModes = volumeAccessModes.filter((m) => !ACCESS_MODES.includes(m));
    check(
        unknownModes.length === 0,
        `\`volumeAccessModes\` has ${unknownModes.map(show).join(", ")}: use only ${ACCESS_MODES.map(show).join(", ")}.`,
    );
    check(
        volumeAccessModes.includes("ReadWriteOnce"),
        `\`volumeAccessModes\` is ${show(volumeAccessModes)}: include "ReadWriteOnce", the mode each pod's claim ` +
            `requests, or the claims never bind.`,
    );

    const storageClassName = args.storageClassName ?? DEFAULTS.storageClassName;
    check(
        storageClassName === "" || DNS_SUBDOMAIN.test(storageClassName),
        `\`storageClassName\` is ${show(storageClassName)}: use a DNS subdomain such as "mysql-nfs", or "" for ` +
            `volumes and claims without a class.`,
    );

    const cpuRequest = args.cpuRequest ?? DEFAULTS.cpuRequest;
    const memoryRequest = args.memoryRequest ?? DEFAULTS.memoryRequest;
    const backupCpuRequest = args.backupCpuRequest ?? DEFAULTS.backupCpuRequest;
    const backupMemoryRequest = args.backupMemoryRequest ?? DEFAULTS.backupMemoryRequest;
    checkQuantity("cpuRequest", cpuRequest, "500m", problems);
    checkQuantity("memoryRequest", memoryRequest, "500Mi", problems);
    checkQuantity("backupCpuRequest", backupCpuRequest, "100m", problems);
    checkQuantity("backupMemoryRequest", backupMemoryRequest, "100Mi", problems);

    const mysqldOptions = args.mysqldOptions ?? DEFAULTS.mysqldOptions;
    for (const option of mysqldOptions) {
        const match = MYSQLD_OPTION.exec(option);
        if (!match) {
            problems.push(
                `\`mysqldOptions\` has ${show(option)}: write one \`option\` or \`option=value\` per item, ` +
                    `e.g. "max_connections=500".`,
            );
        } else if (MANAGED_OPTIONS.includes(match[1].toLowerCase().replace(/_/g, "-"))) {
            problems.push(
                `\`mysqldOptions\` has ${show(option)}: \`${match[1]}\` is set per pod by the component ` +
                    `(primary or replica); remove it.`,
            );
        }
    }

    if (problems.length > 0 || flavor === undefined) {
        throw new MySqlClusterArgsError(problems);
    }
    return {
        name,
        namespace,
        clusterDomain,
        replicas,
        flavor,
        image: args.image ?? flavor.image,
        backupImage: args.backupImage ?? flavor.backupImage,
        rootPassword: args.rootPassword,
        replicationPassword: args.replicationPassword,
        backupPassword: args.backupPassword,
        appDatabase,
        appUser,
        appPassword: args.appPassword,
        networkPolicy: args.networkPolicy ?? DEFAULTS.networkPolicy,
        clientPodLabels,
        clientNamespaceLabels,
        requireClientTls: args.requireClientTls ?? DEFAULTS.requireClientTls,
        nfsServer,
        nfsPaths,
        volumeCapacity,
        volumeAccessModes: [...volumeAccessModes],
        storageRequest,
        storageClassName,
        cpuRequest,
        memoryRequest,
        backupCpuRequest,
        backupMemoryRequest,
        mysqldOptions: [...mysqldOptions],
        port: MYSQL_PORT,
    };
}

/** Why an image cannot serve as `key` for this flavor, if it cannot. */
function imageProblem(key: string, value: string, flavor: Flavor, family: ImageFamily, example: string): string | undefined {
    const reference = parseImageReference(value);
    if (reference === undefined) {
        return (
            `\`${key}\` is ${show(value)}: not an image reference; write [registry/]repository[:tag][@digest] with a ` +
            `lower-case repository and at most one tag, e.g. ${show(example)}, or leave it unset for the flavor's default.`
        );
    }
    if (inImageFamily(reference, family)) {
        return undefined;
    }
    const owners = Object.values(FLAVORS)
        .filter((other) => inImageFamily(reference, key === "image" ? other.serverImages : other.backupImages))
        .map((other) => show(other.name));
    return (
        `\`${key}\` is ${show(value)}, which is not ${family.description}, the kind \`flavor\` ${show(flavor.name)} runs` +
        (owners.length > 0 ? ` (it belongs to \`flavor\` ${owners.join(" or ")})` : "") +
        `: use ${family.description} such as ${show(example)} (any registry, same repository name), leave \`${key}\` ` +
        `unset for the flavor's default, or set \`flavor\` to match the image.`
    );
}

/** Accounts the component manages; the application user must be another. */
const RESERVED_USERS = ["root", "replication", "backup", "mysql.sys", "mysql.session", "mysql.infoschema", "mariadb.sys", "healthcheck"];

/** Longest replication password each server accepts (MySQL error 3056; MariaDB ERROR 1470). */
const MAX_REPLICATION_PASSWORD = { mysql: 32, mariadb: 96 };

function passwordProblem(key: string, password: string, flavor?: Flavor): string | undefined {
    if (password === "") {
        return `\`${key}\` is empty: set a non-empty secret, or unset it to have one generated.`;
    }
    if (/[\r\n\0]/.test(password)) {
        return `\`${key}\` contains a line break or a NUL, which no MySQL client can read from an option file: choose another.`;
    }
    if (flavor !== undefined) {
        const max = flavor.name === "mariadb" ? MAX_REPLICATION_PASSWORD.mariadb : MAX_REPLICATION_PASSWORD.mysql;
        if ([...password].length > max) {
            return (
                `\`${key}\` has ${[...password].length} characters: \`flavor\` ${show(flavor.name)} accepts at most ${max} in ` +
                `a replication password; choose a shorter one, or unset it to have one of 32 generated.`
            );
        }
    }
    return undefined;
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

/** Label selectors written `key=value[,key=value]`, as `matchLabels`. */
function labelSelectors(key: string, items: readonly string[], problems: string[]): Array<Record<string, string>> {
    const selectors: Array<Record<string, string>> = [];
    for (const item of items) {
        const pairs = item.split(",").map((pair) => pair.trim().split("="));
        if (pairs.every((pair) => pair.length === 2 && LABEL_KEY.test(pair[0]) && LABEL_VALUE.test(pair[1]))) {
            selectors.push(Object.fromEntries(pairs));
        } else {
            problems.push(
                `\`${key}\` has ${show(item)}: write one label selector per item as key=value[,key=value], ` +
                    `e.g. "app=web" or "kubernetes.io/metadata.name=shop".`,
            );
        }
    }
    return selectors;
}

function checkQuantity(key: string, value: string, example: string, problems: string[]): number | undefined {
    const parsed = parseQuantity(value);
    if (parsed === undefined) {
        problems.push(`\`${key}\` is ${show(value)}: use a Kubernetes quantity, e.g. "${example}".`);
    }
    return parsed;
}

/** One absolute path per ordinal, from `nfsPaths` or `nfsPathPattern`. */
function resolveNfsPaths(args: MySqlClusterArgs, replicas: number, problems: string[]): string[] {
    const { nfsPaths, nfsPathPattern } = args;
    if (nfsPaths !== undefined && nfsPathPattern !== undefined) {
        problems.push("Only one of `nfsPaths` or `nfsPathPattern` can be set: remove one.");
        return [];
    }
    if (nfsPathPattern !== undefined) {
        if (!nfsPathPattern.startsWith("/") || !PATH_PLACEHOLDER.test(nfsPathPattern)) {
            problems.push(
                `\`nfsPathPattern\` is ${show(nfsPathPattern)}: use an absolute path with {ordinal} (0, 1, …) or ` +
                    `{number} (1, 2, …), e.g. "/data/volumes/v{number}".`,
            );
            return [];
        }
        return Array.from({ length: replicas }, (_, ordinal) =>
            nfsPathPattern.replace(/\{ordinal\}/g, String(ordinal)).replace(/\{number\}/g, String(ordinal + 1)),
        );
    }
    if (nfsPaths === undefined) {
        problems.push(
            "Neither `nfsPaths` nor `nfsPathPattern` is set: give one NFS path per pod, e.g. " +
                '`nfsPathPattern: "/data/volumes/v{number}"`.',
        );
        return [];
    }
    const relative = nfsPaths.filter((p) => !p.startsWith("/"));
    if (relative.length > 0) {
        problems.push(`\`nfsPaths\` has ${relative.map(show).join(", ")}: every path must be absolute, e.g. "/data/volumes/v1".`);
    }
    const repeated = nfsPaths.filter((p, i) => nfsPaths.indexOf(p) !== i);
    if (repeated.length > 0) {
        problems.push(
            `\`nfsPaths\` lists ${[...new Set(repeated)].map(show).join(", ")} more than once: each pod needs a ` +
                `path of its own, or two servers would share one data directory.`,
        );
    }
    if (nfsPaths.length < replicas) {
        problems.push(
            `\`nfsPaths\` has ${nfsPaths.length} path(s) for ${replicas} replicas: add ${replicas - nfsPaths.length} ` +
                `more, or lower \`replicas\`.`,
        );
    }
    return nfsPaths.slice(0, replicas);
}
