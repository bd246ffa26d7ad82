// The pod scripts' status record (components/podStatus.ts) against its writers: the fields and phases the
// scripts write are exactly those declared, and what lib.sh's `report` writes is what the diagnosis reads.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStatus, STATUS_FIELDS, STATUS_MAX_BYTES, STATUS_PHASES } from "../../components/podStatus";

const POD = path.resolve(__dirname, "..", "..", "pod");
const scripts = fs.readdirSync(POD).filter((f) => f.endsWith(".sh"));
const source = (file: string) => fs.readFileSync(path.join(POD, file), "utf8");

/** Every `key=value` word of the scripts' `report …` calls and STATUS_CONTEXT pairs, by script. */
function written(): Map<string, { keys: Set<string>; phases: Set<string> }> {
    const out = new Map<string, { keys: Set<string>; phases: Set<string> }>();
    for (const file of scripts) {
        const found = { keys: new Set<string>(), phases: new Set<string>() };
        for (const line of source(file).split("\n")) {
            const call = /^\s*(?:.*\|\| )?(?:report|STATUS_CONTEXT=\()\s*(.*)$/.exec(line);
            if (!call || line.trim().startsWith("#") || /^\s*report\(\)/.test(line)) {
                continue;
            }
            for (const pair of call[1].matchAll(/"?([a-z]+)=("?)([a-z-]*)/g)) {
                found.keys.add(pair[1]);
                if (pair[1] === "phase") {
                    found.phases.add(pair[3]);
                }
            }
        }
        if (found.keys.size > 0) {
            out.set(file, found);
        }
    }
    return out;
}

/** Runs lib.sh's `report` as `script` would, writing to a temporary STATUS_FILE; returns what it wrote. */
function report(args: string[], statusFile?: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-status-"));
    try {
        const file = statusFile ?? path.join(dir, "termination-log");
        const run = spawnSync("bash", ["-c", `source "${POD}/lib.sh"; report "$@"`, "clone-mysql.sh", ...args], {
            env: { PATH: process.env.PATH, STATUS_FILE: file },
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr);
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("the pod scripts' status record", () => {
    it("is written by the scripts the containers run, with the declared fields and phases only, and every one of them", () => {
        const byScript = written();
        assert.deepStrictEqual([...byScript.keys()].sort(), [
            "clone-mysql.sh",
            "init-mysql.sh",
            "lib.sh",
            "mysql-run.sh",
            "replay-binlogs.sh",
            "restore-mysql.sh",
            "sidecar.sh",
        ]);
        const keys = new Set(["script", "at", ...[...byScript.values()].flatMap((w) => [...w.keys])]);
        const phases = new Set([...byScript.values()].flatMap((w) => [...w.phases]));
        assert.deepStrictEqual([...keys].sort(), Object.keys(STATUS_FIELDS).sort());
        assert.deepStrictEqual([...phases].sort(), Object.keys(STATUS_PHASES).sort());
        // The scripts that report install the failure report first.
        for (const file of [...byScript.keys()].filter((f) => f !== "lib.sh")) {
            assert.match(source(file), /^source .*lib\.sh"\nreport_exit$/m, `${file} calls report_exit after sourcing lib.sh`);
        }
    });

    it("is what the diagnosis reads: key=value lines, a line break in a value made a space, the time first", () => {
        const text = report(["donor=mysql-1.mysql:3307", "phase=failed", "error=two\nlines = and an equals sign"]);
        assert.match(text, /^script=clone-mysql\.sh\nat=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\ndonor=/);
        const { at, ...record } = parseStatus(text) ?? {};
        assert.ok(at);
        assert.deepStrictEqual(record, {
            script: "clone-mysql.sh",
            donor: "mysql-1.mysql:3307",
            phase: "failed",
            error: "two lines = and an equals sign",
        });
    });

    it("stays within what kubelet keeps of a termination message, and an empty STATUS_FILE reports nothing", () => {
        const text = report(["phase=failed", `error=${"x".repeat(10_000)}`, `reason=${"y".repeat(10_000)}`]);
        assert.ok(Buffer.byteLength(text) < STATUS_MAX_BYTES, `${Buffer.byteLength(text)} bytes`);
        assert.strictEqual(parseStatus(text)?.error, "x".repeat(1024 - "error=".length));
        assert.strictEqual(report(["phase=failed"], ""), "");
    });

    it("reads no record out of other text: an empty message, a log tail, fields without a phase", () => {
        assert.strictEqual(parseStatus(undefined), undefined);
        assert.strictEqual(parseStatus(""), undefined);
        assert.strictEqual(parseStatus("2026-01-01 0 [ERROR] mariadbd: Can't lock aria control file\nerror=x\n"), undefined);
        assert.deepStrictEqual(parseStatus("phase=cloning\nnot a field=1\nconstructor=x\n"), { phase: "cloning" });
    });
});
