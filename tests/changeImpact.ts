// What changing one setting on a deployed stack does, computed from two renders under mocks (the objects
// the program asks for before and after) and pulumi-kubernetes' replacement rules, and from the change
// guard's check. The change table in docs/operations.md states the same; tests/unit/changeTable.test.ts holds them equal.
import { GUARD_PROVIDER, GUARD_TYPE, GuardInputs, MySqlClusterArgs, SettingDeclaration, SETTINGS } from "../components";
import { Registration } from "../scripts/render/mockRuntime";
import { unwrapSecrets } from "../scripts/render/secrets";
import { BASE_ARGS, buildCluster } from "./helpers";

/** The impact words of the change table (docs/operations.md). */
export type Impact = "none" | "in place" | "rolling restart" | "guarded";

/**
 * The fields whose change makes pulumi-kubernetes replace an object (its provider/pkg/provider/diff.go,
 * `forceNew`, for the kinds the component makes), besides `.metadata.name` and `.metadata.namespace`
 * for every kind. Secret and ConfigMap data too: `enableSecretMutable`/`enableConfigMapMutable` are off
 * by default, and the component's ConfigMaps are immutable.
 */
export const FORCE_NEW: Record<string, readonly string[]> = {
    "kubernetes:apps/v1:StatefulSet": [
        ".spec.podManagementPolicy",
        ".spec.revisionHistoryLimit",
        ".spec.selector",
        ".spec.serviceName",
        ".spec.volumeClaimTemplates",
    ],
    "kubernetes:core/v1:PersistentVolume": [".spec.nfs"],
    "kubernetes:core/v1:PersistentVolumeClaim": [".spec.accessModes", ".spec.selector", ".spec.storageClassName", ".spec.volumeName"],
    "kubernetes:core/v1:Secret": [".type", ".stringData", ".data"],
    "kubernetes:core/v1:ConfigMap": [".binaryData", ".data"],
    "kubernetes:core/v1:Service": [".spec.clusterIP"],
};
const METADATA_FORCE_NEW = [".metadata.name", ".metadata.namespace"];

/** The settings of a deployed stack the samples start from: every optional feature on. */
export const BASE: MySqlClusterArgs = {
    ...BASE_ARGS,
    flavor: "mariadb",
    image: "mariadb:11.4",
    rootPassword: "root-before",
    replicationPassword: "replication-before",
    backupPassword: "backup-before",
    appDatabase: "orders",
    appUser: "orders-app",
    appPassword: "app-before",
    backupNfsPath: "/exports/backups",
    backupSchedule: "0 3 * * *",
};

/** A backup bucket, the "before" of the bucket settings' samples. */
const S3: Partial<MySqlClusterArgs> = { backupS3Bucket: "acme-backups", backupS3CredentialsSecret: "mysql-backup-s3" };

type Sample = [Partial<MySqlClusterArgs>, Partial<MySqlClusterArgs>];

