// The pod scripts run by bash against stand-in binaries: what they write, which statements they send and
// how they fail. The defects of the tutorial's scripts each have a case here; tests/real runs the same
// scripts against real servers.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { FLAVORS } from "../../components";
import { BASE_TOOLS } from "../helpers";

const SCRIPTS = path.resolve(__dirname, "..", "..", "scripts", "pod");
/** Where the backup containers find the cluster's TLS files (never read by the stand-ins). */
const TLS_ENV = { TLS_CA: "/c/ca.crt", TLS_CERT: "/c/tls.crt", TLS_KEY: "/c/tls.key" };

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** A scratch pod: a bin dir with only BASE_TOOLS and the stubs given, and a data volume. */
class Sandbox {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-scripts-"));
    readonly bin = path.join(this.dir, "bin");
    readonly log = path.join(this.dir, "calls.log");

    constructor(stubs: Record<string, string> = {}) {
        fs.mkdirSync(this.bin);
        for (const tool of BASE_TOOLS) {
            const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
            fs.symlinkSync(found, path.join(this.bin, tool));
        }
        // sleep returns at once, so retries do not slow the tests down.
        this.stub("sleep", "exit 0");
        for (const [name, body] of Object.entries(stubs)) {
            this.stub(name, body);
        }
    }

    /** A stand-in binary: logs its name and arguments, then runs body (bash). */
    stub(name: string, body: string): void {
        const file = path.join(this.bin, name);
        fs.writeFileSync(file, `#!${this.resolve("bash")}\nprintf '%s\\n' "${name} $*" >>"${this.log}"\n${body}\n`);
        fs.chmodSync(file, 0o755);
    }

    resolve(tool: string): string {
        return fs.realpathSync(path.join(this.bin, tool));
    }

    path(...parts: string[]): string {
        return path.join(this.dir, ...parts);
    }

    write(relative: string, content: string): void {
        fs.mkdirSync(path.dirname(this.path(relative)), { recursive: true });
        fs.writeFileSync(this.path(relative), content);
    }

    read(relative: string): string {
        return fs.readFileSync(this.path(relative), "utf8");
    }

    exists(relative: string): boolean {
        return fs.existsSync(this.path(relative));
    }

    calls(): string[] {
        return fs.existsSync(this.log) ? fs.readFileSync(this.log, "utf8").trim().split("\n") : [];
    }

