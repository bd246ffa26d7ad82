// The StatefulSet and ConfigMap builders called directly and synchronously: resolved settings, cluster names,
// the pod scripts and the cluster's UID in, the exact spec out (the component's wiring is in cluster.test.ts).
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    clusterNames,
    FLAVOR_NAMES,
    FlavorName,
    FLAVORS,
    METRICS_SCRIPT_FILES,
    MySqlClusterArgs,
    readClusterPodScripts,
    readPodScripts,
    resolveArgs,
} from "../../components";
import { configFiles, configMap, scriptsConfigMap, scriptsConfigMapName, statefulSet } from "../../components/builders";
import { MOCK_UUID } from "../../scripts/render/mockRuntime";
import { BASE_ARGS } from "../helpers";

const ARGS = { ...BASE_ARGS, name: "orders", namespace: "shop", replicas: 2, maxReplicas: 2, storageClassName: "nfs-static" };
// The recommended labels (selectorLabels' default): the selectors match name, instance and component.
const SELECTOR = {
    "app.kubernetes.io/name": "mysql-statefulset",
    "app.kubernetes.io/instance": "orders",
    "app.kubernetes.io/component": "database",
};
const LABELS = { ...SELECTOR, "app.kubernetes.io/managed-by": "pulumi" };
const CLIENT = "--defaults-extra-file=/etc/mysql-credentials/root.cnf";
const TLS_ENV = [
    { name: "TLS_CA", value: "/etc/mysql-credentials/ca.crt" },
    { name: "TLS_CERT", value: "/etc/mysql-credentials/tls.crt" },
    { name: "TLS_KEY", value: "/etc/mysql-credentials/tls.key" },
];
/**
 * The series step's state and the flavor's system-table upgrade, in init-mysql (records it pending) and the
 * sidecar (runs it, with its options): mysql57 has no tool (no step leads to 5.7; MySQL 8 upgrades itself).
 */
const UPGRADE_ENV = [
    { name: "IDENTITY_FILE", value: "/mnt/data/identity" },
    { name: "UPGRADE_TOOL", value: "" },
];
const UPGRADE_RUN_ENV = [...UPGRADE_ENV, { name: "UPGRADE_OPTIONS", value: "" }];
const CREDENTIALS_MOUNT = { name: "credentials", mountPath: "/etc/mysql-credentials", readOnly: true };
/** Where the scripts write their status record, and kubelet's reading of it (components/podStatus.ts). */
const STATUS_ENV = { name: "STATUS_FILE", value: "/dev/termination-log" };
const STATUS = { terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "FallbackToLogsOnError" };
/** What clone-mysql.sh is told, in clone-mysql and in the sidecar (its self-repair). */
const CLONE_ENV = [
    { name: "DATA_ROOT", value: "/mnt/data" },
    { name: "DATA_SUBPATH", value: "mysql" },
    { name: "PEER_DOMAIN", value: "orders.shop.svc.cluster.local" },
    { name: "STREAM_TOOL", value: "xbstream" },
    { name: "BOOTSTRAP", value: "ordered" },
    { name: "DONOR_WAIT", value: "60" },
    STATUS_ENV,
];
const BACKUP_ENV = [
    { name: "CLONE_PORT", value: "3307" },
    { name: "CLONE_TRANSPORT", value: "ncat" },
    { name: "BACKUP_TOOL", value: "xtrabackup" },
    { name: "BACKUP_INFO_PREFIXES", value: "xtrabackup" },
    { name: "CLONE_IDLE_TIMEOUT", value: "300" },
    { name: "CLONE_MARKER", value: "/mnt/data/clone-pending" },
    ...TLS_ENV,
];
/** The replica-status words of the readiness check (mysql-ready.sh). */
const REPLICA_STATUS_ENV = [
    { name: "REPLICA_STATUS", value: "SHOW SLAVE STATUS" },
    { name: "REPLICA_IO_RUNNING", value: "Slave_IO_Running" },
    { name: "REPLICA_SQL_RUNNING", value: "Slave_SQL_Running" },
    { name: "REPLICA_LAG", value: "Seconds_Behind_Master" },
    { name: "REPLICA_IO_ERROR", value: "Last_IO_Error" },
    { name: "REPLICA_IO_STATE", value: "Slave_IO_State" },
];
/** Those of the sidecar's watch: the IO thread's error. */
const REPLICA_ERROR_ENV = [
    { name: "REPLICA_STATUS", value: "SHOW SLAVE STATUS" },
    { name: "REPLICA_IO_ERRNO", value: "Last_IO_Errno" },
    { name: "REPLICA_IO_ERROR", value: "Last_IO_Error" },
];
const BACKUP_SECURITY = { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] } };

const names = clusterNames("orders", "shop", "cluster.local", "recommended");

