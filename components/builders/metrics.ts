// Metrics (`metrics`, `monitoringCrds`): the mysqld_exporter sidecar and the container that keeps its account,
// its Secret, the pods' prometheus.io annotations, the PodMonitor, the alerts (a PrometheusRule) and the Grafana
// dashboard. Every metric the alerts and the dashboard read is one the exporter exports (tests/real/metrics.test.ts
// compares them with a real scrape) or one of EXTERNAL_METRICS, named with the component that exports it.
// @see https://github.com/prometheus/mysqld_exporter
// @see https://prometheus-operator.dev/docs/api-reference/api/

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedArgs } from "../args";
import { BINLOG_SHIP_METRICS, LOCAL_HOSTS, METRICS, METRICS_SCRIPT_FILES, PATHS, ROOT_CLIENT_CONFIG, VOLUMES } from "../constants";
import { shipsBinlogs } from "./backup";
import { ClusterNames } from "../names";
import { scriptEnv } from "../scriptContract";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;

/** Where the runbooks are: docs/metrics.md, one heading per alert. */
export const RUNBOOK_BASE = "https://github.com/mysql-statefulset/mysql-statefulset/blob/main/docs/metrics.md";

/**
 * The metrics the alerts and the dashboard read that the exporter does not export, by the component that
 * exports them: the cluster's own monitoring must scrape those (kube-prometheus-stack does).
 */
export const EXTERNAL_METRICS: Readonly<Record<string, string>> = {
    kube_pod_status_ready: "kube-state-metrics",
    kube_cronjob_created: "kube-state-metrics",
    kube_cronjob_status_last_successful_time: "kube-state-metrics",
    kubelet_volume_stats_available_bytes: "kubelet",
    kubelet_volume_stats_capacity_bytes: "kubelet",
};

/**
 * The exporter's flags: its options file (user, password, host, port: never a password on its command line),
 * the port, and the collectors: server status and variables (connections, read_only), replication status,
 * InnoDB's metrics table, the binlogs' sizes and the processlist. The same flags work on mysqld_exporter 0.14
 * (Debian 12's, which the tests run) and 0.18 (the image).
 */
export function exporterFlags(): string[] {
    return [
        `--config.my-cnf=${METRICS.dir}/${METRICS.configKey}`,
        `--web.listen-address=:${METRICS.port}`,
        `--web.telemetry-path=${METRICS.path}`,
        "--collect.global_status",
        "--collect.global_variables",
        "--collect.slave_status",
        "--collect.info_schema.innodb_metrics",
        "--collect.binlog_size",
        "--collect.info_schema.processlist",
    ];
}

/**
 * The SQL that makes the exporter's account (every local host: the exporter connects over 127.0.0.1) with
 * the flavor's grants, and gives it the Secret's password if it already exists; placeholder {password}.
 * Run on mysql-0 by metrics-account.sh whenever the exporter cannot log in; it replicates to every replica.
 */
export function exporterAccountSql(args: ResolvedArgs): string {
    const limit = `WITH MAX_USER_CONNECTIONS ${METRICS.maxUserConnections}`;
    return LOCAL_HOSTS.flatMap((host) => {
        const account = `'${METRICS.user}'@'${host}'`;
        return [
            `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY '{password}' ${limit};`,
            `ALTER USER ${account} IDENTIFIED BY '{password}' ${limit};`,
            ...args.flavor.exporterGrants.map((grant) => `GRANT ${grant} TO ${account};`),
        ];
    }).join("\n");
}

/** The exporter's `[client]` options: its account, and the server in its own pod. */
export function exporterConfig(args: ResolvedArgs, password: string): string {
    return ["[client]", `user=${METRICS.user}`, `password=${password}`, "host=127.0.0.1", `port=${args.port}`, ""].join("\n");
}

/**
 * The exporter's Secret: its options file and the password alone (for metrics-account's SQL). The password
 * is generated once per stack and never changes, so the Secret is never replaced.
 */
