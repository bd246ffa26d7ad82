// MySqlCluster under mocks: the exact inputs of every child, the parent and delete options, and the outputs.
import * as assert from "assert";
import { certificateSpecs, configFiles, configMapName, contentName, scriptsConfigMapName, statefulSet } from "../../components/builders";
import * as pulumi from "@pulumi/pulumi";
import { clusterNames, FLAVORS, GUARD_TYPE, readPodScripts, requirePassword, resolveArgs } from "../../components";
import { clearRegistrations, MOCK_PASSWORD, MOCK_UUID, registrations, settle } from "../../scripts/mockRuntime";
import { MASK, unwrapSecrets } from "../../scripts/render/secrets";
import { BASE_ARGS, buildCluster, child, inputsOf, isSecret, valueOf } from "../helpers";

const TYPES = {
    cluster: "mysql-statefulset:index:MySqlCluster",
    password: "random:index/randomPassword:RandomPassword",
    uuid: "random:index/randomUuid:RandomUuid",
    pv: "kubernetes:core/v1:PersistentVolume",
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    disruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    privateKey: "tls:index/privateKey:PrivateKey",
    selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
    certRequest: "tls:index/certRequest:CertRequest",
    locallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
};

const ARGS = { ...BASE_ARGS, name: "orders", namespace: "shop", replicas: 2, maxReplicas: 2, storageClassName: "nfs-static" };
const LABELS = { app: "orders" };
const CLIENT = "--defaults-extra-file=/etc/mysql-credentials/root.cnf";
const TLS_ENV = [
    { name: "TLS_CA", value: "/etc/mysql-credentials/ca.crt" },
    { name: "TLS_CERT", value: "/etc/mysql-credentials/tls.crt" },
    { name: "TLS_KEY", value: "/etc/mysql-credentials/tls.key" },
];
const CREDENTIALS_MOUNT = { name: "credentials", mountPath: "/etc/mysql-credentials", readOnly: true };
/** What clone-mysql.sh is told, in clone-mysql and in the sidecar (its self-repair). */
const CLONE_ENV = [
    { name: "DATA_ROOT", value: "/mnt/data" },
    { name: "DATA_SUBPATH", value: "mysql" },
    { name: "PEER_DOMAIN", value: "orders.shop.svc.cluster.local" },
    { name: "STREAM_TOOL", value: "xbstream" },
    { name: "BOOTSTRAP", value: "ordered" },
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
const REPLICA_STATUS_ENV = [
    { name: "REPLICA_STATUS", value: "SHOW SLAVE STATUS" },
    { name: "REPLICA_IO_RUNNING", value: "Slave_IO_Running" },
    { name: "REPLICA_SQL_RUNNING", value: "Slave_SQL_Running" },
    { name: "REPLICA_LAG", value: "Seconds_Behind_Master" },
    { name: "REPLICA_IO_ERRNO", value: "Last_IO_Errno" },
    { name: "REPLICA_IO_ERROR", value: "Last_IO_Error" },
];
const BACKUP_SECURITY = { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] } };