/** users.sql.in without an application user: the cluster's accounts, their passwords as placeholders. */
const ACCOUNTS_SQL = [
    "-- Written by mysql-statefulset: the cluster's accounts, created on the primary's first start.",
    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '{root_password}';",
    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
    "CREATE USER IF NOT EXISTS 'root'@'::1' IDENTIFIED BY '{root_password}';",
    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'::1' WITH GRANT OPTION;",
    "CREATE USER IF NOT EXISTS 'replication'@'%' IDENTIFIED BY '{replication_password}' REQUIRE SSL;",
    "GRANT REPLICATION SLAVE ON *.* TO 'replication'@'%';",
    ...["localhost", "127.0.0.1", "::1"].flatMap((host) => [
        `CREATE USER IF NOT EXISTS 'backup'@'${host}' IDENTIFIED BY '{backup_password}';`,
        `GRANT RELOAD, LOCK TABLES, PROCESS, REPLICATION CLIENT ON *.* TO 'backup'@'${host}';`,
    ]),
    "",
].join("\n");

/** The pod scripts as they are on disk, read here rather than by the component's readPodScripts. */
function scriptsOnDisk(metrics = false): Record<string, string> {
    const dir = path.resolve(__dirname, "..", "..", "pod");
    return Object.fromEntries(
        fs
            .readdirSync(dir)
            .filter((file) => metrics || !(Object.values(METRICS_SCRIPT_FILES) as string[]).includes(file))
            .map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")]),
    );
}

/**
 * What a content-named ConfigMap is called, computed here rather than by the builders' contentName: the base,
 * then the first 10 hex digits of SHA-256 over each key and value, in key order, each ended by a NUL.
 */
function nameByContent(base: string, data: Record<string, string>): string {
    const hash = crypto.createHash("sha256");
    for (const key of Object.keys(data).sort()) {
        hash.update(`${key}\0${data[key]}\0`);
    }
    return `${base}-${hash.digest("hex").slice(0, 10)}`;
}
const resolve = (args: Partial<MySqlClusterArgs> = {}) => resolveArgs({ ...ARGS, ...args });
/** The StatefulSet for these settings (on top of ARGS), with the project's pod scripts. */
const built = (args: Partial<MySqlClusterArgs> = {}): any => {
    const resolved = resolve(args);
    return statefulSet(
        resolved,
        clusterNames(resolved.name, resolved.namespace, resolved.clusterDomain, resolved.selectorLabels),
        readPodScripts(),
        MOCK_UUID,
    );
};

