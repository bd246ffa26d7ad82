// The pure builders called directly: resolved settings and cluster names in, the exact object spec out, each
// branch of a setting on its own. No component and no resources (statefulSet and the ConfigMaps are in
// statefulSet.test.ts, the backup objects in backup.test.ts).
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { clusterNames, MySqlClusterArgs, resolveArgs } from "../../components";
import {
    backupVolume,
    certificateSpecs,
    claimTemplate,
    credentialsSecret,
    credentialsSecretData,
    headlessService,
    networkPolicies,
    persistentVolumes,
    podAffinity,
    podDisruptionBudget,
    peerService,
    readService,
    statefulSetTimeouts,
    VOLUME_IGNORE_CHANGES,
    serviceAccount,
    tlsSecret,
    zoneSpread,
} from "../../components/builders";
import { BASE_ARGS, isSecret, valueOf } from "../helpers";

const names = clusterNames("orders", "shop", "cluster.local", "recommended");
// The recommended labels (selectorLabels' default): the selectors match name, instance and component.
const SELECTOR = {
    "app.kubernetes.io/name": "mysql-statefulset",
    "app.kubernetes.io/instance": "orders",
    "app.kubernetes.io/component": "database",
};
const LABELS = { ...SELECTOR, "app.kubernetes.io/managed-by": "pulumi" };
const METADATA = { namespace: "shop", labels: LABELS };
const resolve = (args: Partial<MySqlClusterArgs> = {}) => resolveArgs({ ...BASE_ARGS, name: "orders", namespace: "shop", ...args });

/** Each value of a record as [plain value, whether it is a Pulumi secret]; plain strings stay plain. */
async function unwrapped(record: Record<string, unknown>): Promise<Record<string, [unknown, boolean]>> {
    const entries = await Promise.all(
        Object.entries(record).map(async ([key, value]): Promise<[string, [unknown, boolean]]> => {
            if (!pulumi.Output.isInstance(value)) {
                return [key, [value, false]];
            }
            return [key, [await valueOf(value), await isSecret(value)]];
        }),
    );
    return Object.fromEntries(entries);
}

describe("builders: availability", () => {
    it("a PodDisruptionBudget that lets a drain take one pod of the cluster at a time", () => {
        assert.deepStrictEqual(podDisruptionBudget(resolve(), names), {
            metadata: { name: "orders", ...METADATA },
            spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } },
        });
    });

    it("a ServiceAccount that mounts no API token", () => {
        assert.deepStrictEqual(serviceAccount(resolve(), names), {
            metadata: { name: "orders", ...METADATA },
            automountServiceAccountToken: false,
        });
    });

    it("spreadAcrossNodes: preferred by default, required, or no affinity at all", () => {
        const term = { labelSelector: { matchLabels: SELECTOR }, topologyKey: "kubernetes.io/hostname" };
        assert.deepStrictEqual(podAffinity(resolve(), names), {
            podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
        });
        assert.deepStrictEqual(podAffinity(resolve({ spreadAcrossNodes: "required" }), names), {
            podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] },
        });
        assert.strictEqual(podAffinity(resolve({ spreadAcrossNodes: "none" }), names), undefined);
    });

    it("spreadAcrossZones: none by default, preferred (ScheduleAnyway) or required (DoNotSchedule)", () => {
        const constraint = (whenUnsatisfiable: string) => [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable, labelSelector: { matchLabels: SELECTOR } },
        ];
        assert.strictEqual(zoneSpread(resolve(), names), undefined);
        assert.deepStrictEqual(zoneSpread(resolve({ spreadAcrossZones: "preferred" }), names), constraint("ScheduleAnyway"));
        assert.deepStrictEqual(zoneSpread(resolve({ spreadAcrossZones: "required" }), names), constraint("DoNotSchedule"));
    });

    it("gives every spec its own copy of the pod labels, so no object can change another's selector", () => {
        const args = resolve({ spreadAcrossNodes: "required", spreadAcrossZones: "required" });
        const budget = podDisruptionBudget(args, names) as any;
        const labelMaps = [budget.metadata.labels, (serviceAccount(args, names) as any).metadata.labels];
        const selectorMaps = [
            budget.spec.selector.matchLabels,
            (podAffinity(args, names) as any).podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels,
            (zoneSpread(args, names) as any)[0].labelSelector.matchLabels,
        ];
        for (const labels of labelMaps) {
            assert.deepStrictEqual(labels, LABELS);
            assert.notStrictEqual(labels, names.podLabels);
        }
        for (const selector of selectorMaps) {
            assert.deepStrictEqual(selector, SELECTOR);
            assert.notStrictEqual(selector, names.podSelector);
        }
    });
});

