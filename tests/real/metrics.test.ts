// Metrics (issue #24), for real: the render with `metrics` and `monitoringCrds` on, run by the fake kubelet on
// Debian's MariaDB, with Debian's mysqld_exporter standing in for the exporter's image (tests/fake-kubelet/image.ts).
// The exporter runs as the pods' sidecar with the rendered flags and options file, logs in with the account the
// metrics-account container made on mysql-0 (replicated to the replica), and a scrape of the replica shows its
// replication state and lag, which follow a stopped SQL thread and a blocked applier. Every metric name the
// rendered alerts and dashboard read is in a real scrape or one of EXTERNAL_METRICS. The rendered rules pass
// `promtool check rules` and `promtool test rules` with series for each alert firing and not firing.
//
// Needs root and the Debian packages of .ci/run (prometheus-mysqld-exporter, prometheus for promtool). Under
// CI=true a missing requirement fails; elsewhere the case skips with a loud message.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { clusterNames, METRICS, MySqlClusterArgs, resolveArgs } from "../../components";
import { alertRules, EXTERNAL_METRICS, exporterFlags, metricNames, RUNBOOK_BASE } from "../../components/builders";
import { BASE_ARGS } from "../helpers";
import { FakeKubelet, K8sObject, requireFakeKubelet, waitFor } from "../fake-kubelet";
import { createRealCluster, renderedSecret, renderRealStack, sqlOn } from "./setup";
import { httpGet, okBody, parseScrape, Scrape } from "../scrape";

/** The render's settings beyond tests/real/Pulumi.real.yaml: metrics, the CRDs' objects, a daily backup. */
const METRICS_RENDER = [
    "--config",
    "metrics=true",
    "--config",
    "monitoringCrds=true",
    "--config",
    "backupSchedule=0 3 * * *",
    "--config",
    "backupNfsPath=/unused/backups",
];
const EXPORTER_BINARY = "/usr/bin/prometheus-mysqld-exporter";
const PROMTOOL = "/usr/bin/promtool";

/** Fails under CI=true, skips loudly elsewhere, when a Debian package the case needs is missing. */
function requireBinary(context: Mocha.Context, binary: string, pkg: string): void {
    if (fs.existsSync(binary)) return;
    const message = `${binary} is missing (apt-get install ${pkg})`;
    if (process.env.CI === "true") throw new Error(`${message}; under CI=true a missing requirement fails, it never skips.`);
    console.warn(`\n  !!! SKIPPING: ${message}\n`);
    context.skip();
}

type Rendered = K8sObject & { spec?: Record<string, unknown>; data?: Record<string, string> };

function find(objects: K8sObject[], kind: string): Rendered {
    const found = objects.find((o) => o.kind === kind);
    assert.ok(found, `the render has a ${kind}`);
    return found as Rendered;
}

/** Every PromQL expression of the rendered PrometheusRule and dashboard. */
function renderedExpressions(objects: K8sObject[]): { rules: string[]; dashboard: string[] } {
    const rule = find(objects, "PrometheusRule") as unknown as { spec: { groups: { rules: { expr: string }[] }[] } };
    const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "mysql-dashboard") as Rendered | undefined;
    assert.ok(configMap?.data, "the render has the dashboard's ConfigMap");
    const dashboard = JSON.parse(Object.values(configMap.data)[0]) as { panels: { targets: { expr: string }[] }[] };
    return {
        rules: rule.spec.groups.flatMap((g) => g.rules.map((r) => r.expr)),
        dashboard: dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    };
}