/** A change of a setting, the values before (added to BASE) and after, where unset to its `example` is not the one to show. */
const CHOSEN: Record<string, Sample> = {
    name: [{}, { name: "orders" }],
    namespace: [{}, { namespace: "shop" }],
    clusterDomain: [{}, { clusterDomain: "k8s.example" }],
    selectorLabels: [{ selectorLabels: "legacy" }, { selectorLabels: "recommended" }],
    replicas: [{}, { replicas: 4 }],
    maxReplicas: [{}, { maxReplicas: 7 }],
    flavor: [{}, { flavor: "mysql84", image: undefined }],
    image: [{}, { image: "mariadb:11.4.5" }],
    backupImage: [{}, { backupImage: "mariadb:11.4.5" }],
    rootPassword: [{}, { rootPassword: "root-after" }],
    replicationPassword: [{}, { replicationPassword: "replication-after" }],
    backupPassword: [{}, { backupPassword: "backup-after" }],
    appDatabase: [{}, { appDatabase: "shop" }],
    appUser: [{}, { appUser: "shop-app" }],
    appPassword: [{}, { appPassword: "app-after" }],
    networkPolicy: [{}, { networkPolicy: false }],
    clientPodLabels: [{}, { clientPodLabels: ["app=web"] }],
    clientNamespaceLabels: [{}, { clientNamespaceLabels: ["team=shop"] }],
    requireClientTls: [{}, { requireClientTls: true }],
    maxReplicationLagSeconds: [{}, { maxReplicationLagSeconds: 60 }],
    startupTimeoutSeconds: [{}, { startupTimeoutSeconds: 900 }],
    terminationGracePeriodSeconds: [{}, { terminationGracePeriodSeconds: 60 }],
    cloneIdleTimeoutSeconds: [{}, { cloneIdleTimeoutSeconds: 60 }],
    replicaApplyThreads: [{}, { replicaApplyThreads: 8 }],
    bootstrap: [{}, { bootstrap: "parallel" }],
    spreadAcrossNodes: [{}, { spreadAcrossNodes: "required" }],
    spreadAcrossZones: [{}, { spreadAcrossZones: "preferred" }],
    cpuLimit: [{}, { cpuLimit: "2" }],
    memoryLimit: [{}, { memoryLimit: "2Gi" }],
    backupCpuLimit: [{}, { backupCpuLimit: "1" }],
    backupMemoryLimit: [{}, { backupMemoryLimit: "1Gi" }],
    priorityClassName: [{}, { priorityClassName: "database-critical" }],
    nfsServer: [{}, { nfsServer: "10.0.0.6" }],
    nfsServers: [{ nfsServers: ["10.0.0.7", "10.0.0.8"] }, { nfsServers: ["10.0.0.7", "10.0.0.9"] }],
    nfsPaths: [
        { nfsPathPattern: undefined, nfsPaths: ["/v/0", "/v/1", "/v/2"] },
        { nfsPathPattern: undefined, nfsPaths: ["/v/0", "/w/1", "/v/2"] },
    ],
    nfsPathPattern: [{}, { nfsPathPattern: "/exports/db-{ordinal}" }],
    volumeCapacity: [{}, { volumeCapacity: "30Gi" }],
    volumeAccessModes: [{}, { volumeAccessModes: ["ReadWriteOnce", "ReadWriteMany"] }],
    volumeMountOptions: [{}, { volumeMountOptions: ["hard", "nfsvers=4.2", "proto=tcp"] }],
    storageRequest: [{}, { storageRequest: "20Gi" }],
    storageClassName: [{}, { storageClassName: "fast" }],
    cpuRequest: [{}, { cpuRequest: "1" }],
    memoryRequest: [{}, { memoryRequest: "1Gi" }],
    backupCpuRequest: [{}, { backupCpuRequest: "200m" }],
    backupMemoryRequest: [{}, { backupMemoryRequest: "200Mi" }],
    mysqldOptions: [{}, { mysqldOptions: ["max_connections=500"] }],
    backupSchedule: [{}, { backupSchedule: "0 4 * * *" }],
    backupRetention: [{}, { backupRetention: 14 }],
    backupNfsPath: [{}, { backupNfsPath: "/exports/backups-2" }],
    backupVolumeCapacity: [{}, { backupVolumeCapacity: "100Gi" }],
    restoreFrom: [{}, { restoreFrom: "20250101T030000Z" }],
    backupS3Bucket: [{}, { ...S3 }],
    backupS3Prefix: [{ ...S3 }, { backupS3Prefix: "prod/mysql" }],
    backupS3Endpoint: [{ ...S3 }, { backupS3Endpoint: "https://minio.example:9000" }],
    backupS3Region: [{ ...S3 }, { backupS3Region: "eu-west-1" }],
    backupS3CredentialsSecret: [{ ...S3 }, { backupS3CredentialsSecret: "mysql-backup-s3-2" }],
    binlogShipIntervalSeconds: [{ ...S3, flavor: "mariadb" }, { binlogShipIntervalSeconds: 30 }],
    rcloneImage: [{ ...S3 }, { rcloneImage: "rclone/rclone:1.76.1" }],
    metrics: [{}, { metrics: true }],
    metricsNamespace: [{ metrics: true }, { metricsNamespace: "observability" }],
    monitoringCrds: [{ metrics: true }, { monitoringCrds: true }],
    allowDestructiveChanges: [{}, { allowDestructiveChanges: ["storageRequest"] }],
};

/**
 * One change of each declared setting, in the declared order: the chosen one, else from unset to the
 * declaration's `example` (a setting whose example is its default needs a chosen one).
 */
