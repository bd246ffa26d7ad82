// The two ConfigMaps: the servers' my.cnf files (the tutorial's primary/replica split plus the user's
// settings, TLS, the accounts' SQL) and the pod scripts, which the caller reads (../podScripts.ts) and
// passes in, so these builders touch no disk.

import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { CONFIG_FILES, CREDENTIAL_FILES, LOCAL_HOSTS, PATHS, USERS } from "../constants";
import { ClusterNames } from "../names";

function myCnf(lines: readonly string[]): string {
    return ["[mysqld]", ...lines, ""].join("\n");
}

const credential = (file: string) => `${PATHS.credentialsDir}/${file}`;

/** The server's TLS: the cluster's certificate for every connection, required for clients if asked. */
export function tlsConfig(args: ResolvedArgs): string[] {
    return [
        `ssl-ca=${credential(CREDENTIAL_FILES.caCert)}`,
        `ssl-cert=${credential(CREDENTIAL_FILES.tlsCert)}`,
        `ssl-key=${credential(CREDENTIAL_FILES.tlsKey)}`,
        ...(args.requireClientTls ? ["require-secure-transport=ON"] : []),
    ];
}

/** The my.cnf files, by ConfigMap key. */
export function configFiles(args: ResolvedArgs): Record<string, string> {
    return {
        [CONFIG_FILES.primary]: myCnf(args.flavor.primaryConfig),
        [CONFIG_FILES.replica]: myCnf([...args.flavor.replicaConfig, ...args.flavor.parallelApplyConfig(args.replicaApplyThreads)]),
        [CONFIG_FILES.tls]: myCnf(tlsConfig(args)),
        [CONFIG_FILES.custom]: myCnf(args.mysqldOptions),
        [CONFIG_FILES.users]: usersSql(args),
    };
}

const quoteName = (name: string) => `\`${name}\``;

/**
 * The SQL the server image's entrypoint runs once, when mysql-0 initialises its empty data directory
 * (replicas get the accounts with their clone). Password placeholders ({root_password},
 * {replication_password}, {backup_password}, {app_password}) are filled by init-mysql from the Secret.
 * root itself is created by the entrypoint for `localhost` only; it gets the loopback addresses here, as
 * probes connect over TCP. `IF NOT EXISTS`: on MariaDB the server runs it as its first start's --init-file,
 * again if it stops before the sidecar has seen root log in; a second run must not fail on the accounts.
 */
export function usersSql(args: ResolvedArgs): string {
    const local = LOCAL_HOSTS.filter((host) => host !== "localhost");
    const lines = [
        "-- Written by mysql-statefulset: the cluster's accounts, created on the primary's first start.",
        ...local.flatMap((host) => [
            `CREATE USER IF NOT EXISTS 'root'@'${host}' IDENTIFIED BY '{root_password}';`,
            `GRANT ALL PRIVILEGES ON *.* TO 'root'@'${host}' WITH GRANT OPTION;`,
        ]),
        `CREATE USER IF NOT EXISTS '${USERS.replication}'@'%' IDENTIFIED BY '{replication_password}' REQUIRE SSL;`,
        `GRANT REPLICATION SLAVE ON *.* TO '${USERS.replication}'@'%';`,
        ...LOCAL_HOSTS.flatMap((host) => [
            `CREATE USER IF NOT EXISTS '${USERS.backup}'@'${host}' IDENTIFIED BY '{backup_password}';`,
            ...args.flavor.backupGrants.map((grant) => `GRANT ${grant} TO '${USERS.backup}'@'${host}';`),
        ]),
    ];
    if (args.appDatabase !== undefined && args.appUser !== undefined) {
        lines.push(
            `CREATE DATABASE IF NOT EXISTS ${quoteName(args.appDatabase)};`,
            `CREATE USER IF NOT EXISTS '${args.appUser}'@'%' IDENTIFIED BY '{app_password}';`,
            `GRANT ALL PRIVILEGES ON ${quoteName(args.appDatabase)}.* TO '${args.appUser}'@'%';`,
        );
    }
    return [...lines, ""].join("\n");
}

/**
 * `<base>-<first 10 hex digits of the content's SHA-256>`. The ConfigMaps are named by their content and
 * immutable: a change makes a new ConfigMap (created before the old one is deleted, as its name differs),
 * the pod template points at it and the pods roll, and a pod that restarts mid-rollout still finds the
 * ConfigMap of its own revision.
 */
export function contentName(base: string, data: Readonly<Record<string, string>>): string {
    const hash = crypto.createHash("sha256");
    for (const [key, value] of Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        hash.update(`${key}\0${value}\0`);
    }
    return `${base}-${hash.digest("hex").slice(0, 10)}`;
}

/** The name of the my.cnf ConfigMap for these settings. */
export function configMapName(args: ResolvedArgs, names: ClusterNames): string {
    return contentName(names.configMap, configFiles(args));
}

export function configMap(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ConfigMapArgs {
    return {
        metadata: { name: configMapName(args, names), namespace: args.namespace, labels: { ...names.podLabels } },
        data: configFiles(args),
        immutable: true,
    };
}

/** The pod scripts, by ConfigMap key (their file names), as `readPodScripts()` returns them. */
export type PodScripts = Readonly<Record<string, string>>;

/** The name of the scripts ConfigMap for these scripts. */
export function scriptsConfigMapName(names: ClusterNames, scripts: PodScripts): string {
    return contentName(names.scriptsConfigMap, scripts);
}

export function scriptsConfigMap(args: ResolvedArgs, names: ClusterNames, scripts: PodScripts): k8s.core.v1.ConfigMapArgs {
    return {
        metadata: { name: scriptsConfigMapName(names, scripts), namespace: args.namespace, labels: { ...names.podLabels } },
        data: { ...scripts },
        immutable: true,
    };
}
