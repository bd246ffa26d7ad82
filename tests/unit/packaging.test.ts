// The program and the package as users meet them: `pulumi up` runs the program whatever has been built,
// the docs' render line prints nothing but YAML, and `npm pack` ships a package that works when
// installed into an empty project.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { SETTINGS } from "../../components";

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

function npm(args: string[], cwd = ROOT): string {
    return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** What Pulumi loads and registers when it starts this project (see tests/support/runAsPulumi.ts). */
function runAsPulumi(...args: string[]): { entryPoint: string; loaded: string[]; registered: string[] } {
    const run = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", "tests/support/runAsPulumi.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });
    assert.strictEqual(run.status, 0, run.stderr);
    return JSON.parse(run.stdout);
}

/** The cluster's children, as `type::name`, for the dev stack (3 pods, a volume for each of its 5 paths). */
const DEV_CLUSTER = [
    "mysql-statefulset:index:MySqlCluster::mysql",
    "pulumi-nodejs:dynamic:MySqlChangeGuard::mysql-change-guard",
    "random:index/randomPassword:RandomPassword::mysql-root-password",
    "random:index/randomPassword:RandomPassword::mysql-replication-password",
    "random:index/randomPassword:RandomPassword::mysql-backup-password",
    "random:index/randomUuid:RandomUuid::mysql-cluster-uid",
    "tls:index/privateKey:PrivateKey::mysql-ca-key",
    "tls:index/selfSignedCert:SelfSignedCert::mysql-ca",
    "tls:index/privateKey:PrivateKey::mysql-tls-key",
    "tls:index/certRequest:CertRequest::mysql-tls-request",
    "tls:index/locallySignedCert:LocallySignedCert::mysql-tls-cert",
    "kubernetes:core/v1:Secret::mysql-tls",
    "kubernetes:core/v1:ServiceAccount::mysql-service-account",
    "kubernetes:policy/v1:PodDisruptionBudget::mysql-disruption-budget",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy::mysql-clone-policy",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy::mysql-mysql-policy",
    "kubernetes:core/v1:ConfigMap::mysql-config",
    "kubernetes:core/v1:ConfigMap::mysql-scripts",
    "kubernetes:core/v1:PersistentVolume::mysql-pv-0",
    "kubernetes:core/v1:PersistentVolume::mysql-pv-1",
    "kubernetes:core/v1:PersistentVolume::mysql-pv-2",
    "kubernetes:core/v1:PersistentVolume::mysql-pv-3",
    "kubernetes:core/v1:PersistentVolume::mysql-pv-4",
    "kubernetes:core/v1:Secret::mysql-credentials",
    "kubernetes:core/v1:SecretPatch::mysql-credentials-data",
    "kubernetes:core/v1:Service::mysql-headless",
    "kubernetes:core/v1:Service::mysql-peers",
    "kubernetes:core/v1:Service::mysql-read",
    "kubernetes:apps/v1:StatefulSet::mysql-statefulset",
];