describe("builders: config", () => {
    it("writes the primary's and the replicas' my.cnf and the user's settings into an immutable ConfigMap named by its content", () => {
        const spec: any = configMap(resolve({ mysqldOptions: ["max_connections=500", "skip-name-resolve"] }), names);
        assert.strictEqual(spec.metadata.name, nameByContent("orders", spec.data));
        assert.match(spec.metadata.name, /^orders-[0-9a-f]{10}$/);
        assert.deepStrictEqual(spec, {
            immutable: true,
            metadata: { name: spec.metadata.name, namespace: "shop", labels: LABELS },
            data: {
                "primary.cnf":
                    "[mysqld]\nlog-bin=mysql-bin\nloose-transaction-write-set-extraction=XXHASH64\n" +
                    "loose-binlog-transaction-dependency-tracking=WRITESET\n",
                "replica.cnf":
                    "[mysqld]\nsuper-read-only\nlog-bin=mysql-bin\nlog-slave-updates\nrelay-log-recovery=ON\n" +
                    "relay-log-info-repository=TABLE\nmaster-info-repository=TABLE\n" +
                    "slave-parallel-type=LOGICAL_CLOCK\nslave-parallel-workers=4\nslave-preserve-commit-order=ON\n",
                "tls.cnf":
                    "[mysqld]\nssl-ca=/etc/mysql-credentials/ca.crt\nssl-cert=/etc/mysql-credentials/tls.crt\n" +
                    "ssl-key=/etc/mysql-credentials/tls.key\n",
                "custom.cnf": "[mysqld]\nmax_connections=500\nskip-name-resolve\n",
                "users.sql.in": ACCOUNTS_SQL,
            },
        });
    });

    it("creates every account with a password and the server's default plugin, and no client turns TLS off (MySQL 8.4, MariaDB 11.4 defaults)", () => {
        // MySQL 8.4 turns mysql_native_password off: an account pinned to it could not log in. Its default,
        // caching_sha2_password, needs TLS (or the socket) for a first login, so no client may turn TLS off.
        // MariaDB 11.4 clients verify the server's certificate: over 127.0.0.1 without a CA they accept it
        // only through the password (mysql_native_password's proof, MDEV-31855), so every account has one.
        for (const flavor of ["mysql84", "mariadb"] as const) {
            const sql = configFiles(resolve({ flavor, appDatabase: "orders", appUser: "shop-app" }))["users.sql.in"];
            const creates = sql.split("\n").filter((line) => line.startsWith("CREATE USER"));
            // root for the loopback addresses, replication, backup for the three local hosts, the application.
            assert.strictEqual(creates.length, 7, flavor);
            for (const line of creates) {
                assert.match(line, / IDENTIFIED BY '\{\w+_password\}'( REQUIRE SSL)?;$/, `${flavor}: ${line}`);
            }
            assert.doesNotMatch(sql, /IDENTIFIED (WITH|VIA)|native_password/, flavor);
            assert.doesNotMatch(FLAVORS[flavor].installDb?.secureRootSql ?? "", /IDENTIFIED (WITH|VIA)|native_password/, flavor);
        }
        for (const [file, text] of Object.entries(readPodScripts())) {
            assert.doesNotMatch(text, /--skip-ssl|--ssl=0|--disable-ssl|ssl-mode=DISABLED|--ssl-mode[= ]DISABLED/i, file);
        }
    });

    it("creates the application's database and user, and requires TLS of clients, when asked", () => {
        const args = { appDatabase: "orders", appUser: "shop-app", requireClientTls: true };
        const data = configFiles(resolve(args));
        assert.strictEqual(
            data["users.sql.in"],
            ACCOUNTS_SQL +
                "CREATE DATABASE IF NOT EXISTS `orders`;\nCREATE USER IF NOT EXISTS 'shop-app'@'%' IDENTIFIED BY '{app_password}';\n" +
                "GRANT ALL PRIVILEGES ON `orders`.* TO 'shop-app'@'%';\n",
        );
        assert.ok(data["tls.cnf"].endsWith("require-secure-transport=ON\n"));
        // init-mysql reads the application's password from the Secret under this key.
        const init = built(args).spec.template.spec.initContainers[0];
        assert.deepStrictEqual(
            init.env.find((e: any) => e.name === "APP_PASSWORD_KEY"),
            { name: "APP_PASSWORD_KEY", value: "app-password" },
        );
    });

    it("ships the pod scripts in their own immutable ConfigMap, byte for byte, named by their content", () => {
        const scripts: any = scriptsConfigMap(resolve(), names, readPodScripts());
        const onDisk = scriptsOnDisk();
        assert.deepStrictEqual(scripts.metadata, {
            name: nameByContent("orders-scripts", onDisk),
            namespace: "shop",
            labels: LABELS,
        });
        assert.strictEqual(scripts.immutable, true);
        assert.deepStrictEqual(Object.keys(scripts.data).sort(), [
            "backup.sh",
            "binlog-ship.sh",
            "clone-endpoint-ready.sh",
            "clone-mysql.sh",
            "init-mysql.sh",
            "lib.sh",
            "mysql-ready.sh",
            "mysql-run.sh",
            "probe-wait.sh",
            "replay-binlogs.sh",
            "restore-finish.sh",
            "restore-mysql.sh",
            "rotate-credentials.sh",
            "sidecar.sh",
        ]);
        assert.deepStrictEqual(scripts.data, onDisk);
        // With `metrics`, the script of the container that keeps the exporter's account too (and only then).
        const withMetrics: any = scriptsConfigMap(resolve({ metrics: true }), names, readClusterPodScripts(true));
        assert.deepStrictEqual(withMetrics.data, scriptsOnDisk(true));
        assert.deepStrictEqual(Object.keys(withMetrics.data).length, Object.keys(onDisk).length + 1);
        assert.strictEqual(readClusterPodScripts(false), readPodScripts());
    });

    it("has every replica apply replicaApplyThreads transactions at once, in the primary's commit order, per flavor", () => {
        const replicaCnf = (flavor: FlavorName) => {
            const files = configFiles(resolve({ flavor, replicaApplyThreads: 8 }));
            return files["replica.cnf"].split("\n").slice(-5).join("\n");
        };
        assert.deepStrictEqual(
            FLAVOR_NAMES.map((flavor) => [flavor, replicaCnf(flavor)]),
            [
                [
                    "mysql57",
                    "master-info-repository=TABLE\nslave-parallel-type=LOGICAL_CLOCK\nslave-parallel-workers=8\nslave-preserve-commit-order=ON\n",
                ],
                [
                    "mysql84",
                    "enforce-gtid-consistency=ON\nrelay-log-recovery=ON\nreplica-parallel-workers=8\nreplica-preserve-commit-order=ON\n",
                ],
                ["mariadb", "log-slave-updates\nrelay-log-recovery=ON\nslave-parallel-mode=optimistic\nslave-parallel-threads=8\n"],
            ],
        );
        // The primary applies nothing: its my.cnf has no applier settings.
        for (const flavor of FLAVOR_NAMES) {
            assert.doesNotMatch(configFiles(resolve({ flavor }))["primary.cnf"], /parallel/, flavor);
        }
    });

    it("rolls the pods when a my.cnf setting changes: the pods mount a new ConfigMap, named by its content", () => {
        const mounted = (mysqldOptions: string[]) => {
            const volumes = built({ mysqldOptions }).spec.template.spec.volumes;
            const name = volumes.find((v: any) => v.name === "config-map").configMap.name;
            assert.strictEqual(name, (configMap(resolve({ mysqldOptions }), names) as any).metadata.name);
            assert.strictEqual(name, nameByContent("orders", configFiles(resolve({ mysqldOptions }))));
            return name;
        };
        assert.notStrictEqual(mounted(["max_connections=100"]), mounted(["max_connections=200"]));
        assert.strictEqual(mounted(["max_connections=100"]), mounted(["max_connections=100"]));
    });
});