describe("builders: labels (selectorLabels)", () => {
    /** Every label map of the objects and every selector of the cluster's pods, by where it is. */
    function labelsAndSelectors(scheme: "recommended" | "legacy") {
        const args = resolve({ selectorLabels: scheme, spreadAcrossNodes: "required", spreadAcrossZones: "required" });
        const n = clusterNames("orders", "shop", "cluster.local", scheme);
        const budget = podDisruptionBudget(args, n) as any;
        const policies = networkPolicies(args, n) as any;
        const read = readService(args, n) as any;
        return {
            labels: [
                budget.metadata.labels,
                read.metadata.labels,
                policies.mysql.metadata.labels,
                (persistentVolumes(args, n)[0] as any).metadata.labels,
            ],
            selectors: [
                budget.spec.selector.matchLabels,
                read.spec.selector,
                (headlessService(args, n) as any).spec.selector,
                policies.mysql.spec.podSelector.matchLabels,
                policies.clone.spec.ingress[0].from[0].podSelector.matchLabels,
                (podAffinity(args, n) as any).podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels,
                (zoneSpread(args, n) as any)[0].labelSelector.matchLabels,
            ],
            names: n,
        };
    }

    it("recommended (the default): the app.kubernetes.io labels, selected by name, instance and component", () => {
        assert.strictEqual(resolve().selectorLabels, "recommended");
        const { labels, selectors, names: n } = labelsAndSelectors("recommended");
        labels.forEach((l) => assert.deepStrictEqual(l, LABELS));
        selectors.forEach((s) => assert.deepStrictEqual(s, SELECTOR));
        // The backup Job's pods: same name and instance, another component, so no selector of the cluster takes them.
        assert.deepStrictEqual(n.backupPodSelector, { ...SELECTOR, "app.kubernetes.io/component": "backup" });
        assert.deepStrictEqual(n.backupPodLabels, { ...LABELS, "app.kubernetes.io/component": "backup" });
        // Another cluster of the namespace differs in its instance.
        assert.notDeepStrictEqual(clusterNames("billing", "shop", "cluster.local", "recommended").podSelector, SELECTOR);
    });

    it("legacy: app=<name> on everything, as clusters deployed before the setting have it", () => {
        const { labels, selectors, names: n } = labelsAndSelectors("legacy");
        [...labels, ...selectors].forEach((l) => assert.deepStrictEqual(l, { app: "orders" }));
        assert.deepStrictEqual([n.backupPodLabels, n.backupPodSelector], [{ app: "orders-backup" }, { app: "orders-backup" }]);
    });
});

describe("builders: networkPolicy", () => {
    const clusterPods = { podSelector: { matchLabels: SELECTOR } };
    const policy = (name: string, port: number, from: unknown[]) => ({
        metadata: { name, ...METADATA },
        spec: { podSelector: { matchLabels: SELECTOR }, policyTypes: ["Ingress"], ingress: [{ from, ports: [{ protocol: "TCP", port }] }] },
    });

    it("by default: the clone port from the cluster's pods only, the MySQL port from them and every pod of the namespace", () => {
        assert.deepStrictEqual(networkPolicies(resolve(), names), {
            clone: policy("orders-clone", 3307, [clusterPods]),
            mysql: policy("orders-mysql", 3306, [clusterPods, { podSelector: {} }]),
        });
    });

    it("with client labels: the MySQL port from the cluster's pods and the listed pods and namespaces only", () => {
        const policies = networkPolicies(
            resolve({
                clientPodLabels: ["app=web,tier=frontend", "app=jobs"],
                clientNamespaceLabels: ["kubernetes.io/metadata.name=reports"],
            }),
            names,
        );
        assert.deepStrictEqual(
            policies.mysql,
            policy("orders-mysql", 3306, [
                clusterPods,
                { podSelector: { matchLabels: { app: "web", tier: "frontend" } } },
                { podSelector: { matchLabels: { app: "jobs" } } },
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "reports" } } },
            ]),
        );
        assert.deepStrictEqual(policies.clone, policy("orders-clone", 3307, [clusterPods]), "clients never reach the clone port");
    });

    it("with namespace labels alone, the namespace's other pods are no longer admitted", () => {
        const mysql = networkPolicies(resolve({ clientNamespaceLabels: ["team=shop"] }), names).mysql;
        assert.deepStrictEqual(
            mysql,
            policy("orders-mysql", 3306, [clusterPods, { namespaceSelector: { matchLabels: { team: "shop" } } }]),
        );
    });

    it("none with networkPolicy off", () => {
        assert.deepStrictEqual(networkPolicies(resolve({ networkPolicy: false }), names), {});
    });
});

