// The pod scripts run by bash against stand-in binaries: what they write, which statements they send and
// how they fail. The defects of the tutorial's scripts each have a case here; tests/real runs the same
// scripts against real servers.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { FLAVORS, SERIES_UPGRADES, seriesUpgradesWords } from "../../components";
import { parseStatus, StatusRecord } from "../../components/podStatus";
import { SCRIPT_TOOLS } from "../helpers";
import { declaredEnv } from "../scriptVariables";

const SCRIPTS = path.resolve(__dirname, "..", "..", "pod");
/**
 * Kills a script that hangs. Only a hang comes near it: each case runs at most a few dozen stand-ins (waits
 * and retries are counted in stubbed sleeps, their bounds shrunk by env); under mocha's 60 s per case, so a
 * hang fails with the script's output.
 */
const HANG_MS = 50_000;
/** Where the backup containers find the cluster's TLS files (never read by the stand-ins). */
const TLS_ENV = { TLS_CA: "/c/ca.crt", TLS_CERT: "/c/tls.crt", TLS_KEY: "/c/tls.key" };

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** The host's bash, the interpreter of every stand-in and wrapper in a sandbox's bin. */
const HOST_BASH = fs.realpathSync(spawnSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim());

/**
 * A scratch pod: a bin dir with only SCRIPT_TOOLS (the host's, through wrappers) and the stubs given, and a data
 * volume. A script that runs any other tool fails here with "command not found". Every tool run, wrapper or
 * stub, logged or quiet, leaves its argv in argv.log (argv()); stubs also log to calls.log (calls()).
 */
