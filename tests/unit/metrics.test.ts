// The metrics builders (`metrics`, `monitoringCrds`) as plain functions of the settings, and their wiring into
// MySqlCluster under mocks. What they do on real servers: tests/real/metrics.test.ts.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { clusterNames, FlavorName, FLAVORS, METRICS, MySqlClusterArgs, resolveArgs } from "../../components";
import {
    alertRules,
    BINLOG_SHIP_METRIC_NAMES,
    dashboardConfigMap,
    dashboardPanels,
    EXTERNAL_METRICS,
    exporterAccountSql,
    exporterConfig,
    longestScheduleGapSeconds,
    metricNames,
    metricsContainers,
    networkPolicies,
    podMonitor,
    prometheusRule,
    RUNBOOK_BASE,
    statefulSet,
} from "../../components/builders";
import { readClusterPodScripts } from "../../components/podScripts";
import { MOCK_PASSWORD, MOCK_UUID } from "../../scripts/render/mockRuntime";
import { BASE_ARGS, buildCluster, inputsOf } from "../helpers";

const resolve = (args: Partial<MySqlClusterArgs> = {}) => resolveArgs({ ...BASE_ARGS, namespace: "shop", name: "orders", ...args });
const names = clusterNames("orders", "shop", "cluster.local", "recommended");
const pod = (args: Partial<MySqlClusterArgs>) =>
    (statefulSet(resolve(args), names, readClusterPodScripts(true), MOCK_UUID) as any).spec.template;

