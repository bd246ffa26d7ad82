// The component from other languages, on the real engine (issue 20 item 3, issue 21 items 1 and 6): a Python
// program and a Pulumi YAML program (tests/engine/fixtures) use the package as docs/programs.md's "Other languages"
// says, against a local cluster (`npm run cluster -- up`: the control plane with the fake kubelet as node
// agent, mariadb flavor, three pods in all). Each: `pulumi up` works (every pod Ready: the StatefulSet's
// await); the stack's state (plain `pulumi stack export`) holds no password in plain text; `pulumi preview`
// of a guarded change (storageRequest) is refused with the guard's message, served by the package's own
// provider. Then the `--target` escape hatch exactly as the change table (docs/operations.md) says.
//
// Needs root, the built tools (tools/*/build.sh), python3-venv and PyPI (the venv's `pulumi==3.248.0`).
// Real runs are serialised:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/otherLanguages.test.ts
// MST_CLUSTER_PORT_BASE (default 27900) picks the cluster's ports; its folder is the test's own.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireFakeKubelet } from "../fake-kubelet";

const REPO = path.join(__dirname, "..", "..");
const FIXTURES = path.join(__dirname, "fixtures");
const PASSWORD = "Orders-root-pw-4-other-languages";
const GUARD_MESSAGE =
    '`storageRequest` would change the claims\' storage request from "1Gi" to "512Mi" on the deployed cluster: the ' +
    "StatefulSet's volumeClaimTemplates cannot change";
const OPT_IN = 'To make this change anyway, add "storageRequest" to `allowDestructiveChanges` for this run.';

interface Run {
    status: number | null;
    out: string;
    seconds: number;
}

