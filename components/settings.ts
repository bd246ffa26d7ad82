// Every setting of MySqlCluster, declared once: its type, default, whether it is required or secret, its
// closed set of values, its description and documentation, the example a mistake's message shows, its own
// check, and what changing it on a deployed stack does. The rest follows from here:
// - `npm run docs` (scripts/docs.ts) writes Pulumi.yaml's `config:` block, the configuration reference
//   (docs/configuration.md) and the change table (docs/operations.md), index.ts's settings and MySqlClusterArgs with its JSDoc
//   (components/clusterArgs.ts); tests/unit/docs.test.ts fails `npm test` while one of them is stale;
// - at run time: `DEFAULTS`, the multi-language schema (components/schema.ts), the render's stack-file types,
//   and `resolveArgs` (components/args.ts), which type-checks every setting, fills in its default and runs its
//   `check`, in the declared order, then the checks that relate settings; `ResolvedArgs`, what the builders
//   read, is derived from the checks' return types.
//
// How to add a setting:
// 1. Declare it below: `type`; `default`, or `example` when it has none (a type mistake's message suggests
//    it; the change table's test changes the setting from unset to it); `description` (one or two sentences:
//    the configuration reference's, Pulumi.yaml's and the schema's text); `doc` when the IDE's hover text should say more;
//    `see` links; `secret`/`required`/`enum` where they apply; `change: { impact, what }`, what a change on a
//    deployed stack does (tests/unit/changeTable.test.ts renders the change and holds the impact to it).
// 2. Its validation: a check `(problems, value, key, example)` in components/validation/<group>.ts that
//    reports each problem (naming the setting, the value and the fix) and returns the value, refined or not,
//    or undefined after reporting; name it as the declaration's `check`. A check that needs another setting
//    goes in `relateSettings` (components/args.ts) instead.
// 3. Read `args.<name>` in the builder that needs it, then run `npm run docs`.
// The tests that list the settings read this declaration. What stays by hand: a test of the new check's
// messages (tests/badInputs.ts), and a sample change in tests/changeImpact.ts when the setting has a
// default (its example would be that default).
//
// Pulumi.yaml gets only the settings that have a default, and the required ones: the engine treats a
// declared project setting without a default as required (`Stack 'dev' is missing configuration values
// …`), and Pulumi.yaml has no way to declare an optional setting without one.

import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_FLAVOR, FLAVORS, FLAVOR_NAMES } from "./flavors";
import { LABEL_SCHEMES } from "./labels";
import {
    checkAccessModes,
    checkAllowedChanges,
    checkBackupRetention,
    checkBackupSchedule,
    checkBootstrap,
    checkClusterDomain,
    checkFlavor,
    checkLabelSelectors,
    checkMountOptions,
    checkMysqldOptions,
    checkName,
    checkNamespace,
    checkNfsServer,
    checkNfsServers,
    checkPassword,
    checkPriorityClassName,
    checkQuantity,
    checkRcloneImage,
    checkReplicaApplyThreads,
    checkReplicas,
    checkSeconds,
    checkSelectorLabels,
    checkSpread,
    checkStorageClassName,
    DEFAULT_MAX_REPLICAS,
    DEFAULT_S3_REGION,
    Measure,
    Problems,
} from "./validation";
import { BOOTSTRAP_MODES } from "./validation/replicas";
import { SPREAD_MODES } from "./validation/availability";

/** A setting's type: the program reads each with one Config getter, other languages get it as such. */
export type SettingType = "string" | "integer" | "boolean" | "string[]";

/**
 * A setting's own check, run after its type check (never on a value of the wrong type): reports each
 * problem and returns the value, refined where the builders want more than the text (a flavor's details,
 * label selectors as `matchLabels`), or undefined after reporting. `value` is null when the setting is unset
 * and has no default.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each check states its own value type; components/args.ts checks it fits the declared type
export type SettingCheck = (problems: Problems, value: any, key: string, example: any) => unknown;

/** One setting. */
export interface SettingDeclaration {
    readonly type: SettingType;
    readonly default?: string | number | boolean | readonly string[];
    /** The engine and the schema require it; the component refuses a cluster without it. */
    readonly required?: boolean;
    /** Kept a Pulumi secret; the only settings that may be Outputs (`pulumi.Input<string>`). */
    readonly secret?: boolean;
    /** The values the component accepts, where it accepts a closed set. */
    readonly enum?: readonly string[];
    /** One or two sentences: the configuration reference's, Pulumi.yaml's and the schema's text. */
    readonly description: string;
    /** MySqlClusterArgs' JSDoc (what an IDE shows on hover), where it says more than `description`. */
    readonly doc?: string;
    /** The JSDoc's `@default` where the default is not a value of the declaration (computed, generated). */
    readonly defaultDoc?: string;
    /** The JSDoc's `@see` links. */
    readonly see?: readonly string[];
    /** The value a type mistake's message suggests; the default when unset. A setting without a default needs one. */
    readonly example?: string | number | boolean | readonly string[];
    /** The setting's own check (see {@link SettingCheck}); checks that relate settings are in `relateSettings`. */
    readonly check?: SettingCheck;
    /**
     * What changing it on a deployed stack does: the change table in docs/operations.md (generated); tests/unit/changeTable.test.ts
     * computes the impact from two renders (a sample change from tests/changeImpact.ts, or unset to `example`).
     */
    readonly change?: { readonly impact: ChangeImpact; readonly what: string };
}

/** How a change of a setting reaches a deployed stack, the change table's words. */
export type ChangeImpact = "none" | "in place" | "rolling restart" | "guarded";