describe("builders: secret", () => {
    it("the passwords Secret: an object without data, so that a password change never replaces it", () => {
        assert.deepStrictEqual(credentialsSecret(resolve(), names), {
            metadata: { name: "orders-credentials", ...METADATA },
            type: "Opaque",
        });
    });

    it("the passwords, a SecretPatch of that Secret: each password a Pulumi secret under its key; app-password only with an application user", async () => {
        const data = credentialsSecretData(resolve(), names, { root: "r", replication: "p", backup: "b" });
        const { stringData, ...rest } = data;
        assert.deepStrictEqual(rest, { metadata: { name: "orders-credentials", namespace: METADATA.namespace } });
        assert.deepStrictEqual(await unwrapped(stringData as Record<string, unknown>), {
            "root-password": ["r", true],
            "replication-password": ["p", true],
            "backup-password": ["b", true],
        });
        const withApp = credentialsSecretData(resolve(), names, { root: "r", replication: "p", backup: "b", app: pulumi.output("a") });
        assert.deepStrictEqual((await unwrapped(withApp.stringData as Record<string, unknown>))["app-password"], ["a", true]);
    });

    it("the TLS Secret: a kubernetes.io/tls Secret with the CA beside it, the key a Pulumi secret", async () => {
        const secret = tlsSecret(resolve(), names, { caCert: "CA PEM", cert: "CERT PEM", key: "KEY PEM" });
        const { stringData, ...rest } = secret;
        assert.deepStrictEqual(rest, { metadata: { name: "orders-tls", ...METADATA }, type: "kubernetes.io/tls" });
        assert.deepStrictEqual(await unwrapped(stringData as Record<string, unknown>), {
            "tls.crt": ["CERT PEM", false],
            "tls.key": ["KEY PEM", true],
            "ca.crt": ["CA PEM", false],
        });
    });
});

describe("builders: what the engine is told", () => {
    it("the StatefulSet's await: every pod's grace period, clone idle bound and startup bound, one pod after another", () => {
        assert.deepStrictEqual(statefulSetTimeouts(resolve()), { create: "3060s", update: "3060s" });
        assert.deepStrictEqual(
            statefulSetTimeouts(
                resolve({ replicas: 5, startupTimeoutSeconds: 60, terminationGracePeriodSeconds: 30, cloneIdleTimeoutSeconds: 10 }),
            ),
            { create: "500s", update: "500s" },
        );
    });

    it("a bound volume's claimRef is the cluster's", () => {
        assert.deepStrictEqual(VOLUME_IGNORE_CHANGES, ["spec.claimRef"]);
    });
});

describe("builders: services", () => {
    const spec = { ports: [{ name: "mysql", port: 3306, targetPort: "mysql" }], selector: SELECTOR };

    it("the headless Service (stable pod names), the read Service (every Ready pod) and the peer Service (every pod), selecting the pods by their labels", () => {
        const args = resolve();
        assert.deepStrictEqual(headlessService(args, names), {
            metadata: { name: "orders", ...METADATA },
            spec: { clusterIP: "None", ...spec },
        });
        // The read Service is not awaited: a lagging replica is NotReady by design, and the StatefulSet's await
        // already waits for every pod.
        assert.deepStrictEqual(readService(args, names), {
            metadata: { name: "orders-read", ...METADATA, annotations: { "pulumi.com/skipAwait": "true" } },
            spec,
        });
        // The peer Service lists every pod's address, Ready or not: mysql-0's empty-data guard asks the replicas
        // through it while they are NotReady (the primary is away), which the headless Service would not list.
        assert.deepStrictEqual(peerService(args, names), {
            metadata: { name: "orders-peers", ...METADATA },
            spec: { clusterIP: "None", publishNotReadyAddresses: true, ...spec },
        });
    });
});