export function metricsSecret(args: ResolvedArgs, names: ClusterNames, password: pulumi.Input<string>): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: names.metricsSecret, namespace: args.namespace, labels: { ...names.podLabels } },
        type: "Opaque",
        stringData: {
            [METRICS.configKey]: pulumi.secret(pulumi.output(password).apply((p) => exporterConfig(args, p))),
            [METRICS.passwordKey]: pulumi.secret(password),
        },
    };
}

const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

/**
 * The pod's metrics containers: the exporter (the upstream image, its own entrypoint, as the image's `nobody`),
 * and metrics-account (the backup image, which has the client), which on mysql-0 makes the exporter's account
 * once the server answers and again whenever the exporter cannot log in (a cluster that turns `metrics` on
 * later, a restore from a backup taken before); on the other pods it only waits.
 */
export function metricsContainers(args: ResolvedArgs): Container[] {
    if (!args.metrics) {
        return [];
    }
    const mount = { name: METRICS.volume, mountPath: METRICS.dir, readOnly: true };
    return [
        {
            name: METRICS.container,
            image: METRICS.image,
            args: exporterFlags(),
            ports: [{ name: METRICS.portName, containerPort: METRICS.port }],
            volumeMounts: [mount],
            resources: { requests: { cpu: "50m", memory: "32Mi" } },
            securityContext: { ...hardened, runAsUser: METRICS.runAsUser },
        },
        {
            name: METRICS.accountContainer,
            image: args.backupImage,
            command: [`${PATHS.scriptsDir}/${METRICS_SCRIPT_FILES.account}`],
            env: scriptEnv([METRICS_SCRIPT_FILES.account], {
                MYSQL_CLIENT: args.flavor.client,
                MYSQL_PORT: String(args.port),
                CLIENT_CONFIG: ROOT_CLIENT_CONFIG,
                EXPORTER_USER: METRICS.user,
                EXPORTER_CONFIG: `${METRICS.dir}/${METRICS.configKey}`,
                EXPORTER_PASSWORD_FILE: `${METRICS.dir}/${METRICS.passwordKey}`,
                EXPORTER_ACCOUNT_SQL: exporterAccountSql(args),
                CHECK_INTERVAL: String(METRICS.accountCheckSeconds),
            }),
            volumeMounts: [
                { name: VOLUMES.scripts, mountPath: PATHS.scriptsDir, readOnly: true },
                { name: VOLUMES.credentials, mountPath: PATHS.credentialsDir, readOnly: true },
                mount,
            ],
            resources: { requests: { cpu: "10m", memory: "16Mi" } },
            // root, to read root's option file (root's, mode 0600): no capability needed.
            securityContext: { ...hardened, runAsUser: 0 },
        },
    ];
}

/** Whether the pods serve the binlog shipper's metrics: `metrics` and `binlogShipIntervalSeconds` both on. */
export const servesBinlogShipMetrics = (args: ResolvedArgs): boolean => args.metrics && shipsBinlogs(args);

/**
 * The container that serves the binlog shipper's metrics file (BINLOG_SHIP_METRICS) with `rclone serve http`,
 * read-only, as `nobody`, when {@link servesBinlogShipMetrics}. On every pod, as binlog-ship is: the other
 * ordinals' file holds no samples, so their scrapes succeed.
 * @see https://rclone.org/commands/rclone_serve_http/
 */
