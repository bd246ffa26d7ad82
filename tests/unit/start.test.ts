// `npm start`'s first step (scripts/start.sh, issue #27): missing Debian packages are installed with apt-get
// as root, and named with the exact apt-get command otherwise; a failed install names its step and its log.
// `dpkg-query`, `id` and `apt-get` are stand-ins on PATH, so these cases run anywhere and touch nothing; the
// real run of `npm start` is tests/engine/start.test.ts.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const START = path.join(__dirname, "..", "..", "scripts", "start.sh");
const INSTALL = "apt-get update && apt-get install -y --no-install-recommends socat sysbench";

describe("npm start: the Debian packages step (scripts/start.sh with stand-in dpkg-query, id, apt-get)", () => {
    let dir = "";
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "start-packages-"));
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        const stub = (name: string, body: string): void => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        // Installed unless named in MISSING (its last argument is the package).
        stub(
            "dpkg-query",
            'for p; do :; done\ncase " $MISSING " in *" $p "*) echo "dpkg-query: no packages found matching $p" >&2; exit 1 ;; esac\nprintf "install ok installed"',
        );
        stub("id", 'echo "$FAKE_UID"');
        stub(
            "apt-get",
            'echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND apt-get $*" >>"$APT_CALLS"\ncase $1 in install) echo "E: Unable to locate package sysbench"; exit 100 ;; esac',
        );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const run = (uid: number): { code: number | null; stdout: string; stderr: string } => {
        const r = spawnSync("bash", [START], {
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
                MISSING: "socat sysbench",
                FAKE_UID: String(uid),
                APT_CALLS: path.join(dir, "apt-calls"),
                TMPDIR: dir,
                MST_CLUSTER_DIR: path.join(dir, "cluster"),
            },
        });
        // The elapsed seconds vary with the machine.
        return { code: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\[\d+ s\]/g, "[N s]") };
    };

    it("not root: names the missing packages and the exact apt-get command, installs nothing, exits 1", () => {
        const r = run(1000);
        assert.strictEqual(r.code, 1);
        assert.strictEqual(r.stdout, "");
        assert.strictEqual(
            r.stderr,
            [
                "start: [N s] checking the Debian packages the local cluster needs",
                `start: missing Debian packages: socat sysbench. Install them as root, then run \`sudo -E npm start\`: sudo sh -c '${INSTALL}'`,
                'start: FAILED at step "checking the Debian packages the local cluster needs" (exit 1)',
                "",
            ].join("\n"),
        );
        assert.strictEqual(fs.existsSync(path.join(dir, "apt-calls")), false);
        assert.strictEqual(fs.existsSync(path.join(dir, "cluster")), false);
    });

    it("root: runs that apt-get command; its failure names the step and the log, and shows the log's last lines", () => {
        const r = run(0);
        assert.strictEqual(r.code, 100);
        assert.strictEqual(
            fs.readFileSync(path.join(dir, "apt-calls"), "utf8"),
            [
                "DEBIAN_FRONTEND=noninteractive apt-get update",
                "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends socat sysbench",
                "",
            ].join("\n"),
        );
        const logs = fs.readdirSync(dir).filter((f) => f.startsWith("mysql-statefulset-apt."));
        assert.strictEqual(logs.length, 1, `one apt log in ${dir}: ${logs.join(", ")}`);
        const log = path.join(dir, logs[0]);
        const step = `installing socat sysbench (${INSTALL})`;
        assert.strictEqual(
            r.stderr,
            [
                "start: [N s] checking the Debian packages the local cluster needs",
                `start: [N s] ${step} (log: ${log})`,
                `start: FAILED at step "${step}" (exit 100); read ${log}`,
                "start: its last lines:",
                "    E: Unable to locate package sysbench",
                "",
            ].join("\n"),
        );
        assert.strictEqual(fs.existsSync(path.join(dir, "cluster")), false);
    });
});
