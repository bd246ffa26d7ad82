// The offline render as users run it (`npm run render -- --stack NAME`): its YAML on stdout, every object
// valid against the Kubernetes schemas, secrets masked, and bad config reported on stderr with exit 1.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { spawnSync } from "child_process";
import { MASK, maskSecretObject, unwrapSecrets } from "../../scripts/render/secrets";
import { registrationsFile } from "../real/benchRender";
import { runRender } from "../renderCli";

const render = runRender;

/** kubernetes-models is ESM-only; TypeScript would turn import() into require(), so call it untouched. */
const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<any>;

async function validate(object: any): Promise<void> {
    const group = object.apiVersion.includes("/") ? object.apiVersion : `v1`;
    // The Prometheus Operator's kinds (prod's metrics) from the same project's package of its CRDs' schemas.
    const pkg = group.startsWith("monitoring.coreos.com/") ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
    const module = await importEsm(`${pkg}/${group}/${object.kind}`);
    new module[object.kind](object).validate();
}

function withStackFile(content: string, run: (file: string) => void): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    const file = path.join(dir, "Pulumi.broken.yaml");
    fs.writeFileSync(file, content);
    try {
        run(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("npm run render", () => {
    let dev: any[];

    before(() => {
        const run = render("--stack", "dev");
        assert.strictEqual(run.status, 0, run.stderr);
        dev = yaml.loadAll(run.stdout) as any[];
    });

    it("prints the dev stack's objects, the tutorial's cluster, in apply order", () => {
        assert.deepStrictEqual(
            // The ConfigMaps are named by their content (a 10-digit hash).
            dev.map((o) => `${o.kind}/${o.metadata.name}`.replace(/^(ConfigMap\/.*)-[0-9a-f]{10}$/, "$1-<hash>")),
            [
                "PersistentVolume/default-mysql-0-data",
                "PersistentVolume/default-mysql-1-data",
                "PersistentVolume/default-mysql-2-data",
                "PersistentVolume/default-mysql-3-data",
                "PersistentVolume/default-mysql-4-data",
                "ServiceAccount/mysql",
                "Secret/mysql-credentials",
                "Secret/mysql-tls",
                "ConfigMap/mysql-<hash>",
                "ConfigMap/mysql-scripts-<hash>",
                "Service/mysql",
                "Service/mysql-peers",
                "Service/mysql-read",
                "NetworkPolicy/mysql-clone",
                "NetworkPolicy/mysql-mysql",
                "PodDisruptionBudget/mysql",
                "StatefulSet/mysql",
            ],
        );
        const pvs = dev.filter((o) => o.kind === "PersistentVolume");
        assert.deepStrictEqual(
            pvs.map((pv) => [pv.spec.nfs.server, pv.spec.nfs.path, pv.spec.capacity.storage, pv.spec.accessModes]),
            [1, 2, 3, 4, 5].map((n) => ["192.168.164.141", `/data/volumes/v${n}`, "20Gi", ["ReadWriteMany", "ReadWriteOnce"]]),
        );
        const sts = dev.find((o) => o.kind === "StatefulSet");
        assert.strictEqual(sts.spec.replicas, 3);
        assert.strictEqual(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "10Gi");
    });

    it("renders objects that validate against the Kubernetes schemas", async () => {
        const prod = yaml.loadAll(render("--stack", "prod").stdout) as any[];
        // prod takes backups (the backup volume, its claim and the CronJob) and has metrics (the exporter's Secret
        // and NetworkPolicy, the dashboard, the PodMonitor and the PrometheusRule) besides the cluster's 17 objects.
        assert.strictEqual(prod.length, 25);
        assert.deepStrictEqual(
            prod
                .filter((o) => o.metadata.name.includes("metrics") || o.apiVersion.startsWith("monitoring."))
                .map((o) => `${o.kind}/${o.metadata.name}`),
            ["Secret/mysql-metrics", "NetworkPolicy/mysql-metrics", "PodMonitor/mysql", "PrometheusRule/mysql"],
        );
        assert.deepStrictEqual(
            prod
                .filter((o) => ["PersistentVolumeClaim", "CronJob"].includes(o.kind) || o.metadata.name.endsWith("-backups"))
                .map((o) => `${o.kind}/${o.metadata.name}`),
            ["PersistentVolume/databases-mysql-backups", "PersistentVolumeClaim/mysql-backups", "CronJob/mysql-backup"],
        );
        for (const object of [...dev, ...prod]) {
            await validate(object);
        }
    });

    it("catches an object the schemas reject (the validation can fail)", async () => {
        const sts = structuredClone(dev.find((o) => o.kind === "StatefulSet"));
        sts.spec.replicas = "three";
        await assert.rejects(validate(sts), /replicas must be integer/);
    });

    it("catches a PrometheusRule its CRD's schema rejects (that validation can fail too)", async () => {
        const prod = yaml.loadAll(render("--stack", "prod").stdout) as any[];
        const rule = structuredClone(prod.find((o) => o.kind === "PrometheusRule"));
        delete rule.spec.groups[0].rules[0].expr;
        await assert.rejects(validate(rule), /expr/);
    });

    it("masks secret values", () => {
        const secret = dev.find((o) => o.kind === "Secret" && o.metadata.name === "mysql-credentials");
        assert.deepStrictEqual(secret.stringData, {
            "root-password": "[secret]",
            "replication-password": "[secret]",
            "backup-password": "[secret]",
        });
        const tls = dev.find((o) => o.kind === "Secret" && o.metadata.name === "mysql-tls");
        assert.deepStrictEqual(tls.stringData, { "tls.crt": "[secret]", "tls.key": "[secret]", "ca.crt": "[secret]" });
        const run = render("--stack", "dev", "--secret", "rootPassword=hunter2-very-secret");
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(!run.stdout.includes("hunter2-very-secret"));
        assert.ok(run.stdout.includes("root-password: '[secret]'"));
    });

    it("prints nothing but YAML on stdout", () => {
        const run = render("--stack", "dev");
        assert.strictEqual(run.stderr, "");
        assert.ok(run.stdout.startsWith("apiVersion: v1\n"));
    });

    const mistakes: Array<[string, string[], string]> = [
        [
            "a setting the component rejects",
            ["--stack", "dev", "--config", "replicas=0"],
            "render: Invalid MySqlCluster settings:\n  - `replicas` is 0: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).\n",
        ],
        [
            "a value of the wrong type",
            ["--stack", "dev", "--config", "replicas=three"],
            '`replicas` in --config is "three": the setting takes an integer; write an integer.',
        ],
        [
            "an unknown setting",
            ["--stack", "dev", "--config", "replica=3"],
            "`replica` in --config is not a setting of this program: did you mean `replicas`?",
        ],
        [
            "a stack that does not exist",
            ["--stack", "staging"],
            "Pulumi.staging.yaml: use --stack with one of dev, prod, or --config-file FILE.",
        ],
        [
            "a password in plain text",
            ["--stack", "dev", "--config", "rootPassword=abc"],
            "`rootPassword` in --config is a plain value, but it is a secret: set it with `pulumi config set --secret rootPassword <value>` (or --secret with render).",
        ],
    ];
    mistakes.push(
        [
            "an unknown option",
            ["--stack", "dev", "--replicas", "4"],
            "render: Unknown option '--replicas'. Run with --help for the options.\n",
        ],
        [
            "--state without --show-secrets",
            ["--stack", "dev", "--state", "state.json"],
            "render: --state keeps generated values, which are real only with --show-secrets: add --show-secrets.\n",
        ],
        [
            "a key of another project",
            ["--stack", "dev", "--config", "mysql-statefulsets:replicas=4"],
            "render: `mysql-statefulsets:replicas` in --config belongs to a project named `mysql-statefulsets`, not to this one: write `mysql-statefulset:replicas` (or `replicas`). Keys of other namespaces are taken only for `kubernetes:`, `pulumi:`, `random:`, `tls:`.\n",
        ],
    );
    for (const [what, args, message] of mistakes) {
        it(`exits 1 with a message on stderr for ${what}`, () => {
            const run = render(...args);
            assert.strictEqual(run.status, 1);
            assert.strictEqual(run.stdout, "");
            assert.ok(run.stderr.startsWith("render: "), run.stderr);
            assert.ok(run.stderr.includes(message), run.stderr);
        });
    }

    it("checks a stack file's values against Pulumi.yaml", () => {
        withStackFile("config:\n  mysql-statefulset:nfsServer: nfs\n  mysql-statefulset:nfsPaths: /data/v1\n", (file) => {
            const run = render("--config-file", file);
            assert.strictEqual(run.status, 1);
            assert.strictEqual(
                run.stderr,
                '`nfsPaths` in Pulumi.broken.yaml is "/data/v1": the setting takes a list of strings; write a list of strings.'.replace(
                    /^/,
                    "render: ",
                ) + "\n",
            );
        });
    });

    it("reports every component mistake of a stack file at once", () => {
        withStackFile(
            "config:\n  mysql-statefulset:nfsServer: nfs\n  mysql-statefulset:nfsPathPattern: /d/{number}\n" +
                "  mysql-statefulset:storageRequest: 50Gi\n  mysql-statefulset:flavor: mysql8\n",
            (file) => {
                const run = render("--config-file", file);
                assert.strictEqual(run.status, 1);
                assert.strictEqual(
                    run.stderr,
                    "render: Invalid MySqlCluster settings:\n" +
                        '  - `flavor` is "mysql8": use one of "mysql57", "mysql84", "mariadb".\n' +
                        '  - `storageRequest` is "50Gi", more than `volumeCapacity` "20Gi": no volume could satisfy the claims; lower `storageRequest` or raise `volumeCapacity`.\n',
                );
            },
        );
    });

    it("prints its usage for --help and -h, exit 0", () => {
        for (const flag of ["--help", "-h"]) {
            const run = render(flag);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.ok(run.stdout.startsWith("Usage: npm run render -- [--stack NAME | --config-file FILE]"), run.stdout);
            assert.strictEqual(run.stderr, "");
        }
    });

    it("takes --stack=NAME, -s NAME, --config=KEY=VALUE, -c and qualified keys, as Pulumi does", () => {
        const replicasOf = (...args: string[]) => {
            const run = render(...args);
            assert.strictEqual(run.status, 0, run.stderr);
            return (yaml.loadAll(run.stdout) as any[]).find((o) => o.kind === "StatefulSet").spec.replicas;
        };
        assert.strictEqual(replicasOf("--stack=dev", "--config=replicas=4"), 4);
        assert.strictEqual(replicasOf("-s", "dev", "-c", "mysql-statefulset:replicas=5"), 5);
        // A provider's key is Pulumi's business, and changes nothing here.
        assert.strictEqual(replicasOf("--stack", "dev", "--config", "kubernetes:context=staging"), 3);
        withStackFile("config:\n  nfsServer: nfs\n  nfsPathPattern: /d/{number}\n  replicas: 2\n  kubernetes:namespace: x\n", (file) => {
            assert.strictEqual(replicasOf("--config-file", file), 2);
        });
    });

    it("keeps generated passwords and TLS material between renders with --state, as Pulumi's state does", () => {
        const secretsOf = (...args: string[]) => {
            const run = render("--stack", "dev", "--show-secrets", ...args);
            assert.strictEqual(run.status, 0, run.stderr);
            const objects = yaml.loadAll(run.stdout) as any[];
            return objects.filter((o) => o.kind === "Secret").map((o) => [o.metadata.name, o.stringData]);
        };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-state-"));
        try {
            const state = path.join(dir, "state.json");
            const first = secretsOf("--state", state);
            // Another setting: the same values, as `pulumi up` keeps them.
            assert.deepStrictEqual(secretsOf("--state", state, "--config", "replicas=4"), first);
            assert.strictEqual(fs.statSync(state).mode & 0o777, 0o600);
            // A password given explicitly wins; the generated ones stay.
            const [credentials, tls] = secretsOf("--state", state, "--secret", "rootPassword=explicit-root-pw");
            assert.deepStrictEqual(credentials[1], { ...first[0][1], "root-password": "explicit-root-pw" });
            assert.deepStrictEqual(tls, first[1]);
            // Without the state, every render generates afresh.
            const fresh = secretsOf();
            assert.strictEqual(fresh.length, 2);
            for (const [i, [name, values]] of fresh.entries()) {
                for (const key of Object.keys(values)) {
                    assert.notStrictEqual(values[key], first[i][1][key], `${name} ${key}`);
                }
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("its certificate verifies for every host the outputs advertise, the short pod names too (OpenSSL's host check)", () => {
        const run = render("--stack", "dev", "--show-secrets");
        assert.strictEqual(run.status, 0, run.stderr);
        const tlsSecret = (yaml.loadAll(run.stdout) as any[]).find((o) => o.kind === "Secret" && o.type === "kubernetes.io/tls");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-tls-"));
        try {
            fs.writeFileSync(path.join(dir, "ca.crt"), tlsSecret.stringData["ca.crt"]);
            fs.writeFileSync(path.join(dir, "tls.crt"), tlsSecret.stringData["tls.crt"]);
            const verifies = (host: string) =>
                spawnSync("openssl", ["verify", "-CAfile", "ca.crt", "-verify_hostname", host, "tls.crt"], { cwd: dir, encoding: "utf8" })
                    .status === 0;
            // primaryHost, pods the dev stack may scale to, primaryFqdn, readEndpoint's host and its short forms.
            for (const host of ["mysql-0.mysql", "mysql-4.mysql", "mysql-99.mysql", "mysql-0.mysql.default.svc.cluster.local"]) {
                assert.ok(verifies(host), host);
            }
            for (const host of ["mysql-read.default.svc.cluster.local", "mysql-read.default", "mysql-read", "localhost"]) {
                assert.ok(verifies(host), host);
            }
            // What is not the cluster's does not verify: the check itself can fail.
            for (const host of ["mysql-100.mysql", "mysql-0.other", "db.example.com"]) {
                assert.ok(!verifies(host), host);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reads a relative --config-file from where the command was typed, not from the package's folder npm runs in", () => {
        const run = spawnSync("npm", ["run", "-s", "render", "--", "--config-file", "real/Pulumi.real.yaml"], {
            cwd: path.join(__dirname, ".."),
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok((yaml.loadAll(run.stdout) as any[]).some((o) => o.kind === "StatefulSet"));
    });

    it("switches the images with the flavor on the dev stack, which pins none", () => {
        for (const [flavor, images] of [
            ["mysql84", ["mysql:8.4", "percona/percona-xtrabackup:8.4"]],
            ["mariadb", ["mariadb:11.4", "mariadb:11.4"]],
        ] as const) {
            const run = render("--stack", "dev", "--config", `flavor=${flavor}`);
            assert.strictEqual(run.status, 0, run.stderr);
            const pod = (yaml.loadAll(run.stdout) as any[]).find((o) => o.kind === "StatefulSet").spec.template.spec;
            assert.deepStrictEqual(
                [...pod.initContainers, ...pod.containers].map((c: any) => `${c.name}=${c.image}`),
                [`init-mysql=${images[0]}`, `clone-mysql=${images[1]}`, `mysql=${images[0]}`, `xtrabackup=${images[1]}`],
            );
        }
    });
});

describe("the render bench's floor (tests/real/renderFloor.cjs)", () => {
    it("registers every resource the render registers, and prints the same Kubernetes objects", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-floor-"));
        try {
            const floor = spawnSync(process.execPath, ["tests/real/renderFloor.cjs", registrationsFile(dir, "dev", ["--stack", "dev"])], {
                cwd: path.resolve(__dirname, "..", ".."),
                encoding: "utf8",
            });
            assert.strictEqual(floor.status, 0, floor.stderr);
            // Whole objects, not kinds and names alone, which would miss a changed spec. The floor prints them in
            // registration order and its Secrets as the SDK's secret envelopes (it masks nothing: see renderFloor.cjs),
            // so they are sorted, and masked as the render masks them, before the comparison.
            const key = (o: any) => `${o.kind}/${o.metadata.name}`;
            const sorted = (list: any[]) => list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
            const rendered = sorted(yaml.loadAll(render("--stack", "dev").stdout) as any[]);
            const floorObjects = sorted(
                (yaml.loadAll(floor.stdout) as any[]).map((o) =>
                    o.kind === "Secret" ? maskSecretObject(unwrapSecrets(o)) : unwrapSecrets(o, MASK),
                ),
            );
            assert.strictEqual(rendered.length, 17);
            assert.deepStrictEqual(floorObjects, rendered);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
