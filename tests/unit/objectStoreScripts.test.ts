// backup.sh's upload and restore-mysql.sh's download against a real S3 server: rclone (tools/rclone/build.sh,
// cached after the first build) both as the scripts' uploader and as `rclone serve s3` on 127.0.0.1. The donor's
// stream and the backup tool are stubs, as in podScripts.test.ts; the PATH holds only the tools the images have.
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterNames, CONTAINERS, FLAVORS, FlavorName, readPodScripts, resolveArgs } from "../../components";
import { statefulSet } from "../../components/builders";
import { MOCK_UUID } from "../../scripts/render/mockRuntime";
import { BASE_ARGS, SCRIPT_TOOLS } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");
const SCRIPTS = path.join(ROOT, "pod");
const KEYS = { id: "unit-test-key", secret: "unit-test-secret-0123456789" };

const STUBS: Record<string, string> = {
    socat: "echo stream",
    // The donor's backup: a table, an empty database, the replica's position, and the checkpoints.
    mbstream: [
        'dir=${!#}; cat >/dev/null; mkdir -p "$dir/shop" "$dir/empty_db"; echo "rows $STUB_ROWS" >"$dir/shop/t.ibd"',
        'if [[ -n ${STUB_PURGED:-} ]]; then printf "SET GLOBAL gtid_purged=\'%s\';\\n" "$STUB_PURGED"; else printf "SET GLOBAL gtid_slave_pos = \'0-100-42\';\\n"; fi >"$dir/xtrabackup_slave_info"',
        'echo "backup_type = full-backuped" >"$dir/xtrabackup_checkpoints"',
    ].join("\n"),
    "mariadb-backup": 'dir=${!#}; dir=${dir#--target-dir=}; echo prepared >"$dir/prepared"',
};

const UID = "3f2a9c1e-0000-4000-8000-000000000000";