/** The checks of the four whole-seconds settings: each with its least value and what it bounds. */
const seconds =
    (min: number, why: string) =>
    (problems: Problems, value: number, key: string): number | undefined =>
        checkSeconds(problems, key, value, min, 86400, why);

/** A Kubernetes quantity of `measure`: the text as given, once it parses as one. */
const quantity =
    (measure: Measure) =>
    (problems: Problems, text: string, key: string, example: string): string | undefined =>
        checkQuantity(problems, key, text, measure, example) === undefined ? undefined : text;

const password = <T extends pulumi.Input<string> | null>(problems: Problems, value: T, key: string) => checkPassword(problems, key, value);
const labelSelectors = (problems: Problems, items: readonly string[], key: string) => checkLabelSelectors(problems, key, items);
const spread = (problems: Problems, value: string, key: string) => checkSpread(problems, key, value);

/** One output of MySqlCluster. */
export interface OutputDeclaration {
    readonly type: "string" | "integer";
    readonly secret?: boolean;
    /** May be unset (appPassword without appUser). */
    readonly optional?: boolean;
    readonly description: string;
}

export const SETTINGS = {
    name: {
        type: "string",
        default: "mysql",
        description: "Name of the StatefulSet and headless Service; pods are NAME-0, NAME-1, ... and the read Service is NAME-read.",
        doc: "Name of the StatefulSet and the headless Service; pods are `<name>-0`, `<name>-1`, …, the read Service is `<name>-read`. A DNS label that starts with a letter, at most 52 characters.",
        check: checkName,
        change: {
            impact: "guarded",
            what: "new volumes on the same NFS directories while the old pods run on them; to move, deploy a new stack on new paths and restore a backup",
        },
    },
    namespace: {
        type: "string",
        default: "default",
        description: "Namespace of every namespaced object; it must exist.",
        doc: "Namespace of every namespaced object. It must exist.",
        check: checkNamespace,
        change: { impact: "guarded", what: "as for `name`: two servers on one data directory" },
    },
    clusterDomain: {
        type: "string",
        default: "cluster.local",
        description: "DNS domain of the cluster, used in the FQDN outputs.",
        check: checkClusterDomain,
        change: { impact: "guarded", what: "every pod's DNS name, the certificate and the replicas' source host change at once" },
    },
    selectorLabels: {
        type: "string",
        default: "recommended",
        enum: LABEL_SCHEMES,
        description:
            "Labels of the pods and objects, recommended (app.kubernetes.io/name, instance, component, managed-by) or legacy (app=NAME, as every cluster deployed before this setting); the StatefulSet's selector cannot change in place, see docs/labels.md.",
        doc: 'The labels of the pods and of every object: "recommended" (`app.kubernetes.io/name: mysql-statefulset`, `app.kubernetes.io/instance: <name>`, `app.kubernetes.io/component`, `app.kubernetes.io/managed-by: pulumi`; the selectors match the first three) or "legacy" (`app: <name>`, which clusters deployed before this setting carry). A StatefulSet\'s selector cannot change in place: the change guard refuses to switch a deployed cluster, and docs/labels.md gives the migration.',
        see: ["https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/"],
        check: checkSelectorLabels,
        change: {
            impact: "guarded",
            what: "the StatefulSet's selector cannot change in place; a stack deployed before this setting has the legacy labels and is refused until it sets `legacy` (nothing changes) or migrates as [labels.md](labels.md) says (one rolling restart)",
        },
    },
    replicas: {
        type: "integer",
        default: 3,
        description: "Number of pods, 1 to 100. Pod 0 is the primary, the others are read replicas.",
        doc: "Number of pods: one primary (`<name>-0`) and `replicas - 1` read replicas.",
        check: checkReplicas,
        change: {
            impact: "in place",
            what: "pods are added in ordinal order (each clones the one before) or removed from the highest; volumes and claims stay, a returning pod catches up or clones again",
        },
    },
    maxReplicas: {
        type: "integer",
        description:
            "The most pods the cluster may scale to; with nfsPathPattern one PersistentVolume is made per ordinal up to it, so scaling never creates or deletes a volume. Unset, 5 (or replicas when more).",
        doc: "The most pods the cluster may scale to. With `nfsPathPattern`, one PersistentVolume is made per ordinal up to it, so scaling between 1 and `maxReplicas` never creates or deletes a volume (a volume removed and made again would collide with the retained one). With `nfsPaths`, one per path.",
        defaultDoc: "5, or `replicas` when more",
        example: DEFAULT_MAX_REPLICAS,
        change: {
            impact: "in place",
            what: "raising it adds volumes; lowering it is guarded (the removed volumes stay in the cluster and would collide when raised again)",
        },
    },
    flavor: {
        type: "string",
        default: DEFAULT_FLAVOR,
        enum: FLAVOR_NAMES,
        description: "Database flavor, mysql57 (the tutorial's MySQL 5.7), mysql84 (MySQL 8.4 LTS) or mariadb (MariaDB 11.4 LTS).",
        doc: "Database flavor: `mysql57` (the tutorial's MySQL 5.7 + XtraBackup 2.4), `mysql84` (MySQL 8.4 LTS + XtraBackup 8.4) or `mariadb` (MariaDB 11.4 LTS + mariadb-backup).",
        check: checkFlavor,
        change: { impact: "guarded", what: "another server family or series cannot read the data directory" },
    },
    image: {
        type: "string",
        description: "Image of the init-mysql and mysql containers. Default is the flavor's server image.",
        doc: "Image of the `init-mysql` and `mysql` containers.",
        defaultDoc: "the flavor's server image (`mysql:5.7`, `mysql:8.4`, `mariadb:11.4`)",
        example: FLAVORS[DEFAULT_FLAVOR].image,
        change: {
            impact: "rolling restart",
            what: "a patch release or one supported series step (MariaDB 10.11 → 11.4, MySQL 8.0 → 8.4) upgrades in place, replicas first, the primary last; any other series is guarded",
        },
    },
    backupImage: {
        type: "string",
        description: "Image of the clone-mysql and xtrabackup containers. Default is the flavor's backup image.",
        doc: "Image of the `clone-mysql` and `xtrabackup` containers.",
        defaultDoc: "the flavor's backup image (`gcr.io/google-samples/xtrabackup:1.0`, `percona/percona-xtrabackup:8.4`, `mariadb:11.4`)",
        example: FLAVORS[DEFAULT_FLAVOR].backupImage,
        change: { impact: "rolling restart", what: "the clone and backup tool of the same series" },
    },
    rootPassword: {
        type: "string",
        secret: true,
        description: "Root password (set it with --secret). Unset, a 32-character password is generated and kept in the stack.",
        doc: "Root password, kept a Pulumi secret wherever it goes. When absent, a 32-character password is generated with `@pulumi/random` and kept in the stack's state. It must not be empty or hold a newline.",
        defaultDoc: "generated",
        check: password,
        change: {
            impact: "in place",
            what: "the passwords are applied to the same Secret (a SecretPatch: an update, never a delete and create, so no pod ever misses it); each pod's sidecar sees it (kubelet updates the volume within a minute): mysql-0 runs ALTER USER, which replicates, and every pod switches its files once the new password works; probes never fail meanwhile ([security.md](security.md))",
        },
    },
    replicationPassword: {
        type: "string",
        secret: true,
        description:
            "Password of the replication user the replicas log in with (at most 32 characters on MySQL, 96 on MariaDB). Unset, one is generated.",
        doc: "Password of the `replication` user, the only account the replicas log in to the primary with (REPLICATION SLAVE only, TLS required). At most 32 characters on MySQL, 96 on MariaDB.",
        defaultDoc: "generated",
        change: {
            impact: "in place",
            what: "as `rootPassword`; each replica then points its replication at the new password (stopped for a moment) once the primary takes it",
        },
    },
    backupPassword: {
        type: "string",
        secret: true,
        description: "Password of the backup user the backup tool runs as (local connections only). Unset, one is generated.",
        doc: "Password of the `backup` user, which the backup tool runs as (local connections only).",
        defaultDoc: "generated",
        check: password,
        change: { impact: "in place", what: "as `rootPassword`" },
    },
    appDatabase: {
        type: "string",
        description: "A database for the application, created on the primary's first start. Needs appUser.",
        doc: "A database for the application, created on the primary's first start. Needs `appUser`.",
        example: "orders",
        change: { impact: "guarded", what: "made only when mysql-0 initialises an empty data directory; create it with SQL first" },
    },
    appUser: {
        type: "string",
        description: "An application user with every privilege on appDatabase and nothing else; it can write on the primary only.",
        doc: "An application user with every privilege on `appDatabase` and nothing else, from any host. It can write on the primary only: the replicas are read-only.",
        example: "orders",
        change: { impact: "guarded", what: "as for `appDatabase`: made only on the first initialisation" },
    },
    appPassword: {
        type: "string",
        secret: true,
        description: "Password of appUser. Unset, one is generated when appUser is set.",
        doc: "Password of `appUser`.",
        defaultDoc: "generated when `appUser` is set",
        check: password,
        change: { impact: "in place", what: "mysql-0 runs ALTER USER for the application's user; it replicates" },
    },
    networkPolicy: {
        type: "boolean",
        default: true,
        description:
            "NetworkPolicies for the pods (clone port from the cluster's pods only, MySQL port from them and the clients below); needs a network plugin that enforces them.",
        doc: "NetworkPolicies for the cluster's pods: the clone port only from the cluster's own pods, the MySQL port from them and from the clients below. Needs a network plugin that enforces NetworkPolicy.",
        see: ["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
        change: { impact: "in place", what: "the NetworkPolicies are created or deleted" },
    },
    clientPodLabels: {
        type: "string[]",
        default: [],
        description:
            "Pods of the namespace that may connect to MySQL, one label selector per item (app=web). With neither this nor clientNamespaceLabels, every pod of the namespace may.",
        doc: "Pods of the cluster's namespace that may connect to the MySQL port, one label selector per item (`app=web` or `app=web,tier=frontend`). With neither this nor `clientNamespaceLabels`, every pod of the namespace may.",
        example: ["app=web"],
        check: labelSelectors,
        change: { impact: "in place", what: "the MySQL port's NetworkPolicy is updated" },
    },
    clientNamespaceLabels: {
        type: "string[]",
        default: [],
        description: "Namespaces whose pods may connect to MySQL, one label selector per item (kubernetes.io/metadata.name=shop).",
        doc: "Namespaces whose pods may connect to the MySQL port, one label selector per item (`kubernetes.io/metadata.name=shop` names one namespace).",
        example: ["kubernetes.io/metadata.name=shop"],
        check: labelSelectors,
        change: { impact: "in place", what: "the MySQL port's NetworkPolicy is updated" },
    },
    requireClientTls: {
        type: "boolean",
        default: false,
        description: "Refuse client connections without TLS (require_secure_transport); replication always uses TLS.",
        doc: "Refuse client connections without TLS (`require_secure_transport`). Replication always uses TLS.",
        change: { impact: "rolling restart", what: "new my.cnf (a new ConfigMap)" },
    },
    maxReplicationLagSeconds: {
        type: "integer",
        default: 30,
        description: "A replica is Ready (in mysql-read) only while it replicates and is at most this many seconds behind the primary.",
        doc: "A replica is Ready (in the read Service) only while both replication threads run and it is at most this many seconds behind the primary; it turns Ready again by itself once it has caught up.",
        check: seconds(1, "how far behind a replica may fall and still serve reads"),
        change: { impact: "rolling restart", what: "the readiness check's bound" },
    },
    startupTimeoutSeconds: {
        type: "integer",
        default: 600,
        description: "How long a server may take to start (first initialisation, crash recovery) before it is restarted.",
        doc: "How long a server may take to start (a first initialisation, or crash recovery after a hard stop) before it is restarted: the startupProbe's bound. Liveness and readiness begin after it.",
        see: ["https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/"],
        check: seconds(10, "the time a start or crash recovery may take"),
        change: { impact: "rolling restart", what: "the startup probe" },
    },
    terminationGracePeriodSeconds: {
        type: "integer",
        default: 120,
        description: "How long a stopping pod has to shut down cleanly (flush its buffer pool) before it is killed.",
        doc: "How long a stopping pod has to shut down cleanly (flush the buffer pool) before it is killed.",
        check: seconds(10, "the time a clean shutdown may take"),
        change: { impact: "rolling restart", what: "the pods' grace period" },
    },
    cloneIdleTimeoutSeconds: {
        type: "integer",
        default: 300,
        description:
            "A clone stream that moves no data for this long is ended on both sides; the donor frees its clone slot and the receiver starts over.",
        doc: "A clone stream that moves no data for this long is ended, on both sides: the donor frees its single clone slot and the receiver starts over. It bounds a stalled receiver, a vanished peer and a backup that makes no progress.",
        check: seconds(5, "how long a clone stream may move no data"),
        change: { impact: "rolling restart", what: "the clone port's idle bound" },
    },
    replicaApplyThreads: {
        type: "integer",
        default: 4,
        description: "Transactions each replica applies at once, committed in the primary's order; 1 applies them one by one.",
        doc: "How many transactions each replica applies at once, committing them in the primary's order (MariaDB's optimistic parallel replication, MySQL's multi-threaded applier). 4 keeps up with a primary that commits for a handful of clients at once, and is MySQL 8.4's own default: the workers mostly wait on locks and the redo log, so they need no CPU request of their own. 1 applies one at a time.",
        see: [
            "https://mariadb.com/kb/en/parallel-replication/",
            "https://dev.mysql.com/doc/refman/8.4/en/replication-options-replica.html#sysvar_replica_parallel_workers",
        ],
        check: checkReplicaApplyThreads,
        change: { impact: "rolling restart", what: "new my.cnf for the replicas (a new ConfigMap)" },
    },
    bootstrap: {
        type: "string",
        default: "ordered",
        enum: BOOTSTRAP_MODES,
        description:
            "How pods start, ordered (one after another, as the tutorial) or parallel (all at once, pod k cloning from pod (k-1)/2 once it is Ready); changing it replaces the StatefulSet.",
        doc: 'How pods start: "ordered" (the tutorial\'s OrderedReady: one at a time, each cloning from the one before it, so N pods take N clone rounds) or "parallel" (podManagementPolicy Parallel: all at once, pod k cloning from pod (k-1)/2 rounded down once that donor is Ready, so about log2(N) rounds). The StatefulSet cannot change this in place: changing it on a running cluster replaces the StatefulSet.',
        see: ["https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-management-policies"],
        check: checkBootstrap,
        change: {
            impact: "rolling restart",
            what: "`podManagementPolicy` cannot change in place: the StatefulSet is replaced with an orphaning delete, the running pods are adopted and rolled one by one, no pod is deleted at once",
        },
    },
    spreadAcrossNodes: {
        type: "string",
        default: "preferred",
        enum: SPREAD_MODES,
        description: "Keep pods on different nodes, none, preferred or required.",
        doc: 'Keep the pods on different nodes: "none", "preferred" (when the scheduler can) or "required" (a pod stays Pending rather than share a node).',
        see: ["https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity"],
        check: spread,
        change: {
            impact: "rolling restart",
            what: "the pods' anti-affinity; a required spread the nodes cannot meet leaves the restarted pod Pending and halts the rollout",
        },
    },
    spreadAcrossZones: {
        type: "string",
        default: "none",
        enum: SPREAD_MODES,
        description: "Spread pods over zones (topology.kubernetes.io/zone), none, preferred or required.",
        doc: 'Spread the pods over zones (`topology.kubernetes.io/zone`): "none", "preferred" or "required".',
        see: ["https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/"],
        check: spread,
        change: { impact: "rolling restart", what: "as `spreadAcrossNodes`, over zones" },
    },
    cpuLimit: {
        type: "string",
        description: "CPU limit of the mysql container. Unset, none.",
        doc: "CPU limit of the `mysql` container; unset, none.",
        example: "2",
        change: { impact: "rolling restart", what: "the mysql container's limits" },
    },
    memoryLimit: {
        type: "string",
        description: "Memory limit of the mysql container. Unset, none; leave room above the buffer pool.",
        doc: "Memory limit of the `mysql` container; unset, none. Leave room above the buffer pool.",
        example: "2Gi",
        change: { impact: "rolling restart", what: "the mysql container's limits" },
    },
    backupCpuLimit: {
        type: "string",
        description: "CPU limit of the xtrabackup sidecar. Unset, none.",
        doc: "CPU limit of the `xtrabackup` sidecar; unset, none.",
        example: "1",
        change: { impact: "rolling restart", what: "the sidecar's limits" },
    },
    backupMemoryLimit: {
        type: "string",
        description: "Memory limit of the xtrabackup sidecar. Unset, none.",
        doc: "Memory limit of the `xtrabackup` sidecar; unset, none.",
        example: "1Gi",
        change: { impact: "rolling restart", what: "the sidecar's limits" },
    },
    priorityClassName: {
        type: "string",
        description: "PriorityClass of the pods. Unset, the cluster's default.",
        doc: "PriorityClass of the pods; unset, the cluster's default.",
        see: ["https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/"],
        example: "database-critical",
        check: checkPriorityClassName,
        change: { impact: "rolling restart", what: "the pods' priority" },
    },
    nfsServer: {
        type: "string",
        required: true,
        description:
            "Host name or IP address of the NFS server that holds the backup volume, and every data volume unless nfsServers spreads them. Required.",
        doc: "Host name or IP address of the NFS server that holds the backup volume, and every data volume unless `nfsServers` spreads them. Required.",
        example: "192.168.164.141",
        check: checkNfsServer,
        change: {
            impact: "guarded",
            what: "a volume's NFS source cannot change; the replacement would collide with the retained volume. With `nfsServers` it places only the backup volume (no backup volume: the change is free)",
        },
    },
    nfsServers: {
        type: "string[]",
        description:
            "NFS servers the data volumes are spread over: ordinal i's volume is on item i mod n (nfsPaths or nfsPathPattern give the paths), so a lost server takes only its ordinals' volumes, which re-clone from the others. Unset, every data volume is on nfsServer.",
        doc: "NFS servers the data volumes are spread over: ordinal i's volume is on item `i mod n` (its path from `nfsPaths` or `nfsPathPattern`), so a lost server takes only its ordinals' volumes, which re-clone from the others (docs/nfs.md). Each server listed once. Unset, every data volume is on `nfsServer`.",
        see: ["https://kubernetes.io/docs/concepts/storage/volumes/#nfs"],
        example: ["nfs-a.example", "nfs-b.example"],
        check: checkNfsServers,
        change: {
            impact: "guarded",
            what: "the ordinals rotate through the list, so changing it moves volumes to other servers; a volume's NFS source cannot change",
        },
    },
    nfsPaths: {
        type: "string[]",
        description:
            "Exported NFS paths, one per ordinal, in ordinal order, at least replicas of them; a PersistentVolume is made for each, so scaling never adds or removes one. Give this or nfsPathPattern.",
        doc: "Exported NFS paths, one per ordinal (the first for `<name>-0`), at least `replicas` of them; a PersistentVolume is made for each, whatever `replicas` is. Give this or `nfsPathPattern`.",
        see: ["https://kubernetes.io/docs/concepts/storage/volumes/#nfs"],
        example: ["/data/volumes/v1", "/data/volumes/v2"],
        change: { impact: "guarded", what: "changing or removing a path is guarded; appending paths for new ordinals is in place" },
    },
    nfsPathPattern: {
        type: "string",
        description: "Pattern of the NFS paths; {ordinal} becomes 0, 1, ...; {number} becomes 1, 2, .... Give this or nfsPaths.",
        doc: "Pattern of the exported NFS paths: `{ordinal}` becomes 0, 1, …; `{number}` becomes 1, 2, …. Give this or `nfsPaths`.",
        example: "/data/volumes/v{number}",
        change: { impact: "guarded", what: "it decides the paths of existing volumes too" },
    },
    volumeCapacity: {
        type: "string",
        default: "20Gi",
        description: "Capacity of each PersistentVolume.",
        check: quantity("bytes"),
        change: {
            impact: "in place",
            what: "what the volumes advertise; the NFS export's real size does not change; a bound volume's `claimRef` is left to the volume controller (`ignoreChanges`), so the volume stays bound",
        },
    },
    volumeAccessModes: {
        type: "string[]",
        default: ["ReadWriteOnce"],
        description: "Access modes of each PersistentVolume; must include ReadWriteOnce.",
        doc: "Access modes of each PersistentVolume; must include ReadWriteOnce, the mode the claims request.",
        check: checkAccessModes,
        change: { impact: "in place", what: "the volumes' modes; bound claims keep theirs; `claimRef` as for `volumeCapacity`" },
    },
    volumeMountOptions: {
        type: "string[]",
        default: ["hard", "nfsvers=4.1", "proto=tcp"],
        description:
            "NFS mount options of each PersistentVolume (the data volumes and the backup volume): hard mounts, NFSv4.1 or later, over TCP, as MySQL's manual advises for InnoDB on NFS; soft and nolock are refused.",
        doc: "NFS mount options of each PersistentVolume (the data volumes and the backup volume). `soft` (a timeout returns an error to InnoDB mid-write) and `nolock` (no lock keeps a second server off a data directory) are refused. A change updates the volumes in place; each pod mounts with it from its next start.",
        check: checkMountOptions,
        change: {
            impact: "in place",
            what: "the volumes' `mountOptions`; each pod mounts with them from its next start (`kubectl rollout restart statefulset/mysql`)",
        },
    },
    storageRequest: {
        type: "string",
        default: "10Gi",
        description: "Storage each pod's claim requests; at most volumeCapacity.",
        doc: "Storage each pod's claim requests; at most `volumeCapacity`.",
        check: quantity("bytes"),
        change: { impact: "guarded", what: "the StatefulSet is replaced (pods kept), but existing claims keep their size" },
    },
    storageClassName: {
        type: "string",
        default: "mysql-nfs",
        description: 'Storage class shared by the volumes and the claims ("" for none); no StorageClass object is needed.',
        doc: "Storage class shared by the PersistentVolumes and the claim template. Explicit, so a cluster's default StorageClass cannot capture the claims; no StorageClass object of this name is needed.",
        see: ["https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1"],
        check: checkStorageClassName,
        change: { impact: "guarded", what: "existing claims keep their class; new ordinals could not bind" },
    },
    cpuRequest: {
        type: "string",
        default: "500m",
        description: "CPU request of the mysql container.",
        doc: "CPU request of the `mysql` container.",
        check: quantity("cpu"),
        change: { impact: "rolling restart", what: "the mysql container's requests" },
    },
    memoryRequest: {
        type: "string",
        default: "500Mi",
        description: "Memory request of the mysql container.",
        doc: "Memory request of the `mysql` container.",
        check: quantity("bytes"),
        change: { impact: "rolling restart", what: "the mysql container's requests" },
    },
    backupCpuRequest: {
        type: "string",
        default: "100m",
        description: "CPU request of the xtrabackup sidecar.",
        doc: "CPU request of the `xtrabackup` sidecar.",
        check: quantity("cpu"),
        change: { impact: "rolling restart", what: "the sidecar's and the backup Job's requests" },
    },
    backupMemoryRequest: {
        type: "string",
        default: "100Mi",
        description: "Memory request of the xtrabackup sidecar.",
        doc: "Memory request of the `xtrabackup` sidecar.",
        check: quantity("bytes"),
        change: { impact: "rolling restart", what: "the sidecar's and the backup Job's requests" },
    },
    mysqldOptions: {
        type: "string[]",
        default: [],
        description:
            "Extra my.cnf settings for every pod, one option or option=value per item (not server-id, log-bin, read-only, super-read-only).",
        doc: "Extra my.cnf settings for every pod, one `option` or `option=value` per item, written under `[mysqld]` after the component's own. `server-id`, `log-bin`, `read-only` and `super-read-only` are managed per pod and cannot be set here, nor can `gtid-mode`, `enforce-gtid-consistency`, `port`, `datadir`, `skip-networking`, `skip-grant-tables` or a local `bind-address`, however spelt.",
        see: ["https://dev.mysql.com/doc/refman/8.4/en/option-modifiers.html"],
        example: ["max_connections=500"],
        check: checkMysqldOptions,
        change: {
            impact: "rolling restart",
            what: "new my.cnf (a new ConfigMap); a bad option halts the rollout at the first pod, the others keep serving",
        },
    },
    backupSchedule: {
        type: "string",
        description:
            'When to take a backup, as a CronJob schedule ("0 3 * * *"); unset, no backups. Each is a prepared hot backup of the highest-ordinal replica over the clone stream. Needs backupNfsPath or backupS3Bucket.',
        doc: 'When to take a backup, as a CronJob schedule (`"0 3 * * *"`, `"@daily"`); unset, no backups are taken. Each backup is a consistent hot backup of the highest-ordinal replica (mysql-0 only when `replicas` is 1), streamed over the clone port with the cluster\'s client certificate, prepared, and kept on the backup volume with its binlog/GTID position and checksums. Needs `backupNfsPath`.',
        see: ["https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax"],
        example: "0 3 * * *",
        check: checkBackupSchedule,
        change: { impact: "in place", what: "the CronJob's schedule" },
    },
    backupRetention: {
        type: "integer",
        default: 7,
        description: "How many good backups to keep; a failed or partial backup never replaces or removes a good one.",
        doc: "How many good backups to keep; older ones are deleted after each new good one. A failed or partial backup never replaces a good one.",
        check: checkBackupRetention,
        change: { impact: "in place", what: "the CronJob's pruning" },
    },
    backupNfsPath: {
        type: "string",
        description: "NFS export on nfsServer that holds the backups, outside every data path. Needed by backupSchedule and restoreFrom.",
        doc: "The NFS export on `nfsServer` that holds the backups, a directory of its own (not inside a pod's data path). Needed by `backupSchedule` and `restoreFrom`; with it, the backup PersistentVolume and claim exist.",
        see: ["https://kubernetes.io/docs/concepts/storage/volumes/#nfs"],
        example: "/data/backups/mysql",
        change: { impact: "guarded", what: "the backup volume's NFS source cannot change" },
    },
    backupVolumeCapacity: {
        type: "string",
        default: "50Gi",
        description: "Capacity of the backup PersistentVolume (room for backupRetention + 1 backups).",
        doc: "Capacity of the backup PersistentVolume (room for `backupRetention` + 1 prepared backups).",
        check: quantity("bytes"),
        change: { impact: "guarded", what: "a claim bound to a static NFS volume cannot be resized" },
    },
    restoreFrom: {
        type: "string",
        description:
            "A backup's name (20250101T030000Z), on the backup volume or in the bucket, that mysql-0 starts from when its data is empty, or a UTC time (2026-12-07T14:05:00Z): the newest backup before it plus the shipped binlogs up to it; needs the old cluster's passwords.",
        doc: 'The backup (its directory name on the backup volume, e.g. `"20250101T030000Z"`) that mysql-0 starts from when its data directory is empty; replicas then clone from mysql-0 as usual. The restored data keeps the old cluster\'s accounts: `rootPassword`, `replicationPassword`, `backupPassword` (and `appPassword` with `appUser`) must be set to the old cluster\'s values. With `backupS3Bucket`, a backup that is not on the backup volume is downloaded from the bucket. A UTC time (`"2026-12-07T14:05:00Z"`, flavor mariadb or mysql84, with `backupS3Bucket`) restores the newest backup in the bucket that finished before it, then replays the shipped binlogs up to it in the `replay-binlogs` init container, on the server\'s image, before anything is moved into place (docs/backups.md).',
        example: "20250101T030000Z",
        change: {
            impact: "rolling restart",
            what: "mysql-0 restores only into an empty data directory: a live cluster's data is untouched; a time adds the replay-binlogs init container to every pod",
        },
    },
    backupS3Bucket: {
        type: "string",
        description:
            "S3-compatible bucket (AWS S3, MinIO, Ceph RGW, GCS interop) that backups are uploaded to and restoreFrom reads from, beside or instead of backupNfsPath. Needs backupS3CredentialsSecret.",
        doc: "An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, GCS in interoperability mode) that each backup is uploaded to with rclone, beside or instead of `backupNfsPath`, with the same manifest, checksums and retention; `restoreFrom` reads it. A backup counts only once its MANIFEST, uploaded last, is there. Needs `backupS3CredentialsSecret`.",
        see: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"],
        example: "backups",
        change: {
            impact: "rolling restart",
            what: "the backup Job's uploads; with flavor mariadb or mysql84 the binlog-ship container (and rclone) joins every pod ([backups.md](backups.md))",
        },
    },
    backupS3Prefix: {
        type: "string",
        description: "Key prefix of the backups in backupS3Bucket, e.g. prod/mysql. Unset, NAMESPACE/NAME of the cluster.",
        doc: "The key prefix of the backups in `backupS3Bucket` (`prod/mysql`): backup NAME's objects are `PREFIX/NAME/...`.",
        defaultDoc: '"NAMESPACE/NAME" of the cluster',
        example: "prod/mysql",
        change: {
            impact: "rolling restart",
            what: "where the backup Job uploads and, with flavor mariadb, where the binlog-ship container ships",
        },
    },
    backupS3Endpoint: {
        type: "string",
        description: "URL of the S3-compatible endpoint (https://minio.example:9000). Unset, AWS S3 in backupS3Region.",
        doc: "The URL of the S3-compatible endpoint, e.g. `https://minio.example:9000`; unset, AWS S3.",
        see: ["https://rclone.org/s3/#s3-endpoint"],
        example: "https://minio.example:9000",
        change: {
            impact: "rolling restart",
            what: "where the backup Job uploads and, with flavor mariadb, where the binlog-ship container ships",
        },
    },
    backupS3Region: {
        type: "string",
        description: "Region of backupS3Bucket, signed into every request. Unset, us-east-1.",
        doc: "The bucket's region, signed into every request (S3-compatible servers that have no regions expect `us-east-1`).",
        defaultDoc: "AWS's first region, `us-east-1`",
        example: DEFAULT_S3_REGION,
        change: {
            impact: "rolling restart",
            what: "where the backup Job uploads and, with flavor mariadb, where the binlog-ship container ships",
        },
    },
    backupS3CredentialsSecret: {
        type: "string",
        description:
            "Name of a Secret in the namespace with keys access-key-id and secret-access-key, the bucket's credentials; never a plain value.",
        doc: "The name of a Secret in `namespace` holding the bucket's credentials under the keys `access-key-id` and `secret-access-key`. The component only mounts it: the keys are never settings or stack values.",
        see: ["https://kubernetes.io/docs/concepts/configuration/secret/"],
        example: "mysql-backup-s3",
        change: {
            impact: "rolling restart",
            what: "the Secret the backup Job and, with flavor mariadb, the binlog-ship container mount",
        },
    },
    binlogShipIntervalSeconds: {
        type: "integer",
        description:
            "With backupS3Bucket (flavor mariadb or mysql84): how often mysql-0's binlogs are shipped to the bucket, 5 to 3600; the recovery point of a restore to a time is at most two intervals old. Unset, 60 (docs/backups.md).",
        doc: "With `backupS3Bucket`: how often (seconds, 5 to 3600) mysql-0's closed binlogs, and the open one when it has new transactions (rotated first), are shipped to `PREFIX/binlogs/TIMELINE/`, which a restore to a time (`restoreFrom: \"2026-12-07T14:05:00Z\"`) replays. Flavors mariadb and mysql84 (mysql57 refuses it); mysql84's path is checked by render and stand-ins only (no MySQL server can be installed where the tests run) (docs/backups.md).",
        defaultDoc: "60 with `backupS3Bucket`",
        example: 60,
        change: { impact: "rolling restart", what: "the binlog-ship container's interval ([backups.md](backups.md))" },
    },
    rcloneImage: {
        type: "string",
        default: "rclone/rclone:1.76.0",
        description: "Image that provides rclone, the tool that uploads backups to backupS3Bucket and downloads them for a restore.",
        doc: "The image the rclone binary is copied from (an init container), for the containers that upload or download backups.",
        check: checkRcloneImage,
        change: {
            impact: "rolling restart",
            what: "the rclone init container of the backup Job and, with flavor mariadb or mysql84, of every pod",
        },
    },
    metrics: {
        type: "boolean",
        default: false,
        description:
            "A mysqld_exporter sidecar in every pod (port 9104, named metrics) with its own least-privilege account, prometheus.io annotations, a NetworkPolicy rule for metricsNamespace, and a Grafana dashboard ConfigMap (docs/metrics.md).",
        doc: 'A `mysqld_exporter` sidecar (the upstream image) in every pod, on port 9104 named `metrics`, logging in with its own account (PROCESS, REPLICATION CLIENT or its MariaDB names, SELECT on performance_schema; its password a generated Secret file, never an argument); the pods carry the `prometheus.io/*` annotations, the NetworkPolicy admits `metricsNamespace`, and a ConfigMap holds a Grafana dashboard (label `grafana_dashboard: "1"`). See docs/metrics.md.',
        see: ["https://github.com/prometheus/mysqld_exporter"],
        change: {
            impact: "rolling restart",
            what: "the exporter and metrics-account containers join every pod; the exporter's Secret, its NetworkPolicy and the dashboard's ConfigMap are created ([metrics.md](metrics.md))",
        },
    },
    metricsNamespace: {
        type: "string",
        default: "monitoring",
        description: "The namespace of the Prometheus that scrapes the exporters: the metrics port's NetworkPolicy admits its pods.",
        doc: "The namespace of the Prometheus that scrapes the exporters: the metrics port's NetworkPolicy admits every pod of it.",
        change: { impact: "in place", what: "the metrics port's NetworkPolicy is updated" },
    },
    monitoringCrds: {
        type: "boolean",
        default: false,
        description:
            "The cluster has the Prometheus Operator's CRDs: make a PodMonitor and a PrometheusRule with the cluster's alerts. Needs metrics.",
        doc: "The cluster has the Prometheus Operator's CRDs (`monitoring.coreos.com/v1`): make a PodMonitor for the exporters and a PrometheusRule with the cluster's alerts. Needs `metrics`. Off, nothing depends on those CRDs, so a cluster without them deploys.",
        see: ["https://prometheus-operator.dev/docs/api-reference/api/"],
        change: { impact: "in place", what: "the PodMonitor and the PrometheusRule are created or deleted" },
    },
    allowDestructiveChanges: {
        type: "string[]",
        default: [],
        description:
            "Settings whose guarded change (see the change table in docs/operations.md) this run may make, e.g. [storageRequest]; remove them after the run.",
        doc: 'Settings whose guarded change this run may make (see the change table in docs/operations.md), e.g. `["storageRequest"]`. Without them a guarded change fails the preview, before anything is touched. Remove them after the run.',
        example: ["storageRequest"],
        check: checkAllowedChanges,
        change: { impact: "none", what: "only the guard's state" },
    },
} as const satisfies Record<string, SettingDeclaration>;

/** The names of the settings, in their declared order. */
export type SettingName = keyof typeof SETTINGS;

/** The TypeScript type of each declared type; lists are `readonly` so that `[...] as const` fits. */
export interface TypeOfSetting {
    string: string;
    integer: number;
    boolean: boolean;
    "string[]": readonly string[];
}

/**
 * The value a setting takes in TypeScript, from its declaration: the literal union of its values where it has a
 * closed set (`"ordered" | "parallel"`), else its type. MySqlClusterArgs' fields are written with it.
 */
export type SettingValue<K extends SettingName> = (typeof SETTINGS)[K] extends { readonly enum: readonly (infer E)[] }
    ? E
    : TypeOfSetting[(typeof SETTINGS)[K]["type"]];

/** The settings declared `required`: MySqlClusterArgs must have exactly these without `?`. */
export type RequiredSettingName = { [K in SettingName]: (typeof SETTINGS)[K] extends { readonly required: true } ? K : never }[SettingName];

/** The settings that have a default. */
export type WithDefault = { [K in SettingName]: (typeof SETTINGS)[K] extends { readonly default: unknown } ? K : never }[SettingName];

/** The default of each setting that has one, from the declaration above. */
export const DEFAULTS = Object.fromEntries(
    Object.entries(SETTINGS as Record<string, SettingDeclaration>).flatMap(([key, s]) =>
        s.default === undefined ? [] : [[key, s.default]],
    ),
) as { readonly [K in WithDefault]: (typeof SETTINGS)[K]["default"] };

/** What a MySqlCluster returns, in the order the class declares them. */
export const OUTPUTS = {
    primaryHost: { type: "string", description: "The primary's name inside the namespace, e.g. `mysql-0.mysql`: connect here to write." },
    primaryFqdn: { type: "string", description: "The primary's fully qualified name, e.g. `mysql-0.mysql.default.svc.cluster.local`." },
    readEndpoint: { type: "string", description: "`host:port` of the read Service, balancing over every Ready pod." },
    port: { type: "integer", description: "The MySQL port of every pod and Service." },
    namespace: { type: "string", description: "The namespace of the namespaced objects." },
    secretName: {
        type: "string",
        description: "The Secret holding the passwords (keys `root-password`, `replication-password`, `backup-password`, `app-password`).",
    },
    tlsSecretName: {
        type: "string",
        description: "The Secret holding the cluster's CA certificate (`ca.crt`), for clients that verify the server.",
    },
    caCertificate: {
        type: "string",
        description: "The cluster's CA certificate (PEM): clients verify the servers' certificates against it.",
    },
    rootPassword: { type: "string", secret: true, description: "The root password, as a Pulumi secret." },
    appPassword: {
        type: "string",
        secret: true,
        optional: true,
        description: "The application user's password, as a Pulumi secret (when `appUser` is set).",
    },
} as const satisfies Record<string, OutputDeclaration>;