export function binlogShipMetricsContainers(args: ResolvedArgs): Container[] {
    if (!servesBinlogShipMetrics(args)) {
        return [];
    }
    return [
        {
            name: BINLOG_SHIP_METRICS.container,
            image: args.rcloneImage,
            command: [
                PATHS.rcloneInImage,
                "serve",
                "http",
                BINLOG_SHIP_METRICS.dir,
                `--addr=:${BINLOG_SHIP_METRICS.port}`,
                "--read-only",
                // The shipper replaces the file every round: never answer from a cached listing.
                "--dir-cache-time=0s",
            ],
            ports: [{ name: BINLOG_SHIP_METRICS.portName, containerPort: BINLOG_SHIP_METRICS.port }],
            volumeMounts: [{ name: BINLOG_SHIP_METRICS.volume, mountPath: BINLOG_SHIP_METRICS.dir, readOnly: true }],
            resources: { requests: { cpu: "10m", memory: "32Mi" } },
            securityContext: { ...hardened, runAsUser: BINLOG_SHIP_METRICS.runAsUser },
        },
    ];
}

/**
 * The exporter's Secret as a volume, readable by the exporter's user (only the metrics containers mount it),
 * and with binlog shipping the memory-backed directory of the shipper's metrics file.
 */
export function metricsVolumes(args: ResolvedArgs, names: ClusterNames): Volume[] {
    return [
        ...(args.metrics ? [{ name: METRICS.volume, secret: { secretName: names.metricsSecret, defaultMode: 0o444 } }] : []),
        ...(servesBinlogShipMetrics(args) ? [{ name: BINLOG_SHIP_METRICS.volume, emptyDir: { medium: "Memory" } }] : []),
    ];
}

/** The annotations scrapers without the Prometheus Operator read (Prometheus' kubernetes-pods example job). */
export function metricsAnnotations(args: ResolvedArgs): Record<string, string> {
    return args.metrics
        ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS.port), "prometheus.io/path": METRICS.path }
        : {};
}

/**
 * The PodMonitor that has a Prometheus Operator scrape every pod's exporter (`monitoringCrds`), and the binlog
 * shipper's metrics when {@link servesBinlogShipMetrics}; the
 * Prometheus must select it (its `podMonitorSelector` and `podMonitorNamespaceSelector`).
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor
 */
export function podMonitor(args: ResolvedArgs, names: ClusterNames): k8s.apiextensions.CustomResourceArgs | undefined {
    if (!args.monitoringCrds) {
        return undefined;
    }
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: names.podMonitor, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: {
            selector: { matchLabels: { ...names.podSelector } },
            podMetricsEndpoints: [
                { port: METRICS.portName, path: METRICS.path },
                ...(servesBinlogShipMetrics(args) ? [{ port: BINLOG_SHIP_METRICS.portName, path: BINLOG_SHIP_METRICS.path }] : []),
            ],
        },
    };
}

// ---- the schedule's longest gap, for the backup alert ----

const CRON_NAMES: Record<number, readonly string[]> = {
    3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    4: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};
const CRON_BOUNDS = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
] as const;
const MACRO_GAPS: Record<string, number> = {
    "@yearly": 366 * 86400,
    "@annually": 366 * 86400,
    "@monthly": 31 * 86400,
    "@weekly": 7 * 86400,
    "@daily": 86400,
    "@midnight": 86400,
    "@hourly": 3600,
};

/** The values one field of a (checked) cron schedule matches, and whether it is a wildcard. */
function cronField(text: string, index: number): { values: Set<number>; star: boolean } {
    const [min, max] = CRON_BOUNDS[index];
    const value = (token: string) => {
        const named = (CRON_NAMES[index] ?? []).indexOf(token.toLowerCase());
        return named >= 0 ? named + min : Number(token);
    };
    const values = new Set<number>();
    for (const part of text.split(",")) {
        const [range, step] = part.split("/");
        const [low, high] = range === "*" || range === "?" ? [min, max] : range.split("-").map(value);
        const end = high ?? (step === undefined ? low : max);
        for (let v = low; v <= end; v += Number(step ?? 1)) values.add(v);
    }
    return { values, star: text.startsWith("*") || text.startsWith("?") };
}