describe("metrics: the exporter sidecar on real MariaDB servers (mariadb flavor, metrics on)", function () {
    this.timeout(10 * 60 * 1000);
    let cluster: FakeKubelet;
    let objects: K8sObject[];

    /**
     * Scrapes a pod's exporter at the pod's IP and its metrics port, as Prometheus does, from inside the pod's
     * network (the mysql container's bash; the host has no route into the pods).
     */
    async function scrape(ordinal: number): Promise<Scrape> {
        const ip = cluster.podIP(ordinal);
        assert.ok(ip, `mysql-${ordinal} has an IP`);
        const run = await cluster.exec(ordinal, "mysql", httpGet(ip, METRICS.port, METRICS.path));
        assert.strictEqual(run.code, 0, `scrape of mysql-${ordinal}: ${run.stderr}`);
        return parseScrape(okBody(run.stdout, `scrape of mysql-${ordinal}`));
    }

    /** The replica's replication series (connection_name, master_host, master_uuid labels included). */
    function replication(s: Scrape, metric: string): number | undefined {
        const series = [...s.samples.keys()].filter((k) => k.startsWith(`${metric}{`));
        assert.ok(series.length <= 1, `one ${metric} series: ${series.join(", ")}`);
        return series.length === 0 ? undefined : s.samples.get(series[0]);
    }

    async function waitForScrape(ordinal: number, what: string, ok: (s: Scrape) => boolean): Promise<Scrape> {
        let last: Scrape | undefined;
        await waitFor(
            async () => {
                last = await scrape(ordinal).catch(() => undefined);
                return last !== undefined && ok(last);
            },
            {
                timeoutMs: 120_000,
                everyMs: 500,
                what: () =>
                    `${what} in mysql-${ordinal}'s scrape; its replication series: ` +
                    [...(last?.samples.entries() ?? [])]
                        .filter(([k]) => k.startsWith("mysql_slave_status_") || k.startsWith("mysql_up"))
                        .map(([k, v]) => `${k} ${v}`)
                        .join("; ") +
                    `\n${cluster.logs(ordinal, METRICS.container)}\n${cluster.logs(ordinal, METRICS.accountContainer)}`,
            },
        );
        return last!;
    }

    /**
     * Runs `statement` on mysql-<ordinal> until `ok` holds for its output (an error counts as no output), and
     * returns that output; on timeout says what it waited for, the last answer, and `context`'s lines.
     */
    async function sqlUntil(
        ordinal: number,
        statement: string,
        ok: (out: string) => boolean,
        opts: { what: string; timeoutMs: number; everyMs: number; context?: () => string },
    ): Promise<string> {
        let out = "";
        await waitFor(
            async () => {
                out = await sqlOn(cluster, ordinal, statement).catch((error: Error) => `(failed: ${error.message})`);
                return ok(out);
            },
            {
                timeoutMs: opts.timeoutMs,
                everyMs: opts.everyMs,
                what: () => `${opts.what} on mysql-${ordinal}; last answer: ${out}${opts.context ? `\n${opts.context()}` : ""}`,
            },
        );
        return out;
    }

    before(async function () {
        requireFakeKubelet(this);
        requireBinary(this, EXPORTER_BINARY, "prometheus-mysqld-exporter");
        cluster = await createRealCluster("metrics", { render: METRICS_RENDER, stack: "metrics" });
        objects = renderRealStack(METRICS_RENDER, "metrics");
        await cluster.scaleTo(2);
    });

    after(async function () {
        await cluster?.destroy();
    });

    it("a. runs the exporter with the rendered flags as the image's nobody, its password in no command line or environment", async () => {
        const pod = (find(objects, "StatefulSet").spec as { template: { spec: { containers: { name: string; args?: string[] }[] } } })
            .template.spec;
        const exporter = pod.containers.find((c) => c.name === METRICS.container);
        assert.deepStrictEqual(exporter?.args, exporterFlags());
        const password = renderedSecret("mysql-metrics")[METRICS.passwordKey];
        assert.ok(password.length >= 16, "a generated password");
        // The exporter's processes on the host (Debian's binary, run by the fake kubelet for both pods).
        const running = fs
            .readdirSync("/proc")
            .filter((p) => /^[0-9]+$/.test(p))
            .flatMap((pid) => {
                try {
                    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
                    return cmdline[0].endsWith("mysqld_exporter") || cmdline[0].endsWith("prometheus-mysqld-exporter")
                        ? [{ pid, cmdline, environ: fs.readFileSync(`/proc/${pid}/environ`, "utf8"), uid: fs.statSync(`/proc/${pid}`).uid }]
                        : [];
                } catch {
                    return [];
                }
            })
            .filter((p) => p.cmdline.includes(exporterFlags()[0]));
        assert.ok(running.length >= 2, `an exporter per pod: ${running.map((p) => p.cmdline.join(" ")).join("\n")}`);
        for (const p of running) {
            assert.deepStrictEqual(p.cmdline.slice(1, -1), exporterFlags(), `pid ${p.pid}'s flags`);
            assert.strictEqual(p.uid, METRICS.runAsUser, `pid ${p.pid} runs as nobody`);
            assert.ok(!p.cmdline.join(" ").includes(password) && !p.environ.includes(password), `pid ${p.pid} shows the password`);
        }
    });

    it("b. the exporter's account, made on mysql-0, reaches the replica with exactly the flavor's grants", async () => {
        const grants = async (ordinal: number) =>
            (
                await sqlUntil(ordinal, `SHOW GRANTS FOR '${METRICS.user}'@'127.0.0.1'`, (out) => out.startsWith("GRANT "), {
                    what: "the exporter's account",
                    timeoutMs: 120_000,
                    everyMs: 500,
                    context: () => cluster.logs(0, METRICS.accountContainer),
                })
            )
                .split("\n")
                .map((g) => g.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ""));
        const expected = [
            `GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO \`${METRICS.user}\`@\`127.0.0.1\` WITH MAX_USER_CONNECTIONS ${METRICS.maxUserConnections}`,
            `GRANT SELECT ON \`performance_schema\`.* TO \`${METRICS.user}\`@\`127.0.0.1\``,
        ];
        assert.deepStrictEqual(await grants(0), expected);
        assert.deepStrictEqual(await grants(1), expected);
        assert.match(cluster.logs(0, METRICS.accountContainer), /the exporter's account 'exporter' is ready/);
    });

    it("c. a scrape of the replica shows its I/O and SQL threads and its lag; STOP SLAVE SQL_THREAD and a blocked applier change them", async () => {
        const io = "mysql_slave_status_slave_io_running";
        const sqlThread = "mysql_slave_status_slave_sql_running";
        const lag = "mysql_slave_status_seconds_behind_master";
        let s = await waitForScrape(
            1,
            "mysql_up 1, both threads running, lag 0",
            (x) =>
                x.samples.get("mysql_up") === 1 && replication(x, io) === 1 && replication(x, sqlThread) === 1 && replication(x, lag) === 0,
        );
        assert.strictEqual(replication(s, lag), 0);
        // The primary has no replication status at all.
        const primary = await scrape(0);
        assert.strictEqual(primary.samples.get("mysql_up"), 1);
        assert.strictEqual(replication(primary, sqlThread), undefined);
        assert.strictEqual(primary.samples.get("mysql_global_variables_read_only"), 0);
        assert.strictEqual(s.samples.get("mysql_global_variables_read_only"), 1);

        await sqlOn(cluster, 1, "STOP SLAVE SQL_THREAD");
        s = await waitForScrape(1, "SQL thread 0, I/O thread 1", (x) => replication(x, sqlThread) === 0 && replication(x, io) === 1);
        // Seconds_Behind_Master is NULL while the SQL thread is stopped: the exporter leaves the series out.
        assert.strictEqual(replication(s, lag), undefined);
        await sqlOn(cluster, 1, "START SLAVE SQL_THREAD");
        await waitForScrape(1, "both threads running again, lag 0", (x) => replication(x, sqlThread) === 1 && replication(x, lag) === 0);

        // The replica's applier waits behind a global read lock while the primary writes: the lag grows.
        await sqlOn(
            cluster,
            0,
            "CREATE DATABASE IF NOT EXISTS metrics_case; CREATE TABLE IF NOT EXISTS metrics_case.t (id INT PRIMARY KEY)",
        );
        await sqlUntil(1, "SHOW TABLES FROM metrics_case", (out) => out === "t", { what: "the table", timeoutMs: 60_000, everyMs: 200 });
        const holdSeconds = 8;
        const held = sqlOn(cluster, 1, `FLUSH TABLES WITH READ LOCK; SELECT SLEEP(${holdSeconds}); UNLOCK TABLES`, 60_000);
        await sqlUntil(1, "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(%'", (out) => out === "1", {
            what: "the read lock taken",
            timeoutMs: 30_000,
            everyMs: 100,
        });
        await sqlOn(cluster, 0, "INSERT INTO metrics_case.t VALUES (1)");
        s = await waitForScrape(1, "a lag of 2 s or more", (x) => (replication(x, lag) ?? 0) >= 2);
        assert.strictEqual(replication(s, sqlThread), 1, "the SQL thread runs (it waits), it has not stopped");
        await held;
        await waitForScrape(1, "lag 0 once the lock is gone", (x) => replication(x, lag) === 0);
    });

    it("d. every metric the rendered alerts and dashboard read is in a real scrape, or external with its source named", async () => {
        const scraped = new Set([...(await scrape(0)).names, ...(await scrape(1)).names]);
        const { rules, dashboard } = renderedExpressions(objects);
        const used = new Set([...rules, ...dashboard].flatMap(metricNames));
        const unknown = [...used].filter((name) => !scraped.has(name) && !(name in EXTERNAL_METRICS));
        assert.deepStrictEqual(unknown, [], "metrics neither scraped nor listed as external");
        // The external ones are really not the exporter's, and each is used.
        assert.deepStrictEqual(
            Object.keys(EXTERNAL_METRICS).filter((name) => scraped.has(name)),
            [],
        );
        assert.deepStrictEqual(
            Object.keys(EXTERNAL_METRICS).filter((name) => !used.has(name)),
            [],
        );
        // The exporter's metrics the alerts and the dashboard read (so the comparison above compared something).
        assert.ok([...used].filter((name) => scraped.has(name)).length >= 10, `scraped metrics used: ${[...used].join(", ")}`);
    });
});

