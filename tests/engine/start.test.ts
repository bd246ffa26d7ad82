// `npm start` on a fresh clone (issue #27): a git clone of this checkout's HEAD with node_modules linked in
// (`cp -al`, as after `npm ci`), the user's command run as the user runs it: the first run deploys the stack
// on the local cluster and prints client commands, which the test runs as printed (a row written on the
// primary as root, read back by the app user through mysql-read); a failure names its step and log; a
// second run changes nothing; `npm start -- down` leaves no process, mount or folder of the cluster behind.
// The wall times of the first and second runs are printed (not asserted).
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/start.test.ts
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command, commandOk, CommandResult, REPO, requireEngineBed, said } from "./harness";

/** The command printed on the line after the comment that starts with `marker`. */
function printedCommand(stdout: string, marker: string): string {
    const lines = stdout.split("\n");
    const at = lines.findIndex((l) => l.trim().startsWith(marker));
    assert.ok(at >= 0 && lines[at + 1]?.trim(), `no command after "${marker}" in:\n${stdout}`);
    return lines[at + 1].trim();
}

/** Processes whose command line names `dir`. */
function processesNaming(dir: string): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        let cmdline = "";
        try {
            cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
        } catch {
            continue; // gone meanwhile
        }
        if (cmdline.includes(dir) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`);
    }
    return found;
}

describe("`npm start` on a fresh clone: deploys on the local cluster, prints working client commands, `down` leaves nothing", function () {
    this.timeout(30 * 60_000);
    let work = "";
    let clone = "";
    let clusterDir = "";
    let env: NodeJS.ProcessEnv = {};
    let downDone = false;
    const npm = (args: string[]): Promise<CommandResult> => command("npm", args, { cwd: clone, env, timeoutMs: 20 * 60_000 });

    before(async function () {
        requireEngineBed(this, "the `npm start` case");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "npm-start-"));
        clone = path.join(work, "clone");
        // Not made here: the control plane refuses a folder it did not make.
        clusterDir = path.join(work, "cluster");
        await commandOk("git", ["clone", "--quiet", REPO, clone]);
        await commandOk("cp", ["-al", path.join(REPO, "node_modules"), path.join(clone, "node_modules")]);
        // As after `npm ci`: the lockfile no newer than the install (the clone wrote it just now).
        const installed = fs.statSync(path.join(REPO, "node_modules", ".package-lock.json")).mtime;
        fs.utimesSync(path.join(clone, "package-lock.json"), installed, installed);
        env = {
            ...process.env,
            MST_CLUSTER_DIR: clusterDir,
            MST_CLUSTER_PORT_BASE: process.env.MST_CLUSTER_PORT_BASE ?? "28000",
            NO_COLOR: "1",
        };
    });

    after(async () => {
        if (clone && !downDone && fs.existsSync(clusterDir)) await npm(["start", "--", "down"]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    let first: CommandResult;
    let createdCount = 0;

    it("the first run deploys 3 pods, shows its steps and the pods becoming Ready, and prints the outputs", async () => {
        first = await npm(["start"]);
        console.log(`      (first \`npm start\`, tools cached: ${(first.ms / 1000).toFixed(1)} s)`);
        assert.strictEqual(first.code, 0, said(first, 4000, 4000));
        for (const step of [
            "checking the Debian packages",
            "the local cluster (scripts/cluster.sh up",
            "pulumi up (log: ",
            "every pod Ready",
        ]) {
            assert.ok(first.stderr.includes(step), `no step "${step}" in the progress:\n${first.stderr}`);
        }
        // The pods as they change (which states the poll catches depends on the machine's speed), then all Ready.
        assert.match(first.stderr, /pods: mysql-0 \d\/2 \w+/);
        assert.match(first.stderr, /pods: mysql-0 mysql-1 mysql-2 Ready$/m);
        // The summary counts every resource the engine listed as created, and the default providers it does not list;
        // the second run must find that many unchanged.
        const listed = first.stderr.split("\n").filter((l) => /^ \+ {2}\S+ \S+ created /.test(l)).length;
        createdCount = Number(/^ {4}\+ (\d+) created$/m.exec(first.stderr)?.[1]);
        assert.ok(listed > 20 && createdCount >= listed, `${createdCount} created in the summary, ${listed} listed:\n${first.stderr}`);
        assert.match(first.stderr, /StatefulSet mysql-statefulset created/);
        assert.match(first.stdout, /up on the local cluster in \d+ s \(3 pods Ready, mariadb flavor\)/);
        assert.match(first.stdout, /^ {2}readEndpoint +mysql-read\.default\.svc\.cluster\.local:3306$/m);
        assert.match(first.stdout, /^ {2}appPassword +\[secret\]$/m);
        assert.ok(first.stdout.includes(`passphrase was generated into ${clusterDir}/start/passphrase`), first.stdout);
        assert.strictEqual(fs.statSync(path.join(clusterDir, "start", "passphrase")).mode & 0o777, 0o600);
        // Nothing written into the clone: the stack file and Pulumi's workspace are in the cluster's folder.
        assert.strictEqual(await commandOk("git", ["status", "--porcelain"], { cwd: clone }), "");
    });

    it("the printed primary command writes a row as root; the printed mysql-read command reads it back as the app user", async () => {
        const primary = printedCommand(first.stdout, "# root on the primary");
        const read = printedCommand(first.stdout, "# the app user through");
        const mark = `written-${process.pid}`;
        await commandOk("bash", ["-c", primary], {
            env,
            input: `CREATE TABLE start_check (id INT PRIMARY KEY, v VARCHAR(40)); INSERT INTO start_check VALUES (1, '${mark}');`,
        });
        const out = await commandOk("bash", ["-c", read], { env, input: "SELECT v, CURRENT_USER() FROM start_check;" });
        assert.strictEqual(out, `v\tCURRENT_USER()\n${mark}\tapp@%\n`);
    });

    it("a failure names the step and the log to read", async () => {
        const program = path.join(clusterDir, "start", "program");
        const pulumiEnv = `source ${clusterDir}/start/env.sh && cd ${program}`;
        await commandOk("bash", ["-c", `${pulumiEnv} && pulumi config set storageRequest 50Gi`], { env });
        const r = await npm(["start"]);
        await commandOk("bash", ["-c", `${pulumiEnv} && pulumi config rm storageRequest`], { env });
        assert.strictEqual(r.code, 1, said(r, 4000, 4000));
        assert.ok(
            new RegExp(`^start: FAILED at step "pulumi up" \\(exit \\d+\\); read ${clusterDir}/start/pulumi\\.log$`, "m").test(r.stderr),
            `no failure line in:\n${r.stderr}`,
        );
        assert.ok(r.stderr.includes("start: Pulumi's diagnostics, in it:"), r.stderr);
        assert.ok(r.stderr.includes('`storageRequest` is "50Gi", more than `volumeCapacity` "20Gi"'), r.stderr);
    });

    it("a second run reuses the cluster and the stack: no changes", async () => {
        const second = await npm(["start"]);
        console.log(`      (second \`npm start\`: ${(second.ms / 1000).toFixed(1)} s)`);
        assert.strictEqual(second.code, 0, said(second, 4000, 4000));
        assert.ok(second.stderr.includes("reusing the cluster"), second.stderr);
        assert.ok(second.stderr.includes("the stack exists: reusing it and its settings"), second.stderr);
        assert.match(second.stderr, new RegExp(`^ {4}${createdCount} unchanged$`, "m"));
        assert.doesNotMatch(second.stderr, / created| updated| replaced| deleted/);
        assert.strictEqual(printedCommand(second.stdout, "# the app user through"), printedCommand(first.stdout, "# the app user through"));
    });

    it("`npm start -- down` destroys the stack and leaves no process, mount or folder behind", async () => {
        const r = await npm(["start", "--", "down"]);
        downDone = true;
        assert.strictEqual(r.code, 0, said(r, 4000, 4000));
        assert.ok(r.stderr.includes("pulumi destroy of the stack `local`"), r.stderr);
        assert.strictEqual(fs.existsSync(clusterDir), false, `${clusterDir} is left`);
        assert.deepStrictEqual(processesNaming(clusterDir), []);
        const mounts = fs
            .readFileSync("/proc/self/mountinfo", "utf8")
            .split("\n")
            .filter((l) => l.includes(clusterDir));
        assert.deepStrictEqual(mounts, []);
    });
});