/**
 * The longest time between two runs of a CronJob schedule (already checked by validation/backup.ts), in
 * seconds, over eight years of UTC days (every leap-day schedule included): what "twice the schedule" doubles.
 * Day of month and day of week combine as the API server's parser does (robfig/cron): both restricted, either
 * day runs; otherwise both must match.
 */
export function longestScheduleGapSeconds(schedule: string): number {
    const macro = MACRO_GAPS[schedule];
    if (macro !== undefined) {
        return macro;
    }
    const [minutes, hours, dom, months, dow] = schedule.split(/\s+/).map(cronField);
    const times = [...hours.values].flatMap((h) => [...minutes.values].map((m) => (h * 60 + m) * 60)).sort((a, b) => a - b);
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
    let lastDay: number | undefined;
    const start = Date.UTC(2027, 0, 1) / 1000;
    for (let day = 0; day < 8 * 366; day++) {
        const at = new Date((start + day * 86400) * 1000);
        const domOk = dom.values.has(at.getUTCDate());
        const dowOk = dow.values.has(at.getUTCDay());
        const dayOk = dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
        if (!dayOk || !months.values.has(at.getUTCMonth() + 1)) continue;
        if (lastDay !== undefined) gap = Math.max(gap, (day - lastDay) * 86400 + times[0] - times[times.length - 1]);
        lastDay = day;
    }
    return gap;
}

// ---- alerts ----

/** One alerting rule, as Prometheus' rule files and the PrometheusRule's spec hold it. */
export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroups {
    readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
}

/** The exporter's name for a field of SHOW SLAVE/REPLICA STATUS: `mysql_slave_status_` and the field, lower case. */
export function replicaStatusMetric(field: string): string {
    return `mysql_slave_status_${field.toLowerCase()}`;
}

/** How long each condition must hold before its alert fires. */
export const ALERT_FOR = {
    replication: "2m",
    lag: "5m",
    notReady: "5m",
    readOnly: "2m",
    connections: "5m",
    backup: "10m",
    volume: "10m",
    binlogShip: "2m",
};
/**
 * The share of max_connections, and of a volume's free space, that the alerts draw the line at; and the margin
 * over two shipping intervals the shipped through-time may lag by (a slow round, the scrape interval).
 */
export const ALERT_THRESHOLDS = { connections: 0.8, volumeFree: 0.1, binlogShipMarginSeconds: 60 };

/**
 * How far behind (s) the shipped through-time may be before MySqlBinlogShippingBehind: two shipping intervals
 * (`binlogShipIntervalSeconds`; a round ships through the time it started, every interval) and the margin.
 */
export function binlogShipBehindLimitSeconds(args: ResolvedArgs): number | undefined {
    const interval = args.objectStore?.binlogShipIntervalSeconds;
    return interval === undefined ? undefined : 2 * interval + ALERT_THRESHOLDS.binlogShipMarginSeconds;
}

/** The binlog shipper's metrics (binlog-ship.sh writes them; BINLOG_SHIP_METRICS serves them). */
export const BINLOG_SHIP_METRIC_NAMES = {
    through: "mysql_binlog_ship_through_timestamp_seconds",
    lastSuccess: "mysql_binlog_ship_last_success_timestamp_seconds",
    started: "mysql_binlog_ship_started_timestamp_seconds",
    failures: "mysql_binlog_ship_failures_total",
} as const;

/**
 * The cluster's alerts, each with a summary and a runbook link into docs/metrics.md: a replica not
 * replicating, lagging more than `maxReplicationLagSeconds`, a pod not Ready, the primary read-only,
 * connections near max_connections, no successful backup within twice the schedule (with `backupSchedule`),
 * a data or backup volume nearly full, the binlogs in the bucket behind (with binlog shipping and `metrics`).
 */