describe("MySqlCluster", () => {
    it("registers exactly its children, each parented to the component", async () => {
        const { registered } = await buildCluster(ARGS);
        assert.deepStrictEqual(
            registered.map((r) => `${r.type}::${r.name}`).sort(),
            [
                `${TYPES.cluster}::db`,
                `${TYPES.statefulSet}::db-statefulset`,
                `${TYPES.configMap}::db-config`,
                `${TYPES.configMap}::db-scripts`,
                `${TYPES.pv}::db-pv-0`,
                `${TYPES.pv}::db-pv-1`,
                `${TYPES.secret}::db-credentials`,
                `${TYPES.secret}::db-tls`,
                `${TYPES.service}::db-headless`,
                `${TYPES.service}::db-read`,
                `${TYPES.serviceAccount}::db-service-account`,
                `${TYPES.disruptionBudget}::db-disruption-budget`,
                `${TYPES.policy}::db-clone-policy`,
                `${TYPES.policy}::db-mysql-policy`,
                `${TYPES.password}::db-root-password`,
                `${TYPES.password}::db-replication-password`,
                `${TYPES.password}::db-backup-password`,
                `${TYPES.uuid}::db-cluster-uid`,
                `${TYPES.privateKey}::db-ca-key`,
                `${TYPES.selfSignedCert}::db-ca`,
                `${TYPES.privateKey}::db-tls-key`,
                `${TYPES.certRequest}::db-tls-request`,
                `${TYPES.locallySignedCert}::db-tls-cert`,
                `${GUARD_TYPE}::db-change-guard`,
            ].sort(),
        );
        const componentUrn = "urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster::db";
        for (const r of registered) {
            assert.strictEqual(r.parent, r.type === TYPES.cluster ? "" : componentUrn, `parent of ${r.name}`);
        }
    });

    it("creates one NFS volume per ordinal, pre-bound to that ordinal's claim, retained on delete", async () => {
        const { registered } = await buildCluster(ARGS);
        for (const ordinal of [0, 1]) {
            assert.deepStrictEqual(inputsOf(registered, TYPES.pv, `db-pv-${ordinal}`), {
                apiVersion: "v1",
                kind: "PersistentVolume",
                metadata: { name: `shop-orders-${ordinal}-data`, labels: LABELS },
                spec: {
                    capacity: { storage: "20Gi" },
                    accessModes: ["ReadWriteOnce"],
                    persistentVolumeReclaimPolicy: "Retain",
                    storageClassName: "nfs-static",
                    claimRef: { namespace: "shop", name: `data-orders-${ordinal}` },
                    nfs: { server: "10.0.0.5", path: `/exports/mysql-${ordinal}` },
                },
            });
            assert.strictEqual(child(registered, TYPES.pv, `db-pv-${ordinal}`).retainOnDelete, true);
        }
        const others = registered.filter((r) => r.type !== TYPES.pv);
        assert.ok(
            others.every((r) => !r.retainOnDelete),
            "only the volumes are retained on delete",
        );
    });

    it("writes the primary's and the replicas' my.cnf and the user's settings into the ConfigMap", async () => {
        const { registered } = await buildCluster({ ...ARGS, mysqldOptions: ["max_connections=500", "skip-name-resolve"] });
        const configMap = inputsOf(registered, TYPES.configMap, "db-config");
        assert.strictEqual(configMap.metadata.name, contentName("orders", configMap.data));
        assert.match(configMap.metadata.name, /^orders-[0-9a-f]{10}$/);
        assert.deepStrictEqual(configMap, {
            apiVersion: "v1",
            kind: "ConfigMap",
            immutable: true,
            metadata: { name: configMap.metadata.name, namespace: "shop", labels: LABELS },
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
                "users.sql.in": [
                    "-- Written by mysql-statefulset: the cluster's accounts, created on the primary's first start.",
                    "CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '{root_password}';",
                    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
                    "CREATE USER 'root'@'::1' IDENTIFIED BY '{root_password}';",
                    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'::1' WITH GRANT OPTION;",
                    "CREATE USER 'replication'@'%' IDENTIFIED BY '{replication_password}' REQUIRE SSL;",
                    "GRANT REPLICATION SLAVE ON *.* TO 'replication'@'%';",
                    ...["localhost", "127.0.0.1", "::1"].flatMap((host) => [
                        `CREATE USER 'backup'@'${host}' IDENTIFIED BY '{backup_password}';`,
                        `GRANT RELOAD, LOCK TABLES, PROCESS, REPLICATION CLIENT ON *.* TO 'backup'@'${host}';`,
                    ]),
                    "",
                ].join("\n"),
            },
        });
    });

    it("creates the application's database and user, and requires TLS of clients, when asked", async () => {
        const { cluster, registered } = await buildCluster({ ...ARGS, appDatabase: "orders", appUser: "shop-app", requireClientTls: true });
        const data = inputsOf(registered, TYPES.configMap, "db-config").data;
        assert.ok(
            data["users.sql.in"].endsWith(
                "CREATE DATABASE IF NOT EXISTS `orders`;\nCREATE USER 'shop-app'@'%' IDENTIFIED BY '{app_password}';\n" +
                    "GRANT ALL PRIVILEGES ON `orders`.* TO 'shop-app'@'%';\n",
            ),
            data["users.sql.in"],
        );
        assert.ok(data["tls.cnf"].endsWith("require-secure-transport=ON\n"));
        assert.deepStrictEqual(inputsOf(registered, TYPES.password, "db-app-password"), { length: 32, special: false });
        assert.strictEqual(inputsOf(registered, TYPES.secret, "db-credentials").stringData["app-password"], MOCK_PASSWORD);
        assert.strictEqual(await valueOf(cluster.appPassword), MOCK_PASSWORD);
        assert.strictEqual(await isSecret(cluster.appPassword), true);
        const init = inputsOf(registered, TYPES.statefulSet, "db-statefulset").spec.template.spec.initContainers[0];
        assert.deepStrictEqual(
            init.env.find((e: any) => e.name === "APP_PASSWORD_KEY"),
            { name: "APP_PASSWORD_KEY", value: "app-password" },
        );
    });

    it("ships the pod scripts in their own ConfigMap, byte for byte", async () => {
        const { registered } = await buildCluster(ARGS);
        const scripts = inputsOf(registered, TYPES.configMap, "db-scripts");
        assert.deepStrictEqual(scripts.metadata, {
            name: contentName("orders-scripts", readPodScripts()),
            namespace: "shop",
            labels: LABELS,
        });
        assert.strictEqual(scripts.immutable, true);
        assert.deepStrictEqual(Object.keys(scripts.data).sort(), [
            "backup.sh",
            "clone-endpoint-ready.sh",
            "clone-mysql.sh",
            "init-mysql.sh",
            "lib.sh",
            "mysql-ready.sh",
            "mysql-run.sh",
            "restore-finish.sh",
            "restore-mysql.sh",
            "rotate-credentials.sh",
            "sidecar.sh",
        ]);
        assert.deepStrictEqual(scripts.data, { ...readPodScripts() });
    });

    it("creates the headless Service named as the StatefulSet's serviceName and the read Service, both selecting the pod labels", async () => {
        const { registered } = await buildCluster(ARGS);
        const ports = [{ name: "mysql", port: 3306, targetPort: "mysql" }];
        assert.deepStrictEqual(inputsOf(registered, TYPES.service, "db-headless"), {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "orders", namespace: "shop", labels: LABELS },
            spec: { clusterIP: "None", ports, selector: LABELS },
        });
        assert.deepStrictEqual(inputsOf(registered, TYPES.service, "db-read"), {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "orders-read", namespace: "shop", labels: LABELS },
            spec: { ports, selector: LABELS },
        });
        const sts = inputsOf(registered, TYPES.statefulSet, "db-statefulset");
        assert.strictEqual(sts.spec.serviceName, "orders");
        assert.deepStrictEqual(sts.spec.selector.matchLabels, LABELS);
        assert.deepStrictEqual(sts.spec.template.metadata.labels, LABELS);
    });

    it("generates each password (32 letters and digits) and keeps them secret, in one Secret", async () => {
        const { cluster, registered } = await buildCluster(ARGS);
        for (const role of ["root", "replication", "backup"]) {
            assert.deepStrictEqual(inputsOf(registered, TYPES.password, `db-${role}-password`), { length: 32, special: false });
        }
        assert.deepStrictEqual(inputsOf(registered, TYPES.secret, "db-credentials"), {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "orders-credentials", namespace: "shop", labels: LABELS },
            type: "Opaque",
            stringData: { "root-password": MOCK_PASSWORD, "replication-password": MOCK_PASSWORD, "backup-password": MOCK_PASSWORD },
        });
        assert.strictEqual(
            unwrapSecrets(child(registered, TYPES.secret, "db-credentials").inputs, MASK).stringData,
            MASK,
            "the passwords reach the engine marked secret",
        );
        assert.strictEqual(await valueOf(cluster.rootPassword), MOCK_PASSWORD);
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        assert.strictEqual(await valueOf(cluster.appPassword), undefined);
    });

    it("uses supplied passwords instead of generating them, as secrets even if given plain", async () => {
        const { cluster, registered } = await buildCluster({
            ...ARGS,
            rootPassword: "s3cret pass",
            replicationPassword: "r",
            backupPassword: "b",
        });
        assert.strictEqual(registered.filter((r) => r.type === TYPES.password).length, 0);
        assert.deepStrictEqual(inputsOf(registered, TYPES.secret, "db-credentials").stringData, {
            "root-password": "s3cret pass",
            "replication-password": "r",
            "backup-password": "b",
        });
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        const raw = child(registered, TYPES.secret, "db-credentials").inputs.stringData;
        assert.notStrictEqual(raw["root-password"], "s3cret pass", "the password reaches the engine marked secret");
    });

    it("makes the cluster's own CA and one certificate for every pod name, in a TLS Secret", async () => {
        const { cluster, registered } = await buildCluster(ARGS);
        const key = { algorithm: "ECDSA", ecdsaCurve: "P256" };
        assert.deepStrictEqual(inputsOf(registered, TYPES.privateKey, "db-ca-key"), key);
        assert.deepStrictEqual(inputsOf(registered, TYPES.privateKey, "db-tls-key"), key);
        // The builder's specs (tests/unit/builders.test.ts has them exactly), wired to the keys and the CA.
        const specs = certificateSpecs(clusterNames("orders", "shop", "cluster.local"));
        assert.deepStrictEqual(inputsOf(registered, TYPES.selfSignedCert, "db-ca"), { privateKeyPem: "mock-private-key-pem", ...specs.ca });
        assert.deepStrictEqual(inputsOf(registered, TYPES.certRequest, "db-tls-request"), {
            privateKeyPem: "mock-private-key-pem",
            ...specs.request,
        });
        assert.deepStrictEqual(inputsOf(registered, TYPES.locallySignedCert, "db-tls-cert"), {
            certRequestPem: "mock-cert-request-pem",
            caPrivateKeyPem: "mock-private-key-pem",
            caCertPem: "mock-ca-cert-pem",
            ...specs.cert,
        });
        assert.deepStrictEqual(inputsOf(registered, TYPES.secret, "db-tls"), {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "orders-tls", namespace: "shop", labels: LABELS },
            type: "kubernetes.io/tls",
            stringData: { "tls.crt": "mock-cert-pem", "tls.key": "mock-private-key-pem", "ca.crt": "mock-ca-cert-pem" },
        });
        assert.strictEqual(
            unwrapSecrets(child(registered, TYPES.secret, "db-tls").inputs, MASK).stringData,
            MASK,
            "the key reaches the engine marked secret",
        );
        assert.strictEqual(await valueOf(cluster.caCertificate), "mock-ca-cert-pem");
    });

    it("lets only the cluster's pods reach the clone port, and the namespace's pods or the listed clients the MySQL port", async () => {
        const policy = (port: number, from: unknown[]) => ({
            podSelector: { matchLabels: LABELS },
            policyTypes: ["Ingress"],
            ingress: [{ from, ports: [{ protocol: "TCP", port }] }],
        });
        const self = { podSelector: { matchLabels: LABELS } };
        const { registered } = await buildCluster(ARGS);
        assert.deepStrictEqual(inputsOf(registered, TYPES.policy, "db-clone-policy"), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "orders-clone", namespace: "shop", labels: LABELS },
            spec: policy(3307, [self]),
        });
        assert.deepStrictEqual(inputsOf(registered, TYPES.policy, "db-mysql-policy").spec, policy(3306, [self, { podSelector: {} }]));

        const listed = await buildCluster({
            ...ARGS,
            clientPodLabels: ["app=web,tier=front"],
            clientNamespaceLabels: ["kubernetes.io/metadata.name=shop"],
        });
        assert.deepStrictEqual(
            inputsOf(listed.registered, TYPES.policy, "db-mysql-policy").spec,
            policy(3306, [
                self,
                { podSelector: { matchLabels: { app: "web", tier: "front" } } },
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } },
            ]),
        );
        const off = await buildCluster({ ...ARGS, networkPolicy: false });
        assert.deepStrictEqual(
            off.registered.filter((r) => r.type === TYPES.policy),
            [],
        );
    });

    it("keeps a password that is only known at deploy time secret, and checks it then", async () => {
        const { cluster } = await buildCluster({ ...ARGS, rootPassword: pulumi.output("from-another-stack") });
        assert.strictEqual(await valueOf(cluster.rootPassword), "from-another-stack");
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        assert.throws(() => requirePassword("rootPassword", ""), {
            message:
                "Invalid MySqlCluster settings:\n  - `rootPassword` is empty: set a non-empty secret, or unset it to have one generated.",
        });
        assert.throws(() => requirePassword("replicationPassword", "x".repeat(33), FLAVORS.mysql84), {
            message:
                'Invalid MySqlCluster settings:\n  - `replicationPassword` has 33 characters: `flavor` "mysql84" accepts at most 32 ' +
                "in a replication password; choose a shorter one, or unset it to have one of 32 generated.",
        });
    });
    it("runs the tutorial's four containers in order, wired to the scripts, the Secret and the volumes", async () => {
        const { registered } = await buildCluster(ARGS);
        const sts = inputsOf(registered, TYPES.statefulSet, "db-statefulset");
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
            selector: { matchLabels: LABELS },
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
                        { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: LABELS }, topologyKey: "kubernetes.io/hostname" } },
                    ],
                },
            },
        });
        assert.deepStrictEqual(pod.volumes, [
            { name: "conf", emptyDir: {} },
            { name: "config-map", configMap: { name: inputsOf(registered, TYPES.configMap, "db-config").metadata.name } },
            { name: "scripts", configMap: { name: contentName("orders-scripts", readPodScripts()), defaultMode: 0o755 } },
            { name: "secrets", secret: { secretName: "orders-credentials", defaultMode: 0o400 } },
            { name: "tls", secret: { secretName: "orders-tls", defaultMode: 0o400 } },
            { name: "credentials", emptyDir: { medium: "Memory" } },
            { name: "initdb", emptyDir: { medium: "Memory" } },
        ]);
        const [init, clone] = pod.initContainers;
        const [mysql, sidecar] = pod.containers;
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

        assert.deepStrictEqual(init, {
            name: "init-mysql",
            image: "mysql:5.7",
            command: ["/opt/mysql-statefulset/init-mysql.sh"],
            env: [
                { name: "DATA_ROOT", value: "/mnt/data" },
                { name: "DATA_SUBPATH", value: "mysql" },
                { name: "IDENTITY_FILE", value: "/mnt/data/identity" },
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
            ],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
            volumeMounts: [
                // The whole claim: the identity file beside the data directory.
                { name: "data", mountPath: "/mnt/data" },
                { name: "conf", mountPath: "/mnt/conf.d" },
                { name: "config-map", mountPath: "/mnt/config-map", readOnly: true },
                { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                { name: "secrets", mountPath: "/mnt/secrets", readOnly: true },
                { name: "tls", mountPath: "/mnt/tls", readOnly: true },
                { name: "credentials", mountPath: "/etc/mysql-credentials" },
                { name: "initdb", mountPath: "/docker-entrypoint-initdb.d" },
            ],
        });

        assert.deepStrictEqual(clone, {
            name: "clone-mysql",
            image: "gcr.io/google-samples/xtrabackup:1.0",
            command: ["/opt/mysql-statefulset/clone-mysql.sh"],
            env: [...CLONE_ENV, ...BACKUP_ENV],
            volumeMounts: [
                { name: "data", mountPath: "/mnt/data" },
                { name: "conf", mountPath: "/etc/mysql/conf.d" },
                { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                CREDENTIALS_MOUNT,
            ],
            securityContext: BACKUP_SECURITY,
        });

        const ping = { exec: { command: ["mysqladmin", CLIENT, "ping"] } };
        assert.deepStrictEqual(mysql, {
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
                ...REPLICA_STATUS_ENV,
            ],
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
            // 600 s of start-up at one probe every 2 s.
            startupProbe: { ...ping, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 600 },
            livenessProbe: { ...ping, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            readinessProbe: {
                exec: { command: ["/opt/mysql-statefulset/mysql-ready.sh"] },
                periodSeconds: 1,
                timeoutSeconds: 5,
                failureThreshold: 1,
            },
        });

        assert.deepStrictEqual(sidecar, {
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
                ...REPLICA_STATUS_ENV,
                ...CLONE_ENV,
                ...BACKUP_ENV,
            ],
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
                exec: { command: ["/opt/mysql-statefulset/clone-endpoint-ready.sh"] },
                periodSeconds: 1,
                timeoutSeconds: 1,
            },
        });
    });

    it("limits disruptions to one pod, mounts no API token, and spreads, limits and prioritises the pods as set", async () => {
        const { registered } = await buildCluster(ARGS);
        assert.deepStrictEqual(inputsOf(registered, TYPES.disruptionBudget, "db-disruption-budget"), {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "orders", namespace: "shop", labels: LABELS },
            spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } },
        });
        assert.deepStrictEqual(inputsOf(registered, TYPES.serviceAccount, "db-service-account"), {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "orders", namespace: "shop", labels: LABELS },
            automountServiceAccountToken: false,
        });
        const { registered: tuned } = await buildCluster({
            ...ARGS,
            spreadAcrossNodes: "required",
            spreadAcrossZones: "preferred",
            cpuLimit: "2",
            memoryLimit: "1Gi",
            backupMemoryLimit: "200Mi",
            priorityClassName: "database-critical",
            terminationGracePeriodSeconds: 300,
        });
        const pod = inputsOf(tuned, TYPES.statefulSet, "db-statefulset").spec.template.spec;
        const term = { labelSelector: { matchLabels: LABELS }, topologyKey: "kubernetes.io/hostname" };
        assert.deepStrictEqual(pod.affinity, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } });
        assert.deepStrictEqual(pod.topologySpreadConstraints, [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: LABELS },
            },
        ]);
        assert.strictEqual(pod.priorityClassName, "database-critical");
        assert.strictEqual(pod.terminationGracePeriodSeconds, 300);
        assert.deepStrictEqual(pod.containers[0].resources, {
            requests: { cpu: "500m", memory: "500Mi" },
            limits: { cpu: "2", memory: "1Gi" },
        });
        assert.deepStrictEqual(pod.containers[1].resources, { requests: { cpu: "100m", memory: "100Mi" }, limits: { memory: "200Mi" } });
        const { registered: apart } = await buildCluster({ ...ARGS, spreadAcrossNodes: "none" });
        assert.strictEqual(inputsOf(apart, TYPES.statefulSet, "db-statefulset").spec.template.spec.affinity, undefined);
    });

    it("creates the StatefulSet after everything it refers to", async () => {
        const { registered } = await buildCluster(ARGS);
        const urn = (r: { type: string; name: string }) =>
            `urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster$${r.type}::${r.name}`;
        const expected = registered.filter(
            (r) =>
                [TYPES.secret, TYPES.configMap, TYPES.pv, TYPES.serviceAccount, TYPES.uuid, GUARD_TYPE].includes(r.type) ||
                r.name === "db-headless",
        );
        assert.strictEqual(expected.filter((r) => r.type === TYPES.secret).length, 2);
        assert.deepStrictEqual([...child(registered, TYPES.statefulSet, "db-statefulset").dependencies].sort(), expected.map(urn).sort());
    });

    it("builds the StatefulSet as a pure function: the scripts are data, a changed script rolls the pods", () => {
        const args = resolveArgs(ARGS);
        const names = clusterNames(args.name, args.namespace, args.clusterDomain);
        const scriptsVolume = (scripts: Record<string, string>) =>
            (statefulSet(args, names, scripts, MOCK_UUID) as any).spec.template.spec.volumes.find((v: any) => v.name === "scripts")
                .configMap.name;
        assert.strictEqual(scriptsVolume({ "lib.sh": "a" }), scriptsVolume({ "lib.sh": "a" }));
        assert.notStrictEqual(scriptsVolume({ "lib.sh": "a" }), scriptsVolume({ "lib.sh": "b" }));
        assert.strictEqual(scriptsVolume({ ...readPodScripts() }), scriptsConfigMapName(names, readPodScripts()));
    });

    it("gives init-mysql the cluster's identity: the UID passed to the builder, its namespace/name, and the claim", () => {
        const args = resolveArgs({ ...ARGS, name: "billing", namespace: "finance" });
        const names = clusterNames(args.name, args.namespace, args.clusterDomain);
        const init = (statefulSet(args, names, readPodScripts(), "5d0f3c1e-1111-4222-8333-444455556666") as any).spec.template.spec
            .initContainers[0];
        const envOf = (name: string) => init.env.find((e: any) => e.name === name)?.value;
        assert.deepStrictEqual(["CLUSTER", "CLUSTER_UID", "IDENTITY_FILE"].map(envOf), [
            "finance/billing",
            "5d0f3c1e-1111-4222-8333-444455556666",
            "/mnt/data/identity",
        ]);
        assert.deepStrictEqual(init.volumeMounts[0], { name: "data", mountPath: "/mnt/data" });
    });

    it("keeps the cluster's UID for the life of the stack: one RandomUuid, whose result reaches the pods", async () => {
        const { registered } = await buildCluster(ARGS);
        assert.deepStrictEqual(inputsOf(registered, TYPES.uuid, "db-cluster-uid"), {});
        assert.ok(
            child(registered, TYPES.statefulSet, "db-statefulset").dependencies.includes(
                "urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster$random:index/randomUuid:RandomUuid::db-cluster-uid",
            ),
        );
    });

    it("starts the pods all at once with bootstrap parallel, and tells the clone step so", () => {
        const names = clusterNames("mysql", "default", "cluster.local");
        const built = (bootstrap?: string) => statefulSet(resolveArgs({ ...ARGS, bootstrap }), names, {}, MOCK_UUID) as any;
        const bootstrapEnv = (sts: any) =>
            [...sts.spec.template.spec.initContainers, ...sts.spec.template.spec.containers].map(
                (c: any) => `${c.name}: ${c.env.find((e: any) => e.name === "BOOTSTRAP")?.value ?? "-"}`,
            );
        assert.strictEqual(built().spec.podManagementPolicy, "OrderedReady");
        assert.strictEqual(built("parallel").spec.podManagementPolicy, "Parallel");
        // The clone step runs in clone-mysql and in the sidecar's self-repair.
        assert.deepStrictEqual(bootstrapEnv(built("parallel")), [
            "init-mysql: -",
            "clone-mysql: parallel",
            "mysql: -",
            "xtrabackup: parallel",
        ]);
        assert.deepStrictEqual(bootstrapEnv(built()), ["init-mysql: -", "clone-mysql: ordered", "mysql: -", "xtrabackup: ordered"]);
    });

    it("has every replica apply replicaApplyThreads transactions at once, in the primary's commit order, per flavor", () => {
        const replicaCnf = (flavor: string) => {
            const files = configFiles(resolveArgs({ ...ARGS, flavor, replicaApplyThreads: 8 }));
            return files["replica.cnf"].split("\n").slice(-5).join("\n");
        };
        assert.deepStrictEqual(
            Object.keys(FLAVORS).map((flavor) => [flavor, replicaCnf(flavor)]),
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
        for (const flavor of Object.keys(FLAVORS)) {
            assert.doesNotMatch(configFiles(resolveArgs({ ...ARGS, flavor }))["primary.cnf"], /parallel/, flavor);
        }
    });

    it("rolls the pods when a my.cnf setting changes: a new immutable ConfigMap, named by its content", async () => {
        const rendered = async (mysqldOptions: string[]) => {
            const { registered } = await buildCluster({ ...ARGS, mysqldOptions });
            const volumes = inputsOf(registered, TYPES.statefulSet, "db-statefulset").spec.template.spec.volumes;
            const mounted = volumes.find((v: any) => v.name === "config-map").configMap.name;
            assert.strictEqual(mounted, inputsOf(registered, TYPES.configMap, "db-config").metadata.name);
            const args = resolveArgs({ ...ARGS, mysqldOptions });
            assert.strictEqual(mounted, configMapName(args, clusterNames(args.name, args.namespace, args.clusterDomain)));
            return mounted;
        };
        assert.notStrictEqual(await rendered(["max_connections=100"]), await rendered(["max_connections=200"]));
        assert.strictEqual(await rendered(["max_connections=100"]), await rendered(["max_connections=100"]));
    });

    it("takes the images, requests and flavor words from the settings", async () => {
        const { registered } = await buildCluster({
            ...ARGS,
            flavor: "mariadb",
            image: "registry.local/mariadb:11.4.5",
            cpuRequest: "2",
            memoryRequest: "4Gi",
            backupCpuRequest: "250m",
            backupMemoryRequest: "256Mi",
        });
        const pod = inputsOf(registered, TYPES.statefulSet, "db-statefulset").spec.template.spec;
        const [init, clone] = pod.initContainers;
        const [mysql, sidecar] = pod.containers;
        assert.deepStrictEqual(
            [init.image, clone.image, mysql.image, sidecar.image],
            ["registry.local/mariadb:11.4.5", "mariadb:11.4", "registry.local/mariadb:11.4.5", "mariadb:11.4"],
        );
        assert.deepStrictEqual(mysql.resources, { requests: { cpu: "2", memory: "4Gi" } });
        assert.deepStrictEqual(sidecar.resources, { requests: { cpu: "250m", memory: "256Mi" } });
        assert.deepStrictEqual(mysql.livenessProbe.exec.command, ["mariadb-admin", CLIENT, "ping"]);
        assert.deepStrictEqual(mysql.startupProbe.exec.command, ["mariadb-admin", CLIENT, "ping"]);
        assert.deepStrictEqual(mysql.args, ["docker-entrypoint.sh", "mariadbd"]);
        const envOf = (c: any) => Object.fromEntries(c.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
        assert.deepStrictEqual(
            [envOf(clone).CLONE_TRANSPORT, envOf(clone).STREAM_TOOL, envOf(clone).BACKUP_TOOL, envOf(clone).BACKUP_INFO_PREFIXES],
            ["socat", "mbstream", "mariadb-backup", "mariadb_backup xtrabackup"],
        );
        assert.strictEqual(envOf(init).SERVER_BINARY, "mariadbd", "init-mysql asks the server binary its version");
        assert.strictEqual(envOf(sidecar).MYSQL_CLIENT, "mariadb");
        assert.strictEqual(envOf(mysql).MYSQL_CLIENT, "mariadb");
        assert.strictEqual(envOf(mysql).REPLICA_STATUS, "SHOW SLAVE STATUS");
        assert.deepStrictEqual(
            inputsOf(registered, TYPES.configMap, "db-config").data["replica.cnf"],
            "[mysqld]\nread-only\nlog-bin=mysql-bin\nlog-slave-updates\nrelay-log-recovery=ON\nslave-parallel-mode=optimistic\nslave-parallel-threads=4\n",
        );
    });

    it("exports where to reach the cluster, derived from the object names", async () => {
        const { cluster } = await buildCluster(ARGS);
        assert.deepStrictEqual(
            {
                primaryHost: await valueOf(cluster.primaryHost),
                primaryFqdn: await valueOf(cluster.primaryFqdn),
                readEndpoint: await valueOf(cluster.readEndpoint),
                port: await valueOf(cluster.port),
                namespace: await valueOf(cluster.namespace),
                secretName: await valueOf(cluster.secretName),
                tlsSecretName: await valueOf(cluster.tlsSecretName),
            },
            {
                primaryHost: "orders-0.orders",
                primaryFqdn: "orders-0.orders.shop.svc.cluster.local",
                readEndpoint: "orders-read.shop.svc.cluster.local:3306",
                port: 3306,
                namespace: "shop",
                secretName: "orders-credentials",
                tlsSecretName: "orders-tls",
            },
        );
    });

    it("uses the tutorial's names by default", async () => {
        const { cluster, registered } = await buildCluster(BASE_ARGS);
        const sts = inputsOf(registered, TYPES.statefulSet, "db-statefulset");
        assert.deepStrictEqual(
            [sts.metadata.name, sts.metadata.namespace, sts.spec.serviceName, sts.spec.replicas],
            ["mysql", "default", "mysql", 3],
        );
        assert.deepStrictEqual(
            registered
                .filter((r) => r.type === TYPES.service)
                .map((r) => r.inputs.metadata.name)
                .sort(),
            ["mysql", "mysql-read"],
        );
        assert.strictEqual(await valueOf(cluster.primaryHost), "mysql-0.mysql");
        assert.strictEqual(await valueOf(cluster.readEndpoint), "mysql-read.default.svc.cluster.local:3306");
        assert.deepStrictEqual(sts.spec.volumeClaimTemplates[0].spec.storageClassName, "mysql-nfs");
    });

    it("creates nothing when a setting is wrong", async () => {
        clearRegistrations();
        const { MySqlCluster } = await import("../../components");
        assert.throws(() => new MySqlCluster("bad", { ...BASE_ARGS, replicas: 0 }), { name: "MySqlClusterArgsError" });
        await settle();
        assert.deepStrictEqual(registrations, []);
    });
});