describe("builders: statefulSet", () => {
    it("runs the tutorial's four containers in order, with the pod's volumes, and no password in any environment", () => {
        const sts = built();
        // Replaced with an orphaning delete: the new StatefulSet adopts the running pods (see statefulSet.ts).
        assert.deepStrictEqual(sts.metadata, {
            name: "orders",
            namespace: "shop",
            labels: LABELS,
            annotations: { "pulumi.com/deletionPropagationPolicy": "orphan" },
        });
        const { template, volumeClaimTemplates, ...spec } = sts.spec;
        assert.deepStrictEqual(spec, {
            serviceName: "orders",
            replicas: 2,
            podManagementPolicy: "OrderedReady",
            selector: { matchLabels: SELECTOR },
        });
        assert.deepStrictEqual(volumeClaimTemplates, [
            {
                metadata: { name: "data" },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: "nfs-static",
                    resources: { requests: { storage: "10Gi" } },
                },
            },
        ]);
        assert.deepStrictEqual(template.metadata, { labels: LABELS });
        const pod = template.spec;
        const { initContainers: _init, containers: _containers, volumes: _volumes, ...podSettings } = pod;
        assert.deepStrictEqual(podSettings, {
            serviceAccountName: "orders",
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 120,
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            affinity: {
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        {
                            weight: 100,
                            podAffinityTerm: { labelSelector: { matchLabels: SELECTOR }, topologyKey: "kubernetes.io/hostname" },
                        },
                    ],
                },
            },
        });
        assert.deepStrictEqual(pod.volumes, [
            { name: "conf", emptyDir: {} },
            { name: "config-map", configMap: { name: nameByContent("orders", configFiles(resolve())) } },
            { name: "scripts", configMap: { name: nameByContent("orders-scripts", scriptsOnDisk()), defaultMode: 0o755 } },
            { name: "secrets", secret: { secretName: "orders-credentials", defaultMode: 0o400 } },
            { name: "tls", secret: { secretName: "orders-tls", defaultMode: 0o400 } },
            { name: "credentials", emptyDir: { medium: "Memory" } },
            { name: "initdb", emptyDir: { medium: "Memory" } },
        ]);
        assert.deepStrictEqual(
            [...pod.initContainers, ...pod.containers].map((c: any) => c.name),
            ["init-mysql", "clone-mysql", "mysql", "xtrabackup"],
        );
        // No password in any environment variable, by value or by reference.
        for (const container of [...pod.initContainers, ...pod.containers]) {
            assert.ok(
                container.env.every((e: any) => "value" in e && !("valueFrom" in e)),
                container.name,
            );
        }
    });

    it("puts none of the cluster's passwords in any environment value, or anywhere in the pod template", () => {
        const passwords = {
            rootPassword: "root-Secret-7f3a",
            replicationPassword: "repl-Secret-91bc",
            backupPassword: "backup-Secret-c4d2",
            appPassword: "app-Secret-e8a0",
        };
        for (const flavor of FLAVOR_NAMES) {
            const pod = built({ flavor, appDatabase: "orders", appUser: "shop-app", ...passwords }).spec.template.spec;
            const values = [...pod.initContainers, ...pod.containers].flatMap((c: any) =>
                c.env.map((e: any) => `${c.name} ${e.name}=${e.value}`),
            );
            assert.ok(values.length > 50, `${flavor}: ${values.length} environment values`);
            const leaks = (text: string) => Object.values(passwords).filter((password) => text.includes(password));
            assert.deepStrictEqual(
                values.filter((v) => leaks(v).length > 0),
                [],
                flavor,
            );
            assert.deepStrictEqual(leaks(JSON.stringify(pod)), [], flavor);
        }
    });

    const containers = () => {
        const pod = built().spec.template.spec;
        const [init, clone] = pod.initContainers;
        const [mysql, sidecar] = pod.containers;
        return { init, clone, mysql, sidecar };
    };

    it("init-mysql: the server image, the whole claim, the ConfigMaps, the Secrets and the cluster's identity", () => {
        assert.deepStrictEqual(containers().init, {
            name: "init-mysql",
            image: "mysql:5.7",
            command: ["/opt/mysql-statefulset/init-mysql.sh"],
            env: [
                { name: "DATA_ROOT", value: "/mnt/data" },
                { name: "DATA_SUBPATH", value: "mysql" },
                { name: "CLUSTER", value: "shop/orders" },
                { name: "CLUSTER_UID", value: MOCK_UUID },
                { name: "SERVER_BINARY", value: "mysqld" },
                { name: "SERIES_UPGRADES", value: "mysql:5.7>8.0 mysql:8.0>8.4 mariadb:10.6>10.11 mariadb:10.11>11.4 mariadb:11.4>11.8" },
                { name: "SERVER_ID_BASE", value: "100" },
                { name: "SERVER_OS_USER", value: "mysql" },
                { name: "INIT_CONF_DIR", value: "/mnt/conf.d" },
                { name: "CONFIG_MAP_DIR", value: "/mnt/config-map" },
                { name: "SECRETS_DIR", value: "/mnt/secrets" },
                { name: "TLS_SECRET_DIR", value: "/mnt/tls" },
                { name: "CREDENTIALS_DIR", value: "/etc/mysql-credentials" },
                { name: "INITDB_DIR", value: "/docker-entrypoint-initdb.d" },
                { name: "APP_PASSWORD_KEY", value: "" },
                { name: "APPLIED_DIR", value: "applied" },
                STATUS_ENV,
                // mysql-0's empty-data guard: the peer Service, each address's wait, the port it tries (no restoreFrom).
                { name: "PEER_SERVICE", value: "orders-peers.shop.svc.cluster.local" },
                { name: "PEER_CONNECT_TIMEOUT", value: "2" },
                { name: "MYSQL_PORT", value: "3306" },
                // mysql57: the image's entrypoint makes mysql-0's data directory (no INSTALL_DB).
                { name: "INSTALL_DB", value: "" },
                { name: "SECURE_ROOT_SQL", value: "" },
                { name: "TIME_ZONE_TOOL", value: "" },
                { name: "ZONEINFO_DIR", value: "/usr/share/zoneinfo" },
                { name: "FIRST_START_SQL", value: "/etc/mysql-credentials/first-start.sql" },
                { name: "FIRST_START_MARKER", value: "/mnt/data/first-start-pending" },
                ...UPGRADE_ENV,
            ],
            ...STATUS,
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
            volumeMounts: [
                // The whole claim: the identity file beside the data directory.
                { name: "data", mountPath: "/mnt/data" },
                { name: "conf", mountPath: "/mnt/conf.d" },
                { name: "conf", mountPath: "/etc/mysql/conf.d" },
                { name: "config-map", mountPath: "/mnt/config-map", readOnly: true },
                { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                { name: "secrets", mountPath: "/mnt/secrets", readOnly: true },
                { name: "tls", mountPath: "/mnt/tls", readOnly: true },
                { name: "credentials", mountPath: "/etc/mysql-credentials" },
                { name: "initdb", mountPath: "/docker-entrypoint-initdb.d" },
            ],
        });
    });

    it("clone-mysql: the backup image with the clone step's settings, the claim and the credentials", () => {
        assert.deepStrictEqual(containers().clone, {
            name: "clone-mysql",
            image: "gcr.io/google-samples/xtrabackup:1.0",
            command: ["/opt/mysql-statefulset/clone-mysql.sh"],
            env: [...CLONE_ENV, ...BACKUP_ENV],
            ...STATUS,
            volumeMounts: [
                { name: "data", mountPath: "/mnt/data" },
                { name: "conf", mountPath: "/etc/mysql/conf.d" },
                { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                CREDENTIALS_MOUNT,
            ],
            securityContext: BACKUP_SECURITY,
        });
    });

    it("mysql: the server through mysql-run.sh, its probes, requests and capabilities", () => {
        const ping = ["mysqladmin", CLIENT, "ping"];
        // Startup and readiness probes wait up to 800 ms for their condition (probe-wait.sh).
        const waiting = (...command: string[]) => ({ exec: { command: ["/opt/mysql-statefulset/probe-wait.sh", "800", ...command] } });
        assert.deepStrictEqual(containers().mysql, {
            name: "mysql",
            image: "mysql:5.7",
            command: ["/opt/mysql-statefulset/mysql-run.sh"],
            args: ["docker-entrypoint.sh", "mysqld"],
            env: [
                { name: "MYSQL_ROOT_PASSWORD_FILE", value: "/etc/mysql-credentials/root-password" },
                { name: "MYSQL_ROOT_HOST", value: "localhost" },
                { name: "MYSQL_CLIENT", value: "mysql" },
                { name: "MYSQL_PORT", value: "3306" },
                { name: "CLIENT_CONFIG", value: "/etc/mysql-credentials/root.cnf" },
                { name: "MAX_REPLICATION_LAG", value: "30" },
                { name: "ROTATION_MARKER", value: "/etc/mysql-credentials/replication-rotating" },
                { name: "CLONE_MARKER", value: "/mnt/data/clone-pending" },
                STATUS_ENV,
                { name: "FIRST_START_SQL", value: "/etc/mysql-credentials/first-start.sql" },
                { name: "FIRST_START_MARKER", value: "/mnt/data/first-start-pending" },
                ...REPLICA_STATUS_ENV,
            ],
            ...STATUS,
            ports: [{ name: "mysql", containerPort: 3306 }],
            volumeMounts: [
                { name: "data", mountPath: "/var/lib/mysql", subPath: "mysql" },
                { name: "conf", mountPath: "/etc/mysql/conf.d" },
                { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                CREDENTIALS_MOUNT,
                { name: "initdb", mountPath: "/docker-entrypoint-initdb.d", readOnly: true },
                { name: "data", mountPath: "/mnt/data", readOnly: true },
            ],
            resources: { requests: { cpu: "500m", memory: "500Mi" } },
            securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"] },
            },
            // 600 s of start-up at one probe a second.
            startupProbe: { ...waiting(...ping), periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 600 },
            livenessProbe: { exec: { command: ping }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            readinessProbe: {
                ...waiting("/opt/mysql-statefulset/mysql-ready.sh"),
                periodSeconds: 1,
                timeoutSeconds: 5,
                failureThreshold: 1,
            },
        });
    });

    it("xtrabackup: the sidecar that serves clones, starts replication and rotates credentials", () => {
        assert.deepStrictEqual(containers().sidecar, {
            name: "xtrabackup",
            image: "gcr.io/google-samples/xtrabackup:1.0",
            command: ["/opt/mysql-statefulset/sidecar.sh"],
            env: [
                { name: "DATA_DIR", value: "/var/lib/mysql" },
                { name: "MYSQL_CLIENT", value: "mysql" },
                { name: "MYSQL_PORT", value: "3306" },
                { name: "CLIENT_CONFIG", value: "/etc/mysql-credentials/root.cnf" },
                { name: "BACKUP_CLIENT_CONFIG", value: "/etc/mysql-credentials/backup.cnf" },
                { name: "REPLICATION_PASSWORD_FILE", value: "/etc/mysql-credentials/replication-password" },
                { name: "PRIMARY_HOST", value: "orders-0.orders.shop.svc.cluster.local" },
                { name: "REPLICATION_USER", value: "replication" },
                {
                    name: "REPLICATION_SQL",
                    value:
                        "STOP SLAVE;\n" +
                        "CHANGE MASTER TO MASTER_LOG_FILE='{file}', MASTER_LOG_POS={pos}, MASTER_HOST='{host}', MASTER_PORT={port},\n" +
                        "  MASTER_USER='{user}', MASTER_PASSWORD='{password}', MASTER_CONNECT_RETRY=10,\n" +
                        "  MASTER_SSL=1, MASTER_SSL_CA='{ca}', MASTER_SSL_VERIFY_SERVER_CERT=1;\n" +
                        "START SLAVE;",
                },
                { name: "WATCH_INTERVAL", value: "10" },
                { name: "FIRST_START_SQL", value: "/etc/mysql-credentials/first-start.sql" },
                { name: "FIRST_START_MARKER", value: "/mnt/data/first-start-pending" },
                // rotate-credentials.sh: the Secret's passwords against the files', changed on the servers.
                { name: "SECRETS_DIR", value: "/mnt/secrets" },
                { name: "CREDENTIALS_DIR", value: "/etc/mysql-credentials" },
                { name: "APPLIED_DIR", value: "applied" },
                { name: "ROOT_PASSWORD_KEY", value: "root-password" },
                { name: "BACKUP_PASSWORD_KEY", value: "backup-password" },
                { name: "REPLICATION_PASSWORD_KEY", value: "replication-password" },
                { name: "APP_PASSWORD_KEY", value: "" },
                { name: "APP_USER", value: "" },
                { name: "BACKUP_USER", value: "backup" },
                { name: "LOCAL_HOSTS", value: "localhost 127.0.0.1 ::1" },
                {
                    name: "REPLICATION_ROTATE_SQL",
                    value: "STOP SLAVE; CHANGE MASTER TO MASTER_PASSWORD='{password}'; START SLAVE;",
                },
                { name: "ROTATION_MARKER", value: "/etc/mysql-credentials/replication-rotating" },
                { name: "ROTATION_GRACE", value: "60" },
                ...REPLICA_ERROR_ENV,
                ...CLONE_ENV,
                ...BACKUP_ENV,
                ...UPGRADE_RUN_ENV,
            ],
            ...STATUS,
            ports: [{ name: "clone", containerPort: 3307 }],
            volumeMounts: [
                { name: "data", mountPath: "/var/lib/mysql", subPath: "mysql" },
                { name: "conf", mountPath: "/etc/mysql/conf.d" },
                { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                // Written by a rotation; the Secret read as kubelet updates it.
                { name: "credentials", mountPath: "/etc/mysql-credentials" },
                { name: "secrets", mountPath: "/mnt/secrets", readOnly: true },
                { name: "data", mountPath: "/mnt/data" },
            ],
            resources: { requests: { cpu: "100m", memory: "100Mi" } },
            securityContext: BACKUP_SECURITY,
            readinessProbe: {
                exec: { command: ["/opt/mysql-statefulset/probe-wait.sh", "800", "/opt/mysql-statefulset/clone-endpoint-ready.sh"] },
                periodSeconds: 1,
                timeoutSeconds: 2,
            },
        });
    });

    it("spreads, limits and prioritises the pods as set", () => {
        const pod = built({
            spreadAcrossNodes: "required",
            spreadAcrossZones: "preferred",
            cpuLimit: "2",
            memoryLimit: "1Gi",
            backupMemoryLimit: "200Mi",
            priorityClassName: "database-critical",
            terminationGracePeriodSeconds: 300,
        }).spec.template.spec;
        const term = { labelSelector: { matchLabels: SELECTOR }, topologyKey: "kubernetes.io/hostname" };
        assert.deepStrictEqual(pod.affinity, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } });
        assert.deepStrictEqual(pod.topologySpreadConstraints, [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: SELECTOR },
            },
        ]);
        assert.strictEqual(pod.priorityClassName, "database-critical");
        assert.strictEqual(pod.terminationGracePeriodSeconds, 300);
        assert.deepStrictEqual(pod.containers[0].resources, {
            requests: { cpu: "500m", memory: "500Mi" },
            limits: { cpu: "2", memory: "1Gi" },
        });
        assert.deepStrictEqual(pod.containers[1].resources, { requests: { cpu: "100m", memory: "100Mi" }, limits: { memory: "200Mi" } });
        assert.strictEqual(built({ spreadAcrossNodes: "none" }).spec.template.spec.affinity, undefined);
    });

    it("builds the StatefulSet as a pure function: the scripts are data, a changed script rolls the pods", () => {
        const scriptsVolume = (scripts: Record<string, string>) =>
            (statefulSet(resolve(), names, scripts, MOCK_UUID) as any).spec.template.spec.volumes.find((v: any) => v.name === "scripts")
                .configMap.name;
        assert.strictEqual(scriptsVolume({ "lib.sh": "a" }), scriptsVolume({ "lib.sh": "a" }));
        assert.notStrictEqual(scriptsVolume({ "lib.sh": "a" }), scriptsVolume({ "lib.sh": "b" }));
        assert.strictEqual(scriptsVolume({ ...readPodScripts() }), scriptsConfigMapName(names, readPodScripts()));
    });

    it("gives init-mysql the cluster's identity: the UID passed to the builder, its namespace/name, and the claim", () => {
        const args = resolve({ name: "billing", namespace: "finance" });
        const init = (
            statefulSet(
                args,
                clusterNames("billing", "finance", "cluster.local", "recommended"),
                readPodScripts(),
                "5d0f3c1e-1111-4222-8333-444455556666",
            ) as any
        ).spec.template.spec.initContainers[0];
        const envOf = (name: string) => init.env.find((e: any) => e.name === name)?.value;
        assert.deepStrictEqual(["CLUSTER", "CLUSTER_UID", "IDENTITY_FILE"].map(envOf), [
            "finance/billing",
            "5d0f3c1e-1111-4222-8333-444455556666",
            "/mnt/data/identity",
        ]);
        assert.deepStrictEqual(init.volumeMounts[0], { name: "data", mountPath: "/mnt/data" });
    });

    it("tells init-mysql and the sidecar the same identity file and the flavor's system-table upgrade: mariadb-upgrade, none for MySQL", () => {
        for (const [flavor, tool, options] of [
            ["mariadb", "mariadb-upgrade", "--upgrade-system-tables"],
            ["mysql84", "", ""],
            ["mysql57", "", ""],
        ] as const) {
            const args = resolve({ flavor });
            const pod = (
                statefulSet(args, clusterNames("orders", "shop", "cluster.local", "recommended"), readPodScripts(), MOCK_UUID) as any
            ).spec.template.spec;
            for (const container of [pod.initContainers[0], pod.containers[1]]) {
                const envOf = (name: string) => container.env.find((e: any) => e.name === name)?.value;
                // init-mysql only records the step; the sidecar runs the tool with its options.
                assert.deepStrictEqual(
                    ["IDENTITY_FILE", "UPGRADE_TOOL", "UPGRADE_OPTIONS"].map(envOf),
                    ["/mnt/data/identity", tool, container.name === "init-mysql" ? undefined : options],
                    `${flavor} ${container.name}`,
                );
                assert.ok(
                    container.volumeMounts.some((m: any) => m.name === "data" && m.mountPath === "/mnt/data" && !m.readOnly),
                    `${flavor} ${container.name}: writes the identity file on the claim`,
                );
            }
        }
    });

    it("starts the pods all at once with bootstrap parallel, and tells the clone step so", () => {
        const bootstrapEnv = (sts: any) =>
            [...sts.spec.template.spec.initContainers, ...sts.spec.template.spec.containers].map(
                (c: any) => `${c.name}: ${c.env.find((e: any) => e.name === "BOOTSTRAP")?.value ?? "-"}`,
            );
        assert.strictEqual(built().spec.podManagementPolicy, "OrderedReady");
        assert.strictEqual(built({ bootstrap: "parallel" }).spec.podManagementPolicy, "Parallel");
        // The clone step runs in clone-mysql and in the sidecar's self-repair.
        assert.deepStrictEqual(bootstrapEnv(built({ bootstrap: "parallel" })), [
            "init-mysql: -",
            "clone-mysql: parallel",
            "mysql: -",
            "xtrabackup: parallel",
        ]);
        assert.deepStrictEqual(bootstrapEnv(built()), ["init-mysql: -", "clone-mysql: ordered", "mysql: -", "xtrabackup: ordered"]);
    });

    it("takes the images, requests and flavor words from the settings", () => {
        const args = {
            flavor: "mariadb" as const,
            image: "registry.local/mariadb:11.4.5",
            cpuRequest: "2",
            memoryRequest: "4Gi",
            backupCpuRequest: "250m",
            backupMemoryRequest: "256Mi",
        };
        const pod = built(args).spec.template.spec;
        const [init, clone] = pod.initContainers;
        const [mysql, sidecar] = pod.containers;
        assert.deepStrictEqual(
            [init.image, clone.image, mysql.image, sidecar.image],
            ["registry.local/mariadb:11.4.5", "mariadb:11.4", "registry.local/mariadb:11.4.5", "mariadb:11.4"],
        );
        assert.deepStrictEqual(mysql.resources, { requests: { cpu: "2", memory: "4Gi" } });
        assert.deepStrictEqual(sidecar.resources, { requests: { cpu: "250m", memory: "256Mi" } });
        assert.deepStrictEqual(mysql.livenessProbe.exec.command, ["mariadb-admin", CLIENT, "ping"]);
        assert.deepStrictEqual(mysql.startupProbe.exec.command, [
            "/opt/mysql-statefulset/probe-wait.sh",
            "800",
            "mariadb-admin",
            CLIENT,
            "ping",
        ]);
        const envOf = (c: any) => Object.fromEntries(c.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
        // mariadb: init-mysql makes the data directory, so the server starts without the image's entrypoint.
        assert.deepStrictEqual(mysql.args, ["mariadbd"]);
        assert.deepStrictEqual([envOf(mysql).SERVER_OS_USER, envOf(mysql).DATA_DIR], ["mysql", "/var/lib/mysql"]);
        assert.deepStrictEqual(
            [envOf(clone).CLONE_TRANSPORT, envOf(clone).STREAM_TOOL, envOf(clone).BACKUP_TOOL, envOf(clone).BACKUP_INFO_PREFIXES],
            ["socat", "mbstream", "mariadb-backup", "mariadb_backup xtrabackup"],
        );
        assert.strictEqual(envOf(init).SERVER_BINARY, "mariadbd", "init-mysql asks the server binary its version");
        // mariadb: init-mysql makes mysql-0's data directory, with the time zones.
        assert.match(envOf(init).INSTALL_DB, /^mariadb-install-db --rpm --auth-root-authentication-method=normal --skip-test-db /);
        assert.deepStrictEqual([envOf(init).TIME_ZONE_TOOL, envOf(init).ZONEINFO_DIR], ["mariadb-tzinfo-to-sql", "/usr/share/zoneinfo"]);
        assert.ok(!envOf(mysql).MYSQL_ROOT_PASSWORD_FILE && !envOf(mysql).MYSQL_INITDB_SKIP_TZINFO, "no entrypoint reads them");
        assert.ok(!("TIME_ZONE_TOOL" in envOf(sidecar)));
        assert.strictEqual(envOf(sidecar).MYSQL_CLIENT, "mariadb");
        assert.strictEqual(envOf(mysql).MYSQL_CLIENT, "mariadb");
        assert.strictEqual(envOf(mysql).REPLICA_STATUS, "SHOW SLAVE STATUS");
        assert.deepStrictEqual(
            configFiles(resolve(args))["replica.cnf"],
            "[mysqld]\nread-only\nlog-bin=mysql-bin\nlog-slave-updates\nrelay-log-recovery=ON\nslave-parallel-mode=optimistic\nslave-parallel-threads=4\n",
        );
    });
});