export function alertRules(args: ResolvedArgs, names: ClusterNames): RuleGroups {
    const ns = args.namespace;
    const pods = `namespace="${ns}", pod=~"${names.statefulSet}-[0-9]+"`;
    const primary = `namespace="${ns}", pod="${names.pod(0)}"`;
    const status = args.flavor.replicaStatus;
    const rule = (alert: string, anchor: string, expr: string, wait: string, severity: string, summary: string): AlertRule => ({
        alert,
        expr,
        for: wait,
        labels: { severity },
        annotations: { summary, runbook_url: `${RUNBOOK_BASE}#${anchor}` },
    });
    const rules: AlertRule[] = [
        rule(
            "MySqlReplicaNotReplicating",
            "replica-not-replicating",
            `${replicaStatusMetric(status.ioRunning)}{${pods}} == 0 or ${replicaStatusMetric(status.sqlRunning)}{${pods}} == 0`,
            ALERT_FOR.replication,
            "critical",
            "{{ $labels.namespace }}/{{ $labels.pod }} does not replicate: its I/O or SQL thread is stopped.",
        ),
        rule(
            "MySqlReplicaLagging",
            "replica-lagging",
            `${replicaStatusMetric(status.lag)}{${pods}} > ${args.maxReplicationLagSeconds}`,
            ALERT_FOR.lag,
            "warning",
            `{{ $labels.namespace }}/{{ $labels.pod }} is {{ $value }} s behind the primary, more than maxReplicationLagSeconds (${args.maxReplicationLagSeconds} s): it is out of ${names.readService}.`,
        ),
        rule(
            "MySqlPodNotReady",
            "pod-not-ready",
            `kube_pod_status_ready{${pods}, condition="true"} == 0`,
            ALERT_FOR.notReady,
            "warning",
            "{{ $labels.namespace }}/{{ $labels.pod }} is not Ready.",
        ),
        rule(
            "MySqlPrimaryReadOnly",
            "primary-read-only",
            `mysql_global_variables_read_only{${primary}} == 1`,
            ALERT_FOR.readOnly,
            "critical",
            `The primary ${ns}/${names.pod(0)} is read-only: writes fail.`,
        ),
        rule(
            "MySqlConnectionsNearLimit",
            "connections-near-limit",
            `mysql_global_status_threads_connected{${pods}} / mysql_global_variables_max_connections{${pods}} > ${ALERT_THRESHOLDS.connections}`,
            ALERT_FOR.connections,
            "warning",
            `{{ $labels.namespace }}/{{ $labels.pod }} holds {{ $value | humanizePercentage }} of its max_connections (the alert starts at ${ALERT_THRESHOLDS.connections * 100}%).`,
        ),
    ];
    if (args.backupSchedule !== undefined) {
        const limit = 2 * longestScheduleGapSeconds(args.backupSchedule);
        const cronJob = `namespace="${ns}", cronjob="${names.backupCronJob}"`;
        rules.push(
            rule(
                "MySqlBackupMissing",
                "backup-missing",
                `time() - kube_cronjob_status_last_successful_time{${cronJob}} > ${limit}` +
                    ` or (time() - kube_cronjob_created{${cronJob}} > ${limit}` +
                    ` unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${cronJob}})`,
                ALERT_FOR.backup,
                "critical",
                `No backup of ${ns}/${names.statefulSet} has succeeded for twice its schedule "${args.backupSchedule}" (${limit} s).`,
            ),
        );
    }
    const shipLimit = binlogShipBehindLimitSeconds(args);
    if (servesBinlogShipMetrics(args) && shipLimit !== undefined) {
        const { through, started } = BINLOG_SHIP_METRIC_NAMES;
        rules.push(
            rule(
                "MySqlBinlogShippingBehind",
                "binlog-shipping-behind",
                // Behind, or never shipped since the shipper started that long ago.
                `time() - ${through}{${primary}} > ${shipLimit}` +
                    ` or (time() - ${started}{${primary}} > ${shipLimit} unless on (namespace, pod) ${through}{${primary}})`,
                ALERT_FOR.binlogShip,
                "critical",
                `The binlogs of ${ns}/${names.pod(0)} in the bucket end more than ${shipLimit} s ago (twice binlogShipIntervalSeconds, ` +
                    `${args.objectStore?.binlogShipIntervalSeconds} s, and ${ALERT_THRESHOLDS.binlogShipMarginSeconds} s): a restore to a time cannot reach the last writes.`,
            ),
        );
    }
    const claims = [`${names.claim(0).replace(/-0$/, "")}-[0-9]+`, ...(args.backupNfsPath === undefined ? [] : [names.backupClaim])];
    const volumes = `namespace="${ns}", persistentvolumeclaim=~"${claims.join("|")}"`;
    rules.push(
        rule(
            "MySqlVolumeNearlyFull",
            "volume-nearly-full",
            `kubelet_volume_stats_available_bytes{${volumes}} / kubelet_volume_stats_capacity_bytes{${volumes}} < ${ALERT_THRESHOLDS.volumeFree}`,
            ALERT_FOR.volume,
            "warning",
            `The volume of {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free (the alert starts under ${ALERT_THRESHOLDS.volumeFree * 100}%).`,
        ),
    );
    return { groups: [{ name: `mysql-statefulset.${ns}.${names.statefulSet}`, rules }] };
}

