// resolveArgs: the defaults, and the exact message for every mistake a user can make in the settings.
import * as assert from "assert";
import { DEFAULTS, FLAVORS, MySqlClusterArgs, resolveArgs, SETTINGS } from "../../components";
import { BASE_ARGS, unchecked, UncheckedArgs } from "../helpers";

/** The problems resolveArgs reports for these settings (on top of the valid base). */
function problems(args: UncheckedArgs): readonly string[] {
    try {
        resolveArgs(unchecked({ ...BASE_ARGS, ...args }));
    } catch (error: any) {
        assert.strictEqual(error.name, "MySqlClusterArgsError");
        assert.strictEqual(error.message, `Invalid MySqlCluster settings:\n${error.problems.map((p: string) => `  - ${p}`).join("\n")}`);
        return error.problems;
    }
    assert.fail("resolveArgs accepted the settings");
}

describe("resolveArgs", () => {
    it("fills in the tutorial's defaults", () => {
        const resolved: Record<string, unknown> = resolveArgs(BASE_ARGS);
        const tutorial: Record<string, unknown> = {
            name: "mysql",
            namespace: "default",
            clusterDomain: "cluster.local",
            replicas: 3,
            maxReplicas: 5,
            flavor: FLAVORS.mysql57,
            image: "mysql:5.7",
            backupImage: "gcr.io/google-samples/xtrabackup:1.0",
            rootPassword: undefined,
            replicationPassword: undefined,
            backupPassword: undefined,
            appDatabase: undefined,
            appUser: undefined,
            appPassword: undefined,
            networkPolicy: true,
            clientPodLabels: [],
            clientNamespaceLabels: [],
            requireClientTls: false,
            maxReplicationLagSeconds: 30,
            startupTimeoutSeconds: 600,
            terminationGracePeriodSeconds: 120,
            cloneIdleTimeoutSeconds: 300,
            replicaApplyThreads: 4,
            bootstrap: "ordered",
            selectorLabels: "recommended",
            spreadAcrossNodes: "preferred",
            spreadAcrossZones: "none",
            cpuLimit: undefined,
            memoryLimit: undefined,
            backupCpuLimit: undefined,
            backupMemoryLimit: undefined,
            priorityClassName: undefined,
            nfsServer: "10.0.0.5",
            nfsServers: undefined,
            nfsPaths: ["/exports/mysql-0", "/exports/mysql-1", "/exports/mysql-2", "/exports/mysql-3", "/exports/mysql-4"],
            volumeServers: ["10.0.0.5", "10.0.0.5", "10.0.0.5", "10.0.0.5", "10.0.0.5"],
            nfsPathPattern: "/exports/mysql-{ordinal}",
            volumeCapacity: "20Gi",
            volumeMountOptions: ["hard", "nfsvers=4.1", "proto=tcp"],
            volumeAccessModes: ["ReadWriteOnce"],
            storageRequest: "10Gi",
            storageClassName: "mysql-nfs",
            cpuRequest: "500m",
            memoryRequest: "500Mi",
            backupCpuRequest: "100m",
            backupMemoryRequest: "100Mi",
            mysqldOptions: [],
            backupSchedule: undefined,
            backupRetention: 7,
            backupNfsPath: undefined,
            backupVolumeCapacity: "50Gi",
            restoreFrom: undefined,
            objectStore: undefined,
            rcloneImage: "rclone/rclone:1.76.0",
            metrics: false,
            metricsNamespace: "monitoring",
            monitoringCrds: false,
            allowDestructiveChanges: [],
            port: 3306,
        };
        // A setting added since is unset or its declared default (tests/unit/docs.test.ts checks every default).
        const added = Object.keys(resolved).filter((key) => !(key in tutorial));
        assert.deepStrictEqual(
            Object.fromEntries(added.map((key) => [key, resolved[key]])),
            Object.fromEntries(added.map((key) => [key, key in SETTINGS ? (DEFAULTS as Record<string, unknown>)[key] : "(not a setting)"])),
        );
        assert.deepStrictEqual(Object.fromEntries(Object.keys(tutorial).map((key) => [key, resolved[key]])), tutorial);
        assert.strictEqual(DEFAULTS.flavor, "mysql57");
    });

    it("takes the flavor's images unless images are given", () => {
        assert.deepStrictEqual(
            (["mysql57", "mysql84", "mariadb"] as const).map((flavor) => {
                const r = resolveArgs({ ...BASE_ARGS, flavor });
                return [r.image, r.backupImage];
            }),
            [
                ["mysql:5.7", "gcr.io/google-samples/xtrabackup:1.0"],
                ["mysql:8.4", "percona/percona-xtrabackup:8.4"],
                ["mariadb:11.4", "mariadb:11.4"],
            ],
        );
        const custom = resolveArgs({ ...BASE_ARGS, image: "r.local/mysql:5.7.44", backupImage: "r.local/percona-xtrabackup:2.4.29" });
        assert.deepStrictEqual([custom.image, custom.backupImage], ["r.local/mysql:5.7.44", "r.local/percona-xtrabackup:2.4.29"]);
    });

    it("accepts a custom image of the flavor's family: any registry, tag or digest of the same repository name", () => {
        const accepted: Array<[Partial<MySqlClusterArgs>, string, string]> = [
            [{ flavor: "mysql57" }, "registry.example.com:5000/mirror/mysql:5.7.44-oracle", "localhost/xtrabackup:custom"],
            [{ flavor: "mysql57" }, "percona/percona-server:5.7", "percona/percona-xtrabackup:2.4"],
            [{ flavor: "mysql84" }, "container-registry.oracle.com/mysql/mysql-server:8.4", "percona/percona-xtrabackup:8.4.0-1"],
            [{ flavor: "mysql84" }, `mysql@sha256:${"a".repeat(64)}`, "[fd00::1]:5000/percona-xtrabackup:8.4"],
            [{ flavor: "mariadb" }, "mariadb:10.11", "quay.io/mariadb-foundation/mariadb:11"],
            [{ flavor: "mariadb" }, "mariadb:lts", `mariadb:11.4@sha256:${"0".repeat(64)}`],
        ];
        for (const [flavor, image, backupImage] of accepted) {
            const resolved = resolveArgs({ ...BASE_ARGS, ...flavor, image, backupImage });
            assert.deepStrictEqual([resolved.image, resolved.backupImage], [image, backupImage]);
        }
    });

    it("refuses an image of another flavor's family, naming both settings", () => {
        assert.deepStrictEqual(problems({ flavor: "mariadb", image: "mysql:8.4" }), [
            '`image` is "mysql:8.4", which is not a MariaDB (10 or later) image, the kind `flavor` "mariadb" runs (it belongs to `flavor` "mysql84"): use a MariaDB (10 or later) image such as "mariadb:11.4" (any registry, same repository name), leave `image` unset for the flavor\'s default, or set `flavor` to match the image.',
        ]);
        assert.deepStrictEqual(problems({ flavor: "mysql84", backupImage: "gcr.io/google-samples/xtrabackup:1.0" }), [
            '`backupImage` is "gcr.io/google-samples/xtrabackup:1.0", which is not a Percona XtraBackup 8.4 image, the kind `flavor` "mysql84" runs (it belongs to `flavor` "mysql57"): use a Percona XtraBackup 8.4 image such as "percona/percona-xtrabackup:8.4" (any registry, same repository name), leave `backupImage` unset for the flavor\'s default, or set `flavor` to match the image.',
        ]);
        assert.deepStrictEqual(problems({ flavor: "mysql57", image: "mysql:8.0" }), [
            '`image` is "mysql:8.0", which is not a MySQL 5.7 server image, the kind `flavor` "mysql57" runs: use a MySQL 5.7 server image such as "mysql:5.7" (any registry, same repository name), leave `image` unset for the flavor\'s default, or set `flavor` to match the image.',
        ]);
        assert.deepStrictEqual(problems({ flavor: "mysql57", backupImage: "mariadb:11.4" }).length, 1);
        assert.deepStrictEqual(problems({ flavor: "mysql84", image: "mysql:5.7" }).length, 1);
        assert.deepStrictEqual(problems({ flavor: "mysql84", backupImage: "percona/percona-xtrabackup:2.4" }).length, 1);
        assert.deepStrictEqual(problems({ flavor: "mariadb", backupImage: "percona/percona-xtrabackup:8.4" }).length, 1);
        assert.deepStrictEqual(problems({ flavor: "mariadb", image: "mariadb:5.5" }).length, 1);
    });

    it("expands {ordinal} and {number} in nfsPathPattern up to maxReplicas, and takes every path of nfsPaths, whatever `replicas`", () => {
        const pattern = (extra: Partial<MySqlClusterArgs>) =>
            resolveArgs({ nfsServer: "nfs", nfsPathPattern: "/v/{number}/o{ordinal}", ...extra }).nfsPaths;
        const five = ["/v/1/o0", "/v/2/o1", "/v/3/o2", "/v/4/o3", "/v/5/o4"];
        // One volume per ordinal up to maxReplicas (5 unless replicas is more): scaling never adds or removes one.
        assert.deepStrictEqual(pattern({ replicas: 2 }), five);
        assert.deepStrictEqual(pattern({ replicas: 5 }), five);
        assert.deepStrictEqual(pattern({ replicas: 2, maxReplicas: 3 }), five.slice(0, 3));
        assert.strictEqual(pattern({ replicas: 7 }).length, 7);
        assert.deepStrictEqual(resolveArgs({ nfsServer: "nfs", nfsPaths: ["/a", "/b", "/c"], replicas: 2 }).nfsPaths, ["/a", "/b", "/c"]);
        assert.throws(
            () => resolveArgs({ nfsServer: "nfs", nfsPathPattern: "/v/{ordinal}", replicas: 4, maxReplicas: 3 }),
            /`maxReplicas` is 3 but `replicas` is 4: raise `maxReplicas` to at least 4 \(one PersistentVolume is made per ordinal up to it\), or lower `replicas`\./,
        );
    });

    it("rotates the volumes over nfsServers (ordinal i on item i mod n), with nfsPathPattern or nfsPaths", () => {
        const servers = (extra: Partial<MySqlClusterArgs>) => resolveArgs({ nfsServer: "nfs", ...extra }).volumeServers;
        assert.deepStrictEqual(servers({ nfsPathPattern: "/v/{ordinal}", nfsServers: ["a", "b"] }), ["a", "b", "a", "b", "a"]);
        assert.deepStrictEqual(servers({ nfsPathPattern: "/v/{ordinal}", nfsServers: ["a", "b", "c"], maxReplicas: 3 }), ["a", "b", "c"]);
        assert.deepStrictEqual(servers({ nfsPaths: ["/a", "/b", "/c", "/d"], nfsServers: ["x", "y", "z"] }), ["x", "y", "z", "x"]);
        assert.deepStrictEqual(servers({ nfsPaths: ["/a", "/b", "/c"] }), ["nfs", "nfs", "nfs"]);
        // One server listed: the data volumes elsewhere than the backups.
        assert.deepStrictEqual(servers({ nfsPaths: ["/a", "/b", "/c"], nfsServers: ["data"] }), ["data", "data", "data"]);
    });

    const cases: Array<[string, UncheckedArgs, string]> = [
        [
            "name",
            { name: "My_DB" },
            '`name` is "My_DB": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
        ],
        [
            "name too long",
            { name: "a".repeat(53) },
            `\`name\` is "${"a".repeat(53)}": use a DNS label of at most 52 characters (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".`,
        ],
        [
            "namespace",
            { namespace: "Prod" },
            '`namespace` is "Prod": use the name of an existing namespace, a DNS label of at most 63 characters, e.g. "default".',
        ],
        [
            "clusterDomain",
            { clusterDomain: "cluster..local" },
            '`clusterDomain` is "cluster..local": use the cluster\'s DNS domain, e.g. "cluster.local".',
        ],
        [
            "replicas zero",
            { replicas: 0 },
            "`replicas` is 0: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
        ],
        [
            "replicas fraction",
            { replicas: 2.5 },
            "`replicas` is 2.5: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
        ],
        ["flavor", { flavor: "postgres" }, '`flavor` is "postgres": use one of "mysql57", "mysql84", "mariadb".'],
        ...["mysql 5.7", "Mysql:5.7", "https://mysql:5.7", "mysql:5.7:8", "mysql@sha256:abc", "mysql:", "/mysql", "mysql//x"].map(
            (image): [string, UncheckedArgs, string] => [
                `image ${JSON.stringify(image)}`,
                { image },
                `\`image\` is ${JSON.stringify(image)}: not an image reference; write [registry/]repository[:tag][@digest] with a lower-case repository and at most one tag, e.g. "mysql:5.7", or leave it unset for the flavor's default.`,
            ],
        ),
        [
            "backupImage",
            { backupImage: "" },
            '`backupImage` is "": not an image reference; write [registry/]repository[:tag][@digest] with a lower-case repository and at most one tag, e.g. "gcr.io/google-samples/xtrabackup:1.0", or leave it unset for the flavor\'s default.',
        ],
        ["rootPassword empty", { rootPassword: "" }, "`rootPassword` is empty: set a non-empty secret, or unset it to have one generated."],
        [
            "maxReplicationLagSeconds zero",
            { maxReplicationLagSeconds: 0 },
            "`maxReplicationLagSeconds` is 0: use a whole number of seconds from 1 to 86400 (how far behind a replica may fall and still serve reads).",
        ],
        [
            "startupTimeoutSeconds fraction",
            { startupTimeoutSeconds: 90.5 },
            "`startupTimeoutSeconds` is 90.5: use a whole number of seconds from 10 to 86400 (the time a start or crash recovery may take).",
        ],
        [
            "spreadAcrossNodes",
            { spreadAcrossNodes: "always" },
            '`spreadAcrossNodes` is "always": use one of "none", "preferred", "required".',
        ],
        [
            "memoryLimit below its request",
            { memoryLimit: "256Mi" },
            '`memoryLimit` is "256Mi", less than `memoryRequest` "500Mi": the API server refuses a limit below its request; raise `memoryLimit` or lower `memoryRequest`.',
        ],
        [
            "cpuLimit in bytes",
            { cpuLimit: "1Gi" },
            '`cpuLimit` is "1Gi": "Gi" is a unit of bytes: write CPUs as cores ("0.5", "2") or millicores ("500m"), e.g. "2".',
        ],
        [
            "priorityClassName",
            { priorityClassName: "Critical" },
            '`priorityClassName` is "Critical": use the name of a PriorityClass (a DNS subdomain), e.g. "database-critical".',
        ],
        [
            "backupPassword empty",
            { backupPassword: "" },
            "`backupPassword` is empty: set a non-empty secret, or unset it to have one generated.",
        ],
        [
            "appPassword newline",
            { appDatabase: "shop", appUser: "app", appPassword: "a\rb" },
            "`appPassword` contains a line break, which no MySQL client can read from an option file: choose another.",
        ],
        [
            "replicationPassword too long for MySQL",
            { flavor: "mysql84", replicationPassword: "p".repeat(33) },
            '`replicationPassword` has 33 characters: `flavor` "mysql84" accepts at most 32 in a replication password; choose a shorter one, or unset it to have one of 32 generated.',
        ],
        [
            "replicationPassword too long for MariaDB",
            { flavor: "mariadb", replicationPassword: "p".repeat(97) },
            '`replicationPassword` has 97 characters: `flavor` "mariadb" accepts at most 96 in a replication password; choose a shorter one, or unset it to have one of 32 generated.',
        ],
        [
            "appDatabase alone",
            { appDatabase: "shop" },
            "`appDatabase` and `appUser` go together (`appDatabase` is set alone): set both for an application database and its user, or neither.",
        ],
        [
            "appUser alone",
            { appUser: "app" },
            "`appDatabase` and `appUser` go together (`appUser` is set alone): set both for an application database and its user, or neither.",
        ],
        [
            "appDatabase name",
            { appDatabase: "my-shop", appUser: "app" },
            "`appDatabase` is \"my-shop\": use 1 to 64 letters, digits, '_' or '$', e.g. \"orders\".",
        ],
        [
            "appUser a managed account",
            { appDatabase: "shop", appUser: "Replication" },
            '`appUser` is "Replication": use 1 to 32 letters, digits, \'_\', \'$\', \'.\' or \'-\', other than "root", "replication", "backup", "healthcheck", "mysql.sys", "mysql.session", "mysql.infoschema", "mariadb.sys", e.g. "orders".',
        ],
        [
            "appPassword without appUser",
            { appPassword: "pw" },
            "`appPassword` is set without `appUser`: set `appUser` (and `appDatabase`), or remove `appPassword`.",
        ],
        [
            "selectorLabels not a scheme",
            { selectorLabels: "app" },
            '`selectorLabels` is "app": use "recommended" (the app.kubernetes.io/* labels, for a new cluster) or "legacy" (app=<name>, for a cluster deployed before this setting; see docs/labels.md).',
        ],
        [
            "networkPolicy not a boolean",
            { networkPolicy: "yes" as unknown as boolean },
            '`networkPolicy` is "yes", a string: pass true or false, e.g. true.',
        ],
        [
            "clientPodLabels not a selector",
            { clientPodLabels: ["app"] },
            '`clientPodLabels` has "app": write one label selector per item as key=value[,key=value], e.g. "app=web" or "kubernetes.io/metadata.name=shop".',
        ],
        [
            "clientNamespaceLabels with a bad value",
            { clientNamespaceLabels: ["team=front end"] },
            '`clientNamespaceLabels` has "team=front end": write one label selector per item as key=value[,key=value], e.g. "app=web" or "kubernetes.io/metadata.name=shop".',
        ],
        [
            "rootPassword newline",
            { rootPassword: "a\nb" },
            "`rootPassword` contains a line break, which no MySQL client can read from an option file: choose another.",
        ],
        [
            "nfsServer missing",
            { nfsServer: undefined },
            "`nfsServer` is not set: give the host name or IP address of the NFS server that exports the volumes.",
        ],
        [
            "nfsServer bad",
            { nfsServer: "nfs server" },
            '`nfsServer` is "nfs server": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
        ],
        ["both path settings", { nfsPaths: ["/a", "/b", "/c"] }, "Only one of `nfsPaths` or `nfsPathPattern` can be set: remove one."],
        [
            "no path setting",
            { nfsPathPattern: undefined },
            'Neither `nfsPaths` nor `nfsPathPattern` is set: give one NFS path per pod, e.g. `nfsPathPattern: "/data/volumes/v{number}"`.',
        ],
        [
            "pattern without placeholder",
            { nfsPathPattern: "/data/v1" },
            '`nfsPathPattern` is "/data/v1": use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
        ],
        [
            "relative pattern",
            { nfsPathPattern: "data/v{number}" },
            '`nfsPathPattern` is "data/v{number}": use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
        ],
        [
            "too few paths",
            { nfsPathPattern: undefined, nfsPaths: ["/v1", "/v2"] },
            "`nfsPaths` has 2 path(s) for 3 replicas: add 1 more, or lower `replicas`.",
        ],
        [
            "relative path",
            { nfsPathPattern: undefined, nfsPaths: ["/v1", "v2", "/v3"] },
            '`nfsPaths` has "v2": every path must be absolute, e.g. "/data/volumes/v1".',
        ],
        [
            "repeated path",
            { nfsPathPattern: undefined, nfsPaths: ["/v1", "/v1", "/v3"] },
            '`nfsPaths` lists "/v1" more than once: each pod needs a path of its own, or two servers would share one data directory.',
        ],
        [
            "volumeCapacity",
            { volumeCapacity: "20 GB" },
            '`volumeCapacity` is "20 GB": use a Kubernetes quantity, e.g. "20Gi" (Kubernetes writes no "B": "20G" is 20 GB, "20Gi" is 20 GiB).',
        ],
        ["storageRequest", { storageRequest: "ten" }, '`storageRequest` is "ten": use a Kubernetes quantity, e.g. "10Gi".'],
        [
            "claim larger than volume",
            { storageRequest: "30Gi" },
            '`storageRequest` is "30Gi", more than `volumeCapacity` "20Gi": no volume could satisfy the claims; lower `storageRequest` or raise `volumeCapacity`.',
        ],
        [
            "unknown access mode",
            { volumeAccessModes: ["ReadWriteOnce", "RWX"] },
            '`volumeAccessModes` has "RWX": use only "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod".',
        ],
        [
            "no ReadWriteOnce",
            { volumeAccessModes: ["ReadWriteMany"] },
            '`volumeAccessModes` is ["ReadWriteMany"]: include "ReadWriteOnce", the mode each pod\'s claim requests, or the claims never bind.',
        ],
        [
            "storageClassName",
            { storageClassName: "NFS_Class" },
            '`storageClassName` is "NFS_Class": use a DNS subdomain of at most 253 characters such as "mysql-nfs", or "" for volumes and claims without a class.',
        ],
        ["cpuRequest", { cpuRequest: "half" }, '`cpuRequest` is "half": use a Kubernetes quantity, e.g. "500m".'],
        ["memoryRequest", { memoryRequest: "1 Gi" }, '`memoryRequest` is "1 Gi": use a Kubernetes quantity, e.g. "500Mi".'],
        ["backupCpuRequest", { backupCpuRequest: "-" }, '`backupCpuRequest` is "-": use a Kubernetes quantity, e.g. "100m".'],
        [
            "backupMemoryRequest",
            { backupMemoryRequest: "lots" },
            '`backupMemoryRequest` is "lots": use a Kubernetes quantity, e.g. "100Mi".',
        ],
        [
            "mysqldOptions syntax",
            { mysqldOptions: ["[mysqld]"] },
            '`mysqldOptions` has "[mysqld]": write one `option` or `option=value` per item, e.g. "max_connections=500".',
        ],
        [
            "mysqldOptions managed",
            { mysqldOptions: ["server_id=7"] },
            '`mysqldOptions` has "server_id=7": `server_id` is set per pod by the component (primary or replica); remove it.',
        ],
    ];
    for (const [what, args, message] of cases) {
        it(`rejects a wrong ${what} with a message naming the setting, the value and the fix`, () => {
            assert.deepStrictEqual(problems(args), [message]);
        });
    }

    it("refuses monitoringCrds without metrics, and a metricsNamespace that is no namespace name", () => {
        assert.deepStrictEqual(problems({ monitoringCrds: true }), [
            "`monitoringCrds` is true but `metrics` is false: the PodMonitor and the PrometheusRule watch the exporters, " +
                "which only `metrics: true` adds; set `metrics` to true, or `monitoringCrds` to false.",
        ]);
        assert.deepStrictEqual(problems({ metrics: true, metricsNamespace: "Monitoring_NS" }), [
            '`metricsNamespace` is "Monitoring_NS": use the name of the namespace your Prometheus runs in, a DNS label of ' +
                'at most 63 characters, e.g. "monitoring".',
        ]);
        assert.deepStrictEqual(problems({ metrics: "yes" as unknown as boolean }), [
            '`metrics` is "yes", a string: pass true or false, e.g. false.',
        ]);
        const resolved = resolveArgs({ ...BASE_ARGS, metrics: true, monitoringCrds: true, metricsNamespace: "observability" });
        assert.deepStrictEqual([resolved.metrics, resolved.monitoringCrds, resolved.metricsNamespace], [true, true, "observability"]);
    });

    it("reports every wrong setting at once", () => {
        assert.deepStrictEqual(problems({ replicas: -1, flavor: "oracle", cpuRequest: "x" }), [
            "`replicas` is -1: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
            '`flavor` is "oracle": use one of "mysql57", "mysql84", "mariadb".',
            '`cpuRequest` is "x": use a Kubernetes quantity, e.g. "500m".',
        ]);
    });

    it("accepts every Kubernetes quantity form and an empty storage class", () => {
        for (const q of ["1", "0.5", "500m", "+2", "1e3", "2.", ".5", "1E-3"]) {
            assert.doesNotThrow(() => resolveArgs({ ...BASE_ARGS, cpuRequest: q }), q);
        }
        for (const q of ["1.5Gi", "2E", "128974848", "1e9", "1.5k", "1024Ki"]) {
            assert.doesNotThrow(() => resolveArgs({ ...BASE_ARGS, memoryRequest: q }), q);
        }
        assert.strictEqual(resolveArgs({ ...BASE_ARGS, storageClassName: "" }).storageClassName, "");
        assert.strictEqual(resolveArgs({ ...BASE_ARGS, storageRequest: "20Gi" }).storageRequest, "20Gi");
    });
});
