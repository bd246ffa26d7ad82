// `metrics: true` deployed by the real engine on the real controllers (mariadb, a bucket and binlog shipping):
// every pod runs the exporter and the binlog shipper's metrics server beside the server; each pod's exporter
// answers a scrape from the pod network, as Prometheus takes it, with its server up and, on the replicas,
// both replication threads running; mysql-0's binlog-ship endpoint gives the time through which its binlogs
// are in the bucket, and that time passes a write (how soon is printed; the bound under load is pitr.test.ts's
// and the alert's, tests/real/metrics.test.ts); the replicas' endpoints say
// that they ship nothing. The exporter's image is stood in for by Debian's mysqld_exporter
// (tests/fake-kubelet/image.ts), the server's by Debian's MariaDB 10.11, the bucket by `rclone serve s3`.
//
// Root only, as the node agent; needs Debian's prometheus-mysqld-exporter (.ci/run installs it). Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/metrics.test.ts
import * as assert from "assert";
import { BINLOG_SHIP_METRICS, CONTAINERS, METRICS } from "../../components";
import { BINLOG_SHIP_METRIC_NAMES } from "../../components/builders";
import { waitFor } from "../fake-kubelet/util";
import { httpGet, okBody, parseScrape, Scrape } from "../scrape";
import { isReady, requireEngineBed, stackConfig } from "./harness";
import { BackupBed, bucketSettings, passwords, testBucket } from "./backupBed";

const PATHS = [1, 2, 3].map((n) => `/metrics/v${n}`);
const BUCKET = testBucket("metrics");
/** A /24 of its own (day2 and labels 18, backup 19, offsite 21, pitr 23, nfsServers 25, emptyPrimary 27). */
const SUBNET_INDEX = 29;
/** The shipping interval: the smallest allowed, so that the through-time moves within seconds. */
const BINLOG_INTERVAL = 5;

