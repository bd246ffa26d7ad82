// The component's arguments (MySqlClusterArgs, generated from the declaration into ./clusterArgs) and
// `resolveArgs`, which checks every setting before any resource exists and fills in the defaults once: for
// each declared setting (components/settings.ts), in order, its type, its default and its own check; then
// the checks that relate settings. `ResolvedArgs`, what the builders read, is derived from those checks.
// Each error names the setting, the value and the fix.

import * as pulumi from "@pulumi/pulumi";
import { MySqlClusterArgs } from "./clusterArgs";
import { MYSQL_PORT } from "./constants";
import { Flavor } from "./flavors";
import { parseQuantity } from "./quantity";
import { DEFAULTS, RequiredSettingName, SETTINGS, SettingDeclaration, SettingName, TypeOfSetting, WithDefault } from "./settings";
import {
    booleanSetting,
    checkAppAccount,
    checkBackupName,
    checkBackupNfsPath,
    checkClaimFits,
    checkDependentSettings,
    checkImages,
    checkKnownKeys,
    checkLimit,
    checkMaxReplicas,
    checkMetrics,
    checkObjectStore,
    checkPassword,
    checkRestoreFrom,
    checkRestoreTime,
    DEFAULT_MAX_REPLICAS,
    DEFAULT_S3_REGION,
    numberSetting,
    passwordInput,
    passwordProblem,
    Problems,
    resolveNfsPaths,
    resolveVolumeServers,
    sameServer,
    settingsObject,
    stringListSetting,
    stringSetting,
} from "./validation";

export type { MySqlClusterArgs } from "./clusterArgs";