describe("the program and the package", function () {
    this.timeout(300_000);

    describe("after a real `npm run build`", () => {
        before(() => {
            fs.rmSync(path.join(ROOT, "bin"), { recursive: true, force: true });
            npm(["run", "build"]);
            assert.ok(fs.existsSync(path.join(ROOT, pkg.main)), `npm run build made no ${pkg.main}`);
        });

        it("`pulumi up` runs the program index.ts, which registers the whole cluster", () => {
            const run = runAsPulumi();
            assert.strictEqual(run.entryPoint, "index.ts");
            assert.strictEqual(run.loaded[0], "index.ts");
            assert.deepStrictEqual(run.registered.slice(1).sort(), [...DEV_CLUSTER].sort());
        });

        it("would run the built library instead, registering nothing, without `main` in Pulumi.yaml", () => {
            // Why Pulumi.yaml names its program: the SDK falls back to package.json `exports` (then `main`): the
            // library. (`main` is the plugin entry, which the SDK's cmd/run-plugin loads by folder.)
            const run = runAsPulumi("--ignore-main");
            assert.strictEqual(run.entryPoint, ".");
            assert.strictEqual(run.loaded[0], pkg.exports["."].default.replace(/^\.\//, ""));
            assert.deepStrictEqual(run.registered, ["pulumi:pulumi:Stack::mysql-statefulset-dev"]);
        });
    });

    it("docs/operations.md's render-to-a-file line, run as written, writes only YAML: the dev stack's 17 objects", () => {
        const operations = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
        const line = /`(npm run -s render -- --stack dev) > dev\.yaml`/.exec(operations)?.[1];
        assert.ok(line, "docs/operations.md has no `npm run -s render -- --stack dev > dev.yaml` line");
        const run = spawnSync("bash", ["-c", line], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stderr);
        const objects = yaml.loadAll(run.stdout) as any[];
        assert.deepStrictEqual(
            objects.map((o) => o.kind),
            [
                ...Array(5).fill("PersistentVolume"),
                ...["ServiceAccount", "Secret", "Secret", "ConfigMap", "ConfigMap", "Service", "Service", "Service"],
                ...["NetworkPolicy", "NetworkPolicy", "PodDisruptionBudget", "StatefulSet"],
            ],
        );
    });

    it("npm's banner before the YAML in a file or pipe: the render refuses, and says to run it with -s", () => {
        const run = spawnSync("npm", ["run", "render", "--", "--stack", "dev"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(run.status, 1, run.stderr);
        assert.match(run.stdout, /^\n> mysql-statefulset@\S+ render\n/, "npm's banner, the reason for the refusal");
        assert.doesNotMatch(run.stdout, /apiVersion/);
        assert.match(
            run.stderr,
            /render: npm printed its `> mysql-statefulset@… render` banner into this output.*run `npm run -s render -- …`/,
        );
    });

    it("npm's own errors are not silenced: an unknown script, and `npm ci` with a broken lockfile", () => {
        const unknown = spawnSync("npm", ["run", "nosuchscript"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(unknown.status, 1);
        assert.match(unknown.stderr, /Missing script: "nosuchscript"/);
        // A copy of the project's npm files (its .npmrc too, when there is one) whose lockfile is cut short.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "npm-errors-"));
        try {
            if (fs.existsSync(path.join(ROOT, ".npmrc"))) {
                fs.copyFileSync(path.join(ROOT, ".npmrc"), path.join(dir, ".npmrc"));
            }
            fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
            fs.writeFileSync(
                path.join(dir, "package-lock.json"),
                fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8").slice(0, 200),
            );
            const ci = spawnSync("npm", ["ci", "--ignore-scripts", "--offline"], { cwd: dir, encoding: "utf8" });
            assert.notStrictEqual(ci.status, 0);
            assert.match(ci.stderr, /^npm error code E[A-Z]+$/m);
            assert.match(ci.stderr, /package-lock\.json/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("`npm pack`", () => {
        let work: string;
        let tarball: string;

        before(() => {
            work = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-pack-"));
            // No build beforehand: packing must build by itself.
            fs.rmSync(path.join(ROOT, "bin"), { recursive: true, force: true });
            const name = npm(["pack", "--pack-destination", work]).trim().split("\n").pop()!;
            tarball = path.join(work, name);
        });

        after(() => fs.rmSync(work, { recursive: true, force: true }));

        it("writes the tarball docs/install.md names, and the README links there", () => {
            const install = fs.readFileSync(path.join(ROOT, "docs", "install.md"), "utf8");
            assert.ok(
                install.includes(`npm pack                                  # writes ${path.basename(tarball)}\n`),
                path.basename(tarball),
            );
            assert.ok(install.includes(`npm install ../mysql-statefulset/${path.basename(tarball)} `), path.basename(tarball));
            assert.ok(fs.readFileSync(path.join(ROOT, "README.md"), "utf8").includes("[docs/install.md](docs/install.md)"));
        });

        it("builds first and ships the compiled library, its types, the pod scripts and the license", () => {
            const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
            for (const file of [
                "package/bin/components/index.js",
                "package/bin/components/index.d.ts",
                ...fs.readdirSync(path.join(ROOT, "pod")).map((file) => `package/pod/${file}`),
                "package/LICENSE",
                "package/CHANGELOG.md",
                "package/README.md",
            ]) {
                assert.ok(files.includes(file), `${file} is not in the tarball`);
            }
            assert.deepStrictEqual(
                files.filter((f) => /^package\/(tests|tools|scripts|index\.ts|Pulumi\.|\.ci)\b/.test(f)),
                [],
                "the program, its stacks, the tests and the development tools (scripts/, tools/) stay out of the package",
            );
        });

        it("ships the manual (docs/), so that every relative link of the README and the manual opens a file in the package", () => {
            const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
            const pages = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((page) => `docs/${page}`)];
            for (const page of pages) {
                assert.ok(files.includes(`package/${page}`), `${page} is not in the tarball`);
            }
            const links = pages.flatMap((page) =>
                [...fs.readFileSync(path.join(ROOT, page), "utf8").matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)].map(([, target]) => ({
                    page,
                    file: path.posix.normalize(path.posix.join(path.posix.dirname(page), target)),
                })),
            );
            assert.ok(links.length > 50, `${links.length} links`);
            assert.deepStrictEqual(
                links.filter((link) => !files.includes(`package/${link.file}`)),
                [],
                "links to files that are not in the package",
            );
        });

        /** An empty project with the tarball, its peers and TypeScript installed, as docs/install.md says. */
        let installed: string | undefined;
        function consumerProject(): string {
            if (installed === undefined) {
                const consumer = path.join(work, "consumer");
                fs.mkdirSync(consumer);
                fs.writeFileSync(
                    path.join(consumer, "package.json"),
                    JSON.stringify({ name: "consumer", version: "1.0.0", private: true }),
                );
                // The peers (and TypeScript) at the versions this repository is tested with; its other devDependencies are not installed.
                const peers = [...Object.keys(pkg.peerDependencies), "typescript"].map((name) => `${name}@${pkg.devDependencies[name]}`);
                npm(
                    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", tarball, ...peers],
                    consumer,
                );
                installed = consumer;
            }
            return installed;
        }

        it("installs into an empty project with its peers (one @pulumi/pulumi), and builds a cluster there under mocks", () => {
            const consumer = consumerProject();
            const copies = npm(["ls", "@pulumi/pulumi", "--all", "--parseable"], consumer)
                .split("\n")
                .filter((line) => line.endsWith("node_modules/@pulumi/pulumi"));
            assert.strictEqual(copies.length, 1, copies.join("\n"));
            fs.writeFileSync(path.join(consumer, "main.js"), CONSUMER_PROGRAM);
            const run = spawnSync(process.execPath, ["main.js"], { cwd: consumer, encoding: "utf8" });
            assert.strictEqual(run.status, 0, run.stderr);
            const result = JSON.parse(run.stdout);
            assert.deepStrictEqual(
                result.registered,
                [
                    "mysql-statefulset:index:MySqlCluster::db",
                    "pulumi-nodejs:dynamic:MySqlChangeGuard::db-change-guard",
                    "random:index/randomPassword:RandomPassword::db-root-password",
                    "random:index/randomPassword:RandomPassword::db-replication-password",
                    "random:index/randomPassword:RandomPassword::db-backup-password",
                    "random:index/randomUuid:RandomUuid::db-cluster-uid",
                    "tls:index/privateKey:PrivateKey::db-ca-key",
                    "tls:index/selfSignedCert:SelfSignedCert::db-ca",
                    "tls:index/privateKey:PrivateKey::db-tls-key",
                    "tls:index/certRequest:CertRequest::db-tls-request",
                    "tls:index/locallySignedCert:LocallySignedCert::db-tls-cert",
                    "kubernetes:core/v1:Secret::db-credentials",
                    "kubernetes:core/v1:SecretPatch::db-credentials-data",
                    "kubernetes:core/v1:Secret::db-tls",
                    "kubernetes:core/v1:ServiceAccount::db-service-account",
                    "kubernetes:policy/v1:PodDisruptionBudget::db-disruption-budget",
                    "kubernetes:networking.k8s.io/v1:NetworkPolicy::db-clone-policy",
                    "kubernetes:networking.k8s.io/v1:NetworkPolicy::db-mysql-policy",
                    "kubernetes:core/v1:PersistentVolume::db-pv-0",
                    "kubernetes:core/v1:ConfigMap::db-config",
                    "kubernetes:core/v1:ConfigMap::db-scripts",
                    "kubernetes:core/v1:Service::db-headless",
                    "kubernetes:core/v1:Service::db-peers",
                    "kubernetes:core/v1:Service::db-read",
                    "kubernetes:apps/v1:StatefulSet::db-statefulset",
                ].sort(),
            );
            // The pod scripts were found inside the installed package, byte for byte.
            for (const [file, text] of Object.entries(result.scripts as Record<string, string>)) {
                assert.strictEqual(text, fs.readFileSync(path.join(ROOT, "pod", file), "utf8"), file);
            }
            assert.ok(Object.keys(result.scripts).length >= 5);

            // The provider entry for other languages: on the PATH of npm scripts, and its schema built from the
            // shipped declaration of the settings (components/settings.ts).
            assert.ok(fs.existsSync(path.join(consumer, "node_modules", ".bin", "pulumi-resource-mysql-statefulset")));
            const schema = spawnSync(process.execPath, ["-e", SCHEMA_PROGRAM], { cwd: consumer, encoding: "utf8" });
            assert.strictEqual(schema.status, 0, schema.stderr);
            assert.deepStrictEqual(JSON.parse(schema.stdout), {
                inputs: Object.keys(SETTINGS).length,
                outputs: 10,
                rootPasswordSecret: true,
                replicasDefault: 3,
                required: ["nfsServer"],
                flavors: ["mysql57", "mysql84", "mariadb"],
            });
        });

        describe("the installed package's types and run-time checks", () => {
            // Each wrong argument on its own line of wrong.ts, and the one error tsc must report there.
            const WRONG: Array<[string, string]> = [
                [
                    '{ ...base, flavor: "mysql80" }',
                    `TS2820: Type '"mysql80"' is not assignable to type '"mariadb" | "mysql57" | "mysql84" | undefined'. Did you mean '"mysql84"'?`,
                ],
                [
                    '{ ...base, bootstrap: "paralel" }',
                    `TS2820: Type '"paralel"' is not assignable to type '"parallel" | "ordered" | undefined'. Did you mean '"parallel"'?`,
                ],
                [
                    '{ ...base, spreadAcrossNodes: "always" }',
                    `TS2322: Type '"always"' is not assignable to type '"preferred" | "required" | "none" | undefined'.`,
                ],
                [
                    '{ nfsPathPattern: "/exports/{ordinal}" }',
                    "TS2345: Argument of type '{ nfsPathPattern: string; }' is not assignable to parameter of type 'MySqlClusterArgs'.",
                ],
                [
                    "{ ...base, replica: 5 }",
                    "TS2561: Object literal may only specify known properties, but 'replica' does not exist in type 'MySqlClusterArgs'. Did you mean to write 'replicas'?",
                ],
                ['{ ...base, replicas: "3" }', "TS2322: Type 'string' is not assignable to type 'number'."],
                [
                    '{ ...base, image: pulumi.output("mysql:8.4") }',
                    "TS2322: Type 'Output<string>' is not assignable to type 'string | undefined'.",
                ],
                ['{ ...base, nfsPaths: "/exports/db-0" }', "TS2322: Type 'string' is not assignable to type 'readonly string[]'."],
            ];
            const HEADER =
                'import * as pulumi from "@pulumi/pulumi";\nimport { MySqlCluster } from "mysql-statefulset";\n\nconst base = { nfsServer: "nfs.example.com", nfsPathPattern: "/exports/{ordinal}" };\n';

            it("tsc refuses each wrong argument on its line and compiles the right ones, readonly (`as const`) lists included", function () {
                const consumer = consumerProject();
                fs.writeFileSync(
                    path.join(consumer, "tsconfig.json"),
                    JSON.stringify({
                        compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", noEmit: true },
                    }),
                );
                fs.writeFileSync(path.join(consumer, "right.ts"), RIGHT_ARGUMENTS);
                fs.writeFileSync(
                    path.join(consumer, "wrong.ts"),
                    HEADER + WRONG.map(([args], i) => `new MySqlCluster("c${i}", ${args});\n`).join(""),
                );
                const tsc = spawnSync(process.execPath, [path.join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
                    cwd: consumer,
                    encoding: "utf8",
                });
                assert.strictEqual(tsc.status, 2, tsc.stdout + tsc.stderr);
                const first = HEADER.split("\n").length;
                // One error per wrong line, at the argument (column 1 + the length of `new MySqlCluster("cN", `), right.ts clean.
                const errors = tsc.stdout.split("\n").filter((line) => /^\S+\(\d+,\d+\): error/.test(line));
                assert.deepStrictEqual(
                    errors.map((line) => line.replace(/^(\S+)\((\d+),\d+\): error /, "$1 $2 ")),
                    WRONG.map(([, error], i) => `wrong.ts ${first + i} ${error}`),
                );
            });

            it("from JavaScript, a key that is not a setting is refused, naming the nearest setting", () => {
                const run = spawnSync(
                    process.execPath,
                    [
                        "-e",
                        'const { resolveArgs } = require("mysql-statefulset");\n' +
                            'try { resolveArgs({ nfsServer: "nfs", nfsPathPattern: "/e/{ordinal}", replica: 5 }); } catch (e) { console.log(e.problems[0]); }',
                    ],
                    { cwd: consumerProject(), encoding: "utf8" },
                );
                assert.strictEqual(run.status, 0, run.stderr);
                assert.match(
                    run.stdout,
                    /^`replica` is not a setting of MySqlCluster \(did you mean `replicas`\?\): remove it, or use one of the settings, name, namespace,/,
                );
            });
        });
    });

    describe("`npm pack` of the policy pack (policy/)", () => {
        let work: string;

        before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-policy-pack-"))));
        after(() => fs.rmSync(work, { recursive: true, force: true }));

        it("builds, installs into an empty folder with its peer, keeps one @pulumi/pulumi, and loads its five policies", () => {
            const policyDir = path.join(ROOT, "policy");
            fs.rmSync(path.join(policyDir, "bin"), { recursive: true, force: true });
            const name = npm(["pack", "--loglevel=error", "--pack-destination", work], policyDir).trim().split("\n").pop()!;
            const files = execFileSync("tar", ["-tzf", path.join(work, name)], { encoding: "utf8" })
                .split("\n")
                .filter(Boolean)
                .sort();
            assert.deepStrictEqual(files, [
                "package/PulumiPolicy.yaml",
                "package/bin/index.d.ts",
                "package/bin/index.js",
                "package/bin/policies.d.ts",
                "package/bin/policies.js",
                "package/index.ts",
                "package/package.json",
                "package/policies.ts",
            ]);
            const consumer = path.join(work, "consumer");
            fs.mkdirSync(consumer);
            fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
            npm(
                [
                    "install",
                    "--prefer-offline",
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                    "--loglevel=error",
                    path.join(work, name),
                    `@pulumi/pulumi@${pkg.devDependencies["@pulumi/pulumi"]}`,
                ],
                consumer,
            );
            const copies = npm(["ls", "@pulumi/pulumi", "--all", "--parseable"], consumer)
                .split("\n")
                .filter((line) => line.endsWith("node_modules/@pulumi/pulumi"));
            assert.strictEqual(copies.length, 1, copies.join("\n"));
            const run = spawnSync(
                process.execPath,
                ["-e", 'console.log(JSON.stringify(require("mysql-statefulset-policy/bin/policies").POLICIES.map((p) => p.name)))'],
                {
                    cwd: consumer,
                    encoding: "utf8",
                },
            );
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(JSON.parse(run.stdout), [
                "mysql-volumes-retained",
                "mysql-statefulset-no-cascading-replace",
                "mysql-no-plain-text-password",
                "mysql-images-pinned",
                "mysql-production-availability",
            ]);
        });
    });
});

/** A consumer's program: the installed package under Pulumi's mocks, with nothing of this repository. */
const CONSUMER_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
let scripts;
pulumi.runtime.setMocks({
    newResource(args) {
        registered.push(args.type + "::" + args.name);
        if (args.name.endsWith("-scripts")) scripts = args.inputs.data;
        return { id: args.name + "-id", state: { ...args.inputs, result: "pw" } };
    },
    call(args) { return args.inputs; },
}, "consumer", "test", true);
const { MySqlCluster } = require("mysql-statefulset");
new MySqlCluster("db", { replicas: 1, nfsServer: "nfs.example.com", nfsPaths: ["/exports/db-0"] });
require("@pulumi/pulumi/runtime/settings").waitForRPCs().then(() => {
    process.stdout.write(JSON.stringify({ registered: registered.sort(), scripts }));
});
`;

/** The installed package's provider schema, in short. */
const SCHEMA_PROGRAM = `
const { MySqlClusterProvider } = require("mysql-statefulset/bin/components/provider");
new MySqlClusterProvider().getSchema().then((text) => {
    const r = JSON.parse(text).resources["mysql-statefulset:index:MySqlCluster"];
    process.stdout.write(JSON.stringify({
        inputs: Object.keys(r.inputProperties).length,
        outputs: Object.keys(r.properties).length,
        rootPasswordSecret: r.inputProperties.rootPassword.secret,
        replicasDefault: r.inputProperties.replicas.default,
        required: r.requiredInputs,
        flavors: JSON.parse(text).types["mysql-statefulset:index:Flavor"].enum.map((e) => e.value),
    }));
});
`;

/** Arguments that must compile: literal values of the unions, `as const` lists, a secret, `satisfies MySqlClusterArgs`. */
const RIGHT_ARGUMENTS = `
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster, MySqlClusterArgs } from "mysql-statefulset";

const paths = ["/exports/db-0", "/exports/db-1", "/exports/db-2"] as const;
new MySqlCluster("db", {
    nfsServer: "nfs.example.com",
    nfsPaths: paths,
    flavor: "mariadb",
    bootstrap: "parallel",
    spreadAcrossNodes: "required",
    spreadAcrossZones: "none",
    volumeMountOptions: ["hard", "nfsvers=4.2"] as const,
    mysqldOptions: ["max_connections=500"],
    rootPassword: pulumi.secret("s3cret"),
    replicas: 3,
});
const settings = { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/{ordinal}", flavor: "mysql84" } as const satisfies MySqlClusterArgs;
new MySqlCluster("other", settings);
`;
