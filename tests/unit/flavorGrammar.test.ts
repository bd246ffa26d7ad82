// Properties of each flavor's words, beside the goldens that copy them (statefulSet.test.ts, podScripts.test.ts):
// every placeholder a flavor's SQL uses is one its script fills, with the type its place needs; every statement
// has a form the flavor's server documents, every CHANGE ... TO option is one of that statement's documented
// options with a value of its type, every SET GLOBAL variable is one the server has; every my.cnf option the
// component writes is one the server takes, with a value of its type; every socat option in the transport's
// command lines is one the host's socat has for that address type, and every ncat option one ncat documents.
//
// What this proves, and what not. MySQL servers cannot be installed here: for mysql57 and mysql84 the server's
// grammar is the reference manual's, restated below as data (one table per server, its page beside it),
// independent of components/flavors.ts. A statement of a documented form with documented options can still be
// refused by a server for what the forms do not say (a combination, a state); the real-server suite runs the
// mariadb flavor's statements for real on MariaDB 10.11, and its my.cnf options are checked here against
// that server's own `mariadbd --verbose --help` (10.11, not the image's 11.4). socat's options are checked
// against this host's socat 1.7.4 (percona's image carries 1.7.4 too), ncat's against its manual only.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FLAVORS, Flavor, resolveArgs } from "../../components";
import { configFiles } from "../../components/builders";
import { BASE_ARGS } from "../helpers";

const SCRIPTS = path.resolve(__dirname, "..", "..", "pod");
const script = (file: string) => fs.readFileSync(path.join(SCRIPTS, file), "utf8");

type ValueType = "string" | "int" | "bool" | readonly string[];

/** One server's grammar, as far as the flavors use it, from its reference manual. */
interface Grammar {
    readonly see: string;
    /** The statement forms, whole statements (a CHANGE ... TO's options are checked on their own). */
    readonly statements: readonly RegExp[];
    /** The CHANGE ... TO statement's head and its options with their value types. */
    readonly change: { readonly head: string; readonly options: Readonly<Record<string, ValueType>> };
    /** Global variables SET GLOBAL may set. */
    readonly globals: readonly string[];
    /** my.cnf options (dashes), with their value types; undefined: checked against the server binary. */
    readonly options?: Readonly<Record<string, ValueType | "path" | "flag">>;
}

const strings = (names: string) => Object.fromEntries(names.split(" ").map((n) => [n, "string" as const]));
const ints = (names: string) => Object.fromEntries(names.split(" ").map((n) => [n, "int" as const]));
const bools = (names: string) => Object.fromEntries(names.split(" ").map((n) => [n, "bool" as const]));
const ON_OFF = ["ON", "OFF", "1", "0"] as const;

const TLS_OPTIONS = { "ssl-ca": "path", "ssl-cert": "path", "ssl-key": "path", "require-secure-transport": ON_OFF } as const;