/** The status record a script left in the sandbox's termination-log (STATUS_FILE), without its time. */
function reported(s: Sandbox): StatusRecord {
    const { at, ...record } = parseStatus(s.read("termination-log")) ?? {};
    assert.match(at ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    return record;
}

class Sandbox {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-scripts-"));
    readonly bin = path.join(this.dir, "bin");
    readonly log = path.join(this.dir, "calls.log");
    readonly argvLog = path.join(this.dir, "argv.log");

    constructor(stubs: Record<string, string> = {}) {
        fs.mkdirSync(this.bin);
        for (const tool of SCRIPT_TOOLS) {
            this.hostTool(tool);
        }
        // sleep returns at once, so retries do not slow the tests down.
        this.stub("sleep", "exit 0");
        // Cluster DNS, unlogged: every name resolves (every donor is Ready) except those listed, one a
        // line, in the file not-ready.
        this.quietStub(
            "getent",
            `[[ -f "${this.path("not-ready")}" ]] || exit 0\nwhile read -r name; do [[ $name != "$2" ]] || exit 2; done <"${this.path("not-ready")}"`,
        );
        for (const [name, body] of Object.entries(stubs)) {
            this.stub(name, body);
        }
    }

    /** A declared tool (SCRIPT_TOOLS): the host's binary, through a wrapper that logs its argv only. */
    private hostTool(tool: string): void {
        const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
        this.quietStub(tool, `exec ${found} "$@"`);
    }

    /** A stand-in binary: logs its name and arguments, then runs body (bash). */
    stub(name: string, body: string): void {
        this.install(name, `#!${HOST_BASH}\n${this.argvLine(name)}\nprintf '%s\\n' "${name} $*" >>"${this.log}"\n${body}\n`);
    }

    /** A stand-in binary that leaves no line in the calls log (its argv still goes to argv.log). */
    quietStub(name: string, body: string): void {
        this.install(name, `#!${HOST_BASH}\n${this.argvLine(name)}\n${body}\n`);
    }

    private argvLine(name: string): string {
        return `printf '%s\\n' "${name} $*" >>"${this.argvLog}"`;
    }

    /**
     * Writes a stand-in into the sandbox's bin. A base tool there is a symlink to the host's binary: it is
     * removed first, as writing through it would overwrite the host's own (say /usr/bin/chown).
     */
    private install(name: string, text: string): void {
        const file = path.join(this.bin, name);
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, text, { mode: 0o755, flag: "wx" });
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

    /** Every tool's argv of every run so far, one a line: the declared tools, the stubs, quiet or not. */
    argv(): string[] {
        return fs.existsSync(this.argvLog) ? fs.readFileSync(this.argvLog, "utf8").trim().split("\n") : [];
    }

    run(script: string, env: Record<string, string>): Run {
        const result = spawnSync(HOST_BASH, [path.join(SCRIPTS, script)], {
            encoding: "utf8",
            env: { PATH: this.bin, ...env },
            timeout: HANG_MS,
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

/** What the servers' `--version` prints (from the images, and Debian's MariaDB here). */
const SERVER_VERSIONS = {
    mysql57: "mysqld  Ver 5.7.44 for Linux on x86_64 (MySQL Community Server (GPL))",
    mysql84: "/usr/sbin/mysqld  Ver 8.4.3 for Linux on x86_64 (MySQL Community Server - GPL)",
    percona84: "/usr/sbin/mysqld  Ver 8.4.2-2 for Linux on x86_64 (Percona Server (GPL), Release '2', Revision 'ec7e8c9a')",
    mariadb1011: "mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)",
    mariadb114: "mariadbd  Ver 11.4.5-MariaDB-ubu2404 for debian-linux-gnu on x86_64 (mariadb.org binary distribution)",
};

/** A `--version` line of a server of that family and series. */
const versionOf = (family: string, series: string) =>
    family === "mariadb"
        ? `mariadbd  Ver ${series}.2-MariaDB-ubu2404 for debian-linux-gnu on x86_64 (mariadb.org binary distribution)`
        : `/usr/sbin/mysqld  Ver ${series}.1 for Linux on x86_64 (MySQL Community Server - GPL)`;

describe("the scripts' sandbox", () => {
    it("stands in for a base tool in its own bin, leaving the host's binary it linked to as it was", () => {
        // A base tool is a symlink to the host's binary; here to a scratch file, so a regression harms nothing.
        const s = sandbox();
        const host = s.path("host-tool");
        fs.writeFileSync(host, "host binary\n");
        fs.symlinkSync(host, path.join(s.bin, "tool"));
        s.stub("tool", "exit 0");
        assert.strictEqual(fs.readFileSync(host, "utf8"), "host binary\n");
        assert.strictEqual(fs.lstatSync(path.join(s.bin, "tool")).isSymbolicLink(), false);
    });
});

// init-mysql's environment and inputs as the builder gives them.
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
    for (const dir of ["conf.d", "credentials", "initdb", "volume"]) {
        fs.mkdirSync(s.path(dir), { recursive: true });
    }
    // The server binary answers `--version` with STUB_VERSION, by default as mysql:5.7's does.
    s.stub("mysqld", `echo "\${STUB_VERSION:-${SERVER_VERSIONS.mysql57}}"`);
    return {
        HOSTNAME: hostname,
        ...declaredEnv("init-mysql.sh", {
            STATUS_FILE: s.path("termination-log"),
            DATA_ROOT: s.path("volume"),
            DATA_SUBPATH: "mysql",
            IDENTITY_FILE: s.path("volume", "identity"),
            CLUSTER: "default/mysql",
            CLUSTER_UID: "1f0c6a9e-aaaa-4bbb-8ccc-000000000001",
            SERVER_BINARY: "mysqld",
            SERIES_UPGRADES: seriesUpgradesWords(),
            SERVER_ID_BASE: "100",
            SERVER_OS_USER,
            INIT_CONF_DIR: s.path("conf.d"),
            CONFIG_MAP_DIR: s.path("config-map"),
            SECRETS_DIR: s.path("secrets"),
            TLS_SECRET_DIR: s.path("tls"),
            CREDENTIALS_DIR: s.path("credentials"),
            INITDB_DIR: s.path("initdb"),
            APP_PASSWORD_KEY: "app-password" in all ? "app-password" : "",
            APPLIED_DIR: "applied",
            // mysql57: the image's entrypoint makes the data directory.
            INSTALL_DB: "",
            SECURE_ROOT_SQL: "",
            TIME_ZONE_TOOL: "",
            ZONEINFO_DIR: "/usr/share/zoneinfo",
            FIRST_START_SQL: s.path("credentials", "first-start.sql"),
            FIRST_START_MARKER: s.path("volume", "first-start-pending"),
            // mysql57: the server upgrades nothing, and no series step leads to 5.7.
            UPGRADE_TOOL: "",
            // The empty-data guard's peer Service: the sandbox's getent resolves it to no address.
            PEER_SERVICE: "mysql-peers.default.svc.cluster.local",
            PEER_CONNECT_TIMEOUT: "2",
            MYSQL_PORT: "3306",
        }),
    };
}

describe("init-mysql.sh", () => {
    const mode = (s: Sandbox, file: string) => (fs.statSync(s.path(file)).mode & 0o777).toString(8);

    describe("mysql-0's new data directory, where the flavor says how to make it (mariadb)", () => {
        const mariadb = FLAVORS.mariadb;
        /** mariadb-install-db's stand-in: records its arguments, writes mysql/ into --datadir (fails with STUB_FAIL). */
        const INSTALL = [
            '[[ -z ${STUB_FAIL:-} ]] || { echo "Installation of system tables failed" >&2; exit 1; }',
            'for a; do [[ $a != --datadir=* ]] || mkdir -p "${a#--datadir=}/mysql"; done',
            // The extra SQL it runs, kept for the test.
            'for a; do [[ $a != --extra-file=* ]] || cp "${a#--extra-file=}" "$STUB_DIR/extra.sql"; done',
            "echo 'PLEASE REMEMBER TO SET A PASSWORD'",
        ].join("\n");
        const ZONES_SQL = [
            "TRUNCATE TABLE time_zone_name;",
            ...["Europe/Berlin", "UTC"].map((z) => `INSERT INTO time_zone_name (Name) VALUES ('${z}');`),
        ];
        function mariadbEnv(s: Sandbox, hostname: string, zonesSql = ZONES_SQL) {
            s.stub("mariadb-install-db", INSTALL);
            s.stub("chown", "exit 0");
            s.stub(
                "mariadb-tzinfo-to-sql",
                `echo "Warning: Unable to load '$1/leap-seconds.list' as time zone. Skipping it." >&2\nprintf '%s\\n' ${zonesSql.map((l) => `"${l}"`).join(" ")}`,
            );
            return {
                ...initEnv(s, hostname),
                STUB_VERSION: SERVER_VERSIONS.mariadb114,
                STUB_DIR: s.dir,
                INSTALL_DB: mariadb.installDb!.command.join(" "),
                SECURE_ROOT_SQL: mariadb.installDb!.secureRootSql,
                TIME_ZONE_TOOL: mariadb.installDb!.timeZoneTool,
                ZONEINFO_DIR: "/usr/share/zoneinfo",
            };
        }

        it("creates it on an empty volume, staged beside it, and gives the server root's password and the accounts as its first start's SQL", () => {
            const s = sandbox();
            const run = s.run("init-mysql.sh", mariadbEnv(s, "mysql-0"));
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(fs.readdirSync(s.path("volume")).sort(), ["first-start-pending", "identity", "mysql"]);
            assert.ok(s.exists("volume/mysql/mysql"));
            assert.match(
                run.stderr,
                /new data directory: creating it \(mariadb-install-db\); the server takes the cluster's accounts on its first start/,
            );
            const staging = s.path("volume", "mysql.install-in-progress");
            const zonesFile = s.path("volume", "time-zones.sql");
            assert.deepStrictEqual(
                s.calls().filter((c) => /^(mariadb-install-db|mariadb-tzinfo-to-sql|chown -R)/.test(c)),
                [
                    "mariadb-tzinfo-to-sql /usr/share/zoneinfo",
                    `${mariadb.installDb!.command.join(" ")} --user=root --datadir=${staging} --extra-file=${zonesFile}`,
                    `chown -R ${SERVER_OS_USER}: ${staging}`,
                ],
            );
            // The time zones, loaded by the install's bootstrap server into the mysql schema; the file is removed.
            assert.strictEqual(s.read("extra.sql"), `USE mysql;\n${ZONES_SQL.join("\n")}\n`);
            assert.ok(!fs.existsSync(zonesFile));
            assert.match(run.stderr, /with the 2 time zones in \/usr\/share\/zoneinfo/);
            // Not for the entrypoint, which finds a data directory and starts the server once.
            assert.deepStrictEqual(fs.readdirSync(s.path("initdb")), []);
            assert.strictEqual(mode(s, "credentials/first-start.sql"), "400");
            assert.strictEqual(
                s.read("credentials/first-start.sql"),
                "SET @@SESSION.SQL_LOG_BIN=0;\n" +
                    "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';\n" +
                    "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');\n" +
                    "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('pw-root');\n" +
                    "SET @@SESSION.SQL_LOG_BIN=1;\n" +
                    "CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY 'pw-root';\nr=pw-repl b=pw-backup a=\n",
            );
        });

        it("installs without time zones, with a warning, when the tool finds none", () => {
            const s = sandbox();
            const run = s.run("init-mysql.sh", mariadbEnv(s, "mysql-0", []));
            assert.strictEqual(run.status, 0, run.stderr);
            assert.ok(s.exists("volume/mysql/mysql"));
            assert.ok(
                s
                    .calls()
                    .includes(
                        `${mariadb.installDb!.command.join(" ")} --user=root --datadir=${s.path("volume", "mysql.install-in-progress")}`,
                    ),
            );
            assert.match(
                run.stderr,
                /WARNING: mariadb-tzinfo-to-sql found no time zones in \/usr\/share\/zoneinfo: named time zones will not work/,
            );
        });

        it("writes the first start's SQL again while the server has not taken it (the marker), and creates nothing over data", () => {
            const s = sandbox();
            const env = mariadbEnv(s, "mysql-0");
            assert.strictEqual(s.run("init-mysql.sh", env).status, 0);
            fs.rmSync(s.path("credentials"), { recursive: true });
            fs.mkdirSync(s.path("credentials"));
            const again = s.run("init-mysql.sh", env);
            assert.strictEqual(again.status, 0, again.stderr);
            assert.strictEqual(s.calls().filter((c) => c.startsWith("mariadb-install-db")).length, 1);
            assert.match(s.read("credentials/first-start.sql"), /PASSWORD\('pw-root'\)/);
            // Taken (the sidecar removed the marker): the accounts' SQL goes where only the entrypoint's own initialisation reads it.
            fs.rmSync(s.path("volume/first-start-pending"));
            fs.rmSync(s.path("credentials"), { recursive: true });
            fs.mkdirSync(s.path("credentials"));
            assert.strictEqual(s.run("init-mysql.sh", env).status, 0);
            assert.ok(!s.exists("credentials/first-start.sql"));
            assert.strictEqual(s.calls().filter((c) => c.startsWith("mariadb-install-db")).length, 1);
        });

        it("leaves replicas, and a restore (no INSTALL_DB), to their clone; a failed install leaves no data directory", () => {
            const s = sandbox();
            assert.strictEqual(s.run("init-mysql.sh", mariadbEnv(s, "mysql-1")).status, 0);
            assert.deepStrictEqual(fs.readdirSync(s.path("volume")), ["identity"]);
            const failed = sandbox();
            const run = failed.run("init-mysql.sh", { ...mariadbEnv(failed, "mysql-0"), STUB_FAIL: "1" });
            assert.strictEqual(run.status, 1);
            assert.match(run.stderr, /ERROR: mariadb-install-db failed: Installation of system tables failed/);
            assert.ok(!failed.exists("volume/mysql"), "no data directory");
            assert.ok(failed.exists("volume/first-start-pending"), "the next attempt creates it again");
        });
    });

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
                ["applied", "700"],
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
        // What the files hold, for rotate-credentials.sh to compare the Secret with.
        assert.deepStrictEqual(fs.readdirSync(s.path("credentials/applied")).sort(), [
            "backup-password",
            "replication-password",
            "root-password",
        ]);
        assert.strictEqual(s.read("credentials/applied/root-password"), "pw-root");
        assert.strictEqual(mode(s, "credentials/applied/root-password"), "600");
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
        // Every tool's argv of the run (the host's tools too), not only the stubs'.
        assert.ok(s.argv().length > s.calls().length, "the base tools' argv is logged too");
        assert.ok(
            s.argv().every((c) => !c.includes("quoted") && !c.includes("pw-")),
            s.argv().join("\n"),
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

    describe("the data's identity (the file beside the data directory)", () => {
        const UID = "1f0c6a9e-aaaa-4bbb-8ccc-000000000001";
        const identity = (fields: { cluster?: string; uid?: string; ordinal?: number; family?: string; series?: string } = {}) =>
            "# mysql-statefulset: whose data the directory mysql beside this file holds; checked by init-mysql at every start.\n" +
            `cluster=${fields.cluster ?? "default/mysql"}\nuid=${fields.uid ?? UID}\nordinal=${fields.ordinal ?? 1}\n` +
            `family=${fields.family ?? "mysql"}\nseries=${fields.series ?? "5.7"}\n`;

        /** Runs init-mysql as mysql-1 of default/mysql (UID above) with the server's `--version` line given. */
        function runInit(
            s: Sandbox,
            version: string = SERVER_VERSIONS.mysql57,
            hostname = "mysql-1",
            extra: Record<string, string> = {},
        ): Run {
            return s.run("init-mysql.sh", { ...initEnv(s, hostname), STUB_VERSION: version, ...extra });
        }

        it("records a new volume's cluster, UID and ordinal, and the family and series its server binary reports", () => {
            const s = sandbox();
            const run = runInit(s);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.strictEqual(s.read("volume/identity"), identity());
            assert.strictEqual(mode(s, "volume/identity"), "644");
            assert.match(run.stderr, /new volume: recording it as cluster default\/mysql uid 1f0c6a9e-\S+ ordinal 1, mysql 5\.7\n/);
            assert.ok(s.calls().includes("mysqld --version"));
            assert.ok(s.exists("conf.d/server-id.cnf"), "and goes on");
        });

        it("reads the family and series of every flavor's server, and of Percona Server", () => {
            const cases: Array<[string, string, string]> = [
                [SERVER_VERSIONS.mysql57, "mysql", "5.7"],
                [SERVER_VERSIONS.mysql84, "mysql", "8.4"],
                [SERVER_VERSIONS.percona84, "mysql", "8.4"],
                [SERVER_VERSIONS.mariadb1011, "mariadb", "10.11"],
                [SERVER_VERSIONS.mariadb114, "mariadb", "11.4"],
            ];
            for (const [version, family, series] of cases) {
                const s = sandbox();
                const run = runInit(s, version);
                assert.strictEqual(run.status, 0, run.stderr);
                assert.strictEqual(s.read("volume/identity"), identity({ family, series }), version);
            }
        });

        it("adopts data written by a version without an identity file, and says so", () => {
            const s = sandbox();
            s.write("volume/mysql/ibdata1", "pages");
            const run = runInit(s);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.match(
                run.stderr,
                /adopting the data directory, which has no identity file \(written by a version without one\): it is now cluster default\/mysql uid 1f0c6a9e-\S+ ordinal 1, mysql 5\.7\n/,
            );
            assert.strictEqual(s.read("volume/identity"), identity());
        });

        it("starts again on its own data, and on a patch release of the same series, leaving the file as it was", () => {
            const s = sandbox();
            s.write("volume/identity", identity({ family: "mariadb", series: "10.11" }));
            s.write("volume/mysql/ibdata1", "pages");
            const run = runInit(s, SERVER_VERSIONS.mariadb1011.replace("10.11.19", "10.11.6"));
            assert.strictEqual(run.status, 0, run.stderr);
            assert.match(run.stderr, /data identity checked: cluster default\/mysql uid 1f0c6a9e-\S+ ordinal 1, mariadb 10\.11\n/);
            assert.strictEqual(s.read("volume/identity"), identity({ family: "mariadb", series: "10.11" }));
        });

        it("allows each supported upgrade step (the table in flavors.ts) and records the new series, and the system tables' upgrade as pending where a tool does it", () => {
            const steps = Object.entries(SERIES_UPGRADES).flatMap(([family, list]) => list.map(([from, to]) => ({ family, from, to })));
            assert.strictEqual(steps.length, 5);
            for (const { family, from, to } of steps) {
                const s = sandbox();
                s.write("volume/identity", identity({ family, series: from }));
                // The flavor of that family: its upgrade tool, none for MySQL (the server upgrades itself).
                const tool = (family === "mariadb" ? FLAVORS.mariadb : FLAVORS.mysql84).upgrade?.tool ?? "";
                const run = runInit(s, versionOf(family, to), "mysql-1", { UPGRADE_TOOL: tool });
                assert.strictEqual(run.status, 0, run.stderr);
                const then =
                    family === "mariadb"
                        ? `, and its system tables' upgrade from ${from} as pending: the sidecar runs mariadb-upgrade once the server answers\n`
                        : "; the server upgrades its system tables itself as it starts\n";
                assert.ok(
                    run.stderr.includes(
                        `upgrade of the data directory from ${family} ${from} to ${to} (a supported step): recording ${to}${then}`,
                    ),
                    run.stderr,
                );
                const pending = family === "mariadb" ? `upgrade=${from}>${to} pending\n` : "";
                assert.strictEqual(s.read("volume/identity"), identity({ family, series: to }) + pending);
            }
        });

        const THIS = "this pod mysql-1 is cluster default/mysql uid 1f0c6a9e-aaaa-4bbb-8ccc-000000000001 ordinal 1";
        const NOT_OURS =
            ": refusing to start the server on it. Point `nfsPaths` (or `nfsPathPattern`) at an empty directory for this pod, or give the volume back to";
        const TAKE_OVER = "; to take it over on purpose (its data keeps that cluster's passwords), delete VOLUME/identity.";
        const refusals: Array<[string, string, string, string]> = [
            [
                "another cluster of the same name (another stack)",
                identity({ uid: "9e9e9e9e-0000-4000-8000-000000000009" }),
                SERVER_VERSIONS.mysql57,
                `this volume's data belongs to cluster default/mysql uid 9e9e9e9e-0000-4000-8000-000000000009 ordinal 1; ${THIS}${NOT_OURS} default/mysql ordinal 1${TAKE_OVER}`,
            ],
            [
                "the same stack's cluster under another namespace/name",
                identity({ cluster: "shop/orders" }),
                SERVER_VERSIONS.mysql57,
                `this volume's data belongs to cluster shop/orders uid ${UID} ordinal 1; ${THIS}${NOT_OURS} shop/orders ordinal 1${TAKE_OVER}`,
            ],
            [
                "another ordinal of this cluster",
                identity({ ordinal: 2 }),
                SERVER_VERSIONS.mysql57,
                `this volume's data belongs to cluster default/mysql uid ${UID} ordinal 2; ${THIS}${NOT_OURS} default/mysql ordinal 2${TAKE_OVER}`,
            ],
            [
                "another family (MariaDB data, a MySQL server)",
                identity({ family: "mariadb", series: "10.11" }),
                SERVER_VERSIONS.mysql84,
                "this volume's data was written by a mariadb 10.11 server; this pod's server is mysql 8.4: refusing to start it on data of another family. " +
                    "Set `flavor` and `image` back to a mariadb 10.11 server; to move to mysql, load a dump into a new cluster on empty volumes.",
            ],
            [
                "a skipped step (MySQL 5.7 to 8.4)",
                identity({ series: "5.7" }),
                SERVER_VERSIONS.mysql84,
                "this volume's data was written by mysql 5.7; this pod's server is mysql 8.4, which is not a supported upgrade from it " +
                    "(one step at a time: 5.7 to 8.0, 8.0 to 8.4; never a downgrade): refusing to start the server on it. " +
                    "Set `image` to a mysql 5.7 server, or to mysql 8.0 (the supported step from 5.7).",
            ],
            [
                "a downgrade (MariaDB 11.4 to 10.11)",
                identity({ family: "mariadb", series: "11.4" }),
                SERVER_VERSIONS.mariadb1011,
                "this volume's data was written by mariadb 11.4; this pod's server is mariadb 10.11, which is not a supported upgrade from it " +
                    "(one step at a time: 10.6 to 10.11, 10.11 to 11.4, 11.4 to 11.8; never a downgrade): refusing to start the server on it. " +
                    "Set `image` to a mariadb 11.4 server, or to mariadb 11.8 (the supported step from 11.4).",
            ],
            [
                "an identity file without its fields",
                "cluster=default/mysql\n",
                SERVER_VERSIONS.mysql57,
                `the identity file VOLUME/identity lacks cluster, uid, ordinal, family or series: refusing to start the server on this volume. ` +
                    `Restore the file, or remove it if this volume's data is surely cluster default/mysql uid ${UID} ordinal 1's.`,
            ],
        ];
        for (const [what, recorded, version, message] of refusals) {
            it(`refuses ${what} in one line, before writing anything, leaving the data and its identity as they were`, () => {
                const s = sandbox();
                s.write("volume/identity", recorded);
                s.write("volume/mysql/ibdata1", "pages");
                const run = runInit(s, version);
                assert.strictEqual(run.status, 1);
                const lines = run.stderr.trimEnd().split("\n");
                assert.strictEqual(lines.length, 1, run.stderr);
                assert.ok(lines[0].endsWith(` ERROR: ${message.replaceAll("VOLUME", s.path("volume"))}`), `${lines[0]}\n${message}`);
                assert.strictEqual(s.read("volume/identity"), recorded);
                assert.strictEqual(s.read("volume/mysql/ibdata1"), "pages");
                for (const dir of ["conf.d", "credentials", "initdb"]) {
                    assert.deepStrictEqual(fs.readdirSync(s.path(dir)), [], `${dir}: nothing the server would start with`);
                }
            });
        }

        it("refuses to go on when the server's version cannot be read", () => {
            const s = sandbox();
            const run = runInit(s, "mysqld: error while loading shared libraries");
            assert.strictEqual(run.status, 1);
            assert.match(
                run.stderr,
                /ERROR: cannot read the server's version from `mysqld --version`: 'mysqld: error while loading shared libraries'\n$/,
            );
            assert.ok(!s.exists("volume/identity"));
        });
    });
});

describe("init-mysql.sh: mysql-0 never starts an empty primary over replicas that hold the data (issue #22)", () => {
    const PEERS = "mysql-peers.default.svc.cluster.local";
    /** Ports to close after the case. */
    let servers: net.Server[] = [];
    afterEach(() => {
        servers.forEach((server) => server.close());
        servers = [];
    });

    /** A TCP port on 127.0.0.1 that takes connections (a peer whose server runs), or, closed, refuses them. */
    async function port(open: boolean): Promise<number> {
        const server = net.createServer((socket) => socket.destroy());
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as net.AddressInfo;
        if (open) {
            servers.push(server);
        } else {
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
        return port;
    }

    /**
     * A sandbox whose cluster DNS answers the peer Service with these addresses as glibc's `getent ahosts` prints
     * them (each address once per socket type), or, with none, as for a name with no address (exit 2).
     */
    function withPeers(addresses: string[]): Sandbox {
        const s = sandbox();
        const lines = addresses.flatMap((a) => [`${a}       STREAM ${PEERS}`, `${a}       DGRAM  `, `${a}       RAW    `]);
        s.quietStub(
            "getent",
            `[[ $1 == ahosts && $2 == "${PEERS}" ]] || exit 2\n${lines.length === 0 ? "exit 2" : `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(" ")}`}`,
        );
        return s;
    }

    it("refuses when another pod's server answers: exits 1, reports phase=refused with the peer and the fixes, and writes nothing to the volume", async () => {
        const s = withPeers(["127.0.0.1"]);
        const run = s.run("init-mysql.sh", { ...initEnv(s, "mysql-0"), MYSQL_PORT: String(await port(true)) });
        assert.strictEqual(run.status, 1, run.stderr);
        const record = reported(s);
        const message = record.error ?? "";
        assert.deepStrictEqual(
            { ...record, error: undefined },
            { script: "init-mysql.sh", phase: "refused", peers: "127.0.0.1", error: undefined },
        );
        assert.match(
            message,
            /^mysql-0's data directory is empty, but the server of 1 other pod\(s\) of this StatefulSet answers on port \d+ \(127\.0\.0\.1, from mysql-peers\.default\.svc\.cluster\.local\): they hold the data\. The data directory was NOT initialised/,
        );
        assert.match(
            message,
            /give mysql-0 its data back .* `kubectl delete pod mysql-0`; or restore the newest backup into a new stack \(restoreFrom, docs\/backups\.md\)/,
        );
        assert.ok(run.stderr.includes(`REFUSED: ${message}`), run.stderr);
        // Refused before the identity check: no identity file, no data directory, no accounts' SQL, no configuration.
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), []);
        assert.deepStrictEqual(fs.readdirSync(s.path("conf.d")), []);
        assert.deepStrictEqual(fs.readdirSync(s.path("credentials")), []);
    });

    it("refuses in the mariadb flavor too, before it makes a data directory (INSTALL_DB)", async () => {
        const s = withPeers(["127.0.0.1"]);
        s.stub("mariadb-install-db", 'mkdir -p "${3#--datadir=}/mysql"');
        const env = { ...initEnv(s, "mysql-0"), MYSQL_PORT: String(await port(true)), INSTALL_DB: "mariadb-install-db --skip-test-db" };
        const run = s.run("init-mysql.sh", env);
        assert.strictEqual(run.status, 1, run.stderr);
        assert.strictEqual(reported(s).phase, "refused");
        assert.deepStrictEqual(s.calls(), []);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), []);
    });

    it("names every peer that answers once, and not those that refuse the connection", async () => {
        const s = withPeers(["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
        const open = await port(true);
        // The listener is bound to 127.0.0.1: 127.0.0.2 and .3, loopback addresses too, refuse the connection.
        const run = s.run("init-mysql.sh", { ...initEnv(s, "mysql-0"), MYSQL_PORT: String(open) });
        assert.strictEqual(run.status, 1, run.stderr);
        assert.strictEqual(reported(s).peers, "127.0.0.1");
        assert.match(reported(s).error ?? "", /the server of 1 other pod\(s\)/);
        assert.strictEqual(s.argv().filter((line) => line.startsWith("getent ")).length, 1);
        assert.strictEqual(s.argv().filter((line) => line.startsWith("timeout ")).length, 3, "each address tried once");
    });

    /**
     * `timeout` as the host's, except that a connection to `silent` ends as when the peer neither takes nor
     * refuses it in time (its node unreachable, its packets dropped): timeout's exit status 124.
     */
    function silentPeer(s: Sandbox, silent: string): void {
        const host = spawnSync("bash", ["-c", "command -v timeout"], { encoding: "utf8" }).stdout.trim();
        // timeout SECONDS bash -c SCRIPT _ ADDRESS PORT: the address is the sixth argument.
        s.quietStub("timeout", `[[ $6 != "${silent}" ]] || exit 124\nexec ${host} "$@"`);
    }

    it("refuses when a peer neither takes nor refuses the connection in time: its server may hold the data, and the next start asks again", async () => {
        const s = withPeers(["127.0.0.1", "127.0.0.2"]);
        silentPeer(s, "127.0.0.2");
        const run = s.run("init-mysql.sh", { ...initEnv(s, "mysql-0"), MYSQL_PORT: String(await port(false)) });
        assert.strictEqual(run.status, 1, run.stderr);
        const record = reported(s);
        assert.deepStrictEqual([record.phase, record.peers], ["refused", "127.0.0.2"]);
        assert.match(
            record.error ?? "",
            /^mysql-0's data directory is empty, and port \d+ of 1 other pod\(s\) of this StatefulSet \(127\.0\.0\.2, from mysql-peers\.default\.svc\.cluster\.local\) neither took nor refused a connection within 2 s .*: their servers may hold the data\. The data directory was NOT initialised; this container asks again on its next start\. Fix: bring their node back, or, if it is lost, delete those pods \(docs\/node-loss\.md\)/,
        );
        assert.ok(run.stderr.includes(`REFUSED: ${record.error}`), run.stderr);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), []);
        assert.strictEqual(s.argv().filter((line) => line.startsWith("timeout ")).length, 2, "each address tried once");
    });

    it("names the peers that answer when others are silent: their servers hold the data", async () => {
        const s = withPeers(["127.0.0.1", "127.0.0.2"]);
        silentPeer(s, "127.0.0.2");
        const run = s.run("init-mysql.sh", { ...initEnv(s, "mysql-0"), MYSQL_PORT: String(await port(true)) });
        assert.strictEqual(run.status, 1, run.stderr);
        assert.strictEqual(reported(s).peers, "127.0.0.1");
        assert.match(reported(s).error ?? "", /but the server of 1 other pod\(s\) of this StatefulSet answers on port \d+ \(127\.0\.0\.1,/);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), []);
    });

    it("starts as today when the peers' addresses refuse the connection (a new cluster: no other server runs yet)", async () => {
        const s = withPeers(["127.0.0.1"]);
        const run = s.run("init-mysql.sh", { ...initEnv(s, "mysql-0"), MYSQL_PORT: String(await port(false)) });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(reported(s).phase, "configured");
        assert.match(
            run.stderr,
            /empty data directory: no other pod's server answers \(1 address\(es\) behind mysql-peers\.default\.svc\.cluster\.local\): a new cluster/,
        );
        assert.ok(s.exists("volume/identity"), "the new volume is recorded");
    });

    it("starts as today when the peer Service has no address (one pod, or the first of `bootstrap: ordered`)", () => {
        const s = withPeers([]);
        const run = s.run("init-mysql.sh", initEnv(s, "mysql-0"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(reported(s).phase, "configured");
        assert.match(run.stderr, /no other pod's server answers \(0 address\(es\)/);
        assert.ok(!s.argv().some((line) => line.startsWith("timeout ")));
    });

    it("asks nothing on mysql-0 with data, on a replica, or with restoreFrom (the restore fills the empty directory)", async () => {
        const open = String(await port(true));
        const withData = withPeers(["127.0.0.1"]);
        withData.write("volume/mysql/mysql/user.frm", "x");
        const replica = withPeers(["127.0.0.1"]);
        const restoring = withPeers(["127.0.0.1"]);
        const runs = [
            withData.run("init-mysql.sh", { ...initEnv(withData, "mysql-0"), MYSQL_PORT: open }),
            replica.run("init-mysql.sh", { ...initEnv(replica, "mysql-1"), MYSQL_PORT: open }),
            restoring.run("init-mysql.sh", { ...initEnv(restoring, "mysql-0"), MYSQL_PORT: open, RESTORE_FROM: "20261207T030000Z" }),
        ];
        runs.forEach((run) => assert.strictEqual(run.status, 0, run.stderr));
        for (const s of [withData, replica, restoring]) {
            assert.strictEqual(reported(s).phase, "configured");
            assert.ok(!s.argv().some((line) => line.startsWith("getent ")), "no lookup");
        }
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
            ...declaredEnv("clone-mysql.sh", {
                STATUS_FILE: s.path("termination-log"),
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
                BOOTSTRAP: "ordered",
                DONOR_WAIT: "60",
                ...TLS_ENV,
            }),
            ...extra,
        };
    }

    it("does nothing on the primary", () => {
        const s = sandbox({ ncat: "exit 1" });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-0"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(s.calls(), []);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")), []);
        assert.deepStrictEqual(reported(s), { script: "clone-mysql.sh", phase: "primary-empty" });
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
        assert.deepStrictEqual(reported(s), {
            script: "clone-mysql.sh",
            donor: "mysql-1.mysql.ns.svc.cluster.local:3307",
            reason: "bootstrap: ordered, the pod before this one",
            phase: "cloned",
            position: "",
        });
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

    it("leaves the identity file beside the data directory alone, in a first clone and in a self-repair's new clone", () => {
        const IDENTITY = "cluster=default/mysql\nuid=u\nordinal=1\nfamily=mysql\nseries=5.7\n";
        for (const repair of [false, true]) {
            const s = sandbox({ ncat: "echo stream", xbstream: STREAM, xtrabackup: PREPARE });
            s.write("volume/identity", IDENTITY);
            if (repair) {
                s.write("volume/mysql/mysql/user.frm", "old");
                s.write("volume/clone-pending", "replication error 1236");
            }
            const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-1"));
            assert.strictEqual(run.status, 0, run.stderr);
            assert.strictEqual(s.read("volume/mysql/prepared"), "prepared\n");
            assert.strictEqual(s.read("volume/identity"), IDENTITY, repair ? "self-repair" : "first clone");
            assert.ok(!s.exists("volume/mysql/identity"), "nor copied into the data");
        }
    });

    it("fails when the donor is unreachable, even though the unpacker saw a clean end of input (pipefail)", () => {
        const s = sandbox({ ncat: "echo 'Ncat: Connection refused.' >&2; exit 1", xbstream: "cat >/dev/null", xtrabackup: PREPARE });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-1"));
        assert.notStrictEqual(run.status, 0);
        assert.ok(!s.exists("volume/mysql"), "no data directory appears");
        assert.ok(!s.calls().some((c) => c.startsWith("xtrabackup")), "nothing is prepared");
        assert.deepStrictEqual(reported(s), {
            script: "clone-mysql.sh",
            donor: "mysql-0.mysql.ns.svc.cluster.local:3307",
            reason: "bootstrap: ordered, the pod before this one",
            phase: "failed",
            error: "the backup stream from mysql-0.mysql.ns.svc.cluster.local ended before the backup was complete; the next attempt starts over",
        });
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
        // No `die`: the command that failed, as bash read it.
        assert.strictEqual(reported(s).phase, "failed");
        assert.strictEqual(reported(s).error, 'exit status 3 at: "$BACKUP_TOOL" --prepare --target-dir="$staging"');
    });

    /** The donor of each receiver with `bootstrap: parallel`, as the logs name it. */
    function clonedFrom(stderr: string): string[] {
        return [...stderr.matchAll(/cloning from (mysql-\d+)\.mysql\.ns\.svc\.cluster\.local:3307/g)].map((m) => m[1]);
    }

    it("with bootstrap parallel, pod k clones from pod (k-1)/2 rounded down, so no donor has more than two receivers", () => {
        const donors: Record<string, string> = {};
        for (const k of [1, 2, 3, 4, 5, 6, 9, 10]) {
            const s = sandbox({ socat: "echo stream", mbstream: STREAM, "mariadb-backup": PREPARE });
            const run = s.run("clone-mysql.sh", cloneEnv(s, `mysql-${k}`, FLAVORS.mariadb, { BOOTSTRAP: "parallel" }));
            assert.strictEqual(run.status, 0, run.stderr);
            donors[`mysql-${k}`] = clonedFrom(run.stderr).join(",");
        }
        assert.deepStrictEqual(donors, {
            "mysql-1": "mysql-0",
            "mysql-2": "mysql-0",
            "mysql-3": "mysql-1",
            "mysql-4": "mysql-1",
            "mysql-5": "mysql-2",
            "mysql-6": "mysql-2",
            "mysql-9": "mysql-4",
            "mysql-10": "mysql-4",
        });
    });

    /** mysql-2, mysql-5's donor, turns Ready after `waits` sleeps (never, without); each wait keeps the status record in `while-waiting`. */
    function donorReadyAfter(s: Sandbox, waits?: number): void {
        s.write("not-ready", "mysql-2.mysql.ns.svc.cluster.local\n");
        if (waits !== undefined) {
            s.stub(
                "sleep",
                `cat "${s.path("termination-log")}" >"${s.path("while-waiting")}"; n=$(cat "${s.path("waits")}" 2>/dev/null || echo 0); echo $((n + 1)) >"${s.path("waits")}"; ((n < ${waits - 1})) || rm -f "${s.path("not-ready")}"`,
            );
        }
    }

    it("waits until its donor is Ready (its name resolves) before connecting to it, and says so in its status record", () => {
        const s = sandbox({ socat: "echo stream", mbstream: STREAM, "mariadb-backup": PREPARE });
        donorReadyAfter(s, 3);
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-5", FLAVORS.mariadb, { BOOTSTRAP: "parallel" }));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stderr, /waiting for mysql-2\.mysql\.ns\.svc\.cluster\.local to be Ready\n.*cloning from mysql-2\./);
        const waiting = parseStatus(s.read("while-waiting"));
        assert.deepStrictEqual([waiting?.phase, waiting?.donor], ["waiting-for-donor", "mysql-2.mysql.ns.svc.cluster.local:3307"]);
        assert.strictEqual(reported(s).phase, "cloned");
        const calls = s.calls();
        assert.deepStrictEqual(calls.slice(0, 3), ["sleep 0.1", "sleep 0.1", "sleep 0.1"], "no connection before the donor is Ready");
        assert.ok(
            calls.slice(3, 5).some((c) => c.startsWith("socat")),
            calls.join("\n"),
        );
    });

    // DONOR_WAIT is 60 s in the pods (DONOR_WAIT_SECONDS, statefulSet.test.ts); 1 s here: the same logic in
    // 10 looks of 0.1 s instead of 600.
    it("clones from the next lower Ready ordinal when its donor is not Ready within DONOR_WAIT seconds, and only then", () => {
        const s = sandbox({ socat: "echo stream", mbstream: STREAM, "mariadb-backup": PREPARE });
        // mysql-2 (mysql-5's donor) never turns Ready; mysql-1 and mysql-0 are.
        donorReadyAfter(s);
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-5", FLAVORS.mariadb, { BOOTSTRAP: "parallel", DONOR_WAIT: "1" }));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(clonedFrom(run.stderr), ["mysql-1"]);
        assert.match(
            run.stderr,
            /mysql-2\.mysql\.ns\.svc\.cluster\.local is not Ready after 1 s: cloning from mysql-1\.mysql\.ns\.svc\.cluster\.local instead/,
        );
        const calls = s.calls();
        assert.deepStrictEqual(calls.slice(0, 10), Array(10).fill("sleep 0.1"), "10 waits of 0.1 s first");
        assert.ok(
            calls.slice(10, 12).some((c) => c.startsWith("socat")),
            `the clone right after the 10th wait:\n${calls.join("\n")}`,
        );
        assert.deepStrictEqual(
            calls.filter((c) => c.startsWith("socat")).map((c) => /mysql-\d/.exec(c)?.[0]),
            ["mysql-1"],
            "no connection to the donor that is not Ready",
        );
        assert.deepStrictEqual(reported(s), {
            script: "clone-mysql.sh",
            donor: "mysql-1.mysql.ns.svc.cluster.local:3307",
            reason: "mysql-2.mysql.ns.svc.cluster.local is not Ready after 1 s",
            phase: "cloned",
            position: "",
        });

        // A donor that turns Ready at the last look is still the one cloned from.
        const last = sandbox({ socat: "echo stream", mbstream: STREAM, "mariadb-backup": PREPARE });
        donorReadyAfter(last, 10);
        const waited = last.run("clone-mysql.sh", cloneEnv(last, "mysql-5", FLAVORS.mariadb, { BOOTSTRAP: "parallel", DONOR_WAIT: "1" }));
        assert.strictEqual(waited.status, 0, waited.stderr);
        assert.deepStrictEqual(clonedFrom(waited.stderr), ["mysql-2"]);
        assert.deepStrictEqual(last.calls().slice(0, 10), Array(10).fill("sleep 0.1"));
        assert.notStrictEqual(last.calls()[10], "sleep 0.1");
        assert.doesNotMatch(waited.stderr, /is not Ready after/);
    });

    it("clones from the next lower Ready ordinal when its donor stops being Ready mid-clone, never from one that is not Ready", () => {
        // mysql-2's stream breaks off and mysql-2 leaves the endpoints; mysql-1 is not Ready either.
        const socat = [
            "if [[ $* == *mysql-2.mysql* ]]; then",
            `  printf '%s\\n' mysql-2.mysql.ns.svc.cluster.local mysql-1.mysql.ns.svc.cluster.local >"${"$"}{STUB_DIR}/not-ready"; echo partial; exit 1`,
            "fi",
            "echo stream",
        ].join("\n");
        const s = sandbox({ socat, mbstream: STREAM, "mariadb-backup": PREPARE });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-5", FLAVORS.mariadb, { BOOTSTRAP: "parallel", STUB_DIR: s.dir }));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(clonedFrom(run.stderr), ["mysql-2", "mysql-0"]);
        assert.match(
            run.stderr,
            /mysql-2\.mysql\.ns\.svc\.cluster\.local is no longer Ready: cloning from mysql-0\.mysql\.ns\.svc\.cluster\.local instead/,
        );
        assert.match(
            run.stderr,
            /clone from mysql-0\.mysql\.ns\.svc\.cluster\.local complete: stream [0-9.]+ s, prepare [0-9.]+ s, move [0-9.]+ s\n$/,
        );
        assert.strictEqual(s.read("volume/mysql/prepared"), "prepared\n");
    });

    it("refuses a bootstrap mode it does not know", () => {
        const s = sandbox({ socat: "echo stream" });
        const run = s.run("clone-mysql.sh", cloneEnv(s, "mysql-1", FLAVORS.mariadb, { BOOTSTRAP: "sideways" }));
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /ERROR: unknown BOOTSTRAP 'sideways'\n$/);
        assert.deepStrictEqual(s.calls(), []);
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

// The sidecar's environment as the builder gives it, and a client stand-in.
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
        TMPDIR: s.dir,
        ...declaredEnv("sidecar.sh", {
            STATUS_FILE: s.path("termination-log"),
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
            FIRST_START_SQL: s.path("credentials", "first-start.sql"),
            FIRST_START_MARKER: s.path("volume", "first-start-pending"),
            REPLICA_STATUS: flavor.replicaStatus.statement,
            REPLICA_IO_ERRNO: flavor.replicaStatus.ioErrno,
            REPLICA_IO_ERROR: flavor.replicaStatus.ioError,
            IDENTITY_FILE: s.path("volume", "identity"),
            UPGRADE_TOOL: flavor.upgrade?.tool ?? "",
            UPGRADE_OPTIONS: flavor.upgrade?.options.join(" ") ?? "",
            ...TLS_ENV,
        }),
    };
}

describe("sidecar.sh", () => {
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
        // Each wait keeps the status record as it is then.
        s.stub("sleep", `cat "${s.path("termination-log")}" >>"${s.path("records")}"; echo --- >>"${s.path("records")}"`);
        const run = runSidecar(s, { ...sidecarEnv(s, "mysql-1"), STUB_FAILURES: "2" });
        assert.strictEqual(s.read("attempts"), "3\n");
        assert.strictEqual(s.read("sql.3"), s.read("sql.1"), "the same statements each time");
        assert.strictEqual((run.stderr.match(/configuring replication failed; retrying in 5 s/g) ?? []).length, 2);
        assert.match(run.stderr, /ERROR 2003: cannot connect\n.* configuring replication failed/, "the client's error stays in the log");
        assert.ok(s.exists("data/replication-coordinates.applied"));
        const records = s
            .read("records")
            .split("---\n")
            .map((text) => parseStatus(text))
            .map((r) => r && [r.phase, r.attempts, r.error, r.position].join("|"));
        assert.deepStrictEqual(records.slice(0, 2), [
            "configuring-replication|1|ERROR 2003: cannot connect|mysql-bin.000003:154",
            "configuring-replication|2|ERROR 2003: cannot connect|mysql-bin.000003:154",
        ]);
        assert.ok(records.includes("serving|||"), records.join("\n"));
        // Its last word: the listener died, which restarts the container.
        assert.deepStrictEqual(reported(s), { script: "sidecar.sh", phase: "failed", error: "the clone listener exited" });
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
        assert.ok(s.argv().length > s.calls().length, "the base tools' argv is logged too");
        assert.ok(
            s.argv().every((c) => !c.includes("pass")),
            s.argv().join("\n"),
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
                        `--backup --slave-info --stream=xbstream --log-copy-interval=10 --host=127.0.0.1 --port=3306 --datadir=${s.path("data")} --target-dir=/tmp`,
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
                        "--defaults-extra-file=/etc/mysql-credentials/backup.cnf --backup --slave-info --stream=xbstream --log-copy-interval=10 --host=127.0.0.1 " +
                        `--port=3306 --datadir=${s.path("data")} --target-dir=/tmp`,
                ],
            );
        });
    }

    it("on mysql-0, once root logs in after a first start on a data directory init-mysql made, removes that start's SQL and marker", () => {
        const s = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        s.write("credentials/first-start.sql", "SET PASSWORD ...");
        s.write("volume/first-start-pending", "created");
        const run = runSidecar(s, sidecarEnv(s, "mysql-0"));
        assert.ok(!s.exists("credentials/first-start.sql") && !s.exists("volume/first-start-pending"));
        assert.match(run.stderr, /the server has taken the cluster's accounts on its first start/);
        assert.ok(
            s.calls().some((c) => c.endsWith("--execute=SELECT 1")),
            "after the server answered",
        );
        // A replica never has them.
        const replica = sandbox({ mysql: CLIENT, ncat: "exit 0" });
        replica.write("data/replication-coordinates.applied", "f\n1\n\n");
        replica.write("volume/first-start-pending", "created");
        runSidecar(replica, sidecarEnv(replica, "mysql-1"));
        assert.ok(replica.exists("volume/first-start-pending"));
    });

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

describe("series upgrades: the system tables' upgrade after a supported step (issue #26)", () => {
    /** The identity file of mysql-1 of default/mysql, as init-mysql writes it, with an `upgrade=` line if given. */
    const identity = (family: string, series: string, upgrade?: string) =>
        "# mysql-statefulset: whose data the directory mysql beside this file holds; checked by init-mysql at every start.\n" +
        `cluster=default/mysql\nuid=1f0c6a9e-aaaa-4bbb-8ccc-000000000001\nordinal=1\nfamily=${family}\nseries=${series}\n` +
        (upgrade === undefined ? "" : `upgrade=${upgrade}\n`);
    /** The flavor's upgrade tool: fails while the file upgrade-fails exists, with a client's error. */
    const UPGRADE_TOOL = [
        'if [[ -e "$STUB_DIR/upgrade-fails" ]]; then echo "Got error: 2013: Lost connection to server during query" >&2; exit 1; fi',
        "echo 'Phase 1/8: Checking and upgrading mysql database'",
    ].join("\n");
    const upgradeCall =
        "mariadb-upgrade --defaults-extra-file=/etc/mysql-credentials/root.cnf --host=127.0.0.1 --port=3306 --upgrade-system-tables";

    /**
     * One start of mysql-1: init-mysql with a stand-in server of that version, then the sidecar (to its end:
     * its stand-in listener returns at once). The flavor gives both their environment, as the builder does.
     */
    function start(s: Sandbox, version: string, flavor = FLAVORS.mariadb): { init: Run; sidecar: Run } {
        const init = s.run("init-mysql.sh", { ...initEnv(s, "mysql-1"), STUB_VERSION: version, UPGRADE_TOOL: flavor.upgrade?.tool ?? "" });
        assert.strictEqual(init.status, 0, init.stderr);
        const sidecar = s.run("sidecar.sh", sidecarEnv(s, "mysql-1", flavor));
        assert.strictEqual(sidecar.status, 1, sidecar.stderr);
        assert.match(sidecar.stderr, /ERROR: the clone listener exited\n$/);
        return { init, sidecar };
    }
    const upgrades = (s: Sandbox) => s.calls().filter((c) => c.startsWith("mariadb-upgrade"));
    const mariadbSandbox = () => sandbox({ mariadb: CLIENT, socat: "exit 0", "mariadb-upgrade": UPGRADE_TOOL });

    it("after mariadb 10.11 → 11.4, runs mariadb-upgrade once the server answers and before serving clones, records it done, and never again", () => {
        const s = mariadbSandbox();
        s.write("volume/identity", identity("mariadb", "10.11"));
        s.write("volume/mysql/ibdata1", "pages");
        const first = start(s, versionOf("mariadb", "11.4"));
        assert.match(first.init.stderr, /recording 11\.4, and its system tables' upgrade from 10\.11 as pending/);
        assert.deepStrictEqual(upgrades(s), [upgradeCall]);
        const calls = s.calls();
        const upgradedAt = calls.indexOf(upgradeCall);
        assert.ok(
            calls.slice(0, upgradedAt).some((c) => c.endsWith("--execute=SELECT 1")),
            "after the server answered",
        );
        assert.ok(upgradedAt < calls.findIndex((c) => c.startsWith("socat")), "before the clone port opens");
        assert.match(first.sidecar.stderr, /mariadb-upgrade: Phase 1\/8: Checking and upgrading mysql database\n/);
        assert.match(first.sidecar.stderr, /the system tables are upgraded \(10\.11>11\.4\): recorded as done in /);
        assert.strictEqual(s.read("volume/identity"), identity("mariadb", "11.4", "10.11>11.4 done"));
        assert.ok(
            s.argv().every((c) => !c.includes("pw-root")),
            "root's password only in its option file",
        );

        const second = start(s, versionOf("mariadb", "11.4"));
        assert.deepStrictEqual(upgrades(s), [upgradeCall], "the second start runs it no more");
        assert.doesNotMatch(second.init.stderr + second.sidecar.stderr, /pending|upgrading the system tables/);
        assert.strictEqual(s.read("volume/identity"), identity("mariadb", "11.4", "10.11>11.4 done"));
    });

    it("a failed upgrade is logged with the tool's words, stays pending, and runs again at the next start; only a success records it done", () => {
        const s = mariadbSandbox();
        s.write("volume/identity", identity("mariadb", "10.11"));
        s.write("upgrade-fails", "");
        const failed = start(s, versionOf("mariadb", "11.4"));
        assert.deepStrictEqual(upgrades(s), [upgradeCall]);
        assert.match(failed.sidecar.stderr, /mariadb-upgrade: Got error: 2013: Lost connection to server during query\n/);
        assert.match(
            failed.sidecar.stderr,
            /ERROR: mariadb-upgrade failed \(status 1\): the system tables stay at the old series, and the upgrade 10\.11>11\.4 stays pending in \S+; it runs again at the sidecar's next start/,
        );
        assert.strictEqual(s.read("volume/identity"), identity("mariadb", "11.4", "10.11>11.4 pending"));
        assert.ok(
            s.calls().some((c) => c.startsWith("socat")),
            "the pod still serves: the server runs on the old tables meanwhile",
        );

        // Fails again at the next start: still pending, and said so by init-mysql too.
        const again = start(s, versionOf("mariadb", "11.4"));
        assert.match(
            again.init.stderr,
            /the system tables' upgrade 10\.11>11\.4 is still pending \(not yet run, or it failed\): the sidecar runs mariadb-upgrade/,
        );
        assert.strictEqual(upgrades(s).length, 2);
        assert.strictEqual(s.read("volume/identity"), identity("mariadb", "11.4", "10.11>11.4 pending"));

        fs.rmSync(s.path("upgrade-fails"));
        start(s, versionOf("mariadb", "11.4"));
        assert.strictEqual(upgrades(s).length, 3);
        assert.strictEqual(s.read("volume/identity"), identity("mariadb", "11.4", "10.11>11.4 done"));
        start(s, versionOf("mariadb", "11.4"));
        assert.strictEqual(upgrades(s).length, 3, "and then no more");
    });

    it("never runs it on a start without a series change, a patch release, or a fresh volume", () => {
        for (const [what, recorded, version] of [
            ["the same series", identity("mariadb", "11.4"), versionOf("mariadb", "11.4")],
            ["a patch release", identity("mariadb", "11.4"), SERVER_VERSIONS.mariadb114],
            ["a fresh volume", undefined, versionOf("mariadb", "11.4")],
        ] as const) {
            const s = mariadbSandbox();
            if (recorded !== undefined) {
                s.write("volume/identity", recorded);
            }
            const run = start(s, version);
            assert.deepStrictEqual(upgrades(s), [], what);
            assert.doesNotMatch(run.sidecar.stderr, /upgrading the system tables/, what);
            assert.strictEqual(s.read("volume/identity"), identity("mariadb", "11.4"), what);
        }
    });

    it("a second step while the first is still pending keeps the first's start (10.6 → 10.11 → 11.4)", () => {
        const s = mariadbSandbox();
        s.write("volume/identity", identity("mariadb", "10.6"));
        s.write("upgrade-fails", "");
        start(s, versionOf("mariadb", "10.11"));
        assert.strictEqual(s.read("volume/identity"), identity("mariadb", "10.11", "10.6>10.11 pending"));
        fs.rmSync(s.path("upgrade-fails"));
        start(s, versionOf("mariadb", "11.4"));
        assert.strictEqual(s.read("volume/identity"), identity("mariadb", "11.4", "10.6>11.4 done"));
        assert.strictEqual(upgrades(s).length, 2);
    });

    it("MySQL (8.0 → 8.4): records the step without an upgrade, as the server upgrades its own system tables at startup", () => {
        const s = sandbox({ mysql: CLIENT, socat: "exit 0" });
        s.write("volume/identity", identity("mysql", "8.0"));
        const run = start(s, versionOf("mysql", "8.4"), FLAVORS.mysql84);
        assert.match(run.init.stderr, /recording 8\.4; the server upgrades its system tables itself as it starts\n/);
        assert.strictEqual(s.read("volume/identity"), identity("mysql", "8.4"));
        assert.doesNotMatch(run.sidecar.stderr, /upgrading the system tables/);
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
            ...declaredEnv("mysql-ready.sh", {
                MYSQL_CLIENT: "mariadb",
                MYSQL_PORT: "3306",
                CLIENT_CONFIG: "/etc/mysql-credentials/root.cnf",
                MAX_REPLICATION_LAG: "30",
                REPLICA_STATUS: "SHOW SLAVE STATUS",
                REPLICA_IO_RUNNING: "Slave_IO_Running",
                REPLICA_SQL_RUNNING: "Slave_SQL_Running",
                REPLICA_LAG: "Seconds_Behind_Master",
                REPLICA_IO_ERROR: "Last_IO_Error",
                REPLICA_IO_STATE: "Slave_IO_State",
                ROTATION_MARKER: s.path("replication-rotating"),
            }),
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
        // Just started: the I/O thread runs, the lag reads 0, but the primary has not taken (or has refused) the binlog request.
        [
            "its I/O thread still requesting the binlog",
            status("Yes", "Yes", "0").replace("Waiting for master to send event", "Requesting binlog dump"),
            "the replication I/O thread is not connected to the primary yet: Requesting binlog dump",
        ],
        [
            "its I/O thread still registering",
            status("Yes", "Yes", "0").replace("Waiting for master to send event", "Registering slave on master"),
            "the replication I/O thread is not connected to the primary yet: Registering slave on master",
        ],
        [
            "its I/O thread queueing an event",
            status("Yes", "Yes", "0").replace("Waiting for master to send event", "Queueing master event to the relay log"),
            undefined,
        ],
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

    // During a password rotation (rotate-credentials.sh).
    it("logs in with root's next option file when the server already takes only the new password", () => {
        // The stand-in refuses root.cnf (ERROR 1045) and answers with root.cnf.next.
        const s = sandbox({
            mariadb: ['if [[ $* != *"root.cnf.next"* ]]; then echo "ERROR 1045 (28000): Access denied" >&2; exit 1; fi', "echo 0"].join(
                "\n",
            ),
        });
        const run = s.run("mysql-ready.sh", readyEnv(s, "mysql-0"));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(
            s.calls().map((c) => c.split(" ")[1]),
            ["--defaults-extra-file=/etc/mysql-credentials/root.cnf", "--defaults-extra-file=/etc/mysql-credentials/root.cnf.next"],
        );
    });

    it("takes a replica whose replication the sidecar stopped to change its password as replicating, for 30 s at most", () => {
        const s = sandbox({ mariadb: 'echo "             Slave_IO_Running: No"; echo "            Slave_SQL_Running: No"' });
        const now = Math.floor(Date.now() / 1000);
        s.write("replication-rotating", String(now - 2));
        assert.strictEqual(s.run("mysql-ready.sh", readyEnv(s, "mysql-1")).status, 0);
        s.write("replication-rotating", String(now - 31));
        const stale = s.run("mysql-ready.sh", readyEnv(s, "mysql-1"));
        assert.strictEqual(stale.status, 1);
        assert.match(stale.stderr, /ERROR: Slave_IO_Running is 'No'/);
    });
});

describe("rotate-credentials.sh", () => {
    /**
     * A client stand-in: statements on stdin go to sql.N; a login with a `.next` or check option file
     * succeeds only when $STUB_DIR/new-works exists (the ALTER USER has arrived, the primary takes it).
     */
    const CLIENT = [
        'if [[ $* == *".next"* || $* == *"replication-check.cnf"* ]]; then [[ -f "$STUB_DIR/new-works" ]]; exit; fi',
        'n=$(cat "$STUB_DIR/count" 2>/dev/null || echo 0); echo $((n + 1)) >"$STUB_DIR/count"',
        'cat >"$STUB_DIR/sql.$((n + 1))"',
    ].join("\n");

    const PASSWORDS = {
        "root-password": "root-old",
        "replication-password": "repl-old",
        "backup-password": "backup-old",
        "app-password": "app-old",
    };

    function rotationEnv(s: Sandbox, hostname: string, flavor = FLAVORS.mariadb) {
        for (const [key, value] of Object.entries(PASSWORDS)) {
            s.write(`secrets/${key}`, value);
            s.write(`credentials/applied/${key}`, value);
        }
        s.write("credentials/root.cnf", '[client]\nuser=root\npassword="root-old"\n');
        s.write("credentials/backup.cnf", '[client]\nuser=backup\npassword="backup-old"\n');
        s.write("credentials/replication-password", "repl-old");
        return {
            HOSTNAME: hostname,
            STUB_DIR: s.dir,
            ...declaredEnv("rotate-credentials.sh", {
                MYSQL_CLIENT: flavor.client,
                MYSQL_PORT: "3306",
                SECRETS_DIR: s.path("secrets"),
                CREDENTIALS_DIR: s.path("credentials"),
                APPLIED_DIR: "applied",
                CLIENT_CONFIG: s.path("credentials/root.cnf"),
                BACKUP_CLIENT_CONFIG: s.path("credentials/backup.cnf"),
                REPLICATION_PASSWORD_FILE: s.path("credentials/replication-password"),
                ROOT_PASSWORD_KEY: "root-password",
                BACKUP_PASSWORD_KEY: "backup-password",
                REPLICATION_PASSWORD_KEY: "replication-password",
                APP_PASSWORD_KEY: "app-password",
                APP_USER: "shop-app",
                BACKUP_USER: "backup",
                REPLICATION_USER: "replication",
                PRIMARY_HOST: "mysql-0.mysql",
                LOCAL_HOSTS: "localhost 127.0.0.1 ::1",
                REPLICATION_ROTATE_SQL: flavor.changeReplicationPasswordSql,
                ROTATION_MARKER: s.path("credentials/replication-rotating"),
                ROTATION_GRACE: "0",
                TLS_CA: "/c/ca.crt",
            }),
        };
    }
    const statements = (s: Sandbox) =>
        fs
            .readdirSync(s.dir)
            .filter((f) => f.startsWith("sql."))
            .sort()
            .map((f) => s.read(f).trim());

    it("does nothing while the Secret holds the files' passwords, or is being re-created", () => {
        const s = sandbox({ mariadb: CLIENT });
        const env = rotationEnv(s, "mysql-0");
        assert.strictEqual(s.run("rotate-credentials.sh", env).status, 0);
        fs.rmSync(s.path("secrets"), { recursive: true });
        fs.mkdirSync(s.path("secrets"));
        assert.strictEqual(s.run("rotate-credentials.sh", env).status, 0);
        assert.deepStrictEqual(s.calls(), []);
    });

    it("on mysql-0: ALTER USER for every host of each changed account, as root with the old password, then the files", () => {
        const s = sandbox({ mariadb: CLIENT });
        const env = rotationEnv(s, "mysql-0");
        s.write("secrets/root-password", "root 'new' \\");
        s.write("secrets/replication-password", "repl-new");
        s.write("secrets/app-password", "app-new");
        const run = s.run("rotate-credentials.sh", env);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(statements(s), [
            ["localhost", "127.0.0.1", "::1"].map((host) => `ALTER USER 'root'@'${host}' IDENTIFIED BY 'root \\'new\\' \\\\';`).join(""),
            "ALTER USER 'replication'@'%' IDENTIFIED BY 'repl-new';",
            "ALTER USER 'shop-app'@'%' IDENTIFIED BY 'app-new';",
        ]);
        // Each ALTER USER logged in with the files' root password: the first, before root's switch, with root.cnf.
        assert.ok(s.calls()[0].includes(`--defaults-extra-file=${env.CLIENT_CONFIG} `), s.calls()[0]);
        assert.strictEqual(s.read("credentials/root.cnf"), "[client]\nuser=root\npassword=\"root 'new' \\\\\"\n");
        assert.strictEqual(s.read("credentials/applied/root-password"), "root 'new' \\");
        assert.strictEqual(s.read("credentials/replication-password"), "repl-new");
        assert.strictEqual(s.read("credentials/backup.cnf"), '[client]\nuser=backup\npassword="backup-old"\n');
        // The next file stays for one more watch, for a probe that read the old file just before the switch.
        assert.strictEqual(s.read("credentials/root.cnf.next"), s.read("credentials/root.cnf"));
        // No password on any command line.
        assert.ok(s.argv().length > s.calls().length, "the base tools' argv is logged too");
        assert.ok(
            s.argv().every((call) => !/new/.test(call)),
            s.argv().join("\n"),
        );
        // Done: the next watch does nothing.
        const before = s.calls().length;
        s.run("rotate-credentials.sh", env);
        assert.strictEqual(s.calls().length, before);
        assert.ok(!s.exists("credentials/root.cnf.next"), "gone one watch after the switch");
    });

    it("on mysql-0: waits ROTATION_GRACE seconds after first seeing the new password, for every replica to have its next file", () => {
        const s = sandbox({ mariadb: CLIENT });
        const env = { ...rotationEnv(s, "mysql-0"), ROTATION_GRACE: "60" };
        s.write("secrets/root-password", "root-new");
        const first = s.run("rotate-credentials.sh", env);
        assert.strictEqual(first.status, 0, first.stderr);
        assert.match(first.stderr, /root-password changed in the Secret: changing it on the servers in 60 s\n/);
        assert.deepStrictEqual(statements(s), []);
        assert.strictEqual(s.read("credentials/root.cnf.next"), '[client]\nuser=root\npassword="root-new"\n');
        // A minute later (the first sighting moved back), the ALTER USER runs.
        s.write("credentials/seen-root-password", String(Math.floor(Date.now() / 1000) - 61));
        assert.strictEqual(s.run("rotate-credentials.sh", env).status, 0);
        assert.strictEqual(statements(s).length, 1);
        assert.ok(!s.exists("credentials/seen-root-password"));
    });

    it("on a replica: switches root's file only once the replicated ALTER USER has arrived", () => {
        const s = sandbox({ mariadb: CLIENT });
        const env = rotationEnv(s, "mysql-2");
        s.write("secrets/root-password", "root-new");
        assert.strictEqual(s.run("rotate-credentials.sh", env).status, 0);
        assert.strictEqual(s.read("credentials/root.cnf"), '[client]\nuser=root\npassword="root-old"\n', "not yet");
        assert.strictEqual(s.read("credentials/root.cnf.next"), '[client]\nuser=root\npassword="root-new"\n', "for the probes");
        s.write("new-works", "");
        assert.strictEqual(s.run("rotate-credentials.sh", env).status, 0);
        assert.strictEqual(s.read("credentials/root.cnf"), '[client]\nuser=root\npassword="root-new"\n');
        assert.deepStrictEqual(statements(s), [], "a replica runs no ALTER USER");
    });

    for (const flavor of [FLAVORS.mariadb, FLAVORS.mysql84]) {
        it(`${flavor.name}: a replica changes its replication password once the primary takes the new one`, () => {
            const s = sandbox({ [flavor.client]: CLIENT });
            const env = rotationEnv(s, "mysql-1", flavor);
            s.write("secrets/replication-password", "repl-new");
            assert.strictEqual(s.run("rotate-credentials.sh", env).status, 0);
            assert.deepStrictEqual(statements(s), [], "the primary does not take it yet");
            assert.strictEqual(s.read("credentials/replication-password"), "repl-old");
            s.write("new-works", "");
            assert.strictEqual(s.run("rotate-credentials.sh", env).status, 0);
            assert.deepStrictEqual(statements(s), [flavor.changeReplicationPasswordSql.replace("{password}", "repl-new")]);
            assert.strictEqual(s.read("credentials/replication-password"), "repl-new");
            assert.ok(!s.exists("credentials/replication-rotating") && !s.exists("credentials/replication-check.cnf"));
        });
    }
});

describe("mysql-run.sh", () => {
    it("starts the server at once, or only once a new clone has removed its marker", () => {
        const s = sandbox();
        s.stub("entrypoint", "echo started");
        const env = declaredEnv("mysql-run.sh", {
            STATUS_FILE: s.path("termination-log"),
            CLONE_MARKER: s.path("clone-pending"),
            FIRST_START_MARKER: s.path("first-start-pending"),
            FIRST_START_SQL: s.path("first.sql"),
        });
        assert.strictEqual(s.run("mysql-run.sh", { ...env, STUB: "" }).status, 0);
        // The marker goes away while the script waits (its sleep stand-in removes it).
        s.write("clone-pending", "replication error 1236");
        s.stub("sleep", `rm -f "${s.path("clone-pending")}"`);
        const run = spawnSync(HOST_BASH, [path.join(SCRIPTS, "mysql-run.sh"), "entrypoint", "mysqld"], {
            encoding: "utf8",
            env: { PATH: s.bin, ...env },
            timeout: HANG_MS,
        });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stdout, "started\n");
        assert.match(run.stderr, /the data directory is being cloned again: waiting before starting the server/);
        assert.deepStrictEqual(s.calls().slice(-2), ["sleep 1", "entrypoint mysqld"]);
        // Emptied before the server starts: a server that fails is described by its log (FallbackToLogsOnError).
        assert.strictEqual(s.read("termination-log"), "");
    });
});

describe("mysql-run.sh, direct start", () => {
    it("gives the data directory's files that are not the server user's to it, then starts the server as that user", () => {
        const s = sandbox();
        s.stub("mariadbd", "exit 0");
        // The host's find (a declared tool), walking the sandbox's data directory; chown only records.
        s.stub("chown", "exit 0");
        s.write("data/ibdata1", "");
        s.write("data/shop/orders.ibd", "");
        const owned = s.path("data/mine.ibd");
        s.write("data/mine.ibd", "");
        const mysql = spawnSync("id", ["-u", "mysql"], { encoding: "utf8" });
        const user = mysql.status === 0 ? "mysql" : "nobody";
        fs.chownSync(owned, Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout), 0);
        const run = spawnSync(HOST_BASH, [path.join(SCRIPTS, "mysql-run.sh"), "mariadbd"], {
            encoding: "utf8",
            env: {
                PATH: s.bin,
                STATUS_FILE: s.path("termination-log"),
                CLONE_MARKER: s.path("clone-pending"),
                FIRST_START_MARKER: s.path("first-start-pending"),
                FIRST_START_SQL: s.path("first.sql"),
                SERVER_OS_USER: user,
                DATA_DIR: s.path("data"),
            },
        });
        assert.strictEqual(run.status, 0, run.stderr);
        const [chown, start] = s.calls();
        const given = chown.split(" ");
        assert.strictEqual(given[1], `${user}:`);
        assert.deepStrictEqual(given.slice(2).sort(), [
            s.path("data"),
            s.path("data/ibdata1"),
            s.path("data/shop"),
            s.path("data/shop/orders.ibd"),
        ]);
        assert.strictEqual(start, `mariadbd --user=${user}`);
    });
});

describe("mysql-run.sh, ownership pass beside the sidecar (issue #26)", () => {
    // The interleaving that killed a replica's first start: find lists the clone's xtrabackup_binlog_info, the
    // sidecar consumes it (save_coordinates), then chown gets a name that is gone. The host's chown runs, behind
    // a stand-in that first removes the file as the sidecar would, at exactly that moment.
    const realChown = fs.realpathSync(spawnSync("bash", ["-c", "command -v chown"], { encoding: "utf8" }).stdout.trim());
    const serverUser = spawnSync("id", ["-u", "mysql"], { encoding: "utf8" }).status === 0 ? "mysql" : "nobody";
    const start = (s: Sandbox) =>
        spawnSync(HOST_BASH, [path.join(SCRIPTS, "mysql-run.sh"), "mariadbd"], {
            encoding: "utf8",
            timeout: HANG_MS,
            env: {
                PATH: s.bin,
                STATUS_FILE: s.path("termination-log"),
                CLONE_MARKER: s.path("clone-pending"),
                FIRST_START_MARKER: s.path("first-start-pending"),
                FIRST_START_SQL: s.path("first.sql"),
                SERVER_OS_USER: serverUser,
                DATA_DIR: s.path("data"),
            },
        });
    const owner = (file: string) => spawnSync("stat", ["-c", "%U", file], { encoding: "utf8" }).stdout.trim();
    const clonedDataDir = (s: Sandbox) => {
        for (const file of ["ibdata1", "shop/orders.ibd", "xtrabackup_binlog_info", "xtrabackup_slave_info"]) {
            s.write(`data/${file}`, "");
        }
    };

    it("tolerates a file the sidecar removed between find and chown, and gives every other file to the server's user", () => {
        const s = sandbox();
        s.stub("mariadbd", "exit 0");
        clonedDataDir(s);
        const info = s.path("data/xtrabackup_binlog_info");
        s.stub(
            "chown",
            `if [[ ! -e "${s.path("consumed")}" ]]; then rm -f "${info}"; : >"${s.path("consumed")}"; fi\nexec ${realChown} "$@"`,
        );
        const run = start(s);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stderr, /a file vanished during the ownership pass 1 of .*data \(the sidecar consumed it\): running it again/);
        assert.strictEqual(fs.existsSync(info), false);
        for (const file of ["data", "data/ibdata1", "data/shop", "data/shop/orders.ibd", "data/xtrabackup_slave_info"]) {
            assert.strictEqual(owner(s.path(file)), serverUser, file);
        }
        // The first pass was interrupted; the second found only what the first had not reached (here nothing).
        assert.deepStrictEqual(
            s.calls().map((call) => call.split(" ")[0]),
            ["chown", "mariadbd"],
        );
        assert.strictEqual(s.calls()[1], `mariadbd --user=${serverUser}`);
    });

    it("still refuses to start on any other error, with chown's own words", () => {
        const s = sandbox();
        s.stub("mariadbd", "exit 0");
        clonedDataDir(s);
        s.stub("chown", `echo "chown: changing ownership of '${s.path("data/ibdata1")}': Operation not permitted" >&2; exit 1`);
        const run = start(s);
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /ERROR: cannot give .*data to \S+: chown: changing ownership of '.*ibdata1': Operation not permitted/);
        assert.ok(!s.calls().some((call) => call.startsWith("mariadbd")), "the server must not start");
    });

    it("gives up after three passes when files keep vanishing", () => {
        const s = sandbox();
        s.stub("mariadbd", "exit 0");
        clonedDataDir(s);
        s.stub("chown", `echo "chown: cannot access '$2': No such file or directory" >&2; exit 1`);
        const run = start(s);
        assert.strictEqual(run.status, 1);
        assert.strictEqual(s.calls().filter((call) => call.startsWith("chown")).length, 3);
        assert.match(run.stderr, /files kept vanishing in 3 passes; the last said: chown: cannot access/);
        assert.ok(!s.calls().some((call) => call.startsWith("mariadbd")), "the server must not start");
        assert.strictEqual(reported(s).phase, "failed");
        assert.match(reported(s).error ?? "", /^cannot give .* files kept vanishing in 3 passes/);
    });
});

describe("mysql-run.sh, first start", () => {
    it("gives the server the accounts' SQL as --init-file on the first start of a data directory init-mysql made, and only then", () => {
        const s = sandbox();
        s.stub("entrypoint", "exit 0");
        s.write("first-start-pending", "created");
        s.write("first.sql", "SET PASSWORD ...");
        const env = {
            STATUS_FILE: s.path("termination-log"),
            CLONE_MARKER: s.path("clone-pending"),
            FIRST_START_MARKER: s.path("first-start-pending"),
            FIRST_START_SQL: s.path("first.sql"),
        };
        const start = () =>
            spawnSync(HOST_BASH, [path.join(SCRIPTS, "mysql-run.sh"), "entrypoint", "mariadbd"], {
                encoding: "utf8",
                env: { PATH: s.bin, ...env },
            });
        const first = start();
        assert.strictEqual(first.status, 0, first.stderr);
        assert.match(
            first.stderr,
            /first start of a new data directory: the server takes root's password and the cluster's accounts \(--init-file\)/,
        );
        fs.rmSync(s.path("first-start-pending"));
        assert.strictEqual(start().status, 0);
        assert.deepStrictEqual(s.calls(), [`entrypoint mariadbd --init-file=${s.path("first.sql")}`, "entrypoint mariadbd"]);
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
            // The status record as the server is stopped, and (the stream tool) during the new clone.
            '[[ $* != *SHUTDOWN* ]] || cp "$STUB_DIR/termination-log" "$STUB_DIR/at-shutdown"',
            'if [[ $* == *"--execute="* ]]; then exit 0; fi',
            'n=$(cat "$STUB_DIR/attempts" 2>/dev/null || echo 0); echo $((n + 1)) >"$STUB_DIR/attempts"; cat >"$STUB_DIR/sql.$((n + 1))"',
        ].join("\n");
        const stream = [
            'cp "$STUB_DIR/termination-log" "$STUB_DIR/while-cloning"',
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
            ...declaredEnv("sidecar.sh", {
                STATUS_FILE: s.path("termination-log"),
                DATA_DIR: s.path("volume", "mysql"),
                DATA_ROOT: s.path("volume"),
                DATA_SUBPATH: "mysql",
                PEER_DOMAIN: "mysql.ns.svc.cluster.local",
                STREAM_TOOL: "mbstream",
                BOOTSTRAP: "ordered",
                DONOR_WAIT: "60",
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
                FIRST_START_SQL: s.path("credentials", "first-start.sql"),
                FIRST_START_MARKER: s.path("volume", "first-start-pending"),
                REPLICA_STATUS: "SHOW SLAVE STATUS",
                REPLICA_IO_ERRNO: "Last_IO_Errno",
                REPLICA_IO_ERROR: "Last_IO_Error",
                IDENTITY_FILE: s.path("volume", "identity"),
                UPGRADE_TOOL: "mariadb-upgrade",
                UPGRADE_OPTIONS: "--upgrade-system-tables",
                ...TLS_ENV,
            }),
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
        // What the sidecar reported on the way, for the diagnosis (kubectl exec … cat /dev/termination-log).
        assert.deepStrictEqual(parseStatus(s.read("at-shutdown")), {
            script: "sidecar.sh",
            at: parseStatus(s.read("at-shutdown"))?.at,
            phase: "re-clone",
            reason: "replication error 1236 from the primary: Could not find GTID state requested by slave in any binlog files",
        });
        const cloning = parseStatus(s.read("while-cloning"));
        assert.deepStrictEqual(
            [cloning?.script, cloning?.phase, cloning?.donor],
            ["clone-mysql.sh", "cloning", "mysql-1.mysql.ns.svc.cluster.local:3307"],
        );
    });
});

describe("probe-wait.sh", () => {
    const probeWait = (s: Sandbox, ...args: string[]) =>
        spawnSync(HOST_BASH, [path.join(SCRIPTS, "probe-wait.sh"), ...args], {
            encoding: "utf8",
            env: { PATH: s.bin },
            timeout: HANG_MS,
        });

    it("runs the probe's command until it succeeds, 0.1 s apart, and passes on its output", () => {
        const s = sandbox();
        const count = s.path("count");
        s.stub("check", `n=$(($(cat "${count}" 2>/dev/null || echo 0) + 1)); echo "$n" >"${count}"; echo "attempt $n"; ((n >= 3))`);
        // A bound no run comes near: the command succeeds on its third attempt.
        const run = probeWait(s, "60000", "check", "--flag");
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stdout, "attempt 3\n");
        assert.deepStrictEqual(s.calls(), ["check --flag", "sleep 0.1", "check --flag", "sleep 0.1", "check --flag"]);
    });

    it("fails once the bound has passed, with the last attempt's output", () => {
        const s = sandbox();
        // The second attempt outlasts the 1 s bound (the host's sleep; the sandbox's returns at once), so the
        // bound has passed when it fails: exactly two attempts, on any machine that starts one stand-in and
        // one stubbed sleep within that second (the old 200 ms bound and ">= 2 attempts" relied on speed).
        const count = s.path("count");
        const hostSleep = spawnSync("bash", ["-c", "command -v sleep"], { encoding: "utf8" }).stdout.trim();
        s.stub(
            "never",
            `n=$(($(cat "${count}" 2>/dev/null || echo 0) + 1)); echo "$n" >"${count}"; ((n < 2)) || ${hostSleep} 1.1; echo "not yet $n" >&2; exit 1`,
        );
        const run = probeWait(s, "1000", "never");
        assert.strictEqual(run.status, 1);
        assert.strictEqual(run.stderr, "not yet 2\n", "the last attempt's output");
        assert.deepStrictEqual(
            s.calls().map((c) => c.trim()),
            ["never", "sleep 0.1", "never"],
        );
    });
});