/** Thrown when settings are wrong; `problems` holds one sentence per wrong setting. */
export class MySqlClusterArgsError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(`Invalid MySqlCluster settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "MySqlClusterArgsError";
    }
}

/** Fails to compile unless `A` and `B` are the same set of names. */
type SameKeys<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : never;
/** MySqlClusterArgs has exactly the declared settings (components/settings.ts), no more, no fewer. */
const ARGS_ARE_DECLARED: SameKeys<keyof MySqlClusterArgs, SettingName> = true;
void ARGS_ARE_DECLARED;
/** The fields without `?`. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** MySqlClusterArgs requires exactly the settings declared `required` (nfsServer). */
const REQUIRED_ARE_DECLARED: SameKeys<RequiredKeys<MySqlClusterArgs>, RequiredSettingName> = true;
void REQUIRED_ARE_DECLARED;

type Declared<K extends SettingName> = (typeof SETTINGS)[K];

/**
 * A setting after its type check: its type, or its default; `null` when unset without a default, `undefined`
 * after a reported mistake. The passwords may be Outputs.
 */
type Typed<K extends SettingName> =
    Declared<K> extends { readonly secret: true }
        ? pulumi.Input<string> | null | undefined
        : TypeOfSetting[Declared<K>["type"]] | undefined | (K extends WithDefault ? never : null);

/** A setting after its own check: what the check returns (the typed value when it has none). */
type Checked<K extends SettingName> = Declared<K> extends { readonly check: (...args: never[]) => infer R } ? R : Typed<K>;

/** Every setting, type-checked and defaulted. */
export type TypedSettings = { readonly [K in SettingName]: Typed<K> };
/** Every setting after its own check, before the checks that relate settings. */
export type CheckedSettings = { readonly [K in SettingName]: Checked<K> };

/** Fails to compile when a setting's check does not take every value its type check can hand it. */
type CheckMisfits = {
    [K in SettingName]: Declared<K> extends { readonly check: (problems: Problems, value: infer V, ...rest: never[]) => unknown }
        ? Exclude<Typed<K>, undefined> extends V
            ? never
            : K
        : never;
}[SettingName];
const CHECKS_FIT: [CheckMisfits] extends [never] ? true : CheckMisfits = true;
void CHECKS_FIT;

/** The type check and the default of one setting, as its declaration says. */
function typedSetting(problems: Problems, key: string, value: unknown, d: SettingDeclaration): unknown {
    if (d.secret) {
        return passwordInput(problems, key, value);
    }
    switch (d.type) {
        case "string":
            return d.default === undefined
                ? stringSetting(problems, key, value, undefined, d.example as string)
                : stringSetting(problems, key, value, d.default as string, (d.example ?? d.default) as string);
        case "integer":
            return numberSetting(problems, key, value, d.default as number | undefined, (d.example ?? d.default) as number);
        case "boolean":
            return booleanSetting(problems, key, value, d.default as boolean | undefined, (d.example ?? d.default) as boolean);
        case "string[]": {
            const example = (d.example ?? d.default) as readonly string[];
            // A copy of the default: the builders never share the declaration's own list.
            const list =
                d.default === undefined
                    ? stringListSetting(problems, key, value, undefined, example)
                    : stringListSetting(problems, key, value, d.default as readonly string[], example);
            return list && [...list];
        }
    }
}

/**
 * The checks that relate settings, in the order they were always made: a setting whose meaning or default
 * depends on another (maxReplicas on replicas, the images on the flavor, a limit on its request), the groups
 * that are all-or-nothing (the application account, the bucket, the metrics) and the settings that only act
 * through another. Settings no relation names pass through as their own check left them.
 */
function relateSettings(p: Problems, typed: TypedSettings, s: CheckedSettings) {
    const { replicas, flavor, name, namespace } = s;
    const maxReplicas = checkMaxReplicas(
        p,
        typed.maxReplicas === null ? Math.max(DEFAULT_MAX_REPLICAS, replicas ?? 0) : typed.maxReplicas,
        replicas,
    );
    const images = checkImages(p, flavor, { image: typed.image, backupImage: typed.backupImage });
    const replicationPassword = checkPassword(p, "replicationPassword", typed.replicationPassword, flavor);
    const app = checkAppAccount(p, { appDatabase: typed.appDatabase, appUser: typed.appUser, appPassword: s.appPassword });
    const nfsPaths = resolveNfsPaths(p, typed.nfsPaths, typed.nfsPathPattern, replicas, maxReplicas, s.nfsServers);
    const volumeServers = resolveVolumeServers(p, s.nfsServers, s.nfsServer, nfsPaths);
    const measured = (text: string | undefined) => ({ text, value: text === undefined ? undefined : parseQuantity(text) });
    checkClaimFits(p, measured(s.volumeCapacity), measured(s.storageRequest));
    const limit = (
        key: "cpuLimit" | "memoryLimit" | "backupCpuLimit" | "backupMemoryLimit",
        requestKey: "cpuRequest" | "memoryRequest" | "backupCpuRequest" | "backupMemoryRequest",
        measure: "cpu" | "bytes",
    ) => checkLimit(p, key, typed[key], requestKey, measured(s[requestKey]), measure, SETTINGS[key].example);
    const cpuLimit = limit("cpuLimit", "cpuRequest", "cpu");
    const memoryLimit = limit("memoryLimit", "memoryRequest", "bytes");
    const backupCpuLimit = limit("backupCpuLimit", "backupCpuRequest", "cpu");
    const backupMemoryLimit = limit("backupMemoryLimit", "backupMemoryRequest", "bytes");
    checkBackupName(p, name, s.backupSchedule);
    const restoreFrom = checkRestoreFrom(p, typed.restoreFrom, {
        rootPassword: s.rootPassword,
        replicationPassword,
        backupPassword: s.backupPassword,
        ...(app?.appUser ? { appPassword: app.appPassword } : {}),
    });
    const objectStore = checkObjectStore(
        p,
        {
            backupS3Bucket: typed.backupS3Bucket,
            backupS3Prefix: typed.backupS3Prefix,
            backupS3Endpoint: typed.backupS3Endpoint,
            backupS3Region: typed.backupS3Region === null ? DEFAULT_S3_REGION : typed.backupS3Region,
            backupS3CredentialsSecret: typed.backupS3CredentialsSecret,
            binlogShipIntervalSeconds: typed.binlogShipIntervalSeconds,
            flavor: flavor?.name,
        },
        `${namespace ?? DEFAULTS.namespace}/${name ?? DEFAULTS.name}`,
    );
    checkRestoreTime(p, restoreFrom, objectStore, flavor?.name);
    const backupNfsPath = checkBackupNfsPath(
        p,
        {
            backupNfsPath: typed.backupNfsPath,
            backupSchedule: s.backupSchedule,
            backupRetention: s.backupRetention,
            restoreFrom,
            objectStore: objectStore !== null && objectStore !== undefined,
        },
        // Only the data paths on the backup volume's server can be the same directory as it.
        volumeServers === undefined || s.nfsServer === undefined
            ? nfsPaths
            : nfsPaths?.filter((_, ordinal) => sameServer(volumeServers[ordinal], s.nfsServer as string)),
    );
    checkDependentSettings(p, {
        networkPolicy: s.networkPolicy,
        clientPodLabels: s.clientPodLabels && typed.clientPodLabels,
        clientNamespaceLabels: s.clientNamespaceLabels && typed.clientNamespaceLabels,
        maxReplicas: typed.maxReplicas === null ? undefined : maxReplicas,
        nfsPaths: typed.nfsPaths,
        backupSchedule: s.backupSchedule,
        backupRetention: s.backupRetention,
        defaultBackupRetention: DEFAULTS.backupRetention,
        backupNfsPath,
        backupVolumeCapacity: s.backupVolumeCapacity,
        defaultBackupVolumeCapacity: DEFAULTS.backupVolumeCapacity,
    });
    const metrics = checkMetrics(p, { metrics: s.metrics, metricsNamespace: s.metricsNamespace, monitoringCrds: s.monitoringCrds });

    // The bucket's five settings become one `objectStore`.
    const {
        backupS3Bucket,
        backupS3Prefix,
        backupS3Endpoint,
        backupS3Region,
        backupS3CredentialsSecret,
        binlogShipIntervalSeconds,
        ...own
    } = s;
    void [backupS3Bucket, backupS3Prefix, backupS3Endpoint, backupS3Region, backupS3CredentialsSecret, binlogShipIntervalSeconds];
    return {
        ...own,
        maxReplicas,
        image: images?.image,
        backupImage: images?.backupImage,
        replicationPassword,
        appDatabase: app?.appDatabase,
        appUser: app?.appUser,
        appPassword: app?.appPassword,
        nfsPaths,
        volumeServers,
        cpuLimit,
        memoryLimit,
        backupCpuLimit,
        backupMemoryLimit,
        restoreFrom,
        objectStore,
        backupNfsPath,
        metrics: metrics.metrics,
        metricsNamespace: metrics.metricsNamespace,
        monitoringCrds: metrics.monitoringCrds,
        port: MYSQL_PORT,
    };
}

/** `null` (unset) becomes `undefined`; `undefined` (a reported mistake) is gone once resolved. */
type Resolved<T> = { readonly [K in keyof T]: null extends T[K] ? Exclude<T[K], null | undefined> | undefined : Exclude<T[K], undefined> };

/** The arguments after validation, with every default filled in: what the builders read. */
export type ResolvedArgs = Resolved<ReturnType<typeof relateSettings>>;

/**
 * Checks every setting and fills in the defaults. Throws {@link MySqlClusterArgsError} listing every
 * problem at once, before any resource is created. Each setting is checked for its type first (the
 * library is also called from JavaScript and YAML programs), then by its own check, in the declared order,
 * and the relations between settings last; the checks live in ./validation, one module per group.
 */
export function resolveArgs(args: MySqlClusterArgs): ResolvedArgs {
    const p = new Problems();
    const a = settingsObject(p, args);
    if (a === undefined) {
        throw new MySqlClusterArgsError(p.list);
    }
    checkKnownKeys(p, a, Object.keys(SETTINGS));
    const typed: Record<string, unknown> = {};
    const checked: Record<string, unknown> = {};
    for (const [key, d] of Object.entries(SETTINGS as Readonly<Record<string, SettingDeclaration>>)) {
        typed[key] = typedSetting(p, key, a[key], d);
        checked[key] = d.check === undefined || typed[key] === undefined ? typed[key] : d.check(p, typed[key], key, d.example ?? d.default);
    }
    return complete(p, relateSettings(p, typed as TypedSettings, checked as CheckedSettings));
}

/**
 * The resolved settings, or {@link MySqlClusterArgsError} with every problem found. A check returns
 * `undefined` only after reporting why, and `null` stands for "unset" (only a password may stay so).
 */
function complete<T extends Record<string, unknown>>(problems: Problems, values: T): Resolved<T> {
    const unreported = Object.keys(values).filter((key) => values[key] === undefined);
    if (problems.list.length > 0 || unreported.length > 0) {
        throw new MySqlClusterArgsError(
            problems.list.length > 0 ? problems.list : [`${unreported.map((k) => `\`${k}\``).join(", ")} could not be resolved.`],
        );
    }
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? undefined : v])) as Resolved<T>;
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
