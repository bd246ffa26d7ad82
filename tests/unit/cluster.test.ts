// MySqlCluster under mocks: the exact inputs of every child, the parent and delete options, and the outputs.
import * as assert from "assert";
import { CONFIG_CHECKSUM_ANNOTATION, configChecksum, scriptFiles } from "../../components/builders";
import * as pulumi from "@pulumi/pulumi";
import { requireRootPassword } from "../../components";
import { MOCK_PASSWORD } from "../../scripts/mockRuntime";
import { BASE_ARGS, buildCluster, child, inputsOf, isSecret, valueOf } from "../helpers";

const TYPES = {
    cluster: "mysql-statefulset:index:MySqlCluster",
    password: "random:index/randomPassword:RandomPassword",
    pv: "kubernetes:core/v1:PersistentVolume",
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
};

const ARGS = { ...BASE_ARGS, name: "orders", namespace: "shop", replicas: 2, storageClassName: "nfs-static" };
const LABELS = { app: "orders" };
const SECRET_ENV = {
    name: "MYSQL_ROOT_PASSWORD",
    valueFrom: { secretKeyRef: { name: "orders-credentials", key: "root-password" } },
};
const CLIENT = "--defaults-extra-file=/etc/mysql-client/root.cnf";

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
                `${TYPES.service}::db-headless`,
                `${TYPES.service}::db-read`,
                `${TYPES.password}::db-root-password`,
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
        assert.ok(others.every((r) => !r.retainOnDelete), "only the volumes are retained on delete");
    });

    it("writes the primary's and the replicas' my.cnf and the user's settings into the ConfigMap", async () => {
        const { registered } = await buildCluster({ ...ARGS, mysqldOptions: ["max_connections=500", "skip-name-resolve"] });
        assert.deepStrictEqual(inputsOf(registered, TYPES.configMap, "db-config"), {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "orders", namespace: "shop", labels: LABELS },
            data: {
                "primary.cnf": "[mysqld]\nlog-bin=mysql-bin\n",
                "replica.cnf": "[mysqld]\nsuper-read-only\n",
                "custom.cnf": "[mysqld]\nmax_connections=500\nskip-name-resolve\n",
            },
        });
    });

    it("ships the pod scripts in their own ConfigMap, byte for byte", async () => {
        const { registered } = await buildCluster(ARGS);
        const scripts = inputsOf(registered, TYPES.configMap, "db-scripts");
        assert.deepStrictEqual(scripts.metadata, { name: "orders-scripts", namespace: "shop", labels: LABELS });
        assert.deepStrictEqual(Object.keys(scripts.data).sort(), [
            "clone-endpoint-ready.sh",
            "clone-mysql.sh",
            "init-mysql.sh",
            "lib.sh",
            "sidecar.sh",
        ]);
        assert.deepStrictEqual(scripts.data, scriptFiles());
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

    it("generates a 32-character root password without special characters and keeps it secret", async () => {
        const { cluster, registered } = await buildCluster(ARGS);
        assert.deepStrictEqual(inputsOf(registered, TYPES.password, "db-root-password"), { length: 32, special: false });
        assert.deepStrictEqual(inputsOf(registered, TYPES.secret, "db-credentials"), {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "orders-credentials", namespace: "shop", labels: LABELS },
            type: "Opaque",
            stringData: { "root-password": MOCK_PASSWORD },
        });
        assert.strictEqual(await valueOf(cluster.rootPassword), MOCK_PASSWORD);
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
    });

    it("uses a supplied password instead of generating one, as a secret even if given plain", async () => {
        const { cluster, registered } = await buildCluster({ ...ARGS, rootPassword: "s3cret pass" });
        assert.strictEqual(registered.filter((r) => r.type === TYPES.password).length, 0);
        assert.deepStrictEqual(inputsOf(registered, TYPES.secret, "db-credentials").stringData, { "root-password": "s3cret pass" });
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        const raw = child(registered, TYPES.secret, "db-credentials").inputs.stringData;
        assert.notStrictEqual(raw["root-password"], "s3cret pass", "the password reaches the engine marked secret");
    });

    it("keeps a password that is only known at deploy time secret, and checks it then", async () => {
        const { cluster } = await buildCluster({ ...ARGS, rootPassword: pulumi.output("from-another-stack") });
        assert.strictEqual(await valueOf(cluster.rootPassword), "from-another-stack");
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        assert.throws(() => requireRootPassword(""), {
            message: "Invalid MySqlCluster settings:\n  - `rootPassword` is empty: set a non-empty secret, or unset it to have one generated.",
        });
    });
});