const GRAMMARS: Record<string, Grammar> = {
    // https://dev.mysql.com/doc/refman/5.7/en/change-master-to.html, .../replication-options-replica.html,
    // .../replication-options-binary-log.html, .../replication-options-gtids.html
    mysql57: {
        see: "https://dev.mysql.com/doc/refman/5.7/en/sql-replication-statements.html",
        statements: [/^STOP SLAVE$/, /^START SLAVE$/, /^RESET MASTER$/, /^SHOW SLAVE STATUS$/],
        change: {
            head: "CHANGE MASTER TO",
            options: {
                ...strings(
                    "MASTER_BIND MASTER_HOST MASTER_USER MASTER_PASSWORD MASTER_LOG_FILE RELAY_LOG_FILE MASTER_SSL_CA MASTER_SSL_CAPATH " +
                        "MASTER_SSL_CERT MASTER_SSL_CRL MASTER_SSL_CRLPATH MASTER_SSL_KEY MASTER_SSL_CIPHER MASTER_TLS_VERSION",
                ),
                ...ints(
                    "MASTER_PORT MASTER_CONNECT_RETRY MASTER_RETRY_COUNT MASTER_DELAY MASTER_HEARTBEAT_PERIOD MASTER_LOG_POS RELAY_LOG_POS",
                ),
                ...bools("MASTER_AUTO_POSITION MASTER_SSL MASTER_SSL_VERIFY_SERVER_CERT"),
            },
        },
        globals: ["gtid_purged"],
        options: {
            "log-bin": "string",
            "super-read-only": "flag",
            "read-only": "flag",
            "log-slave-updates": "flag",
            "relay-log-recovery": ON_OFF,
            "relay-log-info-repository": ["FILE", "TABLE"],
            "master-info-repository": ["FILE", "TABLE"],
            "slave-parallel-type": ["DATABASE", "LOGICAL_CLOCK"],
            "slave-parallel-workers": "int",
            "slave-preserve-commit-order": ON_OFF,
            "transaction-write-set-extraction": ["OFF", "MURMUR32", "XXHASH64"],
            "binlog-transaction-dependency-tracking": ["COMMIT_ORDER", "WRITESET", "WRITESET_SESSION"],
            "gtid-mode": ["OFF", "OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"],
            "enforce-gtid-consistency": ["OFF", "ON", "WARN"],
            ...TLS_OPTIONS,
        },
    },
    // https://dev.mysql.com/doc/refman/8.4/en/change-replication-source-to.html; 8.4 removed CHANGE MASTER,
    // START/STOP SLAVE, SHOW SLAVE STATUS and RESET MASTER (.../mysql-nutshell.html, "Features Removed"),
    // and the master-info-repository, relay-log-info-repository, transaction-write-set-extraction options.
    mysql84: {
        see: "https://dev.mysql.com/doc/refman/8.4/en/sql-replication-statements.html",
        statements: [/^STOP REPLICA$/, /^START REPLICA$/, /^RESET BINARY LOGS AND GTIDS$/, /^SHOW REPLICA STATUS$/],
        change: {
            head: "CHANGE REPLICATION SOURCE TO",
            options: {
                ...strings(
                    "SOURCE_BIND SOURCE_HOST SOURCE_USER SOURCE_PASSWORD SOURCE_LOG_FILE RELAY_LOG_FILE SOURCE_SSL_CA SOURCE_SSL_CAPATH " +
                        "SOURCE_SSL_CERT SOURCE_SSL_CRL SOURCE_SSL_CRLPATH SOURCE_SSL_KEY SOURCE_SSL_CIPHER SOURCE_TLS_VERSION " +
                        "SOURCE_TLS_CIPHERSUITES SOURCE_PUBLIC_KEY_PATH SOURCE_COMPRESSION_ALGORITHMS NETWORK_NAMESPACE",
                ),
                ...ints(
                    "SOURCE_PORT SOURCE_CONNECT_RETRY SOURCE_RETRY_COUNT SOURCE_DELAY SOURCE_HEARTBEAT_PERIOD SOURCE_LOG_POS RELAY_LOG_POS " +
                        "SOURCE_ZSTD_COMPRESSION_LEVEL",
                ),
                ...bools(
                    "SOURCE_AUTO_POSITION SOURCE_SSL SOURCE_SSL_VERIFY_SERVER_CERT GET_SOURCE_PUBLIC_KEY REQUIRE_ROW_FORMAT GTID_ONLY",
                ),
            },
        },
        globals: ["gtid_purged"],
        options: {
            "log-bin": "string",
            "super-read-only": "flag",
            "read-only": "flag",
            "log-replica-updates": "flag",
            "relay-log-recovery": ON_OFF,
            "replica-parallel-workers": "int",
            "replica-preserve-commit-order": ON_OFF,
            "gtid-mode": ["OFF", "OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"],
            "enforce-gtid-consistency": ["OFF", "ON", "WARN"],
            ...TLS_OPTIONS,
        },
    },
    // https://mariadb.com/kb/en/change-master-to/, .../gtid/ (gtid_slave_pos, gtid_binlog_state), .../set-password/
    mariadb: {
        see: "https://mariadb.com/kb/en/replication-statements/",
        statements: [
            /^STOP SLAVE$/,
            /^START SLAVE$/,
            /^RESET MASTER$/,
            /^SHOW SLAVE STATUS$/,
            /^SET @@SESSION\.SQL_LOG_BIN=[01]$/,
            /^DROP USER IF EXISTS root@'[^']*'(, root@'[^']*')*$/,
            /^EXECUTE IMMEDIATE CONCAT\('DROP USER IF EXISTS root@\\'', @@hostname, '\\''\)$/,
            /^SET PASSWORD FOR 'root'@'localhost' = PASSWORD\('[^']*'\)$/,
        ],
        change: {
            head: "CHANGE MASTER TO",
            options: {
                ...strings(
                    "MASTER_BIND MASTER_HOST MASTER_USER MASTER_PASSWORD MASTER_LOG_FILE RELAY_LOG_FILE MASTER_SSL_CA MASTER_SSL_CAPATH " +
                        "MASTER_SSL_CERT MASTER_SSL_CRL MASTER_SSL_CRLPATH MASTER_SSL_KEY MASTER_SSL_CIPHER",
                ),
                ...ints("MASTER_PORT MASTER_CONNECT_RETRY MASTER_HEARTBEAT_PERIOD MASTER_LOG_POS RELAY_LOG_POS MASTER_DELAY"),
                ...bools("MASTER_SSL MASTER_SSL_VERIFY_SERVER_CERT MASTER_DEMOTE_TO_SLAVE"),
                MASTER_USE_GTID: ["current_pos", "slave_pos", "no"],
            },
        },
        globals: ["gtid_slave_pos", "gtid_binlog_state"],
    },
};

