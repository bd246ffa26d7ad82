// MySqlCluster under mocks, its wiring only: which children it registers, under which types and names, with
// which parent, options and dependencies, each given its builder's spec unchanged (the specs themselves are
// tested on the builders, in builders.test.ts and statefulSet.test.ts), secrets kept secret, and the outputs.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as build from "../../components/builders";
import * as pulumi from "@pulumi/pulumi";
import { clusterNames, FLAVORS, GUARD_TYPE, readPodScripts, requirePassword, resolveArgs } from "../../components";
import { clearRegistrations, MOCK_PASSWORD, MOCK_UUID, registrations, settle } from "../../scripts/render/mockRuntime";
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
    secretPatch: "kubernetes:core/v1:SecretPatch",
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
// The recommended labels (selectorLabels' default): the selectors match name, instance and component.
const SELECTOR = {
    "app.kubernetes.io/name": "mysql-statefulset",
    "app.kubernetes.io/instance": "orders",
    "app.kubernetes.io/component": "database",
};
const LABELS = { ...SELECTOR, "app.kubernetes.io/managed-by": "pulumi" };

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
                `${TYPES.secretPatch}::db-credentials-data`,
                `${TYPES.secret}::db-tls`,
                `${TYPES.service}::db-headless`,
                `${TYPES.service}::db-read`,
                `${TYPES.service}::db-peers`,
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

    it("gives each Kubernetes object its builder's spec, unchanged, and retains only the volumes and the NetworkPolicies (which stay with the orphaned pods) on delete", async () => {
        const { registered } = await buildCluster(ARGS);
        const args = resolveArgs(ARGS);
        const names = clusterNames(args.name, args.namespace, args.clusterDomain, args.selectorLabels);
        // What the builders return, as the engine receives it (undefined fields dropped).
        const plain = (spec: unknown) => JSON.parse(JSON.stringify(spec));
        const specs: [string, string, unknown][] = [
            ...build.persistentVolumes(args, names).map((pv, ordinal): [string, string, unknown] => [TYPES.pv, `db-pv-${ordinal}`, pv]),
            [TYPES.configMap, "db-config", build.configMap(args, names)],
            [TYPES.configMap, "db-scripts", build.scriptsConfigMap(args, names, readPodScripts())],
            [TYPES.service, "db-headless", build.headlessService(args, names)],
            [TYPES.service, "db-read", build.readService(args, names)],
            [TYPES.service, "db-peers", build.peerService(args, names)],
            [TYPES.serviceAccount, "db-service-account", build.serviceAccount(args, names)],
            [TYPES.disruptionBudget, "db-disruption-budget", build.podDisruptionBudget(args, names)],
            ...Object.entries(build.networkPolicies(args, names)).map(([port, spec]): [string, string, unknown] => [
                TYPES.policy,
                `db-${port}-policy`,
                spec,
            ]),
            [TYPES.statefulSet, "db-statefulset", build.statefulSet(args, names, readPodScripts(), MOCK_UUID)],
        ];
        assert.strictEqual(specs.filter(([type]) => type === TYPES.pv).length, 2);
        for (const [type, name, spec] of specs) {
            const { apiVersion: _apiVersion, kind: _kind, ...inputs } = inputsOf(registered, type, name);
            assert.deepStrictEqual(inputs, plain(spec), name);
        }
        assert.deepStrictEqual(
            registered.filter((r) => r.retainOnDelete).map((r) => r.name),
            ["db-pv-0", "db-pv-1", "db-clone-policy", "db-mysql-policy"],
        );
        const off = await buildCluster({ ...ARGS, networkPolicy: false });
        assert.deepStrictEqual(
            off.registered.filter((r) => r.type === TYPES.policy),
            [],
        );
    });

    it("generates each password (32 letters and digits) and keeps them secret, in one Secret, applied by a SecretPatch after it exists", async () => {
        const { cluster, registered } = await buildCluster(ARGS);
        for (const role of ["root", "replication", "backup"]) {
            assert.deepStrictEqual(inputsOf(registered, TYPES.password, `db-${role}-password`), { length: 32, special: false });
        }
        // The Secret carries no data, so a password change never replaces it (delete, then create, with a fixed name).
        assert.deepStrictEqual(inputsOf(registered, TYPES.secret, "db-credentials"), {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "orders-credentials", namespace: "shop", labels: LABELS },
            type: "Opaque",
        });
        assert.deepStrictEqual(inputsOf(registered, TYPES.secretPatch, "db-credentials-data"), {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "orders-credentials", namespace: "shop" },
            stringData: { "root-password": MOCK_PASSWORD, "replication-password": MOCK_PASSWORD, "backup-password": MOCK_PASSWORD },
        });
        const urn = (type: string, name: string) =>
            `urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster$${type}::${name}`;
        assert.ok(child(registered, TYPES.secretPatch, "db-credentials-data").dependencies.includes(urn(TYPES.secret, "db-credentials")));
        assert.strictEqual(
            unwrapSecrets(child(registered, TYPES.secretPatch, "db-credentials-data").inputs, MASK).stringData,
            MASK,
            "the passwords reach the engine marked secret",
        );
        assert.strictEqual(await valueOf(cluster.rootPassword), MOCK_PASSWORD);
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        assert.strictEqual(await valueOf(cluster.appPassword), undefined);
    });

    it("generates the application user's password when one is asked for, and exports it as a secret", async () => {
        const { cluster, registered } = await buildCluster({ ...ARGS, appDatabase: "orders", appUser: "shop-app" });
        assert.deepStrictEqual(inputsOf(registered, TYPES.password, "db-app-password"), { length: 32, special: false });
        assert.strictEqual(inputsOf(registered, TYPES.secretPatch, "db-credentials-data").stringData["app-password"], MOCK_PASSWORD);
        assert.strictEqual(await valueOf(cluster.appPassword), MOCK_PASSWORD);
        assert.strictEqual(await isSecret(cluster.appPassword), true);
    });

    it("uses supplied passwords instead of generating them, as secrets even if given plain", async () => {
        const { cluster, registered } = await buildCluster({
            ...ARGS,
            rootPassword: "s3cret pass",
            replicationPassword: "r",
            backupPassword: "b",
        });
        assert.strictEqual(registered.filter((r) => r.type === TYPES.password).length, 0);
        assert.deepStrictEqual(inputsOf(registered, TYPES.secretPatch, "db-credentials-data").stringData, {
            "root-password": "s3cret pass",
            "replication-password": "r",
            "backup-password": "b",
        });
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        const raw = child(registered, TYPES.secretPatch, "db-credentials-data").inputs.stringData;
        assert.notStrictEqual(raw["root-password"], "s3cret pass", "the password reaches the engine marked secret");
    });

    it("makes the cluster's own CA and one certificate for every pod name, in a TLS Secret", async () => {
        const { cluster, registered } = await buildCluster(ARGS);
        const key = { algorithm: "ECDSA", ecdsaCurve: "P256" };
        assert.deepStrictEqual(inputsOf(registered, TYPES.privateKey, "db-ca-key"), key);
        assert.deepStrictEqual(inputsOf(registered, TYPES.privateKey, "db-tls-key"), key);
        // The builder's specs (tests/unit/builders.test.ts has them exactly), wired to the keys and the CA.
        const specs = build.certificateSpecs(clusterNames("orders", "shop", "cluster.local", "recommended"));
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

    it("keeps a password that is only known at deploy time secret, and checks it then", async () => {
        const { cluster } = await buildCluster({ ...ARGS, rootPassword: pulumi.output("from-another-stack") });
        assert.strictEqual(await valueOf(cluster.rootPassword), "from-another-stack");
        assert.strictEqual(await isSecret(cluster.rootPassword), true);
        // Through the component: an empty Output fails the deploy at the Secret that would carry it, with the
        // component's message; a good one reaches that Secret (in a process of its own: see the program).
        const deployTime = (password: string) => {
            const run = spawnSync(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", "tests/support/deployTimePassword.ts", password],
                {
                    cwd: path.resolve(__dirname, "..", ".."),
                    encoding: "utf8",
                },
            );
            return { status: run.status, ...JSON.parse(run.stdout) };
        };
        assert.deepStrictEqual(deployTime(""), {
            status: 1,
            errors: [
                'error serializing property "outputs": error serializing property "stringData": Invalid MySqlCluster settings:\n' +
                    "  - `rootPassword` is empty: set a non-empty secret, or unset it to have one generated.",
            ],
        });
        assert.deepStrictEqual(deployTime("from-another-stack"), { status: 0, rootPassword: "from-another-stack" });
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
    it("creates the StatefulSet after everything it refers to", async () => {
        const { registered } = await buildCluster(ARGS);
        const urn = (r: { type: string; name: string }) =>
            `urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster$${r.type}::${r.name}`;
        const expected = registered.filter(
            (r) =>
                [TYPES.secret, TYPES.secretPatch, TYPES.configMap, TYPES.pv, TYPES.serviceAccount, TYPES.uuid, GUARD_TYPE].includes(
                    r.type,
                ) ||
                r.name === "db-headless" ||
                r.name === "db-peers",
        );
        assert.strictEqual(expected.filter((r) => r.type === TYPES.secret).length, 2);
        assert.deepStrictEqual([...child(registered, TYPES.statefulSet, "db-statefulset").dependencies].sort(), expected.map(urn).sort());
    });

    it("leaves a bound volume's claimRef to the volume controller, and waits for the StatefulSet as long as its pods may take", async () => {
        const { registered } = await buildCluster({ ...ARGS, startupTimeoutSeconds: 900 });
        for (const r of registered.filter((x) => x.type === TYPES.pv)) {
            assert.deepStrictEqual(r.ignoreChanges, ["spec.claimRef"], r.name);
        }
        // 2 pods × (120 s grace + 300 s clone idle bound + 900 s startup).
        assert.deepStrictEqual(child(registered, TYPES.statefulSet, "db-statefulset").customTimeouts, {
            create: "2640s",
            update: "2640s",
            delete: "",
        });
        assert.deepStrictEqual(
            registered.filter((r) => r.ignoreChanges.length > 0).map((r) => r.name),
            ["db-pv-0", "db-pv-1"],
        );
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
            ["mysql", "mysql-peers", "mysql-read"],
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