/**
 * The PrometheusRule with {@link alertRules} (`monitoringCrds`); the Prometheus must select it (its
 * `ruleSelector` and `ruleNamespaceSelector`).
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */
export function prometheusRule(args: ResolvedArgs, names: ClusterNames): k8s.apiextensions.CustomResourceArgs | undefined {
    if (!args.monitoringCrds) {
        return undefined;
    }
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: names.prometheusRule, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: JSON.parse(JSON.stringify(alertRules(args, names))),
    };
}

// ---- dashboard ----

/** One panel: its title, unit, and queries (PromQL, legend). */
interface PanelSpec {
    readonly title: string;
    readonly unit: string;
    readonly targets: readonly (readonly [expr: string, legend: string])[];
}

/**
 * The dashboard's panels, every query on the cluster's pods: the exporter's up, replication (lag, threads),
 * connections against max_connections, read_only, queries, InnoDB (buffer pool reads, row lock waits),
 * binlogs (size, files), the processlist, binlog shipping (how far behind, failures) when it is served, and the
 * volumes' fill (kubelet).
 */
export function dashboardPanels(args: ResolvedArgs, names: ClusterNames): PanelSpec[] {
    const pods = `namespace="${args.namespace}", pod=~"${names.statefulSet}-[0-9]+"`;
    const status = args.flavor.replicaStatus;
    const claims = `namespace="${args.namespace}", persistentvolumeclaim=~"${names.claim(0).replace(/-0$/, "")}-[0-9]+"`;
    const primary = `namespace="${args.namespace}", pod="${names.pod(0)}"`;
    return [
        { title: "Exporter reaches its server", unit: "bool", targets: [[`mysql_up{${pods}}`, "{{pod}}"]] },
        { title: "Replication lag", unit: "s", targets: [[`${replicaStatusMetric(status.lag)}{${pods}}`, "{{pod}}"]] },
        {
            title: "Replication threads running",
            unit: "bool",
            targets: [
                [`${replicaStatusMetric(status.ioRunning)}{${pods}}`, "{{pod}} I/O"],
                [`${replicaStatusMetric(status.sqlRunning)}{${pods}}`, "{{pod}} SQL"],
            ],
        },
        {
            title: "Connections",
            unit: "short",
            targets: [
                [`mysql_global_status_threads_connected{${pods}}`, "{{pod}}"],
                [`mysql_global_variables_max_connections{${pods}}`, "{{pod}} max_connections"],
            ],
        },
        { title: "read_only", unit: "bool", targets: [[`mysql_global_variables_read_only{${pods}}`, "{{pod}}"]] },
        { title: "Queries per second", unit: "qps", targets: [[`rate(mysql_global_status_queries{${pods}}[5m])`, "{{pod}}"]] },
        {
            title: "InnoDB buffer pool reads from disk per second",
            unit: "ops",
            targets: [[`rate(mysql_global_status_innodb_buffer_pool_reads{${pods}}[5m])`, "{{pod}}"]],
        },
        {
            title: "InnoDB row lock waits per second",
            unit: "ops",
            targets: [[`rate(mysql_global_status_innodb_row_lock_waits{${pods}}[5m])`, "{{pod}}"]],
        },
        {
            title: "Binlogs",
            unit: "bytes",
            targets: [
                [`mysql_binlog_size_bytes{${pods}}`, "{{pod}} size"],
                [`mysql_binlog_files{${pods}}`, "{{pod}} files"],
            ],
        },
        {
            title: "Threads by command",
            unit: "short",
            targets: [[`sum by (pod, command) (mysql_info_schema_processlist_threads{${pods}})`, "{{pod}} {{command}}"]],
        },
        ...(servesBinlogShipMetrics(args)
            ? [
                  {
                      title: "Binlog shipping: age of the shipped through-time",
                      unit: "s",
                      targets: [[`time() - ${BINLOG_SHIP_METRIC_NAMES.through}{${primary}}`, "{{pod}}"]] as const,
                  },
                  {
                      title: "Binlog shipping: failed rounds per second",
                      unit: "ops",
                      targets: [[`rate(${BINLOG_SHIP_METRIC_NAMES.failures}{${primary}}[5m])`, "{{pod}}"]] as const,
                  },
              ]
            : []),
        {
            title: "Volume used",
            unit: "percentunit",
            targets: [
                [
                    `1 - kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}}`,
                    "{{persistentvolumeclaim}}",
                ],
            ],
        },
    ];
}