/** The SQL each flavor hands a script, and the script that fills its placeholders. */
const SQL_TEXTS: readonly { env: string; script: string; of: (f: Flavor) => string }[] = [
    { env: "REPLICATION_SQL", script: "sidecar.sh", of: (f) => f.replicationSql },
    { env: "REPLICATION_ROTATE_SQL", script: "rotate-credentials.sh", of: (f) => f.changeReplicationPasswordSql },
    { env: "RESTORE_SQL", script: "restore-mysql.sh", of: (f) => f.restoreSql },
    { env: "SECURE_ROOT_SQL", script: "init-mysql.sh", of: (f) => f.installDb?.secureRootSql ?? "" },
];

/** The placeholders a script replaces: `${x//\{name\}/...}`. */
const filledBy = (file: string) => [...script(file).matchAll(/\/\/\\\{(\w+)\\\}\//g)].map((m) => m[1]);
/** The placeholders of `sql` that `file` does not fill. */
const unfilled = (sql: string, file: string) =>
    [...new Set([...sql.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].filter((name) => !filledBy(file).includes(name));
/** Placeholders that stand for numbers (unquoted in the SQL); every other one stands inside quotes. */
const NUMERIC = ["pos", "port"];

/** The SQL as a script would send it: each placeholder replaced by a value of its kind. */
const filled = (sql: string) => sql.replace(/\{(\w+)\}/g, (_, name: string) => (NUMERIC.includes(name) ? "154" : `v-${name}`));

/** Statements, split on the semicolons outside quotes; whitespace made single. */
function statements(sql: string): string[] {
    const out: string[] = [];
    let current = "";
    let quote = false;
    for (let i = 0; i < sql.length; i++) {
        const ch = sql[i];
        if (ch === "\\" && quote) {
            current += ch + sql[++i];
            continue;
        }
        if (ch === "'") quote = !quote;
        if (ch === ";" && !quote) {
            out.push(current);
            current = "";
        } else {
            current += ch;
        }
    }
    assert.ok(!quote, `an unclosed quote in ${sql}`);
    assert.strictEqual(current.trim(), "", `a statement without its semicolon: ${current}`);
    return out.map((s) => s.replace(/\s+/g, " ").trim()).filter((s) => s !== "");
}

const valueMatches = (value: string, type: ValueType) =>
    type === "string"
        ? /^'([^'\\]|\\.)*'$/.test(value)
        : type === "int"
          ? /^[0-9]+$/.test(value)
          : type === "bool"
            ? /^[01]$/.test(value)
            : type.includes(value);

/** What is wrong with one statement under a grammar; [] when nothing. */
function problems(statement: string, grammar: Grammar): string[] {
    if (grammar.statements.some((form) => form.test(statement))) {
        return [];
    }
    const set = /^SET GLOBAL (\w+) ?= ?'([^'\\]|\\.)*'$/.exec(statement);
    if (set) {
        return grammar.globals.includes(set[1]) ? [] : [`${set[1]} is no global variable of this server: ${statement}`];
    }
    if (statement.startsWith(`${grammar.change.head} `)) {
        const seen = new Set<string>();
        return statement
            .slice(grammar.change.head.length + 1)
            .split(/, (?=[A-Z_]+ ?=)/)
            .flatMap((option) => {
                const m = /^([A-Z_]+) ?= ?(.*)$/.exec(option);
                if (!m) return [`not an option: ${option}`];
                const type = grammar.change.options[m[1]];
                if (seen.has(m[1])) return [`${m[1]} given twice`];
                seen.add(m[1]);
                if (type === undefined) return [`${m[1]} is no option of ${grammar.change.head}`];
                return valueMatches(m[2], type) ? [] : [`${m[1]}=${m[2]} is not a ${JSON.stringify(type)}`];
            });
    }
    return [`no documented form: ${statement}`];
}