export const SAMPLES: Record<string, Sample> = Object.fromEntries(
    Object.entries(SETTINGS as Readonly<Record<string, SettingDeclaration>>).map(([key, d]) => {
        if (CHOSEN[key] === undefined && (d.example === undefined || JSON.stringify(d.example) === JSON.stringify(d.default))) {
            throw new Error(
                `tests/changeImpact.ts: \`${key}\` has no sample change: give it an example other than its default, or a sample here.`,
            );
        }
        return [key, CHOSEN[key] ?? [{}, { [key]: d.example }]];
    }),
);

/** One object's change between two renders. */
export interface ObjectChange {
    readonly object: string;
    readonly change: "create" | "delete" | "update" | "replace";
    readonly fields: readonly string[];
}

/** Dot paths (`.spec.template.spec.containers[*].env`) of the values that differ. */
function changedFields(before: unknown, after: unknown, at = ""): string[] {
    if (JSON.stringify(before) === JSON.stringify(after)) {
        return [];
    }
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => changedFields(before[key], after[key], `${at}.${key}`));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return [...new Set(before.flatMap((item, i) => changedFields(item, after[i], `${at}[*]`)))];
    }
    return [at];
}

const key = (r: Registration) => `${r.type}::${r.name}`;

/** How each Kubernetes object changes from one render to the other, by pulumi-kubernetes' rules. */
export function objectChanges(before: Registration[], after: Registration[]): ObjectChange[] {
    const kube = (list: Registration[]) => new Map(list.filter((r) => r.type.startsWith("kubernetes:")).map((r) => [key(r), r]));
    const old = kube(before);
    const now = kube(after);
    const changes: ObjectChange[] = [];
    for (const [object, r] of now) {
        const was = old.get(object);
        if (was === undefined) {
            changes.push({ object, change: "create", fields: [] });
            continue;
        }
        const fields = changedFields(was.inputs, r.inputs);
        if (fields.length > 0) {
            const forceNew = [...METADATA_FORCE_NEW, ...(FORCE_NEW[r.type] ?? [])];
            const replaces = fields.some((f) => forceNew.some((p) => f === p || f.startsWith(`${p}.`) || f.startsWith(`${p}[`)));
            changes.push({ object, change: replaces ? "replace" : "update", fields });
        }
    }
    for (const object of old.keys()) {
        if (!now.has(object)) {
            changes.push({ object, change: "delete", fields: [] });
        }
    }
    return changes;
}

/** The change guard's provider, as Pulumi's nodejs dynamic provider gets it. */
export interface GuardProvider {
    check(olds: unknown, news: unknown): Promise<{ inputs: unknown; failures: { property: string; reason: string }[] }>;
    diff(id: string, olds: unknown, news: unknown): Promise<{ changes: boolean }>;
}

/** The provider as `@pulumi/pulumi/cmd/dynamic-provider` loads it: `requireFromString(text).handler()`. */
export function loadGuardProvider(): GuardProvider {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the loader the dynamic provider uses, a dependency of @pulumi/pulumi
    const requireFromString = require("require-from-string") as (code: string) => { handler: () => GuardProvider };
    return requireFromString(GUARD_PROVIDER).handler();
}

const guard = loadGuardProvider();

/** The impact of changing one setting from `before` to `after`, with the objects' changes and the guard's refusals. */
export async function impactOf(
    before: MySqlClusterArgs,
    after: MySqlClusterArgs,
): Promise<{ impact: Impact; changes: ObjectChange[]; refusals: string[] }> {
    const old = (await buildCluster(before)).registered;
    const now = (await buildCluster(after)).registered;
    const fingerprint = (list: Registration[]) => {
        // The engine hands a dynamic provider plain values (it does not accept secrets).
        const inputs = unwrapSecrets(list.find((r) => r.type === GUARD_TYPE)?.inputs) as GuardInputs;
        return { values: inputs.values, allowed: inputs.allowed };
    };
    const refusals = (await guard.check(fingerprint(old), fingerprint(now))).failures.map((f) => f.reason);
    const changes = objectChanges(old, now);
    const statefulSet = changes.find((c) => c.object.startsWith("kubernetes:apps/v1:StatefulSet::"));
    const impact: Impact =
        refusals.length > 0
            ? "guarded"
            : statefulSet !== undefined &&
                (statefulSet.change === "replace" || statefulSet.fields.some((f) => f.startsWith(".spec.template")))
              ? "rolling restart"
              : changes.length > 0
                ? "in place"
                : "none";
    return { impact, changes, refusals };
}