describe("metrics: the builders", () => {
    it("adds nothing with `metrics` off: no container, volume, annotation, policy, dashboard or CRD object", () => {
        const template = (statefulSet(resolve(), names, readClusterPodScripts(false), MOCK_UUID) as any).spec.template;
        assert.deepStrictEqual(
            template.spec.containers.map((c: any) => c.name),
            ["mysql", "xtrabackup"],
        );
        assert.deepStrictEqual(template.metadata, { labels: names.podLabels });
        assert.ok(!template.spec.volumes.some((v: any) => v.name === METRICS.volume));
        assert.deepStrictEqual(Object.keys(networkPolicies(resolve(), names)), ["clone", "mysql"]);
        assert.strictEqual(dashboardConfigMap(resolve(), names), undefined);
        assert.strictEqual(podMonitor(resolve({ metrics: true }), names), undefined);
        assert.strictEqual(prometheusRule(resolve({ metrics: true }), names), undefined);
    });

    it("runs the upstream exporter with its options file (no password on its command line) as nobody, on the named port", () => {
        const template = pod({ metrics: true });
        assert.deepStrictEqual(template.metadata.annotations, {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "9104",
            "prometheus.io/path": "/metrics",
        });
        const [exporter, account] = template.spec.containers.slice(2);
        assert.deepStrictEqual(exporter, {
            name: "metrics",
            image: "prom/mysqld-exporter:v0.18.0",
            args: [
                "--config.my-cnf=/etc/mysqld-exporter/my.cnf",
                "--web.listen-address=:9104",
                "--web.telemetry-path=/metrics",
                "--collect.global_status",
                "--collect.global_variables",
                "--collect.slave_status",
                "--collect.info_schema.innodb_metrics",
                "--collect.binlog_size",
                "--collect.info_schema.processlist",
            ],
            ports: [{ name: "metrics", containerPort: 9104 }],
            volumeMounts: [{ name: "metrics", mountPath: "/etc/mysqld-exporter", readOnly: true }],
            resources: { requests: { cpu: "50m", memory: "32Mi" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsUser: 65534 },
        });
        assert.strictEqual(account.name, "metrics-account");
        assert.strictEqual(account.image, "mysql:5.7".replace("mysql:5.7", resolve().backupImage));
        assert.deepStrictEqual(account.command, ["/opt/mysql-statefulset/metrics-account.sh"]);
        assert.deepStrictEqual(account.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsUser: 0 });
        assert.ok(
            account.env.every((e: any) => !/password=|IDENTIFIED BY '[^{]/.test(e.value)),
            "no password in the account container's environment",
        );
        assert.deepStrictEqual(
            template.spec.volumes.find((v: any) => v.name === "metrics"),
            { name: "metrics", secret: { secretName: "orders-metrics", defaultMode: 0o444 } },
        );
        assert.deepStrictEqual(metricsContainers(resolve()), []);
    });

    it("gives the exporter's account the flavor's grants for every local host, and its options file the pod's server", () => {
        assert.strictEqual(
            exporterAccountSql(resolve({ flavor: "mariadb" }))
                .split("\n")
                .slice(0, 4)
                .join("\n"),
            [
                "CREATE USER IF NOT EXISTS 'exporter'@'localhost' IDENTIFIED BY '{password}' WITH MAX_USER_CONNECTIONS 3;",
                "ALTER USER 'exporter'@'localhost' IDENTIFIED BY '{password}' WITH MAX_USER_CONNECTIONS 3;",
                "GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'exporter'@'localhost';",
                "GRANT SELECT ON performance_schema.* TO 'exporter'@'localhost';",
            ].join("\n"),
        );
        for (const flavor of ["mysql57", "mysql84"] as const) {
            const sql = exporterAccountSql(resolve({ flavor }));
            assert.match(sql, /^GRANT PROCESS, REPLICATION CLIENT ON \*\.\* TO 'exporter'@'127\.0\.0\.1';$/m, flavor);
            assert.strictEqual(sql.split("\n").length, 3 * 4, flavor);
        }
        assert.strictEqual(exporterConfig(resolve(), "pw"), "[client]\nuser=exporter\npassword=pw\nhost=127.0.0.1\nport=3306\n");
    });

    it("admits the metrics port from metricsNamespace only, with networkPolicy on", () => {
        const policy: any = networkPolicies(resolve({ metrics: true, metricsNamespace: "observability" }), names).metrics;
        assert.deepStrictEqual(policy.spec, {
            podSelector: { matchLabels: names.podSelector },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
                    ports: [{ protocol: "TCP", port: 9104 }],
                },
            ],
        });
        assert.deepStrictEqual(networkPolicies(resolve({ metrics: true, networkPolicy: false }), names), {});
    });

    it("has a PodMonitor on the named port, and a PrometheusRule with the alerts, with monitoringCrds", () => {
        const args = resolve({ metrics: true, monitoringCrds: true });
        assert.deepStrictEqual(podMonitor(args, names), {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: "orders", namespace: "shop", labels: names.podLabels },
            spec: { selector: { matchLabels: names.podSelector }, podMetricsEndpoints: [{ port: "metrics", path: "/metrics" }] },
        });
        const rule: any = prometheusRule(args, names);
        assert.deepStrictEqual(rule.spec, JSON.parse(JSON.stringify(alertRules(args, names))));
    });

    it("names the replication metrics after each flavor's status fields, as the exporter does", () => {
        const used = (flavor: FlavorName) =>
            [...new Set(alertRules(resolve({ flavor }), names).groups[0].rules.flatMap((r) => metricNames(r.expr)))].filter((n) =>
                n.startsWith("mysql_slave_status_"),
            );
        assert.deepStrictEqual(used("mariadb"), [
            "mysql_slave_status_slave_io_running",
            "mysql_slave_status_slave_sql_running",
            "mysql_slave_status_seconds_behind_master",
        ]);
        assert.deepStrictEqual(used("mysql84"), [
            "mysql_slave_status_replica_io_running",
            "mysql_slave_status_replica_sql_running",
            "mysql_slave_status_seconds_behind_source",
        ]);
        assert.deepStrictEqual(used("mysql57"), used("mariadb"));
        assert.ok(FLAVORS.mysql84.replicaStatus.lag === "Seconds_Behind_Source");
    });

    it("has the backup alert only with backupSchedule, at twice the schedule's longest gap, and the backup claim with backupNfsPath", () => {
        const alerts = (args: Partial<MySqlClusterArgs>) => alertRules(resolve(args), names).groups[0].rules;
        assert.deepStrictEqual(
            alerts({}).map((r) => r.alert),
            [
                "MySqlReplicaNotReplicating",
                "MySqlReplicaLagging",
                "MySqlPodNotReady",
                "MySqlPrimaryReadOnly",
                "MySqlConnectionsNearLimit",
                "MySqlVolumeNearlyFull",
            ],
        );
        const backup = alerts({ backupSchedule: "0 3 * * 1", backupNfsPath: "/exports/backups" });
        const missing = backup.find((r) => r.alert === "MySqlBackupMissing")!;
        assert.match(missing.expr, /kube_cronjob_status_last_successful_time\{namespace="shop", cronjob="orders-backup"\} > 1209600 /);
        assert.match(
            backup.find((r) => r.alert === "MySqlVolumeNearlyFull")!.expr,
            /persistentvolumeclaim=~"data-orders-\[0-9\]\+\|orders-backups"/,
        );
        assert.match(
            alerts({ maxReplicationLagSeconds: 90 })[1].expr,
            /seconds_behind_master\{namespace="shop", pod=~"orders-\[0-9\]\+"\} > 90$/,
        );
        for (const rule of backup) {
            assert.ok(rule.annotations.summary.length > 10, rule.alert);
            assert.match(rule.annotations.runbook_url, /docs\/metrics\.md#[a-z-]+$/, rule.alert);
        }
    });

    it("measures a schedule's longest gap as the API server's parser reads it", () => {
        const cases: [string, number][] = [
            ["0 3 * * *", 86400],
            ["*/15 * * * *", 900],
            ["0 */6 * * *", 6 * 3600],
            ["30 1,13 * * *", 12 * 3600],
            ["0 3 * * 1", 7 * 86400],
            ["0 3 * * MON-FRI", 3 * 86400],
            ["0 0 1 * *", 31 * 86400],
            ["0 0 1,15 * 1", 7 * 86400], // day of month OR day of week: every Monday, and the 1st and 15th
            ["0 0 29 2 *", (366 + 3 * 365) * 86400],
            ["@hourly", 3600],
            ["@weekly", 7 * 86400],
        ];
        assert.deepStrictEqual(
            cases.map(([schedule]) => [schedule, longestScheduleGapSeconds(schedule)]),
            cases,
        );
    });

    it("reads, on the dashboard, every metric of the alerts but the kube-state-metrics ones, and labels it for Grafana's sidecar", () => {
        const args = resolve({ metrics: true, backupSchedule: "0 3 * * *", backupNfsPath: "/exports/backups" });
        const config: any = dashboardConfigMap(args, names);
        assert.deepStrictEqual(config.metadata, {
            name: "orders-dashboard",
            namespace: "shop",
            labels: { ...names.podLabels, grafana_dashboard: "1" },
        });
        const dashboard = JSON.parse(config.data["orders-dashboard.json"]);
        assert.strictEqual(dashboard.panels.length, dashboardPanels(args, names).length);
        const onDashboard = new Set<string>(dashboard.panels.flatMap((p: any) => p.targets.flatMap((t: any) => metricNames(t.expr))));
        const inAlerts = alertRules(args, names).groups[0].rules.flatMap((r) => metricNames(r.expr));
        assert.deepStrictEqual(
            inAlerts.filter((name) => !onDashboard.has(name)),
            ["kube_pod_status_ready", "kube_cronjob_status_last_successful_time", "kube_cronjob_created"],
        );
        // Every metric from outside the exporter is listed with its source, and is used.
        const used = new Set([...onDashboard, ...inAlerts]);
        assert.deepStrictEqual([...used].filter((n) => !n.startsWith("mysql_")).sort(), Object.keys(EXTERNAL_METRICS).sort());
    });
});