describe("metrics on the real engine and controllers: the exporter and the binlog shipper's endpoint of every pod, scraped (mariadb, rclone serve s3)", function () {
    this.timeout(30 * 60_000);
    const bb = new BackupBed({
        stack: "metrics",
        nfsDirs: PATHS,
        subnetIndex: SUBNET_INDEX,
        stackConfig: stackConfig(bucketSettings(BUCKET, SUBNET_INDEX), {
            nfsPaths: PATHS,
            binlogShipIntervalSeconds: BINLOG_INTERVAL,
            metrics: true,
        }),
        passwords: passwords("root-Metrics-1"),
        bucket: BUCKET,
    });

    /** The response body of GET http://POD_IP:port/path, from inside the pod's mysql container. */
    const get = async (ordinal: number, port: number, path: string): Promise<string> => {
        const pod = (await bb.b().pods()).get(`mysql-${ordinal}`);
        const ip = pod?.status?.podIP;
        assert.ok(ip, `mysql-${ordinal} has an IP`);
        const out = await bb.b().kubectl("exec", `mysql-${ordinal}`, "-c", CONTAINERS.mysql, "--", ...httpGet(ip, port, path));
        return okBody(out, `GET ${path} on mysql-${ordinal}:${port}`);
    };
    const scrape = async (ordinal: number, port: number, path: string): Promise<Scrape> => parseScrape(await get(ordinal, port, path));
    /** Waits until a scrape satisfies `ok`; fails with the last scrape's samples. */
    const waitForScrape = async (
        ordinal: number,
        port: number,
        path: string,
        what: string,
        ok: (s: Scrape) => boolean,
    ): Promise<Scrape> => {
        let last: Scrape | undefined;
        let error = "";
        await waitFor(
            async () => {
                last = await scrape(ordinal, port, path).catch((e: Error) => {
                    error = e.message;
                    return undefined;
                });
                return last !== undefined && ok(last);
            },
            {
                timeoutMs: 120_000,
                everyMs: 500,
                what: () =>
                    `${what} in mysql-${ordinal}'s scrape of :${port}${path}: ` +
                    (last ? [...last.samples.entries()].map(([k, v]) => `${k} ${v}`).join("; ") : error),
            },
        );
        assert.ok(last);
        return last;
    };
    /** The one series of `metric` in a scrape (a replica's replication series carry labels), or undefined. */
    const single = (s: Scrape, metric: string): number | undefined => {
        const series = [...s.samples.keys()].filter((k) => k === metric || k.startsWith(`${metric}{`));
        assert.ok(series.length <= 1, `one ${metric} series: ${series.join(", ")}`);
        return series.length === 0 ? undefined : s.samples.get(series[0]);
    };

    before(async function () {
        requireEngineBed(this);
        await bb.start();
    });

    after(async function () {
        await bb.stop();
    });

    it("`pulumi up` with `metrics: true`: every pod Ready, with the exporter and the binlog shipper's metrics server running beside the server", async () => {
        await bb.createCredentials("default");
        await bb.up("metrics", "default");
        const pods = await bb.b().pods();
        for (const name of ["mysql-0", "mysql-1", "mysql-2"]) {
            const pod = pods.get(name);
            assert.ok(isReady(pod), `${name} is Ready`);
            const running = (pod?.status?.containerStatuses ?? []).filter((c) => c.ready).map((c) => c.name);
            for (const container of [CONTAINERS.mysql, METRICS.container, BINLOG_SHIP_METRICS.container]) {
                assert.ok(running.includes(container), `${name} runs ${container}: ${running.join(", ")}`);
            }
        }
    });

    it("each pod's exporter answers a scrape from the pod network: its server up, read-only on the replicas, whose I/O and SQL threads run", async () => {
        await bb.createOrders("default");
        await bb.converged("default", 1000);
        const primary = await waitForScrape(0, METRICS.port, METRICS.path, "mysql_up 1", (s) => s.samples.get("mysql_up") === 1);
        assert.strictEqual(primary.samples.get("mysql_global_variables_read_only"), 0);
        assert.strictEqual(single(primary, "mysql_slave_status_slave_sql_running"), undefined, "the primary replicates from nothing");
        for (const ordinal of [1, 2]) {
            const s = await waitForScrape(
                ordinal,
                METRICS.port,
                METRICS.path,
                "mysql_up 1 and both replication threads running",
                (x) =>
                    x.samples.get("mysql_up") === 1 &&
                    single(x, "mysql_slave_status_slave_io_running") === 1 &&
                    single(x, "mysql_slave_status_slave_sql_running") === 1,
            );
            assert.strictEqual(s.samples.get("mysql_global_variables_read_only"), 1, `mysql-${ordinal} is read-only`);
        }
    });

    it("mysql-0's binlog-ship endpoint: the through-time passes a write; the replicas' say they ship nothing", async () => {
        const first = await waitForScrape(0, BINLOG_SHIP_METRICS.port, BINLOG_SHIP_METRICS.path, "a through-time", (s) =>
            s.samples.has(BINLOG_SHIP_METRIC_NAMES.through),
        );
        assert.ok(first.samples.has(BINLOG_SHIP_METRIC_NAMES.started), [...first.names].join(", "));
        assert.ok(first.samples.has(BINLOG_SHIP_METRIC_NAMES.lastSuccess), [...first.names].join(", "));

        await bb.sql("default", 0, "INSERT INTO shop.orders (note) VALUES ('after-metrics');");
        const wrote = Date.now() / 1000;
        const passed = await waitForScrape(
            0,
            BINLOG_SHIP_METRICS.port,
            BINLOG_SHIP_METRICS.path,
            "a through-time after the write",
            (s) => (s.samples.get(BINLOG_SHIP_METRIC_NAMES.through) ?? 0) >= Math.ceil(wrote),
        );
        const tookSeconds = Date.now() / 1000 - wrote;
        console.log(
            `      (the through-time passed the write ${tookSeconds.toFixed(1)} s after it, interval ${BINLOG_INTERVAL} s; ` +
                `failed rounds so far: ${passed.samples.get(BINLOG_SHIP_METRIC_NAMES.failures)})`,
        );

        for (const ordinal of [1, 2]) {
            const body = await get(ordinal, BINLOG_SHIP_METRICS.port, BINLOG_SHIP_METRICS.path);
            assert.strictEqual(body, "# Only ordinal 0 ships binlogs.\n", `mysql-${ordinal}'s endpoint`);
        }
    });
});
