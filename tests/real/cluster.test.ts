// `npm run cluster -- up|down` (scripts/cluster.sh), run for real: the control plane with the node agent,
// the `export` lines a shell evals, three Ready Nodes, a second `up` that reuses the running cluster, and a
// `down` that leaves no process and no folder. Also the refusal without root.
// Needs root and the built tools; takes /tmp/real-suite.lock's place like the rest of tests/real:
//   flock /tmp/real-suite.lock npx mocha --no-config --require ts-node/register/transpile-only --timeout 900000 \
//       tests/real/cluster.test.ts
// MST_CLUSTER_PORT_BASE (default 27800) picks the ports; the folder is the test's own.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireFakeKubelet } from "../fake-kubelet";

const REPO = path.join(__dirname, "..", "..");
const SCRIPT = path.join(REPO, "scripts", "cluster.sh");

/** Runs `bash scripts/cluster.sh ARGS` (what `npm run cluster -- ARGS` runs) with the test's settings. */
function cluster(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    return spawnSync("bash", [SCRIPT, ...args], { cwd: REPO, env, encoding: "utf8" });
}

/** The values of `export NAME=value` lines, through a shell, as `eval` reads them. */
function evaluated(exports: string): Record<string, string> {
    const run = spawnSync("bash", ["-c", `${exports}\nprintf '%s\\0' "$KUBECONFIG" "$PATH" "$LOCAL_NFS_SERVER" "$LOCAL_NFS_ROOT"`], {
        encoding: "utf8",
        env: { PATH: "/usr/bin:/bin" },
    });
    assert.strictEqual(run.status, 0, run.stderr);
    const [KUBECONFIG, PATH, LOCAL_NFS_SERVER, LOCAL_NFS_ROOT] = run.stdout.split("\0");
    return { KUBECONFIG, PATH, LOCAL_NFS_SERVER, LOCAL_NFS_ROOT };
}

/** Processes whose command line names `dir`. */
function processesNaming(dir: string): string[] {
    return fs
        .readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .flatMap((p) => {
            try {
                const cmdline = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
                return cmdline.includes(dir) ? [`${p}: ${cmdline}`] : [];
            } catch {
                return [];
            }
        });
}

describe("npm run cluster -- up|down (real control plane and node agent)", function () {
    this.timeout(10 * 60_000);
    const dir = path.join(os.tmpdir(), `cluster-script-test-${process.pid}`);
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        MST_CLUSTER_DIR: dir,
        MST_CLUSTER_PORT_BASE: process.env.MST_CLUSTER_PORT_BASE ?? "27800",
    };
    let first = "";

    before(function () {
        requireFakeKubelet(this);
    });

    after(() => {
        if (fs.existsSync(dir)) cluster(env, "down");
    });

    it("refuses to start without root, and says how", function () {
        if (process.getuid?.() !== 0) this.skip();
        const run = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "bash", SCRIPT, "up"], {
            cwd: "/",
            env: { ...env, HOME: "/nonexistent" },
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 1);
        assert.strictEqual(run.stdout, "");
        assert.strictEqual(
            run.stderr,
            "cluster: `up` needs root: the node agent runs each pod in its own network and mount namespace. " +
                "Run it as root (sudo -E npm run --silent cluster -- up).\n",
        );
        assert.ok(!fs.existsSync(dir));
    });

    it("`up` prints only export lines, and the cluster has three Ready Nodes", () => {
        const run = cluster(env, "up");
        assert.strictEqual(run.status, 0, run.stderr);
        first = run.stdout;
        const lines = run.stdout.trimEnd().split("\n");
        assert.deepStrictEqual(
            lines.map((l) => l.split("=")[0]),
            ["export KUBECONFIG", "export PATH", "export LOCAL_NFS_SERVER", "export LOCAL_NFS_ROOT"],
        );
        const values = evaluated(run.stdout);
        assert.strictEqual(values.KUBECONFIG, path.join(dir, "admin.kubeconfig"));
        assert.strictEqual(values.LOCAL_NFS_SERVER, "nfs.local");
        assert.strictEqual(values.LOCAL_NFS_ROOT, path.join(dir, "nfs"));
        assert.ok(fs.statSync(values.LOCAL_NFS_ROOT).isDirectory());
        // The built pulumi and kubectl come first, then the PATH the same shell had before.
        const [pulumiDir, kubectlDir, ...rest] = values.PATH.split(":");
        assert.ok(fs.existsSync(path.join(pulumiDir, "pulumi")), pulumiDir);
        assert.ok(fs.existsSync(path.join(kubectlDir, "kubectl")), kubectlDir);
        assert.strictEqual(rest.join(":"), evaluated("").PATH);

        const nodes = spawnSync(path.join(kubectlDir, "kubectl"), ["get", "nodes", "--no-headers"], {
            env: { ...process.env, KUBECONFIG: values.KUBECONFIG },
            encoding: "utf8",
        });
        assert.strictEqual(nodes.status, 0, nodes.stderr);
        assert.deepStrictEqual(
            nodes.stdout
                .trim()
                .split("\n")
                .map((l) => l.split(/\s+/).slice(0, 2).join(" ")),
            ["node-a Ready", "node-b Ready", "node-c Ready"],
        );
    });

    it("a second `up` reuses the running cluster: same agent, same exports", () => {
        const pid = fs.readFileSync(path.join(dir, "node-agent", "pid"), "utf8");
        const run = cluster(env, "up");
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stdout, first);
        assert.match(run.stderr, /control-plane\.sh: already running in .*; reusing it\./);
        assert.match(run.stderr, /cluster: the node agent runs \(pid \d+\); reusing the cluster in /);
        assert.strictEqual(fs.readFileSync(path.join(dir, "node-agent", "pid"), "utf8"), pid);
    });

    it("`down` stops the agent and the control plane, and removes the folder", () => {
        assert.notDeepStrictEqual(processesNaming(dir), []);
        const run = cluster(env, "down");
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stdout, "");
        assert.match(run.stderr, /cluster: stopping the node agent \(pid \d+\)/);
        assert.deepStrictEqual(processesNaming(dir), []);
        assert.ok(!fs.existsSync(dir), `${dir} is left`);
    });
});