describe("metrics: the binlog shipper's metrics (`metrics` with binlog shipping)", () => {
    const SHIPPING = { flavor: "mariadb" as const, backupS3Bucket: "acme-backups", backupS3CredentialsSecret: "orders-s3" };
    const both = { ...SHIPPING, metrics: true, monitoringCrds: true, networkPolicy: true };
    const containerNames = (args: Partial<MySqlClusterArgs>) => pod(args).spec.containers.map((c: any) => c.name);
    const alertNames = (args: Partial<MySqlClusterArgs>) => alertRules(resolve(args), names).groups[0].rules.map((r) => r.alert);

    it("serves the shipper's metrics file with rclone serve http, as nobody, read-only, on the named port", () => {
        const template = pod(both);
        const serving = template.spec.containers.find((c: any) => c.name === "binlog-ship-metrics");
        assert.deepStrictEqual(serving, {
            name: "binlog-ship-metrics",
            image: resolve(both).rcloneImage,
            command: [
                "/usr/local/bin/rclone",
                "serve",
                "http",
                "/run/binlog-ship-metrics",
                "--addr=:9105",
                "--read-only",
                "--dir-cache-time=0s",
            ],
            ports: [{ name: "binlog-metrics", containerPort: 9105 }],
            volumeMounts: [{ name: "binlog-ship-metrics", mountPath: "/run/binlog-ship-metrics", readOnly: true }],
            resources: { requests: { cpu: "10m", memory: "32Mi" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsUser: 65534 },
        });
        const shipper = template.spec.containers.find((c: any) => c.name === "binlog-ship");
        assert.deepStrictEqual(
            shipper.env.find((e: any) => e.name === "METRICS_FILE"),
            { name: "METRICS_FILE", value: "/run/binlog-ship-metrics/binlog-ship.txt" },
        );
        assert.deepStrictEqual(shipper.volumeMounts.at(-1), { name: "binlog-ship-metrics", mountPath: "/run/binlog-ship-metrics" });
        assert.deepStrictEqual(
            template.spec.volumes.find((v: any) => v.name === "binlog-ship-metrics"),
            { name: "binlog-ship-metrics", emptyDir: { medium: "Memory" } },
        );
    });

    it("exists exactly when both `metrics` and binlog shipping are on: container, volume, file, PodMonitor endpoint, policy port, alert, panels", () => {
        const cases: [string, Partial<MySqlClusterArgs>, boolean][] = [
            ["both", both, true],
            ["metrics without a bucket", { metrics: true, monitoringCrds: true, networkPolicy: true }, false],
            ["shipping without metrics", { ...SHIPPING, networkPolicy: true }, false],
            ["mysql84, which ships too", { ...both, flavor: "mysql84" }, true],
            ["a bucket, but a flavor whose binlogs are not shipped", { ...both, flavor: "mysql57" }, false],
        ];
        for (const [what, args, on] of cases) {
            const template = pod(args);
            const shipper = template.spec.containers.find((c: any) => c.name === "binlog-ship");
            const endpoints = (podMonitor(resolve(args), names) as any)?.spec.podMetricsEndpoints ?? [];
            const policyPorts = ((networkPolicies(resolve(args), names).metrics as any)?.spec.ingress[0].ports ?? []).map(
                (p: any) => p.port,
            );
            const panels = args.metrics ? dashboardPanels(resolve(args), names).map((p) => p.title) : [];
            const seen = {
                container: containerNames(args).includes("binlog-ship-metrics"),
                volume: template.spec.volumes.some((v: any) => v.name === "binlog-ship-metrics"),
                file: shipper?.env.some((e: any) => e.name === "METRICS_FILE") ?? false,
                endpoint: endpoints.some((e: any) => e.port === "binlog-metrics" && e.path === "/binlog-ship.txt"),
                port: policyPorts.includes(9105),
                alert: alertNames(args).includes("MySqlBinlogShippingBehind"),
                panels: panels.filter((t) => t.startsWith("Binlog shipping")).length === 2,
            };
            assert.deepStrictEqual(seen, Object.fromEntries(Object.keys(seen).map((k) => [k, on])), what);
            assert.strictEqual(endpoints[0]?.port ?? "metrics", "metrics", what);
        }
        // The shipper itself runs with a bucket whether or not metrics are on.
        assert.ok(containerNames({ ...SHIPPING }).includes("binlog-ship"));
    });

    it("fires MySqlBinlogShippingBehind past twice binlogShipIntervalSeconds and the margin, or when nothing shipped that long since the start", () => {
        const behind = (interval: number | undefined) =>
            alertRules(resolve({ ...both, binlogShipIntervalSeconds: interval }), names).groups[0].rules.find(
                (r) => r.alert === "MySqlBinlogShippingBehind",
            )!;
        const primary = 'namespace="shop", pod="orders-0"';
        assert.deepStrictEqual(behind(5), {
            alert: "MySqlBinlogShippingBehind",
            expr:
                `time() - mysql_binlog_ship_through_timestamp_seconds{${primary}} > 70` +
                ` or (time() - mysql_binlog_ship_started_timestamp_seconds{${primary}} > 70` +
                ` unless on (namespace, pod) mysql_binlog_ship_through_timestamp_seconds{${primary}})`,
            for: "2m",
            labels: { severity: "critical" },
            annotations: {
                summary:
                    "The binlogs of shop/orders-0 in the bucket end more than 70 s ago (twice binlogShipIntervalSeconds, 5 s, and 60 s): a restore to a time cannot reach the last writes.",
                runbook_url: `${RUNBOOK_BASE}#binlog-shipping-behind`,
            },
        });
        // The default interval (60 s) and another: the threshold follows the setting.
        assert.match(behind(undefined).expr, /> 180 or /);
        assert.match(behind(600).expr, /> 1260 or /);
        assert.deepStrictEqual(
            [...new Set(metricNames(behind(5).expr))].sort(),
            [BINLOG_SHIP_METRIC_NAMES.started, BINLOG_SHIP_METRIC_NAMES.through].sort(),
        );
    });

    it("names only metrics binlog-ship.sh writes", () => {
        const script = fs.readFileSync(path.join(__dirname, "..", "..", "pod", "binlog-ship.sh"), "utf8");
        for (const name of Object.values(BINLOG_SHIP_METRIC_NAMES)) {
            assert.ok(script.includes(`%s${name.slice("mysql_binlog_ship".length)} `), `binlog-ship.sh writes ${name}`);
        }
        const used = [
            ...alertRules(resolve(both), names).groups[0].rules.flatMap((r) => metricNames(r.expr)),
            ...dashboardPanels(resolve(both), names).flatMap((p) => p.targets.flatMap(([expr]) => metricNames(expr))),
        ].filter((n) => n.startsWith("mysql_binlog_ship_"));
        assert.deepStrictEqual(
            [...new Set(used)].filter((n) => !(Object.values(BINLOG_SHIP_METRIC_NAMES) as string[]).includes(n)),
            [],
        );
    });
});

describe("metrics: docs/metrics.md", () => {
    it("has a section for every alert's runbook link", () => {
        const text = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "metrics.md"), "utf8");
        // GitHub's anchors: a heading in lower case, spaces as hyphens.
        const anchors = [...text.matchAll(/^#+ (.+)$/gm)].map((m) =>
            m[1]
                .toLowerCase()
                .replace(/[^a-z0-9 -]/g, "")
                .replace(/ /g, "-"),
        );
        const args = resolve({ metrics: true, backupSchedule: "0 3 * * *", backupNfsPath: "/exports/backups" });
        const links = alertRules(args, names).groups[0].rules.map((r) => r.annotations.runbook_url);
        assert.strictEqual(links.length, 7);
        for (const link of links) {
            assert.ok(link.startsWith(`${RUNBOOK_BASE}#`), link);
            assert.ok(anchors.includes(link.slice(RUNBOOK_BASE.length + 1)), `${link} has no heading in docs/metrics.md`);
        }
        for (const name of Object.keys(EXTERNAL_METRICS)) {
            assert.ok(text.includes(`\`${name}\``), `docs/metrics.md names the external metric ${name}`);
        }
    });
});