/** The dashboard's data source: a variable, so the user picks their Prometheus on import. */
const DATASOURCE_VARIABLE = "$" + "{datasource}";

/** The Grafana dashboard's JSON model (schema 39): one time-series panel per {@link dashboardPanels} entry. */
export function dashboard(args: ResolvedArgs, names: ClusterNames): Record<string, unknown> {
    const panels = dashboardPanels(args, names).map((panel, index) => ({
        id: index + 1,
        type: "timeseries",
        title: panel.title,
        datasource: { type: "prometheus", uid: DATASOURCE_VARIABLE },
        gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        targets: panel.targets.map(([expr, legendFormat], t) => ({ refId: String.fromCharCode(65 + t), expr, legendFormat })),
    }));
    return {
        title: `MySQL ${args.namespace}/${names.statefulSet}`,
        uid: `mysql-${args.namespace}-${names.statefulSet}`.slice(0, 40),
        schemaVersion: 39,
        tags: ["mysql", "mysql-statefulset"],
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        templating: {
            list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Data source" }],
        },
        panels,
    };
}

/** The label Grafana's dashboard sidecar (kube-prometheus-stack, the Grafana chart) loads ConfigMaps by. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" };

/** The dashboard as a ConfigMap that Grafana's sidecar loads (it must watch this namespace, or all). */
export function dashboardConfigMap(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ConfigMapArgs | undefined {
    if (!args.metrics) {
        return undefined;
    }
    return {
        metadata: { name: names.dashboard, namespace: args.namespace, labels: { ...names.podLabels, ...GRAFANA_DASHBOARD_LABEL } },
        data: { [`${names.dashboard}.json`]: `${JSON.stringify(dashboard(args, names), null, 2)}\n` },
    };
}

/** Every metric name a PromQL expression reads (names start with mysql_, kube_ or kubelet_). */
export function metricNames(expr: string): string[] {
    return [...new Set(expr.match(/\b(?:mysql|kube|kubelet)_[a-z0-9_]+\b/g) ?? [])];
}