    run(script: string, env: Record<string, string>): Run {
        const result = spawnSync(this.resolve("bash"), [path.join(SCRIPTS, script)], {
            encoding: "utf8",
            env: { PATH: this.bin, ...env },
            timeout: 20000,
        });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

let sandboxes: Sandbox[] = [];
function sandbox(stubs: Record<string, string> = {}): Sandbox {
    const s = new Sandbox(stubs);
    sandboxes.push(s);
    return s;
}
afterEach(() => {
    sandboxes.forEach((s) => s.remove());
    sandboxes = [];
});

describe("init-mysql.sh", () => {
    /** The account the files of the server are chowned to: here, whoever runs the tests. */
    const SERVER_OS_USER = os.userInfo().username;
    const USERS_SQL =
        "CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '{root_password}';\nr={replication_password} b={backup_password} a={app_password}\n";

    function initEnv(s: Sandbox, hostname: string, passwords: Record<string, string> = {}): Record<string, string> {
        s.write("config-map/primary.cnf", "[mysqld]\nlog-bin=mysql-bin\n");
        s.write("config-map/replica.cnf", "[mysqld]\nsuper-read-only\n");
        s.write("config-map/tls.cnf", "[mysqld]\nssl-ca=/etc/mysql-credentials/ca.crt\n");
        s.write("config-map/custom.cnf", "[mysqld]\nmax_connections=500\n");
        s.write("config-map/users.sql.in", USERS_SQL);
        const all = { "root-password": "pw-root", "replication-password": "pw-repl", "backup-password": "pw-backup", ...passwords };
        for (const [key, value] of Object.entries(all)) {
            s.write(`secrets/${key}`, value);
        }
        for (const file of ["ca.crt", "tls.crt", "tls.key"]) {
            s.write(`tls/${file}`, `${file} PEM\n`);
        }
        for (const dir of ["conf.d", "credentials", "initdb"]) {
            fs.mkdirSync(s.path(dir), { recursive: true });
        }
        return {
            HOSTNAME: hostname,
            SERVER_ID_BASE: "100",
            SERVER_OS_USER,
            INIT_CONF_DIR: s.path("conf.d"),
            CONFIG_MAP_DIR: s.path("config-map"),
            SECRETS_DIR: s.path("secrets"),
            TLS_SECRET_DIR: s.path("tls"),
            CREDENTIALS_DIR: s.path("credentials"),
            INITDB_DIR: s.path("initdb"),
            APP_PASSWORD_KEY: "app-password" in all ? "app-password" : "",
        };
    }

    const mode = (s: Sandbox, file: string) => (fs.statSync(s.path(file)).mode & 0o777).toString(8);

    it("makes ordinal 0 the primary, with server-id 100 and TLS, without a hostname binary", () => {
        const s = sandbox();
        const run = s.run("init-mysql.sh", initEnv(s, "mysql-0"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(fs.readdirSync(s.path("conf.d")).sort(), ["custom.cnf", "primary.cnf", "server-id.cnf", "tls.cnf"]);
        assert.strictEqual(s.read("conf.d/server-id.cnf"), "[mysqld]\nserver-id=100\n");
        assert.strictEqual(s.read("conf.d/primary.cnf"), "[mysqld]\nlog-bin=mysql-bin\n");
        assert.strictEqual(s.read("conf.d/tls.cnf"), "[mysqld]\nssl-ca=/etc/mysql-credentials/ca.crt\n");
        assert.strictEqual(s.read("conf.d/custom.cnf"), "[mysqld]\nmax_connections=500\n");
        assert.strictEqual(mode(s, "conf.d/server-id.cnf"), "644", "mysqld reads its config as another user");
    });

    it("makes ordinal 12 a read-only replica with server-id 112, and writes no accounts' SQL", () => {
        const s = sandbox();
        const run = s.run("init-mysql.sh", initEnv(s, "orders-12"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(fs.readdirSync(s.path("conf.d")).sort(), ["custom.cnf", "replica.cnf", "server-id.cnf", "tls.cnf"]);
        assert.strictEqual(s.read("conf.d/server-id.cnf"), "[mysqld]\nserver-id=112\n");
        assert.deepStrictEqual(fs.readdirSync(s.path("initdb")), []);
    });

    it("turns the Secrets into files only their readers may read, under umask 077", () => {
        const s = sandbox();
        const run = s.run("init-mysql.sh", initEnv(s, "mysql-0"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(
            fs
                .readdirSync(s.path("credentials"))
                .sort()
                .map((f) => [f, mode(s, `credentials/${f}`)]),
            [
                ["backup.cnf", "600"],
                ["ca.crt", "444"],
                ["replication-password", "600"],
                ["root-password", "400"],
                ["root.cnf", "600"],
                ["tls.crt", "444"],
                ["tls.key", "400"],
            ],
        );
        assert.strictEqual(s.read("credentials/root.cnf"), '[client]\nuser=root\npassword="pw-root"\n');
        assert.strictEqual(s.read("credentials/backup.cnf"), '[client]\nuser=backup\npassword="pw-backup"\n');
        assert.strictEqual(s.read("credentials/replication-password"), "pw-repl");
        assert.strictEqual(s.read("credentials/root-password"), "pw-root");
        assert.strictEqual(s.read("credentials/tls.key"), "tls.key PEM\n");
        assert.deepStrictEqual(fs.readdirSync(s.path("initdb")), ["10-mysql-statefulset-users.sql"]);
        assert.strictEqual(mode(s, "initdb/10-mysql-statefulset-users.sql"), "400");
        assert.strictEqual(
            s.read("initdb/10-mysql-statefulset-users.sql"),
            "CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY 'pw-root';\nr=pw-repl b=pw-backup a=\n",
        );
    });

    it("escapes passwords for option files and for SQL, and fills the application's", () => {
        const s = sandbox();
        const hostile = `a "quoted" \\ 'x' #&1`;
        const run = s.run("init-mysql.sh", initEnv(s, "mysql-0", { "root-password": hostile, "app-password": "pw-app&" }));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(s.read("credentials/root.cnf"), `[client]\nuser=root\npassword="a \\"quoted\\" \\\\ 'x' #&1"\n`);
        assert.strictEqual(
            s.read("initdb/10-mysql-statefulset-users.sql"),
            `CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY 'a "quoted" \\\\ \\'x\\' #&1';\nr=pw-repl b=pw-backup a=pw-app&\n`,
        );
        assert.ok(
            s.calls().every((c) => !c.includes("quoted") && !c.includes("pw-")),
            s.calls().join("\n"),
        );
    });

    it("fails with a clear message when the pod name has no ordinal", () => {
        const s = sandbox();
        const run = s.run("init-mysql.sh", initEnv(s, "mysql"));
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /ERROR: cannot read the pod's ordinal from HOSTNAME='mysql'\n$/);
    });

    it("refuses a Secret without a password", () => {
        const s = sandbox();
        const run = s.run("init-mysql.sh", initEnv(s, "mysql-0", { "backup-password": "" }));
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /ERROR: the Secret has no backup-password: it must hold every password\n$/);
    });
});

describe("clone-mysql.sh", () => {
    /** A stream tool that unpacks a "backup" (complete unless STUB_INCOMPLETE is set) from stdin. */
    const STREAM = [
        'dir=${!#}; cat >/dev/null; mkdir -p "$dir/mysql" "$dir/shop"; echo rows >"$dir/shop/t.ibd"',
        '[[ -n ${STUB_INCOMPLETE:-} ]] || echo "backup_type = full-backuped" >"$dir/${STUB_PREFIX:-xtrabackup}_checkpoints"',
    ].join("\n");
    const PREPARE = 'dir=${!#}; dir=${dir#--target-dir=}; [[ -z ${STUB_PREPARE_FAILS:-} ]] || exit 3; echo prepared >"$dir/prepared"';

    function cloneEnv(s: Sandbox, hostname: string, flavor = FLAVORS.mysql57, extra: Record<string, string> = {}) {
        fs.mkdirSync(s.path("volume"), { recursive: true });
        return {
            HOSTNAME: hostname,
            DATA_ROOT: s.path("volume"),
            DATA_SUBPATH: "mysql",
            PEER_DOMAIN: "mysql.ns.svc.cluster.local",
            CLONE_PORT: "3307",
            CLONE_TRANSPORT: flavor.transport,
            STREAM_TOOL: flavor.streamTool,
            BACKUP_TOOL: flavor.backupTool,
            BACKUP_INFO_PREFIXES: flavor.backupInfoPrefixes.join(" "),
            CLONE_IDLE_TIMEOUT: "300",
            CLONE_MARKER: s.path("volume", "clone-pending"),
            ...TLS_ENV,
            ...extra,
        };
    }

    it("does nothing on the primary", () => {
        const s = sandbox({ ncat: "exit 1" });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-0"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(s.calls(), []);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), []);
    });

    it("keeps a data directory that holds a database", () => {
        const s = sandbox({ ncat: "exit 1" });
        s.write("volume/mysql/mysql/user.frm", "x");
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-2"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(s.calls(), []);
    });

    it("clones from the previous ordinal, prepares, then renames into place", () => {
        const s = sandbox({ ncat: "echo stream", xbstream: STREAM, xtrabackup: PREPARE });
        fs.mkdirSync(s.path("volume/mysql"), { recursive: true }); // kubelet's empty subPath dir
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-2"));
        assert.strictEqual(run.status, 0, run.stderr);
        // The two sides of the pipe log in either order; the prepare comes after both.
        const calls = s.calls();
        assert.deepStrictEqual(calls.slice(0, 2).sort(), [
            "ncat --recv-only --idle-timeout 300s --ssl --ssl-verify --ssl-trustfile /c/ca.crt mysql-1.mysql.ns.svc.cluster.local 3307",
            `xbstream -x -C ${s.path("volume/mysql.clone-in-progress")}`,
        ]);
        assert.deepStrictEqual(calls.slice(2), [`xtrabackup --prepare --target-dir=${s.path("volume/mysql.clone-in-progress")}`]);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), ["mysql"]);
        assert.strictEqual(s.read("volume/mysql/prepared"), "prepared\n");
        assert.strictEqual(s.read("volume/mysql/shop/t.ibd"), "rows\n");
    });

    it("starts over when an earlier clone died half-way, instead of starting mysqld on half-copied data", () => {
        const s = sandbox({ ncat: "echo stream", xbstream: STREAM, xtrabackup: PREPARE });
        // What a clone killed half-way leaves: a staging dir with the `mysql` schema already in it.
        s.write("volume/mysql.clone-in-progress/mysql/user.frm", "half");
        s.write("volume/mysql.clone-in-progress/stale.ibd", "half");
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-1"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(!s.exists("volume/mysql/stale.ibd"), "nothing of the dead clone survives");
        assert.ok(!s.exists("volume/mysql.clone-in-progress"));
        assert.strictEqual(s.read("volume/mysql/prepared"), "prepared\n");
    });

    it("fails when the donor is unreachable, even though the unpacker saw a clean end of input (pipefail)", () => {
        const s = sandbox({ ncat: "echo 'Ncat: Connection refused.' >&2; exit 1", xbstream: "cat >/dev/null", xtrabackup: PREPARE });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-1"));
        assert.notStrictEqual(run.status, 0);
        assert.ok(!s.exists("volume/mysql"), "no data directory appears");
        assert.ok(!s.calls().some((c) => c.startsWith("xtrabackup")), "nothing is prepared");
    });

    it("fails when the stream ended before the backup was complete", () => {
        const s = sandbox({ ncat: "echo stream", xbstream: STREAM, xtrabackup: PREPARE });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-1", FLAVORS.mysql57, { STUB_INCOMPLETE: "1" }));
        assert.strictEqual(run.status, 1);
        assert.match(
            run.stderr,
            /ERROR: the backup stream from mysql-0\.mysql\.ns\.svc\.cluster\.local ended before the backup was complete; the next attempt starts over\n$/,
        );
        assert.ok(!s.exists("volume/mysql"));
    });

    it("leaves no data directory when the prepare fails", () => {
        const s = sandbox({ ncat: "echo stream", xbstream: STREAM, xtrabackup: PREPARE });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-1", FLAVORS.mysql57, { STUB_PREPARE_FAILS: "1" }));
        assert.strictEqual(run.status, 3);
        assert.ok(!s.exists("volume/mysql"));
    });

    for (const prefix of ["mariadb_backup", "xtrabackup"]) {
        it(`accepts the mariadb flavor's ${prefix}_checkpoints, over socat`, () => {
            const s = sandbox({ socat: "echo stream", mbstream: STREAM, "mariadb-backup": PREPARE });
            const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-3", FLAVORS.mariadb, { STUB_PREFIX: prefix }));
            assert.strictEqual(run.status, 0, run.stderr);
            assert.ok(
                s
                    .calls()
                    .includes(
                        "socat -T 300 -b 1048576 -u OPENSSL:mysql-2.mysql.ns.svc.cluster.local:3307,connect-timeout=10,keepalive,keepidle=10,keepintvl=5,keepcnt=3,setsockopt-int=6:18:30000," +
                            "cert=/c/tls.crt,key=/c/tls.key,cafile=/c/ca.crt,verify=1 STDOUT",
                    ),
                s.calls().join("\n"),
            );
            assert.strictEqual(s.read("volume/mysql/prepared"), "prepared\n");
        });
    }
});

describe("sidecar.sh", () => {
    /** A client that records each statement it is sent and fails the first $STUB_FAILURES of them. */
    const CLIENT = [
        'if [[ $* == *"--execute="* ]]; then exit 0; fi',
        `n=$(cat "$STUB_DIR/attempts" 2>/dev/null || echo 0); echo $((n + 1)) >"$STUB_DIR/attempts"`,
        'cat >"$STUB_DIR/sql.$((n + 1))"',
        "(( n >= ${STUB_FAILURES:-0} )) || { echo 'ERROR 2003: cannot connect' >&2; exit 1; }",
    ].join("\n");

    function sidecarEnv(s: Sandbox, hostname: string, flavor = FLAVORS.mysql57, password = "pw") {
        fs.mkdirSync(s.path("data"), { recursive: true });
        s.write("credentials/replication-password", password);
        return {
            HOSTNAME: hostname,
            STUB_DIR: s.dir,
            DATA_DIR: s.path("data"),
            MYSQL_CLIENT: flavor.client,
            MYSQL_PORT: "3306",
            CLIENT_CONFIG: "/etc/mysql-credentials/root.cnf",
            BACKUP_CLIENT_CONFIG: "/etc/mysql-credentials/backup.cnf",
            REPLICATION_PASSWORD_FILE: s.path("credentials/replication-password"),
            PRIMARY_HOST: "mysql-0.mysql",
            REPLICATION_USER: "replication",
            REPLICATION_SQL: flavor.replicationSql,
            BACKUP_TOOL: flavor.backupTool,
            BACKUP_INFO_PREFIXES: flavor.backupInfoPrefixes.join(" "),
            CLONE_PORT: "3307",
            CLONE_TRANSPORT: flavor.transport,
            CLONE_IDLE_TIMEOUT: "300",
            CLONE_MARKER: s.path("volume", "clone-pending"),
            WATCH_INTERVAL: "1",
            REPLICA_STATUS: flavor.replicaStatus.statement,
            REPLICA_IO_ERRNO: flavor.replicaStatus.ioErrno,
            REPLICA_IO_ERROR: flavor.replicaStatus.ioError,
            ...TLS_ENV,
        };
    }

    /**
     * Runs the sidecar to its end: with stand-ins for ncat/socat that return at once, the listener "dies",
     * and the sidecar exits 1 so that kubelet restarts it.
     */
    function runSidecar(s: Sandbox, env: Record<string, string>): Run {
        const run = s.run("sidecar.sh", env);
        assert.strictEqual(run.status, 1, run.stderr);
        assert.match(run.stderr, /ERROR: the clone listener exited\n$/);
        return run;
    }

    const mysql57Sql = (file: string, pos: string, password = "pw") =>
        "STOP SLAVE;\n" +
        `CHANGE MASTER TO MASTER_LOG_FILE='${file}', MASTER_LOG_POS=${pos}, MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306,\n` +
        `  MASTER_USER='replication', MASTER_PASSWORD='${password}', MASTER_CONNECT_RETRY=10,\n` +
        "  MASTER_SSL=1, MASTER_SSL_CA='/c/ca.crt', MASTER_SSL_VERIFY_SERVER_CERT=1;\n" +
        "START SLAVE;\n";

    it("starts replication at the primary's binlog coordinates when cloned from the primary", () => {
        const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        s.write("data/xtrabackup_binlog_info", "mysql-bin.000003\t154\n");
        runSidecar(s, sidecarEnv(s, "mysql-1"));
        assert.strictEqual(s.read("sql.1"), mysql57Sql("mysql-bin.000003", "154"));
        assert.ok(!s.read("sql.1").match(/[‘’]/), "only ASCII quotes");
        assert.deepStrictEqual(fs.readdirSync(s.path("data")).sort(), ["replication-coordinates.applied"]);
        assert.strictEqual(s.read("data/replication-coordinates.applied"), "mysql-bin.000003\n154\n\n");
    });

    it("reads the slave_info of a replica donor without its trailing ';'", () => {
        const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        s.write("data/xtrabackup_slave_info", "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000002', MASTER_LOG_POS=1234;\n");
        s.write("data/xtrabackup_binlog_info", "mysql-bin.000001\t99\n");
        runSidecar(s, sidecarEnv(s, "mysql-2"));
        assert.strictEqual(s.read("sql.1"), mysql57Sql("mysql-bin.000002", "1234"));
    });

    it("keeps retrying until the statements succeed, and only then marks them applied", () => {
        const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        s.write("data/xtrabackup_binlog_info", "mysql-bin.000003\t154\n");
        const run = runSidecar(s, { ...sidecarEnv(s, "mysql-1"), STUB_FAILURES: "2" });
        assert.strictEqual(s.read("attempts"), "3\n");
        assert.strictEqual(s.read("sql.3"), s.read("sql.1"), "the same statements each time");
        assert.strictEqual((run.stderr.match(/configuring replication failed; retrying in 5 s/g) ?? []).length, 2);
        assert.ok(s.exists("data/replication-coordinates.applied"));
    });

    it("retries after a restart when the sidecar died before the statements succeeded", () => {
        const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        s.write("data/replication-coordinates.pending", "mysql-bin.000003\n154\n\n");
        runSidecar(s, sidecarEnv(s, "mysql-1"));
        assert.strictEqual(s.read("sql.1"), mysql57Sql("mysql-bin.000003", "154"));
    });

    it("escapes the password for SQL and keeps it off every command line", () => {
        const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        s.write("data/xtrabackup_binlog_info", "mysql-bin.000003\t154\n");
        const password = 'it\'s a \\ & "pass"';
        runSidecar(s, sidecarEnv(s, "mysql-1", FLAVORS.mysql57, password));
        assert.strictEqual(s.read("sql.1"), mysql57Sql("mysql-bin.000003", "154", 'it\\\'s a \\\\ & "pass"'));
        assert.ok(
            s.calls().every((c) => !c.includes("pass")),
            s.calls().join("\n"),
        );
    });

    it("configures nothing on the primary or once applied, and serves backups with ncat", () => {
        for (const [hostname, files] of [
            ["mysql-0", {}],
            ["mysql-1", { "data/replication-coordinates.applied": "f\n1\n\n", "data/xtrabackup_binlog_info": "x\t1\n" }],
        ] as const) {
            const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
            Object.entries(files).forEach(([f, c]) => s.write(f, c));
            runSidecar(s, sidecarEnv(s, hostname));
            assert.ok(!s.exists("attempts"), `${hostname}: no statements sent`);
            // Besides serving: the watch's pauses and replication checks, which send no statement.
            const watch = (c: string) => c.startsWith("sleep ") || c.endsWith(`--execute=${FLAVORS.mysql57.replicaStatus.statement}\\G`);
            assert.deepStrictEqual(
                s.calls().filter((c) => !watch(c)),
                [
                    "ncat --listen --keep-open --send-only --max-conns=1 --idle-timeout 300s --ssl --ssl-cert /c/tls.crt --ssl-key /c/tls.key 3307 " +
                        "-c xtrabackup --defaults-extra-file=/etc/mysql-credentials/backup.cnf " +
                        `--backup --slave-info --stream=xbstream --host=127.0.0.1 --port=3306 --datadir=${s.path("data")} --target-dir=/tmp`,
                ],
            );
        }
    });

    const mariadbSql = (gtid: string) =>
        "STOP SLAVE;\n" +
        `SET GLOBAL gtid_slave_pos='${gtid}';\n` +
        "CHANGE MASTER TO MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306, MASTER_USER='replication', MASTER_PASSWORD='pw',\n" +
        "  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=10,\n" +
        "  MASTER_SSL=1, MASTER_SSL_CA='/c/ca.crt', MASTER_SSL_VERIFY_SERVER_CERT=1;\n" +
        "START SLAVE;\n";

    const mariadbCases: Array<[string, Record<string, string>, string]> = [
        ["a 10.11 primary's three tab-separated fields", { "data/xtrabackup_binlog_info": "mysql-bin.000002\t328\t0-100-5\n" }, "0-100-5"],
        [
            "an 11.x primary's mariadb_backup_binlog_info",
            { "data/mariadb_backup_binlog_info": "mysql-bin.000002\t328\t0-100-5,1-101-9\n" },
            "0-100-5,1-101-9",
        ],
        ["a fresh primary's binlog info without a GTID", { "data/xtrabackup_binlog_info": "mysql-bin.000001\t330\n" }, ""],
        [
            "an 11.x replica donor's GTID slave info",
            {
                "data/mariadb_backup_slave_info": "SET GLOBAL gtid_slave_pos = '0-100-7';\nCHANGE MASTER TO master_use_gtid = slave_pos;\n",
                "data/mariadb_backup_binlog_info": "mysql-bin.000001\t330\t0-101-2\n",
            },
            "0-100-7",
        ],
        [
            "a 10.11 replica donor's GTID slave info",
            { "data/xtrabackup_slave_info": "SET GLOBAL gtid_slave_pos = '0-100-8';\nCHANGE MASTER TO master_use_gtid = slave_pos;\n" },
            "0-100-8",
        ],
    ];
    for (const [what, files, gtid] of mariadbCases) {
        it(`mariadb: starts GTID replication from ${what}`, () => {
            const s = sandbox({ mariadb: CLIENT, socat: "exit 0" });
            Object.entries(files).forEach(([f, c]) => s.write(f, c));
            runSidecar(s, sidecarEnv(s, "mysql-2", FLAVORS.mariadb));
            assert.strictEqual(s.read("sql.1"), mariadbSql(gtid));
            assert.deepStrictEqual(fs.readdirSync(s.path("data")), ["replication-coordinates.applied"]);
            assert.deepStrictEqual(
                s.calls().filter((c) => c.startsWith("socat")),
                [
                    "socat -T 300 -b 1048576 -U OPENSSL-LISTEN:3307,reuseaddr,fork,max-children=1,defer-accept,setsockopt-bin=1:20:x05000000000000000000000000000000,keepalive,keepidle=10,keepintvl=5,keepcnt=3,setsockopt-int=6:18:30000," +
                        "cert=/c/tls.crt,key=/c/tls.key,cafile=/c/ca.crt,verify=1 SYSTEM:mariadb-backup " +
                        "--defaults-extra-file=/etc/mysql-credentials/backup.cnf --backup --slave-info --stream=xbstream --host=127.0.0.1 " +
                        `--port=3306 --datadir=${s.path("data")} --target-dir=/tmp`,
                ],
            );
        });
    }

    it("mysql84: sets gtid_purged from a GTID set wrapped over lines, then auto-positions", () => {
        const s = sandbox({ mysql: CLIENT, socat: "exit 0" });
        s.write(
            "data/xtrabackup_binlog_info",
            "mysql-bin.000003\t197\t3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n8f1a2b3c-0000-11e1-9e33-c80aa9429562:1-3\n",
        );
        runSidecar(s, sidecarEnv(s, "mysql-1", FLAVORS.mysql84));
        assert.strictEqual(
            s.read("sql.1"),
            "STOP REPLICA;\nRESET BINARY LOGS AND GTIDS;\n" +
                "SET GLOBAL gtid_purged='3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,8f1a2b3c-0000-11e1-9e33-c80aa9429562:1-3';\n" +
                "CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-0.mysql', SOURCE_PORT=3306, SOURCE_USER='replication',\n" +
                "  SOURCE_PASSWORD='pw', SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=10,\n" +
                "  SOURCE_SSL=1, SOURCE_SSL_CA='/c/ca.crt', SOURCE_SSL_VERIFY_SERVER_CERT=1;\nSTART REPLICA;\n",
        );
    });

    it("refuses coordinates whose position is not a number", () => {
        const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        s.write("data/xtrabackup_binlog_info", "mysql-bin.000003 abc\n");
        const run = s.run("sidecar.sh", sidecarEnv(s, "mysql-1"));
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /ERROR: xtrabackup_binlog_info has a binlog position 'abc' that is not a number\n$/);
    });
});

describe("mysql-ready.sh", () => {
    /** A client stand-in that answers the read_only query and the replica status from files. */
    const CLIENT = [
        'if [[ $* == *"@@global.read_only"* ]]; then cat "$STUB_DIR/read_only"; exit 0; fi',
        'if [[ $* == *"SLAVE STATUS"* ]]; then cat "$STUB_DIR/status" 2>/dev/null; exit 0; fi',
        "exit 1",
    ].join("\n");

    function readyEnv(s: Sandbox, hostname: string) {
        return {
            HOSTNAME: hostname,
            STUB_DIR: s.dir,
            MYSQL_CLIENT: "mariadb",
            MYSQL_PORT: "3306",
            CLIENT_CONFIG: "/etc/mysql-credentials/root.cnf",
            MAX_REPLICATION_LAG: "30",
            REPLICA_STATUS: "SHOW SLAVE STATUS",
            REPLICA_IO_RUNNING: "Slave_IO_Running",
            REPLICA_SQL_RUNNING: "Slave_SQL_Running",
            REPLICA_LAG: "Seconds_Behind_Master",
            REPLICA_IO_ERRNO: "Last_IO_Errno",
            REPLICA_IO_ERROR: "Last_IO_Error",
        };
    }

    const status = (io: string, sqlThread: string, lag: string, error = "") =>
        "*************************** 1. row ***************************\n" +
        `                Slave_IO_State: Waiting for master to send event\n             Slave_IO_Running: ${io}\n` +
        `            Slave_SQL_Running: ${sqlThread}\n        Seconds_Behind_Master: ${lag}\n                Last_IO_Error: ${error}\n`;

    it("the primary is Ready while it takes writes", () => {
        const s = sandbox({ mariadb: CLIENT });
        s.write("read_only", "0\n");
        assert.strictEqual(s.run("mysql-ready.sh", readyEnv(s, "mysql-0")).status, 0);
        s.write("read_only", "1\n");
        const run = s.run("mysql-ready.sh", readyEnv(s, "mysql-0"));
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /ERROR: the primary is read-only\n$/);
    });

    const replicaCases: Array<[string, string | undefined, string | undefined]> = [
        ["replicating, 3 s behind", status("Yes", "Yes", "3"), undefined],
        ["exactly at the allowed lag", status("Yes", "Yes", "30"), undefined],
        ["not configured yet", undefined, "replication is not configured yet"],
        [
            "its I/O thread stopped",
            status("No", "Yes", "NULL", "error connecting to master"),
            "Slave_IO_Running is 'No': error connecting to master",
        ],
        ["its SQL thread stopped", status("Yes", "No", "NULL"), "Slave_SQL_Running is 'No'"],
        ["31 s behind", status("Yes", "Yes", "31"), "31 s behind the primary, more than the 30 s allowed"],
        ["reconnecting, lag unknown", status("Connecting", "Yes", "NULL"), "Slave_IO_Running is 'Connecting': "],
    ];
    for (const [what, answer, reason] of replicaCases) {
        it(`a replica ${reason === undefined ? "is" : "is not"} Ready when ${what}`, () => {
            const s = sandbox({ mariadb: CLIENT });
            if (answer !== undefined) {
                s.write("status", answer);
            }
            const run = s.run("mysql-ready.sh", readyEnv(s, "mysql-2"));
            if (reason === undefined) {
                assert.strictEqual(run.status, 0, run.stderr);
            } else {
                assert.strictEqual(run.status, 1);
                assert.ok(run.stderr.endsWith(`ERROR: ${reason}\n`), run.stderr);
            }
        });
    }
});

describe("mysql-run.sh", () => {
    it("starts the server at once, or only once a new clone has removed its marker", () => {
        const s = sandbox();
        s.stub("entrypoint", "echo started");
        const env = { CLONE_MARKER: s.path("clone-pending") };
        assert.strictEqual(s.run("mysql-run.sh", { ...env, STUB: "" }).status, 0);
        // The marker goes away while the script waits (its sleep stand-in removes it).
        s.write("clone-pending", "replication error 1236");
        s.stub("sleep", `rm -f "${s.path("clone-pending")}"`);
        const run = spawnSync(s.resolve("bash"), [path.join(SCRIPTS, "mysql-run.sh"), "entrypoint", "mysqld"], {
            encoding: "utf8",
            env: { PATH: s.bin, ...env },
            timeout: 20000,
        });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stdout, "started\n");
        assert.match(run.stderr, /the data directory is being cloned again: waiting before starting the server/);
        assert.deepStrictEqual(s.calls().slice(-2), ["sleep 1", "entrypoint mysqld"]);
    });
});

describe("self-repair (sidecar.sh and clone-mysql.sh)", () => {
    it("a replica that gets error 1236 moves its data aside, clones again in place, and replicates from the new clone", () => {
        const client = [
            'if [[ $* == *"SLAVE STATUS"* ]]; then',
            "  [[ -e $STUB_DIR/reported ]] && exit 0",
            '  : >"$STUB_DIR/reported"',
            "  printf 'Last_IO_Errno: 1236\\nLast_IO_Error: Could not find GTID state requested by slave in any binlog files\\n'; exit 0",
            "fi",
            'if [[ $* == *"--execute="* ]]; then exit 0; fi',
            'n=$(cat "$STUB_DIR/attempts" 2>/dev/null || echo 0); echo $((n + 1)) >"$STUB_DIR/attempts"; cat >"$STUB_DIR/sql.$((n + 1))"',
        ].join("\n");
        const stream = [
            'dir=${!#}; cat >/dev/null; mkdir -p "$dir/mysql"; echo new >"$dir/mysql/user.frm"',
            'printf "mysql-bin.000009\\t10\\t0-100-99\\n" >"$dir/xtrabackup_binlog_info"; echo full >"$dir/xtrabackup_checkpoints"',
        ].join("; ");
        const s = sandbox({ mariadb: client, socat: "echo stream", mbstream: stream, "mariadb-backup": "exit 0" });
        // A replica that had replicated before: its data in the claim's `mysql` dir, coordinates applied.
        s.write("volume/mysql/mysql/user.frm", "old");
        s.write("volume/mysql/replication-coordinates.applied", "f\n1\n0-100-7\n");
        s.write("credentials/replication-password", "pw");
        const env = {
            HOSTNAME: "mysql-2",
            STUB_DIR: s.dir,
            DATA_DIR: s.path("volume", "mysql"),
            DATA_ROOT: s.path("volume"),
            DATA_SUBPATH: "mysql",
            PEER_DOMAIN: "mysql.ns.svc.cluster.local",
            STREAM_TOOL: "mbstream",
            MYSQL_CLIENT: "mariadb",
            // A port nothing listens on: "mysqld has stopped".
            MYSQL_PORT: "1",
            CLIENT_CONFIG: "/etc/mysql-credentials/root.cnf",
            BACKUP_CLIENT_CONFIG: "/etc/mysql-credentials/backup.cnf",
            REPLICATION_PASSWORD_FILE: s.path("credentials/replication-password"),
            PRIMARY_HOST: "mysql-0.mysql.ns.svc.cluster.local",
            REPLICATION_USER: "replication",
            REPLICATION_SQL: FLAVORS.mariadb.replicationSql,
            BACKUP_TOOL: "mariadb-backup",
            BACKUP_INFO_PREFIXES: "mariadb_backup xtrabackup",
            CLONE_PORT: "3307",
            CLONE_TRANSPORT: "socat",
            CLONE_IDLE_TIMEOUT: "300",
            CLONE_MARKER: s.path("volume", "clone-pending"),
            WATCH_INTERVAL: "1",
            REPLICA_STATUS: "SHOW SLAVE STATUS",
            REPLICA_IO_ERRNO: "Last_IO_Errno",
            REPLICA_IO_ERROR: "Last_IO_Error",
            ...TLS_ENV,
        };
        const run = s.run("sidecar.sh", env);
        assert.strictEqual(run.status, 1, run.stderr);
        assert.match(
            run.stderr,
            /replication cannot resume: error 1236 from the primary \(Could not find GTID state requested by slave in any binlog files\): it no longer has what this replica needs; cloning again/,
        );
        assert.match(run.stderr, /data directory marked for a new clone \(replication error 1236 at [0-9T:-]+\): moving it aside/);
        assert.ok(
            s.calls().some((c) => c.endsWith("--execute=SHUTDOWN")),
            "mysqld is stopped before the clone",
        );
        assert.strictEqual(s.read("volume/mysql.replaced/mysql/user.frm"), "old", run.stderr + s.calls().join("\n"));
        assert.strictEqual(s.read("volume/mysql/mysql/user.frm"), "new\n");
        assert.ok(!s.exists("volume/clone-pending"), "the marker goes once the new data is whole");
        assert.ok(!s.exists("volume/mysql.clone-in-progress"));
        assert.match(s.read("sql.1"), /SET GLOBAL gtid_slave_pos='0-100-99';/);
        assert.ok(s.exists("volume/mysql/replication-coordinates.applied"));
    });
});

describe("clone-endpoint-ready.sh", () => {
    it("succeeds only while something listens on the clone port", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
        const port = (server.address() as net.AddressInfo).port;
        const s = sandbox();
        try {
            assert.strictEqual(s.run("clone-endpoint-ready.sh", { CLONE_PORT: String(port) }).status, 0);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
        assert.strictEqual(s.run("clone-endpoint-ready.sh", { CLONE_PORT: String(port) }).status, 1);
    });
});

describe("backup.sh and restore-mysql.sh", () => {
    /** A backup stream of a replica donor: data, the slave info, and the checkpoints unless STUB_INCOMPLETE. */
    const STREAM = [
        'dir=${!#}; cat >/dev/null; mkdir -p "$dir/shop"; echo rows >"$dir/shop/t.ibd"',
        'printf "SET GLOBAL gtid_slave_pos = \'0-100-42\';\\nCHANGE MASTER TO MASTER_USE_GTID = slave_pos\\n" >"$dir/xtrabackup_slave_info"',
        '[[ -n ${STUB_INCOMPLETE:-} ]] || echo "backup_type = full-backuped" >"$dir/xtrabackup_checkpoints"',
    ].join("\n");
    const PREPARE = 'dir=${!#}; dir=${dir#--target-dir=}; echo prepared >"$dir/prepared"';
    const REAL = ["sha256sum", "du", "sync"];

    function backupSandbox(): Sandbox {
        const s = sandbox({ socat: "echo stream", mbstream: STREAM, "mariadb-backup": PREPARE });
        for (const tool of REAL) {
            s.stub(tool, `exec ${spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim()} "$@"`);
        }
        fs.mkdirSync(s.path("backups"));
        return s;
    }

    const backupEnv = (s: Sandbox, extra: Record<string, string> = {}) => ({
        DONOR_HOST: "mysql-2.mysql.ns.svc.cluster.local",
        CLONE_PORT: "3307",
        CLONE_TRANSPORT: "socat",
        STREAM_TOOL: "mbstream",
        BACKUP_TOOL: "mariadb-backup",
        BACKUP_INFO_PREFIXES: "mariadb_backup xtrabackup",
        BACKUPS_DIR: s.path("backups"),
        BACKUP_RETENTION: "2",
        CLONE_IDLE_TIMEOUT: "300",
        ...TLS_ENV,
        ...extra,
    });

    /** A good backup as backup.sh leaves it, for the pruning and restore cases. */
    function fakeBackup(s: Sandbox, name: string): void {
        s.write(`backups/${name}/data/shop/t.ibd`, `rows of ${name}\n`);
        s.write(
            `backups/${name}/SHA256SUMS`,
            spawnSync("sha256sum", ["shop/t.ibd"], { cwd: s.path(`backups/${name}/data`), encoding: "utf8" }).stdout,
        );
        const digest = spawnSync("sha256sum", [s.path(`backups/${name}/SHA256SUMS`)], { encoding: "utf8" }).stdout.split(" ")[0];
        s.write(`backups/${name}/MANIFEST`, `name=${name}\nformat=prepared\ngtid=0-100-7\nsha256sums=${digest}\n`);
    }

    it("streams from the donor, prepares, writes checksums and a manifest with the position, renames, then prunes to the retention", () => {
        const s = backupSandbox();
        fakeBackup(s, "20200101T000000Z");
        fakeBackup(s, "20200102T000000Z");
        s.write("backups/20200101T120000Z.partial/data/half.ibd", "half"); // a backup killed half-way
        const run = s.run("backup.sh", backupEnv(s));
        assert.strictEqual(run.status, 0, run.stderr);
        const entries = fs.readdirSync(s.path("backups")).sort();
        assert.strictEqual(entries.length, 2, entries.join(", "));
        assert.strictEqual(entries[0], "20200102T000000Z", "the oldest good backup is pruned, the left-over staging dir removed");
        const name = entries[1];
        assert.match(name, /^\d{8}T\d{6}Z$/);
        assert.ok(
            s
                .calls()
                .includes(
                    "socat -T 300 -b 1048576 -u OPENSSL:mysql-2.mysql.ns.svc.cluster.local:3307,connect-timeout=10,keepalive,keepidle=10,keepintvl=5,keepcnt=3,setsockopt-int=6:18:30000," +
                        "cert=/c/tls.crt,key=/c/tls.key,cafile=/c/ca.crt,verify=1 STDOUT",
                ),
        );
        assert.ok(s.calls().includes(`mariadb-backup --prepare --target-dir=${s.path("backups", `${name}.partial`, "data")}`));
        const manifest = s.read(`backups/${name}/MANIFEST`);
        assert.match(
            manifest,
            new RegExp(`^name=${name}\nformat=prepared\ntool=mariadb-backup\ndonor=mysql-2\\.mysql\\.ns\\.svc\\.cluster\\.local\n`),
        );
        assert.match(
            manifest,
            /\nbinlog_file=\nbinlog_pos=\ngtid=0-100-42\nposition_source=xtrabackup_slave_info\nbytes=\d+\nfiles=4\nsha256sums=[0-9a-f]{64}\n$/,
        );
        assert.match(
            s.read(`backups/${name}/SHA256SUMS`),
            /^[0-9a-f]{64} {2}prepared\n[0-9a-f]{64} {2}shop\/t\.ibd\n[0-9a-f]{64} {2}xtrabackup_checkpoints\n[0-9a-f]{64} {2}xtrabackup_slave_info\n$/,
        );
    });

    it("fails on a stream cut short, and neither replaces nor prunes a good backup", () => {
        const s = backupSandbox();
        fakeBackup(s, "20200101T000000Z");
        fakeBackup(s, "20200102T000000Z");
        const run = s.run("backup.sh", backupEnv(s, { STUB_INCOMPLETE: "1" }));
        assert.strictEqual(run.status, 1);
        assert.match(
            run.stderr,
            /ERROR: the backup stream from mysql-2\.mysql\.ns\.svc\.cluster\.local ended before the backup was complete\n$/,
        );
        const entries = fs.readdirSync(s.path("backups")).sort();
        assert.deepStrictEqual(entries.slice(0, 2), ["20200101T000000Z", "20200102T000000Z"]);
        assert.match(entries[2], /^\d{8}T\d{6}Z\.partial$/, "only a staging dir, never listed as a backup");
        assert.ok(!s.calls().some((c) => c.startsWith("mariadb-backup")), "nothing is prepared");
    });

    function restoreEnv(s: Sandbox, extra: Record<string, string> = {}) {
        fs.mkdirSync(s.path("volume/mysql"), { recursive: true });
        return {
            HOSTNAME: "mysql-0",
            DATA_ROOT: s.path("volume"),
            DATA_SUBPATH: "mysql",
            PEER_DOMAIN: "mysql.ns.svc.cluster.local",
            CLONE_PORT: "3307",
            CLONE_TRANSPORT: "socat",
            STREAM_TOOL: "mbstream",
            BACKUP_TOOL: "mariadb-backup",
            BACKUP_INFO_PREFIXES: "mariadb_backup xtrabackup",
            CLONE_IDLE_TIMEOUT: "300",
            CLONE_MARKER: s.path("volume", "clone-pending"),
            RESTORE_FROM: "20200102T000000Z",
            BACKUPS_DIR: s.path("backups"),
            CONF_DIR: s.path("conf"),
            RESTORE_SQL: FLAVORS.mariadb.restoreSql,
            ...TLS_ENV,
            ...extra,
        };
    }

    it("restores mysql-0 from the chosen backup, checked against its checksums, and leaves the GTID statements for the sidecar", () => {
        const s = backupSandbox();
        fakeBackup(s, "20200102T000000Z");
        s.write("backups/20200102T000000Z/data/xtrabackup_slave_info", "x"); // not in SHA256SUMS: unchecked, removed
        const run = s.run("clone-mysql.sh", restoreEnv(s));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), ["mysql"]);
        assert.strictEqual(s.read("volume/mysql/shop/t.ibd"), "rows of 20200102T000000Z\n");
        assert.ok(!s.exists("volume/mysql/xtrabackup_slave_info"));
        assert.strictEqual(
            s.read("volume/mysql/restore.sql.pending"),
            "RESET MASTER;\nSET GLOBAL gtid_slave_pos='';\nSET GLOBAL gtid_binlog_state='0-100-7';\n",
        );
        assert.ok(!s.calls().some((c) => c.startsWith("socat")), "nothing is cloned");
    });

    it("refuses a damaged backup and a missing one, leaving the data directory empty", () => {
        const s = backupSandbox();
        fakeBackup(s, "20200102T000000Z");
        s.write("backups/20200102T000000Z/data/shop/t.ibd", "bit rot\n");
        const damaged = s.run("clone-mysql.sh", restoreEnv(s));
        assert.strictEqual(damaged.status, 1);
        assert.match(damaged.stderr, /ERROR: backup '20200102T000000Z' is damaged: a file does not match its checksum\n$/);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume/mysql")), []);
        const missing = s.run("clone-mysql.sh", restoreEnv(s, { RESTORE_FROM: "20990101T000000Z" }));
        assert.strictEqual(missing.status, 1);
        assert.match(missing.stderr, /ERROR: no complete backup '20990101T000000Z' on the backup volume \(it has no MANIFEST\)/);
    });
});