/** A flavor's CHANGE ... TO options, by name, in its replication SQL. */
const changeOptions = (flavor: Flavor) =>
    Object.fromEntries(
        statements(filled(flavor.replicationSql))
            .filter((s) => s.startsWith(GRAMMARS[flavor.name].change.head))
            .flatMap((s) => s.slice(GRAMMARS[flavor.name].change.head.length + 1).split(/, (?=[A-Z_]+ ?=)/))
            .map((o) => o.split(/ ?= ?/)),
    );

/** my.cnf lines of the component's files, as `name=value` with the name's dashes, `loose-` taken off. */
function cnfOptions(flavor: Flavor): { name: string; value?: string; line: string }[] {
    const files = configFiles(resolveArgs({ ...BASE_ARGS, flavor: flavor.name, requireClientTls: true }));
    return ["primary.cnf", "replica.cnf", "tls.cnf"].flatMap((file) =>
        files[file]
            .split("\n")
            .filter((line) => line !== "" && line !== "[mysqld]")
            .map((line) => {
                const [name, value] = line.split(/=(.*)/s, 2);
                return { name: name.replace(/^loose-/, "").replace(/_/g, "-"), value, line: `${file}: ${line}` };
            }),
    );
}

describe("each flavor's words, against its server's documented grammar", () => {
    for (const flavor of Object.values(FLAVORS)) {
        const grammar = GRAMMARS[flavor.name];

        it(`${flavor.name}: every placeholder of its SQL is filled by its script, numbers bare and strings quoted`, () => {
            for (const { env, script: file, of } of SQL_TEXTS) {
                const sql = of(flavor);
                assert.deepStrictEqual(unfilled(sql, file), [], `${env}: placeholders ${file} does not fill`);
                const used = [...new Set([...sql.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))];
                for (const name of used) {
                    const quoted = new RegExp(`'\\{${name}\\}'`).test(sql);
                    assert.strictEqual(quoted, !NUMERIC.includes(name), `${env}: {${name}} ${quoted ? "quoted" : "bare"}`);
                }
            }
        });

        it(`${flavor.name}: every statement it sends has a form ${grammar.see} documents, with documented options`, () => {
            const all = [...SQL_TEXTS.flatMap(({ of }) => statements(filled(of(flavor)))), flavor.replicaStatus.statement];
            assert.ok(all.length >= 4, all.join("\n"));
            assert.deepStrictEqual(
                all.flatMap((s) => problems(s, grammar)),
                [],
            );
        });

        it(`${flavor.name}: every my.cnf option the component writes is one the server takes, with a value of its type`, () => {
            const options = cnfOptions(flavor);
            assert.ok(options.length >= 6, JSON.stringify(options));
            if (grammar.options === undefined) {
                // The mariadb flavor: this host's server lists its options itself.
                const help = spawnSync("mariadbd", ["--no-defaults", "--verbose", "--help"], { encoding: "utf8" }).stdout;
                const known = new Set([...help.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]));
                assert.ok(known.size > 300, `mariadbd --help lists ${known.size} options`);
                assert.deepStrictEqual(
                    options.filter((o) => !known.has(o.name)).map((o) => o.line),
                    [],
                );
                return;
            }
            assert.deepStrictEqual(
                options
                    .filter(({ name, value }) => {
                        const type = grammar.options![name];
                        if (type === undefined) return true;
                        if (type === "flag") return value !== undefined && !ON_OFF.includes(value as (typeof ON_OFF)[number]);
                        if (type === "path") return !value?.startsWith("/");
                        if (type === "string") return !value;
                        return value === undefined || !valueMatches(value, type);
                    })
                    .map((o) => o.line),
                [],
            );
        });
    }

    it("mysql57 positions by binlog file and position, never with auto-positioning, both coordinates given", () => {
        const options = changeOptions(FLAVORS.mysql57);
        assert.deepStrictEqual(
            [options.MASTER_LOG_FILE, options.MASTER_LOG_POS, options.MASTER_AUTO_POSITION],
            ["'v-file'", "154", undefined],
        );
    });

    it("mysql84 auto-positions by GTID, which its primary's and replicas' my.cnf turn on", () => {
        assert.strictEqual(changeOptions(FLAVORS.mysql84).SOURCE_AUTO_POSITION, "1");
        const cnf = cnfOptions(FLAVORS.mysql84).map((o) => o.line);
        for (const file of ["primary.cnf", "replica.cnf"]) {
            assert.ok(cnf.includes(`${file}: gtid-mode=ON`) && cnf.includes(`${file}: enforce-gtid-consistency=ON`), file);
        }
    });

    it("mariadb sets gtid_slave_pos before replicating from it (MASTER_USE_GTID=slave_pos)", () => {
        const sent = statements(filled(FLAVORS.mariadb.replicationSql));
        assert.strictEqual(changeOptions(FLAVORS.mariadb).MASTER_USE_GTID, "slave_pos");
        assert.ok(sent.findIndex((s) => s.startsWith("SET GLOBAL gtid_slave_pos")) < sent.findIndex((s) => s.startsWith("CHANGE MASTER")));
    });

    it("catches an option of the other server, a statement 8.4 removed, a mistyped value and an unfilled placeholder (the checks can fail)", () => {
        assert.deepStrictEqual(problems("CHANGE MASTER TO MASTER_HOST='h', SOURCE_PORT=3306, MASTER_SSL=yes", GRAMMARS.mysql57), [
            "SOURCE_PORT is no option of CHANGE MASTER TO",
            'MASTER_SSL=yes is not a "bool"',
        ]);
        assert.deepStrictEqual(problems("STOP SLAVE", GRAMMARS.mysql84), ["no documented form: STOP SLAVE"]);
        assert.deepStrictEqual(problems("SET GLOBAL gtid_slave_pos='1-2-3'", GRAMMARS.mysql84), [
            "gtid_slave_pos is no global variable of this server: SET GLOBAL gtid_slave_pos='1-2-3'",
        ]);
        assert.deepStrictEqual(unfilled("CHANGE MASTER TO MASTER_HOST='{host}' FOR CHANNEL '{channel}';", "sidecar.sh"), ["channel"]);
    });
});