describe("builders: storage", () => {
    const volume = (ordinal: number, path: string, spec: Record<string, unknown>) => ({
        metadata: { name: `shop-orders-${ordinal}-data`, labels: LABELS },
        spec: {
            capacity: { storage: "20Gi" },
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: "mysql-nfs",
            claimRef: { namespace: "shop", name: `data-orders-${ordinal}` },
            mountOptions: ["hard", "nfsvers=4.1", "proto=tcp"],
            nfs: { server: "10.0.0.5", path },
            ...spec,
        },
    });
    const paths = { nfsPathPattern: undefined, replicas: 2, nfsPaths: ["/exports/a", "/exports/b"] };

    it("one retained NFS volume per path, in ordinal order, each pre-bound to its ordinal's claim", () => {
        assert.deepStrictEqual(persistentVolumes(resolve(paths), names), [volume(0, "/exports/a", {}), volume(1, "/exports/b", {})]);
    });

    it("with nfsServers, ordinal i's volume is on item i mod n, the same path on two servers is two volumes, the backups stay on nfsServer", () => {
        const args = resolve({
            nfsPathPattern: undefined,
            replicas: 3,
            nfsPaths: ["/exports/a", "/exports/a", "/exports/b", "/exports/b", "/exports/c"],
            nfsServers: ["nfs-a.example", "nfs-b.example"],
            backupNfsPath: "/exports/b",
        });
        const expected: [string, string][] = [
            ["nfs-a.example", "/exports/a"],
            ["nfs-b.example", "/exports/a"],
            ["nfs-a.example", "/exports/b"],
            ["nfs-b.example", "/exports/b"],
            ["nfs-a.example", "/exports/c"],
        ];
        assert.deepStrictEqual(
            persistentVolumes(args, names),
            expected.map(([server, path], ordinal) => volume(ordinal, path, { nfs: { server, path } })),
        );
        assert.deepStrictEqual((backupVolume(args, names)?.spec as any).nfs, { server: "10.0.0.5", path: "/exports/b" });
    });

    it("the volumes take volumeCapacity, volumeAccessModes, volumeMountOptions and storageClassName as given", () => {
        const args = resolve({
            ...paths,
            volumeCapacity: "50Gi",
            volumeAccessModes: ["ReadWriteOnce", "ReadWriteMany"],
            volumeMountOptions: ["hard", "nfsvers=3", "timeo=600"],
            storageClassName: "",
        });
        const custom = {
            capacity: { storage: "50Gi" },
            accessModes: ["ReadWriteOnce", "ReadWriteMany"],
            mountOptions: ["hard", "nfsvers=3", "timeo=600"],
            storageClassName: "",
        };
        assert.deepStrictEqual(persistentVolumes(args, names), [volume(0, "/exports/a", custom), volume(1, "/exports/b", custom)]);
    });

    it("the claim template asks for ReadWriteOnce and storageRequest in the volumes' class, whatever modes the volumes offer", () => {
        const claim = (storageClassName: string, storage: string) => ({
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage } } },
        });
        assert.deepStrictEqual(claimTemplate(resolve()), claim("mysql-nfs", "10Gi"));
        assert.deepStrictEqual(
            claimTemplate(
                resolve({ volumeAccessModes: ["ReadWriteOnce", "ReadWriteMany"], storageClassName: "nfs", storageRequest: "3Gi" }),
            ),
            claim("nfs", "3Gi"),
        );
    });
});

describe("builders: tls", () => {
    it("an ECDSA P-256 CA of the cluster's own and a certificate for every pod and the read Service, as server and client", () => {
        const validityPeriodHours = 10 * 365 * 24;
        assert.deepStrictEqual(certificateSpecs(names), {
            key: { algorithm: "ECDSA", ecdsaCurve: "P256" },
            ca: {
                subject: { commonName: "orders cluster CA", organization: "mysql-statefulset" },
                isCaCertificate: true,
                validityPeriodHours,
                allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            },
            request: {
                subject: { commonName: "*.orders.shop.svc.cluster.local", organization: "mysql-statefulset" },
                dnsNames: [
                    "*.orders.shop",
                    "*.orders.shop.svc",
                    "*.orders.shop.svc.cluster.local",
                    "orders-read",
                    "orders-read.shop",
                    "orders-read.shop.svc",
                    "orders-read.shop.svc.cluster.local",
                    "localhost",
                    ...Array.from({ length: 100 }, (_, ordinal) => `orders-${ordinal}.orders`),
                ],
                ipAddresses: ["127.0.0.1", "::1"],
            },
            cert: { validityPeriodHours, allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"] },
        });
    });

    it("follows the cluster's name, namespace and DNS domain", () => {
        const request = certificateSpecs(clusterNames("db", "prod", "corp.internal", "recommended")).request;
        assert.deepStrictEqual(request.subject, { commonName: "*.db.prod.svc.corp.internal", organization: "mysql-statefulset" });
        assert.deepStrictEqual(request.dnsNames, [
            "*.db.prod",
            "*.db.prod.svc",
            "*.db.prod.svc.corp.internal",
            "db-read",
            "db-read.prod",
            "db-read.prod.svc",
            "db-read.prod.svc.corp.internal",
            "localhost",
            ...Array.from({ length: 100 }, (_, ordinal) => `db-${ordinal}.db`),
        ]);
    });
});