describe("the component from Python and YAML programs (real engine, local cluster)", function () {
    this.timeout(30 * 60_000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "other-languages-"));
    const clusterEnv: NodeJS.ProcessEnv = {
        ...process.env,
        MST_CLUSTER_DIR: path.join(work, "cluster"),
        MST_CLUSTER_PORT_BASE: process.env.MST_CLUSTER_PORT_BASE ?? "27900",
    };
    let env: NodeJS.ProcessEnv = {};
    let clusterUp = false;
    const times: string[] = [];

    /** Runs a command in a program's folder with the cluster's and Pulumi's environment; its output together. */
    const run = (dir: string, command: string, ...args: string[]): Run => {
        const start = Date.now();
        const result = spawnSync(command, args, { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        const seconds = (Date.now() - start) / 1000;
        times.push(`${path.basename(dir)}: ${command} ${args.join(" ")}: ${seconds.toFixed(1)} s`);
        return { status: result.status, out: `${result.stdout}${result.stderr}`, seconds };
    };
    const pulumi = (dir: string, ...args: string[]): Run => run(dir, "pulumi", ...args, "--non-interactive");
    const ok = (r: Run): string => {
        assert.strictEqual(r.status, 0, r.out);
        return r.out;
    };

    const program = (language: "python" | "yaml"): string => path.join(work, language);

    before(function () {
        requireFakeKubelet(this);
        const up = spawnSync("bash", [path.join(REPO, "scripts", "cluster.sh"), "up"], { env: clusterEnv, encoding: "utf8" });
        assert.strictEqual(up.status, 0, up.stderr);
        clusterUp = true;
        // The exports, evaluated by a shell as a user's `eval "$(npm run --silent cluster -- up)"` does.
        const printed = spawnSync("bash", ["-c", `${up.stdout}\nenv -0`], { env: process.env, encoding: "utf8" });
        env = Object.fromEntries(
            printed.stdout
                .split("\0")
                .filter(Boolean)
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
        Object.assign(env, {
            PULUMI_HOME: path.join(work, "pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "other-languages",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        });
        fs.mkdirSync(path.join(work, "state"));
        for (const [dir, ordinals] of [
            ["orders", 5],
            ["orderspy", 5],
        ] as const) {
            for (let i = 0; i < ordinals; i++) fs.mkdirSync(path.join(env.LOCAL_NFS_ROOT!, dir, String(i)), { recursive: true });
        }
        for (const language of ["python", "yaml"] as const) {
            fs.cpSync(path.join(FIXTURES, language), program(language), { recursive: true });
        }
    });

    after(function () {
        this.timeout(10 * 60_000);
        for (const language of ["python", "yaml"] as const) {
            if (fs.existsSync(path.join(program(language), "Pulumi.dev.yaml"))) {
                pulumi(program(language), "destroy", "--yes", "--skip-preview");
            }
        }
        if (clusterUp) spawnSync("bash", [path.join(REPO, "scripts", "cluster.sh"), "down"], { env: clusterEnv, stdio: "inherit" });
        fs.rmSync(work, { recursive: true, force: true });
        console.log(`      wall times:\n        ${times.join("\n        ")}`);
    });

    it("Python: `pulumi package add <the package>` generates the SDK, links it and installs the venv from PyPI", () => {
        const dir = program("python");
        const out = ok(pulumi(dir, "package", "add", REPO));
        assert.match(out, /import pulumi_mysql_statefulset as mysql_statefulset/);
        assert.deepStrictEqual(fs.readFileSync(path.join(dir, "requirements.txt"), "utf8").trim().split("\n").slice(-2), [
            "pulumi==3.248.0",
            "sdks/mysql-statefulset",
        ]);
        assert.match(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), new RegExp(`\npackages:\n {2}mysql-statefulset: ${REPO}\n`));
        const pip = spawnSync(path.join(dir, "venv", "bin", "pip"), ["show", "pulumi"], { encoding: "utf8" });
        assert.match(pip.stdout, /^Version: 3\.248\.0$/m);
    });

    it("YAML: `pulumi package add` stops at the YAML host's missing Link, as docs/programs.md says; the `packages` entry by hand", () => {
        const dir = program("yaml");
        const add = pulumi(dir, "package", "add", REPO);
        assert.strictEqual(add.status, 1, add.out);
        assert.match(add.out, /^error: linking package: method Link not implemented$/m);
        const file = path.join(dir, "Pulumi.yaml");
        assert.doesNotMatch(fs.readFileSync(file, "utf8"), /^packages:/m);
        fs.writeFileSync(
            file,
            fs.readFileSync(file, "utf8").replace("runtime: yaml\n", `runtime: yaml\npackages:\n  mysql-statefulset: ${REPO}\n`),
        );
    });

    for (const language of ["python", "yaml"] as const) {
        describe(language, () => {
            const dir = () => program(language);

            it("`pulumi up` deploys the cluster: every pod Ready, the outputs set", () => {
                ok(pulumi(dir(), "stack", "init", "dev"));
                ok(pulumi(dir(), "config", "set", "nfsServer", env.LOCAL_NFS_SERVER!));
                ok(pulumi(dir(), "config", "set", "--secret", "ordersDbPassword", PASSWORD));
                const out = ok(pulumi(dir(), "up", "--yes", "--skip-preview"));
                assert.match(out, /mysql-statefulset:index:ChangeGuard +orders-db-change-guard +created/);
                const cluster = language === "yaml" ? "orders" : "orderspy";
                assert.match(out, new RegExp(`ordersWriter: "${cluster}-0\\.${cluster}\\.default\\.svc\\.cluster\\.local"`));
                const pods = ok(
                    run(
                        dir(),
                        "kubectl",
                        "get",
                        "pods",
                        "-l",
                        `app.kubernetes.io/instance=${cluster},app.kubernetes.io/component=database`,
                        "-o",
                        "jsonpath={.items[*].status.containerStatuses[*].ready}",
                    ),
                );
                assert.deepStrictEqual(pods.split(" "), Array(language === "yaml" ? 4 : 2).fill("true"));
            });

            it("the state holds no password in plain text", () => {
                const state = ok(pulumi(dir(), "stack", "export"));
                assert.ok(!state.includes(PASSWORD), "the root password is in the state in plain text");
                const resources = JSON.parse(state).deployment.resources as { type: string; outputs?: Record<string, unknown> }[];
                const component = resources.find((r) => r.type === "mysql-statefulset:index:MySqlCluster");
                assert.ok(component, "no MySqlCluster in the state");
                // Generated passwords too: every RandomPassword's result is a secret.
                const passwords = resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
                assert.strictEqual(passwords.length, 2);
                for (const p of passwords)
                    assert.ok((p.outputs!.result as Record<string, unknown>).ciphertext, "a plain RandomPassword result");
            });

            it("`pulumi preview` of a guarded change is refused with the guard's message", () => {
                ok(pulumi(dir(), "config", "set", "storageRequest", "512Mi"));
                const preview = pulumi(dir(), "preview");
                assert.strictEqual(preview.status, 1, preview.out);
                assert.ok(
                    preview.out.includes(
                        "error: mysql-statefulset:index:ChangeGuard resource 'orders-db-change-guard': property storageRequest value {<nil>} has a problem: " +
                            GUARD_MESSAGE,
                    ),
                    preview.out,
                );
                assert.ok(preview.out.includes(OPT_IN), preview.out);
            });
        });
    }

    describe("--target", () => {
        it("`--target` is the escape hatch: a targeted StatefulSet skips the guard's check, unless the guard is targeted too", () => {
            const dir = program("yaml");
            const urns = ok(pulumi(dir, "stack", "--show-urns"));
            const urnOf = (type: string, name: string) =>
                new RegExp(`urn:pulumi:\\S*${type.replace(/[.$]/g, "\\$&")}::${name}`).exec(urns)?.[0];
            const statefulSet = urnOf("kubernetes:apps/v1:StatefulSet", "orders-db-statefulset");
            const guard = urnOf("mysql-statefulset:index:ChangeGuard", "orders-db-change-guard");
            assert.ok(statefulSet && guard, urns);
            // storageRequest is still 512Mi (the previous case): the change the guard refuses.
            const targeted = pulumi(dir, "preview", "--target", statefulSet);
            assert.strictEqual(targeted.status, 0, targeted.out);
            assert.match(targeted.out, /\+- +kubernetes:apps\/v1:StatefulSet +orders-db-statefulset +replace/);
            assert.match(targeted.out, /\+-1 to replace/);
            assert.ok(!targeted.out.includes("would change"), targeted.out);
            const withGuard = pulumi(dir, "preview", "--target", statefulSet, "--target", guard);
            assert.strictEqual(withGuard.status, 1, withGuard.out);
            assert.ok(withGuard.out.includes(GUARD_MESSAGE), withGuard.out);
            ok(pulumi(dir, "config", "set", "storageRequest", "1Gi"));
        });
    });
});