describe("metrics: the component's wiring", function () {
    this.timeout(60_000);

    it("registers the exporter's Secret before the StatefulSet, the dashboard, and the CRD objects only with monitoringCrds", async () => {
        const { registered } = await buildCluster({ ...BASE_ARGS, metrics: true, monitoringCrds: true });
        const types = registered.map((r) => `${r.type} ${r.name}`);
        for (const expected of [
            "random:index/randomPassword:RandomPassword db-exporter-password",
            "kubernetes:core/v1:Secret db-metrics",
            "kubernetes:core/v1:ConfigMap db-dashboard",
            "kubernetes:monitoring.coreos.com/v1:PodMonitor db-pod-monitor",
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule db-alerts",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy db-metrics-policy",
        ]) {
            assert.ok(types.includes(expected), `${expected} in ${types.join(", ")}`);
        }
        assert.deepStrictEqual(inputsOf(registered, "kubernetes:core/v1:Secret", "db-metrics").stringData, {
            "my.cnf": `[client]\nuser=exporter\npassword=${MOCK_PASSWORD}\nhost=127.0.0.1\nport=3306\n`,
            password: MOCK_PASSWORD,
        });
        const secretUrn = "urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster$kubernetes:core/v1:Secret::db-metrics";
        const sts = registered.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!;
        assert.ok(sts.dependencies.includes(secretUrn), "the StatefulSet waits for the exporter's Secret");

        const without = (await buildCluster({ ...BASE_ARGS, metrics: true })).registered.map((r) => r.type);
        assert.ok(!without.some((t) => t.includes("monitoring.coreos.com")), "no CRD object without monitoringCrds");
        const off = (await buildCluster(BASE_ARGS)).registered.map((r) => r.name);
        assert.ok(!off.some((n) => /metrics|dashboard|exporter|monitor|alerts/.test(n)), off.join(", "));
    });
});