/** socat's own option table: name (aliases resolved) to its groups, and each address type's groups. */
function socatTable(): { option: (name: string) => string[] | undefined; address: (type: string) => string[] } {
    const help = spawnSync("socat", ["-hhh"], { encoding: "utf8" }).stdout;
    const alias = new Map([...help.matchAll(/^\s+(\S+) is an alias for (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const groups = new Map([...help.matchAll(/^\s+([a-z0-9-]+)\tgroups=(\S+)\t/gm)].map((m) => [m[1], m[2].split(",")]));
    const addresses = new Map([...help.matchAll(/^\s+([a-z0-9-]+):\S*\tgroups=(\S+)$/gm)].map((m) => [m[1], m[2].split(",")]));
    return {
        option: (name) => groups.get(alias.get(name) ?? name),
        address: (type) => addresses.get(type.toLowerCase()) ?? [],
    };
}

/**
 * The clone stream's transport lines of sidecar.sh and lib.sh for one transport, the option variables and
 * the option functions (`$(clone_tls_options)`, one `echo` each) expanded.
 */
function transportLines(transport: string): string[] {
    const lib = script("lib.sh");
    const vars = Object.fromEntries([
        ...[...lib.matchAll(/^(CLONE_\w+_OPTIONS)="([^"]*)"$/gm)].map((m) => [`$${m[1]}`, m[2]]),
        ...[...lib.matchAll(/^(clone_\w+_options)\(\) \{\n\s+echo "([^"]*)"\n\}$/gm)].map((m) => [`$(${m[1]})`, m[2]]),
    ]);
    return [script("sidecar.sh"), lib].flatMap((text) =>
        [...text.matchAll(new RegExp(`^\\s*${transport}\\) (${transport} .*) ;;$`, "gm"))].map((m) =>
            m[1].replace(/\$(CLONE_\w+_OPTIONS|\(clone_\w+_options\))/g, (name: string) => vars[name] ?? `<unset ${name}>`),
        ),
    );
}

describe("the clone stream's transport command lines", () => {
    it("socat (mysql84, mariadb): every address option is one this host's socat has for that address type", () => {
        const table = socatTable();
        const lines = transportLines("socat");
        assert.strictEqual(lines.length, 2, lines.join("\n"));
        const wrong: string[] = [];
        for (const line of lines) {
            assert.doesNotMatch(line, /<unset/);
            for (const [, type, options] of line.matchAll(/"([A-Z-]+):[^,"]*((?:,[^"]*)?)"/g)) {
                const allowed = table.address(type);
                assert.ok(allowed.length > 0, `socat has no address type ${type}`);
                for (const option of options.split(",").filter((o) => o !== "")) {
                    const name = option.split("=")[0];
                    const groups = table.option(name);
                    if (!groups?.some((g) => allowed.includes(g))) wrong.push(`${type}: ${name}`);
                }
            }
            // Its flags: -T (inactivity timeout), -b (buffer), -u/-U (one direction).
            const flags = [...line.matchAll(/ (-[A-Za-z])\b/g)].map((m) => m[1]);
            assert.deepStrictEqual(
                flags.filter((f) => !["-T", "-b", "-u", "-U"].includes(f)),
                [],
            );
        }
        assert.deepStrictEqual(wrong, []);
        assert.deepStrictEqual(table.option("no-such-option"), undefined, "the table can say no");
    });

    it("ncat (mysql57): every option is one ncat's manual lists (https://nmap.org/book/ncat-man-options-summary.html)", () => {
        const DOCUMENTED =
            "--listen --keep-open --send-only --recv-only --max-conns --idle-timeout --ssl --ssl-cert --ssl-key --ssl-verify --ssl-trustfile -c";
        const lines = transportLines("ncat");
        assert.strictEqual(lines.length, 2, lines.join("\n"));
        const used = lines.flatMap((line) => [...line.matchAll(/ (--?[a-z-]+)/g)].map((m) => m[1]));
        assert.deepStrictEqual(
            used.filter((o) => !DOCUMENTED.split(" ").includes(o)),
            [],
        );
        // Its time values take a unit (ncat's manual: "time ... followed by s, m or h").
        for (const line of lines) assert.match(line, /--idle-timeout "\$\{CLONE_IDLE_TIMEOUT\}s"/);
    });
});