describe("backup.sh and restore-mysql.sh with a bucket (real rclone, rclone serve s3)", function () {
    this.timeout(300_000);
    let dir = "";
    let rclone = "";
    let server: (ChildProcess & { port: number }) | undefined;
    let port = 0;
    const at = (...p: string[]) => path.join(dir, ...p);
    const bucketDir = (...p: string[]) => at("store", "acme-backups", "default", "mysql", ...p);

    const storeEnv = () => ({
        RCLONE: rclone,
        OBJECT_STORE_BUCKET: "acme-backups",
        OBJECT_STORE_PREFIX: "default/mysql",
        OBJECT_STORE_ENDPOINT: `http://127.0.0.1:${port}`,
        OBJECT_STORE_REGION: "us-east-1",
        OBJECT_STORE_KEY_ID_FILE: at("keys", "access-key-id"),
        OBJECT_STORE_SECRET_KEY_FILE: at("keys", "secret-access-key"),
        TLS_CA: "/c/ca.crt",
        TLS_CERT: "/c/tls.crt",
        TLS_KEY: "/c/tls.key",
    });

    function run(script: string, env: Record<string, string>) {
        return spawnSync("bash", [path.join(SCRIPTS, script)], { env: { PATH: at("bin"), ...storeEnv(), ...env }, encoding: "utf8" });
    }

    function backup(rows: string, retention = "2", clusterUid?: string, stubs: Record<string, string> = {}) {
        return run("backup.sh", {
            ...stubs,
            ...(clusterUid === undefined ? {} : { CLUSTER_UID: clusterUid }),
            DONOR_HOST: "mysql-2.mysql.default.svc.cluster.local",
            CLONE_PORT: "3307",
            CLONE_TRANSPORT: "socat",
            STREAM_TOOL: "mbstream",
            BACKUP_TOOL: "mariadb-backup",
            BACKUP_INFO_PREFIXES: "mariadb_backup xtrabackup",
            // No backup volume: an emptyDir of the Job's pod.
            BACKUPS_DIR: fs.mkdtempSync(at("staging-")),
            BACKUP_RETENTION: retention,
            CLONE_IDLE_TIMEOUT: "300",
            STUB_ROWS: rows,
        });
    }

    /**
     * The server's client (mariadb and mysql alike), as binlog-ship.sh and replay-binlogs.sh use it: every
     * statement logged to STUB_SQL_LOG (those on stdin too); the GTID state from a file, or STUB_REPLAYED
     * when asked through the replaying server's socket; GTID_SUBSET answers STUB_SUBSET; FLUSH BINARY LOGS
     * as the server does it (a new file, its name appended to the index without a newline), each counted.
     */
    const CLIENT_STUB = [
        'stmt="" socket=""',
        "for a; do case $a in --execute=*) stmt=${a#--execute=} ;; --socket=*) socket=${a#--socket=} ;; esac; done",
        "[[ -n $stmt ]] || stmt=$(cat)",
        '[[ -z ${STUB_SQL_LOG:-} || $stmt == "SELECT 1" ]] || printf "%s\\n" "$stmt" >>"$STUB_SQL_LOG"',
        'data="${STUB_DATA:-}"',
        "case $stmt in",
        '"SELECT 1") ;;',
        '*GTID_SUBSET*) echo "$STUB_SUBSET" ;;',
        '*gtid_binlog_pos* | *gtid_executed*) if [[ -n $socket ]]; then echo "$STUB_REPLAYED"; else cat "$STUB_GTID"; fi ;;',
        '"FLUSH BINARY LOGS")',
        '    mapfile -t lines <"$data/mysql-bin.index"',
        '    next=$(printf "mysql-bin.%06d" $((${#lines[@]} + 1)))',
        '    echo "events of $next" >"$data/$next"',
        '    printf "\\n./%s" "$next" >>"$data/mysql-bin.index"',
        '    echo flush >>"$STUB_FLUSHES" ;;',
        "*) [[ -n $socket ]] || exit 1 ;;",
        "esac",
    ].join("\n");

    /**
     * The replaying server and the binlog tools: each logs its arguments (one line each) to STUB_ARGS_LOG;
     * the server runs until it is stopped; a tool asked for a file's first events prints STUB_FIRST_HEADER,
     * otherwise the events of the files it was given (or fails half-way with STUB_DECODE_ERROR).
     */
    const SERVER_STUB = 'printf "%s %s\\n" "${0##*/}" "$*" >>"$STUB_ARGS_LOG"; exec sleep 600';
    const BINLOG_TOOL_STUB = [
        'printf "%s %s\\n" "${0##*/}" "$*" >>"$STUB_ARGS_LOG"',
        'if [[ $1 == --stop-position=* ]]; then printf "%s\\n" "$STUB_FIRST_HEADER"; exit 0; fi',
        'if [[ -n ${STUB_DECODE_ERROR:-} ]]; then echo "-- half"; echo "$STUB_DECODE_ERROR" >&2; exit 1; fi',
        'for a; do [[ $a == -* ]] || echo "-- events of ${a##*/}"; done',
    ].join("\n");

    /** binlog-ship.sh as the pod `host` runs it, on the volume `volume`, shipping every second. */
    function ship(host: string, volume: string, flavor: FlavorName = "mariadb", clusterUid = UID, extra: Record<string, string> = {}) {
        const data = at(volume, "mysql");
        // A process group of its own, so that stopping it stops its `sleep` too: an orphaned sleep would hold the
        // pipes open and keep mocha from exiting.
        return spawn("bash", [path.join(SCRIPTS, "binlog-ship.sh")], {
            detached: true,
            env: {
                PATH: at("bin"),
                ...storeEnv(),
                HOSTNAME: host,
                DATA_ROOT: at(volume),
                DATA_SUBPATH: "mysql",
                CLUSTER_UID: clusterUid,
                CLIENT_CONFIG: "/dev/null",
                MYSQL_CLIENT: FLAVORS[flavor].client,
                MYSQL_PORT: "3306",
                BINLOG_BASENAME: "mysql-bin",
                BINLOG_GTID_SQL: FLAVORS[flavor].binlogs!.gtidSql,
                STUB_SQL_LOG: at(volume, "statements"),
                BINLOG_SHIP_INTERVAL: "1",
                STUB_DATA: data,
                STUB_GTID: at(volume, "gtid"),
                STUB_FLUSHES: at(volume, "flushes"),
                ...extra,
            },
        });
    }
    /** Stops the script and everything it started (its process group). */
    function stop(child: ChildProcess): void {
        try {
            process.kill(-child.pid!, "SIGTERM");
        } catch {
            // Already gone.
        }
    }
    /** Runs `child` until `done` holds (polled), then stops it; its stderr. */
    async function runUntil(child: ChildProcess, done: (log: string) => boolean, what: string): Promise<string> {
        let log = "";
        child.stderr!.on("data", (d) => (log += d));
        const deadline = Date.now() + 60_000;
        while (!done(log)) {
            if (Date.now() > deadline || child.exitCode !== null) {
                stop(child);
                assert.fail(`${what}; binlog-ship.sh said:\n${log}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const closed = new Promise((resolve) => child.once("close", resolve));
        stop(child);
        await closed;
        return log;
    }
    const readValues = (file: string): Record<string, string> =>
        Object.fromEntries(
            fs
                .readFileSync(file, "utf8")
                .trim()
                .split("\n")
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );

    /**
     * The environment the builder gives the init container `container` of a mysql-0 of `flavor` restoring from
     * `restoreFrom` with the bucket, its values replaced by `local` where it sets them (this machine's paths);
     * undefined when the container is not rendered.
     */
    function renderedEnv(container: string, flavor: FlavorName, restoreFrom: string, local: Record<string, string>) {
        const args = resolveArgs({
            ...BASE_ARGS,
            flavor,
            backupS3Bucket: "acme-backups",
            backupS3CredentialsSecret: "mysql-backup-s3",
            restoreFrom,
            rootPassword: "r",
            replicationPassword: "p",
            backupPassword: "b",
        });
        const names = clusterNames(args.name, args.namespace, args.clusterDomain, args.selectorLabels);
        const pod = (statefulSet(args, names, readPodScripts(), MOCK_UUID) as any).spec.template.spec;
        const found = pod.initContainers.find((c: { name: string }) => c.name === container);
        if (found === undefined) {
            return undefined;
        }
        const env: Record<string, string> = Object.fromEntries(found.env.map((e: { name: string; value: string }) => [e.name, e.value]));
        for (const [name, value] of Object.entries(local)) {
            if (name in env) env[name] = value;
        }
        return env;
    }

    /**
     * A restoring mysql-0 of `flavor` as its init containers run: clone-mysql.sh, then, for a restore to a time,
     * replay-binlogs.sh, each with its own container's environment as the builder renders it; both outputs.
     */
    function restore(name: string, flavor: FlavorName = "mariadb", stubs: Record<string, string> = {}) {
        fs.rmSync(at("volume"), { recursive: true, force: true });
        fs.mkdirSync(at("volume", "mysql"), { recursive: true });
        const local = {
            ...storeEnv(),
            DATA_ROOT: at("volume"),
            // The backup volume is not mounted at all.
            BACKUPS_DIR: at("no-backup-volume"),
            CLONE_MARKER: at("volume", "clone-pending"),
            CLIENT_CONFIG: "/dev/null",
            ...(flavor === "mariadb" ? { RESTORE_SQL: "SET GLOBAL gtid_binlog_state={gtid};" } : {}),
        };
        const stubEnv = {
            PATH: at("bin"),
            HOSTNAME: "mysql-0",
            STUB_ARGS_LOG: at("args"),
            STUB_SQL_LOG: at("statements"),
            STUB_FIRST_HEADER: "",
            ...stubs,
        };
        const clone = spawnSync("bash", [path.join(SCRIPTS, "clone-mysql.sh")], {
            env: { ...renderedEnv(CONTAINERS.clone, flavor, name, { ...local, STATUS_FILE: at("termination-log") }), ...stubEnv },
            encoding: "utf8",
        });
        const replayEnv = renderedEnv(CONTAINERS.replay, flavor, name, { ...local, STATUS_FILE: at("replay-termination-log") });
        if (clone.status !== 0 || replayEnv === undefined) {
            return clone;
        }
        const replay = replayBinlogs(replayEnv, stubEnv);
        return { ...replay, stderr: clone.stderr + replay.stderr };
    }
    function replayBinlogs(env: Record<string, string>, stubEnv: Record<string, string>) {
        return spawnSync("bash", [path.join(SCRIPTS, "replay-binlogs.sh")], { env: { ...env, ...stubEnv }, encoding: "utf8" });
    }

    /** rclone as a client of the server, configured as the scripts configure it. */
    const s3 = (args: string[], input?: string) =>
        execFileSync(rclone, args, {
            input,
            env: {
                RCLONE_CONFIG: "/dev/null",
                RCLONE_CONFIG_OFFSITE_TYPE: "s3",
                RCLONE_CONFIG_OFFSITE_PROVIDER: "Other",
                RCLONE_CONFIG_OFFSITE_ENDPOINT: `http://127.0.0.1:${port}`,
                RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID: KEYS.id,
                RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY: KEYS.secret,
                RCLONE_CONFIG_OFFSITE_NO_CHECK_BUCKET: "true",
            },
        });
    /** The objects under one backup's prefix, as paths relative to it. */
    const objects = (name: string): string[] =>
        (fs.readdirSync(bucketDir(name), { recursive: true }) as string[]).filter((p) => fs.statSync(bucketDir(name, p)).isFile());
    /** The good backups, as the bucket holds them. */
    const stored = () => fs.readdirSync(bucketDir()).filter((n) => fs.existsSync(bucketDir(n, "MANIFEST")));

    before(async () => {
        rclone = path.join(execFileSync("bash", [path.join(ROOT, "tools", "rclone", "build.sh")], { encoding: "utf8" }).trim(), "rclone");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "object-store-scripts-"));
        for (const d of ["bin", "keys", "store/acme-backups"]) fs.mkdirSync(at(d), { recursive: true });
        for (const tool of SCRIPT_TOOLS) {
            const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
            fs.symlinkSync(found, at("bin", tool));
        }
        for (const client of ["mariadb", "mysql"]) fs.writeFileSync(at("bin", client), `#!/bin/bash\n${CLIENT_STUB}\n`, { mode: 0o755 });
        for (const server of ["mariadbd", "mysqld"]) fs.writeFileSync(at("bin", server), `#!/bin/bash\n${SERVER_STUB}\n`, { mode: 0o755 });
        for (const tool of ["mariadb-binlog", "mysqlbinlog"])
            fs.writeFileSync(at("bin", tool), `#!/bin/bash\n${BINLOG_TOOL_STUB}\n`, { mode: 0o755 });
        for (const [name, body] of Object.entries(STUBS)) fs.writeFileSync(at("bin", name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
        fs.writeFileSync(at("keys", "access-key-id"), KEYS.id);
        fs.writeFileSync(at("keys", "secret-access-key"), KEYS.secret);
        server = await serveS3(at("store"));
    });

    /** The port a server started on port 0 reports in its output (`pattern`'s group 1); rejects if it exits first. */
    function listeningPort(child: ChildProcess, pattern: RegExp, what: string): Promise<number> {
        let output = "";
        return new Promise<number>((resolve, reject) => {
            const seen = (data: Buffer) => {
                output += data;
                const m = pattern.exec(output);
                if (m) resolve(Number(m[1]));
            };
            child.stderr!.on("data", seen);
            child.stdout!.on("data", seen);
            child.once("exit", () => reject(new Error(`${what} exited:\n${output}`)));
        });
    }

    /** `rclone serve s3` of the directory `root` on a free port of 127.0.0.1, and that port. */
    async function serveS3(root: string): Promise<ChildProcess & { port: number }> {
        const child = spawn(rclone, [
            "serve",
            "s3",
            "--config",
            "/dev/null",
            "--auth-key",
            `${KEYS.id},${KEYS.secret}`,
            "--addr",
            "127.0.0.1:0",
            root,
        ]);
        const bound = await listeningPort(child, /Starting s3 server on \[http:\/\/127\.0\.0\.1:(\d+)\/\]/, "rclone serve s3");
        if (port === 0) port = bound;
        return Object.assign(child, { port: bound });
    }

    after(() => {
        server?.kill();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("uploads each backup with its MANIFEST, keeps the retention in the bucket, and removes an upload cut short", () => {
        // An upload cut short: objects without their MANIFEST, older than the next backup.
        fs.mkdirSync(bucketDir("20000101T000000Z", "data"), { recursive: true });
        fs.writeFileSync(bucketDir("20000101T000000Z", "data", "ibdata1"), "half");
        const names: string[] = [];
        for (const rows of ["one", "two", "three"]) {
            const result = backup(rows);
            assert.strictEqual(result.status, 0, result.stderr);
            const uploaded = /backup (\d{8}T\d{6}Z) uploaded: \d+ bytes in [\d.]+ s/.exec(result.stderr);
            assert.ok(uploaded, result.stderr);
            names.push(uploaded[1]);
            // Names are by the second.
            spawnSync("sleep", ["1.1"]);
        }
        assert.deepStrictEqual(
            // What S3 lists: objects (the server may leave empty directories behind on its disk).
            fs
                .readdirSync(bucketDir())
                .filter((n) => objects(n).length > 0)
                .sort(),
            names.slice(1),
            "two kept, the oldest pruned, the partial upload removed",
        );
        for (const name of names.slice(1)) {
            assert.deepStrictEqual(fs.readdirSync(bucketDir(name)).sort(), ["DIRECTORIES", "MANIFEST", "SHA256SUMS", "data"]);
            execFileSync("sha256sum", ["--quiet", "--strict", "--check", "../SHA256SUMS"], { cwd: bucketDir(name, "data") });
        }
        assert.match(fs.readFileSync(bucketDir(names[2], "data", "shop", "t.ibd"), "utf8"), /^rows three\n$/);
    });

    it("restores from the bucket alone: downloaded, checked, empty directories back; a name that is not a complete backup is refused with the list", () => {
        const [older, newer] = stored().sort();
        const ok = restore(older);
        assert.strictEqual(ok.status, 0, ok.stderr);
        assert.match(ok.stderr, new RegExp(`downloading backup ${older} from offsite:acme-backups/default/mysql/${older}/`));
        // Timed to the millisecond: a restore of a small backup takes less than the log's whole second.
        assert.match(ok.stderr, new RegExp(`restore of ${older} complete in \\d+\\.\\d{3} s\\n`));
        assert.strictEqual(fs.readFileSync(at("volume", "mysql", "shop", "t.ibd"), "utf8"), "rows two\n");
        assert.ok(fs.statSync(at("volume", "mysql", "empty_db")).isDirectory(), "the empty database's directory is back");
        assert.deepStrictEqual(fs.readdirSync(at("volume")).sort(), ["mysql"], "no download directory left");
        assert.strictEqual(
            fs.readFileSync(at("volume", "mysql", "restore.sql.pending"), "utf8"),
            "SET GLOBAL gtid_binlog_state=0-100-42;\n",
        );

        // A MANIFEST removed (a prune that was cut short): no longer a backup. Through S3, not behind the
        // server's back (it caches its directory listings).
        s3(["deletefile", `offsite:acme-backups/default/mysql/${newer}/MANIFEST`]);
        const refused = restore(newer);
        assert.strictEqual(refused.status, 1);
        assert.match(
            refused.stderr,
            new RegExp(
                `ERROR: no complete backup '${newer}' in offsite:acme-backups/default/mysql/ \\(it has no MANIFEST there\\); the complete ones are: ${older}\\. Set \`restoreFrom\` to one of them\\.\\n$`,
            ),
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume", "mysql")), [], "the data directory stays empty");

        // A damaged object in the bucket fails the checksum pass.
        s3(["rcat", `offsite:acme-backups/default/mysql/${older}/data/shop/t.ibd`], "bit rot\n");
        const damaged = restore(older);
        assert.strictEqual(damaged.status, 1);
        assert.match(damaged.stderr, new RegExp(`ERROR: backup '${older}' is damaged: a file does not match its checksum\\n$`));
    });
    let timeline = "";

    /**
     * A pod's volume `volume` for binlog-ship.sh: its data directory with one binlog, mysql-bin.000001, and the
     * binlog index as the flavor writes it (`index`: MySQL ends each line with a newline, MariaDB not the last);
     * `gtid` is what the stand-in client answers for the flavor's GTID statement.
     */
    const binlogVolume = (volume: string, index: string, gtid: string): void => {
        fs.mkdirSync(at(volume, "mysql"), { recursive: true });
        fs.writeFileSync(at(volume, "mysql", "mysql-bin.000001"), "events of mysql-bin.000001\n");
        fs.writeFileSync(at(volume, "mysql", "mysql-bin.index"), index);
        fs.writeFileSync(at(volume, "gtid"), gtid);
    };

    it("binlog-ship.sh on mysql-0: rotates and ships each closed binlog once, SHIPPED after each round; idle on a replica", async () => {
        binlogVolume("ship", "./mysql-bin.000001", "0-100-5\n");
        const binlogs = () => bucketDir("binlogs");
        const shippedFile = () => {
            const lines = fs.existsSync(binlogs()) ? fs.readdirSync(binlogs()) : [];
            return lines.length === 1 ? path.join(binlogs(), lines[0], "SHIPPED") : "";
        };
        const flushes = () =>
            fs.existsSync(at("ship", "flushes")) ? fs.readFileSync(at("ship", "flushes"), "utf8").split("\n").length - 1 : 0;

        // The first round rotates the open file and ships it.
        let first = ship("mysql-0", "ship");
        let through = "";
        // Until SHIPPED is in the bucket, and the round's record on the volume.
        let log = await runUntil(
            first,
            () => shippedFile() !== "" && fs.existsSync(shippedFile()) && fs.existsSync(at("ship", "binlog-ship.state")),
            "no SHIPPED in the bucket",
        );
        timeline = fs.readFileSync(at("ship", "binlog-timeline"), "utf8").trim();
        assert.match(timeline, /^\d{8}T\d{6}Z-3f2a9c1e$/);
        assert.strictEqual(path.basename(path.dirname(shippedFile())), timeline);
        let values = readValues(shippedFile());
        assert.deepStrictEqual(
            { ...values, through: "" },
            {
                timeline,
                cluster: UID,
                through: "",
                last_file: "mysql-bin.000001",
                gtid: "0-100-5",
            },
        );
        assert.match(values.through, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.strictEqual(fs.readFileSync(path.join(binlogs(), timeline, "mysql-bin.000001"), "utf8"), "events of mysql-bin.000001\n");
        assert.ok(!fs.existsSync(path.join(binlogs(), timeline, "mysql-bin.000002")), "the open file is not shipped");
        assert.match(log, /shipped mysql-bin\.000001/);

        // Nothing new: no rotation, but SHIPPED's time moves on. Then a transaction: rotated and shipped.
        first = ship("mysql-0", "ship");
        through = values.through;
        log = await runUntil(
            first,
            () => {
                values = readValues(shippedFile());
                return values.through > through;
            },
            "SHIPPED's time did not move on",
        );
        assert.doesNotMatch(log, /shipped mysql-bin\.000001/, "a restarted container ships nothing twice");
        assert.strictEqual(values.last_file, "mysql-bin.000001");
        const idleFlushes = flushes();
        fs.writeFileSync(at("ship", "gtid"), "0-100-9\n");
        log = await runUntil(
            ship("mysql-0", "ship"),
            () => readValues(shippedFile()).gtid === "0-100-9",
            "the new transaction was not shipped",
        );
        assert.deepStrictEqual(fs.readdirSync(path.join(binlogs(), timeline)).sort(), ["SHIPPED", "mysql-bin.000001", "mysql-bin.000002"]);
        assert.strictEqual(readValues(shippedFile()).last_file, "mysql-bin.000002");
        assert.strictEqual(flushes(), idleFlushes + 1, "one rotation for the new transaction");

        // A replica ships nothing.
        fs.mkdirSync(at("replica", "mysql"), { recursive: true });
        const replica = ship("mysql-1", "replica");
        const started = Date.now();
        // Its word that it ships nothing, and 1.5 s more of its loop at least, whatever the machine's speed.
        log = await runUntil(
            replica,
            (said) => /not the primary: no binlogs to ship/.test(said) && Date.now() - started > 1500,
            "the replica did not say it ships nothing",
        );
        assert.ok(!fs.existsSync(at("replica", "binlog-timeline")));
    });

    it("a backup records the cluster's timeline; a restore to a time is refused before the first backup, after what is shipped, and across a gap", () => {
        assert.ok(timeline !== "", "the shipping case ran");
        spawnSync("sleep", ["1.1"]);
        const made = backup("pitr", "3", UID);
        assert.strictEqual(made.status, 0, made.stderr);
        const name = /backup (\d{8}T\d{6}Z) uploaded/.exec(made.stderr)![1];
        const manifest = readValues(bucketDir(name, "MANIFEST"));
        assert.strictEqual(manifest.timeline, timeline);
        assert.ok(fs.existsSync(bucketDir("binlogs", timeline, "SHIPPED")), "the retention left binlogs/ alone");
        const oldest = stored().sort()[0];
        const oldestFinished = readValues(bucketDir(oldest, "MANIFEST")).finished;
        const shipped = readValues(bucketDir("binlogs", timeline, "SHIPPED"));

        const early = restore("2000-01-01T00:00:00Z");
        assert.strictEqual(early.status, 1);
        assert.match(
            early.stderr,
            new RegExp(
                `ERROR: no backup finished before 2000-01-01T00:00:00Z: the oldest backup in offsite:acme-backups/default/mysql/ is ${oldest} \\(finished ${oldestFinished}\\)\\. Choose a later time\\.\\n$`,
            ),
        );
        const late = restore("2099-01-01T00:00:00Z");
        assert.strictEqual(late.status, 1);
        assert.match(
            late.stderr,
            new RegExp(
                `ERROR: 2099-01-01T00:00:00Z is after what is shipped: binlogs shipped through ${shipped.through} \\(timeline ${timeline}, up to mysql-bin\\.000002\\)\\. Choose a time up to ${shipped.through}\\.\\n$`,
            ),
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume", "mysql")), [], "the data directory stays empty");

        // A file lost in the bucket: 000004 shipped, 000003 not.
        const remote = `offsite:acme-backups/default/mysql/binlogs/${timeline}`;
        s3(["rcat", `${remote}/mysql-bin.000004`], "events\n");
        s3(
            ["rcat", `${remote}/SHIPPED`],
            `timeline=${timeline}\ncluster=${UID}\nthrough=2099-01-01T00:00:00Z\nlast_file=mysql-bin.000004\ngtid=0-100-20\n`,
        );
        const gap = restore("2098-01-01T00:00:00Z");
        assert.strictEqual(gap.status, 1);
        assert.match(
            gap.stderr,
            new RegExp(
                `ERROR: the binlogs of timeline ${timeline} have a gap: mysql-bin\\.000004 follows number 2 in offsite:acme-backups/default/mysql/binlogs/${timeline}/; the data can be restored up to the end of the file before the gap, or to backup ${name} by name\\.\\n$`,
            ),
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume", "mysql")), [], "the data directory stays empty");
    });

    const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : []);
    /** The stand-ins' logs, emptied for the next run. */
    function takeLogs(): { args: string[]; statements: string[] } {
        const logs = { args: lines(at("args")), statements: lines(at("statements")) };
        fs.rmSync(at("args"), { force: true });
        fs.rmSync(at("statements"), { force: true });
        return logs;
    }

    it("mariadb: refuses binlogs whose oldest file starts after the backup's position; replays from the backup's position up to the time", () => {
        assert.ok(timeline !== "", "the shipping case ran");
        const remote = `offsite:acme-backups/default/mysql/binlogs/${timeline}`;
        // The gap closed: 000001 to 000004.
        s3(["rcat", `${remote}/mysql-bin.000003`], "events\n");
        const name = stored().sort().at(-1)!;
        assert.strictEqual(readValues(bucketDir(name, "MANIFEST")).gtid, "0-100-42");
        takeLogs();

        const after = restore("2098-01-01T00:00:00Z", "mariadb", {
            STUB_FIRST_HEADER: "#261207 14:00:00 server id 100 Gtid list [0-100-50]",
        });
        assert.strictEqual(after.status, 1);
        assert.match(
            after.stderr,
            new RegExp(
                `ERROR: the oldest binlog of timeline ${timeline} \\(mysql-bin\\.000001\\) starts after backup ${name}'s position 0-100-42 \\(at 0-100-50\\): the binlogs between are gone\\. Restore to backup ${name} by name\\.\\n$`,
            ),
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume", "mysql")), [], "the data directory stays empty");
        assert.strictEqual(readValues(at("termination-log")).phase, "staged", "clone-mysql staged the backup");
        assert.match(readValues(at("replay-termination-log")).error, /starts after backup/, "the failure is reported");
        assert.deepStrictEqual(takeLogs().statements, [], "no server was started");
        // kubelet runs the failed container again, alone: the copy it may have changed goes, the first error stays.
        const replayEnv = renderedEnv(CONTAINERS.replay, "mariadb", "2098-01-01T00:00:00Z", {
            DATA_ROOT: at("volume"),
            CLIENT_CONFIG: "/dev/null",
            STATUS_FILE: at("replay-termination-log"),
        })!;
        const stubEnv = { PATH: at("bin"), HOSTNAME: "mysql-0", STUB_ARGS_LOG: at("args"), STUB_SQL_LOG: at("statements") };
        assert.ok(fs.existsSync(at("volume", "mysql.clone-in-progress")));
        for (let attempt = 0; attempt < 2; attempt++) {
            const again = replayBinlogs(replayEnv, stubEnv);
            assert.strictEqual(again.status, 1);
            assert.match(
                again.stderr,
                new RegExp(
                    `ERROR: the replay of backup ${name} up to 2098-01-01T00:00:00Z failed \\(the oldest binlog of timeline ${timeline} \\(mysql-bin\\.000001\\) starts after backup ${name}'s position 0-100-42 \\(at 0-100-50\\): the binlogs between are gone\\. Restore to backup ${name} by name\\.\\), and its half-replayed copy is removed: once the cause is fixed, delete the pod \\(kubectl delete pod mysql-0\\) and clone-mysql stages the backup again\\n$`,
                ),
            );
        }
        assert.deepStrictEqual(
            fs.readdirSync(at("volume")).sort(),
            ["mysql", "restore-staged.replaying"],
            "the staged copy and the decoded binlogs removed",
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume", "mysql")), [], "the data directory stays empty");
        // Another ordinal has nothing to replay.
        const replica = replayBinlogs(replayEnv, { ...stubEnv, HOSTNAME: "mysql-1" });
        assert.strictEqual(replica.status, 0, replica.stderr);
        assert.strictEqual(readValues(at("replay-termination-log")).phase, "no-replay");
        assert.deepStrictEqual(takeLogs(), { args: [], statements: [] });

        // The tool failing half-way: nothing handed over, no SQL left, the replay has nothing to start from.
        const broken = restore("2098-01-01T00:00:00Z", "mariadb", {
            STUB_FIRST_HEADER: "#261207 14:00:00 server id 100 Gtid list [0-100-40]",
            STUB_DECODE_ERROR: "mariadb-binlog: Error in Log_event::read_log_event(): 'Event too big'",
        });
        assert.strictEqual(broken.status, 1);
        assert.match(
            broken.stderr,
            new RegExp(`ERROR: decoding the binlogs of timeline ${timeline} with mariadb-binlog failed; nothing was moved into place\\n$`),
        );
        assert.match(broken.stderr, /Event too big/, "the tool's own error is in the log");
        assert.strictEqual(readValues(at("termination-log")).phase, "failed");
        assert.ok(
            !fs.existsSync(at("volume", "restore-staged")) && !fs.existsSync(at("volume", "restore-binlogs.sql")),
            "nothing handed over",
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume", "mysql")), [], "the data directory stays empty");
        takeLogs();

        const ok = restore("2098-01-01T00:00:00Z", "mariadb", {
            STUB_FIRST_HEADER: "#261207 14:00:00 server id 100 Gtid list [0-100-40]",
            STUB_REPLAYED: "0-100-60",
        });
        assert.strictEqual(ok.status, 0, ok.stderr);
        const files = [1, 2, 3, 4].map((n) => at("volume", "restore-binlogs", `mysql-bin.00000${n}`));
        const staging = at("volume", "mysql.clone-in-progress");
        const { args, statements } = takeLogs();
        // clone-mysql decodes (the first file's state, then the SQL); replay-binlogs only starts the server.
        assert.deepStrictEqual(args, [
            `mariadb-binlog --stop-position=4096 ${files[0]}`,
            `mariadb-binlog --start-position=0-100-42 --stop-datetime=2098-01-01 00:00:00 ${files.join(" ")}`,
            `mariadbd --no-defaults --datadir=${staging} --socket=${at("volume", "restore.sock")} --skip-networking --user=root ` +
                `--log-bin=${staging}/restore-bin --server-id=1 --pid-file=${at("volume", "restore.pid")} --log-error=${at("volume", "restore-server.log")}`,
        ]);
        const decodedLog =
            /binlogs of timeline \S+ decoded from backup \S+'s position up to 2098-01-01T00:00:00Z: 4 files of (\d+) bytes into (\d+) bytes of SQL \(restore-binlogs\.sql\) in [\d.]+ s/.exec(
                ok.stderr,
            );
        assert.ok(decodedLog, ok.stderr);
        // The stand-in tool prints one line per file: `-- events of mysql-bin.00000N\n`, 30 bytes.
        assert.strictEqual(decodedLog[2], String(4 * "-- events of mysql-bin.000001\n".length));
        assert.match(
            ok.stderr,
            /replaying the binlogs of timeline \S+ onto backup \S+ \(GTID 0-100-42\) up to 2098-01-01T00:00:00Z: 120 bytes of SQL/,
        );
        assert.match(ok.stderr, /binlogs replayed to 2098-01-01T00:00:00Z: GTID 0-100-42 -> 0-100-60, 4 files in [\d.]+ s/);
        assert.deepStrictEqual(statements, [
            "SET GLOBAL gtid_binlog_state=0-100-42;",
            ...[1, 2, 3, 4].map((n) => `-- events of mysql-bin.00000${n}`),
            "SELECT @@global.gtid_binlog_pos",
        ]);
        assert.strictEqual(
            fs.readFileSync(at("volume", "mysql", "restore.sql.pending"), "utf8"),
            "SET GLOBAL gtid_binlog_state=0-100-60;\n",
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume")).sort(), ["mysql"], "the binlogs and the download removed");
        const record = readValues(at("replay-termination-log"));
        assert.strictEqual(record.phase, "restored");
        assert.match(record.position, / 0-100-60$/, "the restored primary's GTID position, after the replay");
    });

    const MYSQL_UID = "a1b2c3d4-0000-4000-8000-000000000000";
    const SOURCE = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    const OLD_SOURCE = "4f22ab58-82db-22f2-af44-d91bb953a673";

    it("mysql84: ships with the flavor's GTID statement, the set of several sources on one line", async () => {
        // MySQL ends every line of the index with a newline.
        binlogVolume("mysql-ship", "./mysql-bin.000001\n", `${OLD_SOURCE}:1-7,${SOURCE}:1-5\n`);
        const timelines = () => fs.readdirSync(bucketDir("binlogs")).filter((d) => d.endsWith("-a1b2c3d4"));
        const shipped = () => (timelines().length === 1 ? bucketDir("binlogs", timelines()[0], "SHIPPED") : "");
        await runUntil(
            ship("mysql-0", "mysql-ship", "mysql84", MYSQL_UID),
            () => shipped() !== "" && fs.existsSync(shipped()),
            "no SHIPPED in the bucket",
        );
        assert.strictEqual(readValues(shipped()).gtid, `${OLD_SOURCE}:1-7,${SOURCE}:1-5`);
        assert.strictEqual(readValues(shipped()).last_file, "mysql-bin.000001");
        assert.deepStrictEqual(
            [...new Set(lines(at("mysql-ship", "statements")))],
            ["SELECT REPLACE(@@global.gtid_executed, '\\n', '')", "FLUSH BINARY LOGS"],
        );
    });

    it("mysql84: decodes with mysqlbinlog --exclude-gtids in clone-mysql, replays the SQL onto a GTID server set to the backup's state, checked by GTID_SUBSET; refuses a first file after the backup", () => {
        const [mysqlTimeline] = fs.readdirSync(bucketDir("binlogs")).filter((d) => d.endsWith("-a1b2c3d4"));
        assert.ok(mysqlTimeline, "the mysql84 shipping case ran");
        const remote = `offsite:acme-backups/default/mysql/binlogs/${mysqlTimeline}`;
        s3(["rcat", `${remote}/mysql-bin.000002`], "events\n");
        s3(
            ["rcat", `${remote}/SHIPPED`],
            `timeline=${mysqlTimeline}\ncluster=${MYSQL_UID}\nthrough=2099-01-01T00:00:00Z\nlast_file=mysql-bin.000002\ngtid=${SOURCE}:1-60\n`,
        );
        spawnSync("sleep", ["1.1"]);
        // xtrabackup wraps a set of several sources after its commas.
        const made = backup("mysql", "9", MYSQL_UID, { STUB_PURGED: `${OLD_SOURCE}:1-7,\n${SOURCE}:1-42` });
        assert.strictEqual(made.status, 0, made.stderr);
        const name = /backup (\d{8}T\d{6}Z) uploaded/.exec(made.stderr)![1];
        const backupSet = `${OLD_SOURCE}:1-7,${SOURCE}:1-42`;
        assert.deepStrictEqual(
            { timeline: readValues(bucketDir(name, "MANIFEST")).timeline, gtid: readValues(bucketDir(name, "MANIFEST")).gtid },
            { timeline: mysqlTimeline, gtid: backupSet },
        );
        // mysqlbinlog's print of the Previous-GTIDs event: one line per source, `,` ending all but the last.
        const header = [
            "# at 126",
            "#261207 14:00:00 server id 1  end_log_pos 231 CRC32 0x5d6d2b0e \tPrevious-GTIDs",
            `# ${OLD_SOURCE}:1-7,`,
            `# ${SOURCE}:1-40`,
            "# at 231",
        ].join("\n");
        const stubs = { STUB_FIRST_HEADER: header, STUB_REPLAYED: `${OLD_SOURCE}:1-7,${SOURCE}:1-55` };
        takeLogs();

        const early = restore("2000-01-01T00:00:00Z", "mysql84", stubs);
        assert.strictEqual(early.status, 1);
        assert.match(
            early.stderr,
            /ERROR: no backup finished before 2000-01-01T00:00:00Z: the oldest backup in offsite:acme-backups\/default\/mysql\/ is /,
        );

        const after = restore("2098-01-01T00:00:00Z", "mysql84", { ...stubs, STUB_SUBSET: "0" });
        assert.strictEqual(after.status, 1);
        const first = `${OLD_SOURCE}:1-7,${SOURCE}:1-40`;
        assert.match(
            after.stderr,
            new RegExp(
                `ERROR: the oldest binlog of timeline ${mysqlTimeline} \\(mysql-bin\\.000001\\) starts after backup ${name}'s position ${backupSet} \\(at ${first}\\): the binlogs between are gone\\. Restore to backup ${name} by name\\.\\n$`,
            ),
        );
        assert.deepStrictEqual(fs.readdirSync(at("volume", "mysql")), [], "the data directory stays empty");
        assert.deepStrictEqual(takeLogs().statements, [
            "RESET BINARY LOGS AND GTIDS;",
            `SET GLOBAL gtid_purged='${backupSet}';`,
            `SELECT GTID_SUBSET('${first}', '${backupSet}')`,
        ]);

        const ok = restore("2098-01-01T00:00:00Z", "mysql84", { ...stubs, STUB_SUBSET: "1" });
        assert.strictEqual(ok.status, 0, ok.stderr);
        const files = [1, 2].map((n) => at("volume", "restore-binlogs", `mysql-bin.00000${n}`));
        const staging = at("volume", "mysql.clone-in-progress");
        const { args, statements } = takeLogs();
        assert.deepStrictEqual(args, [
            `mysqlbinlog --stop-position=4096 ${files[0]}`,
            `mysqlbinlog --exclude-gtids=${backupSet} --stop-datetime=2098-01-01 00:00:00 ${files.join(" ")}`,
            `mysqld --no-defaults --datadir=${staging} --socket=${at("volume", "restore.sock")} --skip-networking --user=root ` +
                `--log-bin=${staging}/restore-bin --server-id=1 --pid-file=${at("volume", "restore.pid")} --log-error=${at("volume", "restore-server.log")} ` +
                "--gtid-mode=ON --enforce-gtid-consistency=ON --skip-replica-start --mysqlx=OFF",
        ]);
        assert.deepStrictEqual(statements, [
            "RESET BINARY LOGS AND GTIDS;",
            `SET GLOBAL gtid_purged='${backupSet}';`,
            `SELECT GTID_SUBSET('${first}', '${backupSet}')`,
            "-- events of mysql-bin.000001",
            "-- events of mysql-bin.000002",
            "SELECT REPLACE(@@global.gtid_executed, '\\n', '')",
        ]);
        assert.strictEqual(
            fs.readFileSync(at("volume", "mysql", "restore.sql.pending"), "utf8"),
            `RESET BINARY LOGS AND GTIDS;\nSET GLOBAL gtid_purged='${OLD_SOURCE}:1-7,${SOURCE}:1-55';\n`,
        );
    });

    it("backup.sh prunes binlogs/: this cluster's timelines older than the oldest kept backup's that no kept backup records, and that timeline's files shipped over an hour before it", () => {
        const prefix = "prune/mysql";
        const store = (...p: string[]) => at("store", "acme-backups", prefix, ...p);
        // The bucket's objects are written through the server (rclone keeps each file's time as the object's):
        // the server caches its listings, so files put behind its back would stay unseen.
        const fixture = at("prune-fixture");
        const put = (file: string, text: string, ageSeconds = 0) => {
            fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
            fs.writeFileSync(path.join(fixture, file), text);
            const t = Date.now() / 1000 - ageSeconds;
            fs.utimesSync(path.join(fixture, file), t, t);
        };
        const upload = () => {
            s3(["copy", fixture, `offsite:acme-backups/${prefix}`]);
            fs.rmSync(fixture, { recursive: true });
        };
        // The oldest kept backup started 3 hours ago in timeline T2; the next one records the older T1.
        const oldestEpoch = Math.floor(Date.now() / 1000) - 3 * 3600;
        const [t0, t1, t2, t3] = ["20260101T000000Z", "20260102T000000Z", "20260103T000000Z", "20260104T000000Z"].map(
            (d) => `${d}-3f2a9c1e`,
        );
        const foreign = "20260101T000000Z-deadbeef";
        put("20260103T000000Z/MANIFEST", `name=20260103T000000Z\nstarted_epoch=${oldestEpoch}\ntimeline=${t2}\n`);
        put("20260103T120000Z/MANIFEST", `name=20260103T120000Z\nstarted_epoch=${oldestEpoch + 60}\ntimeline=${t1}\n`);
        for (const timeline of [t0, t1, foreign, t3]) put(`binlogs/${timeline}/mysql-bin.000001`, "events");
        // In T2: a file shipped 2 h before the oldest backup (pruned), one 30 min before (kept), SHIPPED however old.
        put(`binlogs/${t2}/mysql-bin.000001`, "events", 3 * 3600 + 2 * 3600);
        put(`binlogs/${t2}/mysql-bin.000002`, "events", 3 * 3600 + 1800);
        put(`binlogs/${t2}/SHIPPED`, "through=old", 3 * 3600 + 2 * 3600);
        upload();
        // backup.sh of a mariadb cluster into this case's prefix, keeping 3, with or without the cluster's identity.
        const backupRun = (clusterUid?: string) => backup("7", "3", clusterUid, { OBJECT_STORE_PREFIX: prefix });
        const ran = backupRun(UID);
        assert.strictEqual(ran.status, 0, ran.stderr);
        const left = (fs.readdirSync(store("binlogs"), { recursive: true }) as string[]).filter((p) =>
            fs.statSync(store("binlogs", p)).isFile(),
        );
        assert.deepStrictEqual(left.sort(), [
            `${foreign}/mysql-bin.000001`,
            `${t1}/mysql-bin.000001`,
            `${t2}/SHIPPED`,
            `${t2}/mysql-bin.000002`,
            `${t3}/mysql-bin.000001`,
        ]);
        assert.match(ran.stderr, new RegExp(`pruning the binlog timeline ${t0}: no kept backup starts in it`));
        // The new backup records the newest timeline of this cluster.
        const newest = fs.readdirSync(store()).filter((n) => /^\d{8}T\d{6}Z$/.test(n) && n > "20260103T120000Z");
        assert.strictEqual(newest.length, 1);
        assert.strictEqual(readValues(store(newest[0], "MANIFEST")).timeline, t3, fs.readFileSync(store(newest[0], "MANIFEST"), "utf8"));

        // Without the cluster's identity (no binlog shipping) nothing under binlogs/ is touched.
        put(`binlogs/${t0}/mysql-bin.000001`, "events");
        upload();
        const plain = backupRun();
        assert.strictEqual(plain.status, 0, plain.stderr);
        assert.ok(fs.existsSync(store("binlogs", t0, "mysql-bin.000001")), "no CLUSTER_UID: no pruning");
    });

    it("binlog-ship.sh's metrics, served by rclone serve http: text/plain, the through-time advancing, failed rounds counted while the bucket is down", async () => {
        // A bucket of its own, stopped half-way; the metrics directory served as the pod's binlog-ship-metrics serves it.
        fs.mkdirSync(at("store-metered", "acme-backups"), { recursive: true });
        const bucket = await serveS3(at("store-metered"));
        binlogVolume("metered", "./mysql-bin.000001", "0-100-5\n");
        fs.mkdirSync(at("metrics"));
        const http = spawn(rclone, [
            "serve",
            "http",
            at("metrics"),
            "--addr=127.0.0.1:0",
            "--read-only",
            "--dir-cache-time=0s",
            "--config=/dev/null",
        ]);
        const httpPort = await listeningPort(http, /HTTP Server started on \[http:\/\/127\.0\.0\.1:(\d+)\/\]/, "rclone serve http");
        const scrape = async () => {
            const response = await fetch(`http://127.0.0.1:${httpPort}/binlog-ship.txt`);
            const text = await response.text();
            const values = Object.fromEntries(
                text
                    .split("\n")
                    .filter((l) => l.startsWith("mysql_binlog_ship_"))
                    .map((l) => [l.split(" ")[0], Number(l.split(" ")[1])]),
            );
            return { status: response.status, type: response.headers.get("content-type"), text, values };
        };
        let log = "";
        const shipper = ship("mysql-0", "metered", "mariadb", UID, {
            METRICS_FILE: at("metrics", "binlog-ship.txt"),
            OBJECT_STORE_ENDPOINT: `http://127.0.0.1:${bucket.port}`,
        });
        shipper.stderr!.on("data", (d) => (log += d));
        const until = async (what: string, done: (m: Awaited<ReturnType<typeof scrape>>) => boolean) => {
            const deadline = Date.now() + 60_000;
            for (;;) {
                const m = fs.existsSync(at("metrics", "binlog-ship.txt")) ? await scrape() : undefined;
                if (m && done(m)) return m;
                if (Date.now() > deadline || shipper.exitCode !== null) {
                    stop(shipper);
                    assert.fail(`${what}; last scrape:\n${m?.text}\nbinlog-ship.sh said:\n${log}`);
                }
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        };
        try {
            const first = await until("no through-time", (m) => m.values.mysql_binlog_ship_through_timestamp_seconds > 0);
            assert.strictEqual(first.status, 200);
            // The text format's media type, which Prometheus 3 requires.
            assert.strictEqual(first.type, "text/plain; charset=utf-8");
            assert.match(first.text, /^# TYPE mysql_binlog_ship_failures_total counter$/m);
            assert.strictEqual(first.values.mysql_binlog_ship_failures_total, 0);
            const shipped = readValues(at("metered", "binlog-ship.state")).through;
            const startedAt = first.values.mysql_binlog_ship_started_timestamp_seconds;
            assert.ok(Math.abs(startedAt - Date.now() / 1000) < 120, `started ${startedAt}`);
            assert.ok(first.values.mysql_binlog_ship_through_timestamp_seconds >= startedAt);
            assert.ok(
                first.values.mysql_binlog_ship_last_success_timestamp_seconds >= first.values.mysql_binlog_ship_through_timestamp_seconds,
            );
            // The metric is SHIPPED's `through` as Unix time.
            assert.strictEqual(first.values.mysql_binlog_ship_through_timestamp_seconds, Date.parse(shipped) / 1000, shipped);
            // Rounds go on: the through-time advances.
            const later = await until(
                "the through-time did not advance",
                (m) => m.values.mysql_binlog_ship_through_timestamp_seconds > first.values.mysql_binlog_ship_through_timestamp_seconds,
            );
            // The bucket stops: failed rounds are counted, the through-time and the last success stay.
            bucket.kill();
            const down = await until("no failed round counted with the bucket down", (m) => m.values.mysql_binlog_ship_failures_total >= 2);
            const stuck = down.values.mysql_binlog_ship_through_timestamp_seconds;
            assert.ok(stuck >= later.values.mysql_binlog_ship_through_timestamp_seconds);
            const more = await until(
                "the failures did not keep growing",
                (m) => m.values.mysql_binlog_ship_failures_total > down.values.mysql_binlog_ship_failures_total,
            );
            assert.strictEqual(more.values.mysql_binlog_ship_through_timestamp_seconds, stuck, "nothing shipped while the bucket is down");
            assert.strictEqual(more.values.mysql_binlog_ship_started_timestamp_seconds, startedAt);
            assert.match(log, /could not write .*SHIPPED; trying again next round/);
        } finally {
            stop(shipper);
            bucket.kill();
            http.kill();
        }

        // A replica's file: no samples (its scrape succeeds, and says why).
        fs.mkdirSync(at("metered-replica", "mysql"), { recursive: true });
        const replica = ship("mysql-1", "metered-replica", "mariadb", UID, { METRICS_FILE: at("metrics", "replica.txt") });
        await runUntil(replica, () => fs.existsSync(at("metrics", "replica.txt")), "the replica wrote no metrics file");
        assert.strictEqual(fs.readFileSync(at("metrics", "replica.txt"), "utf8"), "# Only ordinal 0 ships binlogs.\n");
    });
});