describe("clone-endpoint-ready.sh", () => {
    it("succeeds only while something listens on the clone port", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
        const port = (server.address() as net.AddressInfo).port;
        const s = sandbox();
        try {
            assert.strictEqual(
                s.run("clone-endpoint-ready.sh", declaredEnv("clone-endpoint-ready.sh", { CLONE_PORT: String(port) })).status,
                0,
            );
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
        assert.strictEqual(
            s.run("clone-endpoint-ready.sh", declaredEnv("clone-endpoint-ready.sh", { CLONE_PORT: String(port) })).status,
            1,
        );
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

    function backupSandbox(): Sandbox {
        const s = sandbox({ socat: "echo stream", mbstream: STREAM, "mariadb-backup": PREPARE });
        fs.mkdirSync(s.path("backups"));
        return s;
    }

    const backupEnv = (s: Sandbox, extra: Record<string, string> = {}) => ({
        ...declaredEnv("backup.sh", {
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
        }),
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
            /\nbinlog_file=\nbinlog_pos=\ngtid=0-100-42\nposition_source=xtrabackup_slave_info\ntimeline=\nbytes=\d+\nfiles=4\nsha256sums=[0-9a-f]{64}\ndirectories=[0-9a-f]{64}\n$/,
        );
        assert.match(
            s.read(`backups/${name}/SHA256SUMS`),
            /^[0-9a-f]{64} {2}prepared\n[0-9a-f]{64} {2}shop\/t\.ibd\n[0-9a-f]{64} {2}xtrabackup_checkpoints\n[0-9a-f]{64} {2}xtrabackup_slave_info\n$/,
        );
        // Every directory, for object storage, which keeps none.
        assert.strictEqual(s.read(`backups/${name}/DIRECTORIES`), "./shop\n");
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
            ...declaredEnv("clone-mysql.sh", {
                STATUS_FILE: s.path("termination-log"),
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
                BOOTSTRAP: "ordered",
                DONOR_WAIT: "60",
                RESTORE_FROM: "20200102T000000Z",
                BACKUPS_DIR: s.path("backups"),
                RESTORE_SQL: FLAVORS.mariadb.restoreSql,
                ...TLS_ENV,
            }),
            ...extra,
        };
    }

    it("restores mysql-0 from the chosen backup, checked against its checksums, and leaves the GTID statements for the sidecar", () => {
        const s = backupSandbox();
        fakeBackup(s, "20200102T000000Z");
        s.write("backups/20200102T000000Z/data/xtrabackup_slave_info", "x"); // not in SHA256SUMS: unchecked, removed
        // The new cluster's init-mysql recorded the volume as its own before the restore.
        s.write("volume/identity", "cluster=default/mysql\n");
        const run = s.run("clone-mysql.sh", restoreEnv(s));
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(fs.readdirSync(s.path("volume")).sort(), ["identity", "mysql"]);
        assert.strictEqual(s.read("volume/identity"), "cluster=default/mysql\n");
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