describe("metrics: the rendered alerts under promtool", function () {
    this.timeout(120_000);
    let dir: string;
    let rules: { groups: { name: string; rules: { alert: string }[] }[] };

    before(function () {
        requireBinary(this, PROMTOOL, "prometheus");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-rules-"));
        rules = (find(renderRealStack(METRICS_RENDER, "metrics"), "PrometheusRule") as unknown as { spec: typeof rules }).spec;
        fs.writeFileSync(path.join(dir, "rules.yaml"), yaml.dump(rules));
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const promtool = (...args: string[]) => spawnSync(PROMTOOL, args, { cwd: dir, encoding: "utf8" });
    /** Writes a `promtool test rules` file of these tests (on rules.yaml, evaluated every `interval`) and runs it. */
    const promtoolTest = (file: string, interval: string, tests: unknown[]) => {
        fs.writeFileSync(path.join(dir, file), yaml.dump({ rule_files: ["rules.yaml"], evaluation_interval: interval, tests }));
        return promtool("test", "rules", file);
    };

    it("e. pass `promtool check rules`", () => {
        const run = promtool("check", "rules", "rules.yaml");
        assert.strictEqual(run.status, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /SUCCESS: 7 rules found/);
    });

    /** An alert expected at a time: its labels beyond alertname and severity, and its summary. */
    const alert = (severity: string, labels: Record<string, string>, summary: string, anchor: string) => ({
        exp_labels: { severity, ...labels },
        exp_annotations: { summary, runbook_url: `${RUNBOOK_BASE}#${anchor}` },
    });
    const ns = { namespace: "default" };
    const pod = (name: string) => ({ ...ns, pod: name });
    const series = (name: string, labels: Record<string, string>, values: string) => ({
        series: `${name}{${Object.entries(labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(",")}}`,
        values,
    });

    /** Each alert: series where it fires for one object and not for another, checked before and after its `for`. */
    const cases = () => [
        {
            alertname: "MySqlReplicaNotReplicating",
            input: [
                series("mysql_slave_status_slave_io_running", pod("mysql-1"), "1x30"),
                series("mysql_slave_status_slave_sql_running", pod("mysql-1"), "0x30"),
                series("mysql_slave_status_slave_io_running", pod("mysql-2"), "1x30"),
                series("mysql_slave_status_slave_sql_running", pod("mysql-2"), "1x30"),
            ],
            early: "1m",
            fired: [
                alert(
                    "critical",
                    pod("mysql-1"),
                    "default/mysql-1 does not replicate: its I/O or SQL thread is stopped.",
                    "replica-not-replicating",
                ),
            ],
        },
        {
            alertname: "MySqlReplicaLagging",
            input: [
                series("mysql_slave_status_seconds_behind_master", pod("mysql-1"), "100x30"),
                series("mysql_slave_status_seconds_behind_master", pod("mysql-2"), "5x30"),
            ],
            early: "4m",
            fired: [
                alert(
                    "warning",
                    pod("mysql-1"),
                    "default/mysql-1 is 100 s behind the primary, more than maxReplicationLagSeconds (5 s): it is out of mysql-read.",
                    "replica-lagging",
                ),
            ],
        },
        {
            alertname: "MySqlPodNotReady",
            input: [
                series("kube_pod_status_ready", { ...pod("mysql-1"), condition: "true" }, "0x30"),
                series("kube_pod_status_ready", { ...pod("mysql-0"), condition: "true" }, "1x30"),
                series("kube_pod_status_ready", { ...pod("web-0"), condition: "true" }, "0x30"),
            ],
            early: "4m",
            fired: [alert("warning", { ...pod("mysql-1"), condition: "true" }, "default/mysql-1 is not Ready.", "pod-not-ready")],
        },
        {
            alertname: "MySqlPrimaryReadOnly",
            input: [
                series("mysql_global_variables_read_only", pod("mysql-0"), "1x30"),
                series("mysql_global_variables_read_only", pod("mysql-1"), "1x30"),
            ],
            early: "1m",
            fired: [alert("critical", pod("mysql-0"), "The primary default/mysql-0 is read-only: writes fail.", "primary-read-only")],
        },
        {
            alertname: "MySqlConnectionsNearLimit",
            input: [
                series("mysql_global_status_threads_connected", pod("mysql-0"), "90x30"),
                series("mysql_global_variables_max_connections", pod("mysql-0"), "100x30"),
                series("mysql_global_status_threads_connected", pod("mysql-1"), "10x30"),
                series("mysql_global_variables_max_connections", pod("mysql-1"), "100x30"),
            ],
            early: "4m",
            fired: [
                alert(
                    "warning",
                    pod("mysql-0"),
                    "default/mysql-0 holds 90% of its max_connections (the alert starts at 80%).",
                    "connections-near-limit",
                ),
            ],
        },
        {
            alertname: "MySqlVolumeNearlyFull",
            input: [
                series("kubelet_volume_stats_available_bytes", { ...ns, persistentvolumeclaim: "data-mysql-1" }, "5x30"),
                series("kubelet_volume_stats_capacity_bytes", { ...ns, persistentvolumeclaim: "data-mysql-1" }, "100x30"),
                series("kubelet_volume_stats_available_bytes", { ...ns, persistentvolumeclaim: "mysql-backups" }, "8x30"),
                series("kubelet_volume_stats_capacity_bytes", { ...ns, persistentvolumeclaim: "mysql-backups" }, "100x30"),
                series("kubelet_volume_stats_available_bytes", { ...ns, persistentvolumeclaim: "data-mysql-0" }, "50x30"),
                series("kubelet_volume_stats_capacity_bytes", { ...ns, persistentvolumeclaim: "data-mysql-0" }, "100x30"),
                series("kubelet_volume_stats_available_bytes", { ...ns, persistentvolumeclaim: "data-web-1" }, "1x30"),
                series("kubelet_volume_stats_capacity_bytes", { ...ns, persistentvolumeclaim: "data-web-1" }, "100x30"),
            ],
            early: "9m",
            fired: [
                alert(
                    "warning",
                    { ...ns, persistentvolumeclaim: "data-mysql-1" },
                    "The volume of default/data-mysql-1 has 5% free (the alert starts under 10%).",
                    "volume-nearly-full",
                ),
                alert(
                    "warning",
                    { ...ns, persistentvolumeclaim: "mysql-backups" },
                    "The volume of default/mysql-backups has 8% free (the alert starts under 10%).",
                    "volume-nearly-full",
                ),
            ],
        },
    ];

    it("f. pass `promtool test rules`: each alert fires for its object after its `for`, not before, and not for the others", () => {
        const at = "20m";
        const tests = cases().map((c) => ({
            interval: "1m",
            input_series: c.input,
            alert_rule_test: [
                { eval_time: c.early, alertname: c.alertname, exp_alerts: [] },
                { eval_time: at, alertname: c.alertname, exp_alerts: c.fired },
            ],
        }));
        // The backup alert over two days and more (the schedule is daily: twice is 172800 s), in a file of its own
        // sampled and evaluated every 5 minutes (its `for` is 10).
        const cronJob = { ...ns, cronjob: "mysql-backup" };
        const backupSummary = 'No backup of default/mysql has succeeded for twice its schedule "0 3 * * *" (172800 s).';
        const fired = [alert("critical", cronJob, backupSummary, "backup-missing")];
        const samples = (50 * 60) / 5;
        const backupTests = [
            // Last success at 0: fires at 48 h + its 10 minutes, not at 47 h.
            {
                interval: "5m",
                input_series: [
                    series("kube_cronjob_created", cronJob, `0x${samples}`),
                    series("kube_cronjob_status_last_successful_time", cronJob, `0x${samples}`),
                ],
                alert_rule_test: [
                    { eval_time: "47h", alertname: "MySqlBackupMissing", exp_alerts: [] },
                    { eval_time: "49h", alertname: "MySqlBackupMissing", exp_alerts: fired },
                ],
            },
            // A success at 24 h: nothing at 49 h.
            {
                interval: "5m",
                input_series: [
                    series("kube_cronjob_created", cronJob, `0x${samples}`),
                    series("kube_cronjob_status_last_successful_time", cronJob, `0x${(24 * 60) / 5} 86400x${samples - (24 * 60) / 5}`),
                ],
                alert_rule_test: [{ eval_time: "49h", alertname: "MySqlBackupMissing", exp_alerts: [] }],
            },
            // Never a success: fires once the CronJob is older than twice the schedule.
            {
                interval: "5m",
                input_series: [series("kube_cronjob_created", cronJob, `0x${samples}`)],
                alert_rule_test: [
                    { eval_time: "47h", alertname: "MySqlBackupMissing", exp_alerts: [] },
                    { eval_time: "49h", alertname: "MySqlBackupMissing", exp_alerts: fired },
                ],
            },
        ];
        // Every rendered alert has a case here.
        assert.deepStrictEqual(
            [...new Set([...tests, ...backupTests].flatMap((t) => t.alert_rule_test.map((r) => r.alertname)))].sort(),
            rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).sort(),
        );
        for (const [file, interval, fileTests] of [
            ["tests.yaml", "1m", tests],
            ["backup-tests.yaml", "5m", backupTests],
        ] as const) {
            const run = promtoolTest(file, interval, fileTests);
            assert.strictEqual(run.status, 0, `${file}: ${run.stdout}${run.stderr}`);
            assert.match(run.stdout, /SUCCESS/, file);
        }
    });

    it("g. `promtool test rules` fails when an alert does not fire as the case says (the check can fail)", () => {
        const c = cases()[0];
        const tests = [
            { interval: "1m", input_series: c.input, alert_rule_test: [{ eval_time: "1m", alertname: c.alertname, exp_alerts: c.fired }] },
        ];
        const run = promtoolTest("wrong.yaml", "1m", tests);
        assert.strictEqual(run.status, 1, run.stdout + run.stderr);
        assert.match(run.stdout + run.stderr, /MySqlReplicaNotReplicating/);
    });
});

describe("metrics: the binlog shipping alert under promtool (binlogShipIntervalSeconds 5)", function () {
    this.timeout(120_000);
    let dir: string;

    before(function () {
        requireBinary(this, PROMTOOL, "prometheus");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-ship-rules-"));
        const args = resolveArgs({
            ...BASE_ARGS,
            name: "mysql",
            namespace: "default",
            flavor: "mariadb",
            metrics: true,
            monitoringCrds: true,
            backupS3Bucket: "acme-backups",
            backupS3CredentialsSecret: "backup-s3",
            binlogShipIntervalSeconds: 5,
        } as MySqlClusterArgs);
        const rules = alertRules(args, clusterNames("mysql", "default", "cluster.local", "recommended"));
        fs.writeFileSync(path.join(dir, "rules.yaml"), yaml.dump(JSON.parse(JSON.stringify(rules))));
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const fired = [
        {
            exp_labels: { severity: "critical", namespace: "default", pod: "mysql-0" },
            exp_annotations: {
                summary:
                    "The binlogs of default/mysql-0 in the bucket end more than 70 s ago (twice binlogShipIntervalSeconds, 5 s, and 60 s): a restore to a time cannot reach the last writes.",
                runbook_url: `${RUNBOOK_BASE}#binlog-shipping-behind`,
            },
        },
    ];
    const series = (name: string, pod: string, values: string) => ({ series: `${name}{namespace="default",pod="${pod}"}`, values });
    const test = (when: [string, boolean][], input: ReturnType<typeof series>[]) => ({
        interval: "10s",
        input_series: input,
        alert_rule_test: when.map(([at, fires]) => ({
            eval_time: at,
            alertname: "MySqlBinlogShippingBehind",
            exp_alerts: fires ? fired : [],
        })),
    });
    const run = (file: string, tests: unknown[]) => {
        fs.writeFileSync(path.join(dir, file), yaml.dump({ rule_files: ["rules.yaml"], evaluation_interval: "10s", tests }));
        return spawnSync(PROMTOOL, ["test", "rules", file], { cwd: dir, encoding: "utf8" });
    };
    // Shipping through 120 s then stuck: behind (70 s) from 190 s, firing after its 2 minutes, from 310 s.
    const stuck = [
        series("mysql_binlog_ship_through_timestamp_seconds", "mysql-0", "0+10x12 120x40"),
        series("mysql_binlog_ship_started_timestamp_seconds", "mysql-0", "0x52"),
        series("mysql_binlog_ship_started_timestamp_seconds", "mysql-1", "0x52"),
    ];
    // Never shipped: started at 0, behind from 70 s, firing from 190 s.
    const never = [series("mysql_binlog_ship_started_timestamp_seconds", "mysql-0", "0x40")];
    // Shipping all along: never fires.
    const shipping = [
        series("mysql_binlog_ship_through_timestamp_seconds", "mysql-0", "0+10x52"),
        series("mysql_binlog_ship_started_timestamp_seconds", "mysql-0", "0x52"),
    ];

    it("passes `promtool check rules`, and fires when stuck or never shipped, after its `for`, for mysql-0 only", () => {
        const check = spawnSync(PROMTOOL, ["check", "rules", "rules.yaml"], { cwd: dir, encoding: "utf8" });
        assert.strictEqual(check.status, 0, check.stdout + check.stderr);
        const result = run("ship.yaml", [
            test(
                [
                    ["100s", false],
                    ["300s", false],
                    ["320s", true],
                ],
                stuck,
            ),
            test(
                [
                    ["180s", false],
                    ["200s", true],
                ],
                never,
            ),
            test([["500s", false]], shipping),
        ]);
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
    });

    it("`promtool test rules` fails when the case says it fires while shipping goes on (the check can fail)", () => {
        const result = run("wrong.yaml", [test([["500s", true]], shipping)]);
        assert.strictEqual(result.status, 1, result.stdout + result.stderr);
        assert.match(result.stdout + result.stderr, /MySqlBinlogShippingBehind/);
    });
});
