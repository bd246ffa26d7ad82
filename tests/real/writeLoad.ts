// A write load against the primary and what the replicas make of it, shared by the real-server suite and the
// bench: sysbench's oltp_write_only (Debian's sysbench, run in mysql-0's network namespace as the application
// user, as a client pod would), each replica's lag sampled while it runs, the time until every pod has the
// primary's checksums after it stops, and the CPU time each server spent.
import * as fs from "fs";
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { PASSWORD_KEYS } from "../../components";
import { FakeKubelet, runOk, waitFor } from "../fake-kubelet";
import { allPids, cmdlineOf, nsOfPath, nsOfPid } from "../fake-kubelet/util";
import { renderedSecret, rootSql } from "./setup";

export interface WriteLoadOptions {
    /** Client threads on the primary. */
    readonly threads: number;
    readonly seconds: number;
    /** Transactions per second sysbench aims at (its --rate); unset, as fast as the clients go. */
    readonly rate?: number;
    /** The pods that replicate (ordinals > 0). */
    readonly replicas: number[];
    /** sysbench's tables and rows per table. */
    readonly tables?: number;
    readonly tableSize?: number;
}

export interface WriteLoadResult {
    /** Transactions per second the primary committed. */
    readonly tps: number;
    /** Largest Seconds_Behind_Master seen on each replica while the load ran, by ordinal. */
    readonly maxLag: Record<number, number>;
    /** From the load's end until every pod had the primary's rows and checksums, in ms. */
    readonly convergeMs: number;
    /** CPU seconds (user + system) each pod's server used during the load and the catch-up, by ordinal. */
    readonly cpuSeconds: Record<number, number>;
    readonly wallSeconds: number;
}

/**
 * The load issue 15 measured the replicas against: 4 threads of oltp_write_only, which the primary then
 * committed at about 615 transactions/s. Unthrottled, the primary now commits twice that on an idle machine,
 * and the three servers and sysbench together then use both cores: the replicas' lag measures the machine.
 * An absolute rate is the bench's figure (`npm run bench`, as a ratio to the flat-out rate): a slower or
 * busier machine cannot commit it through three servers, so the suite loads a share of what it can
 * (suiteLoadRate).
 */
export const ISSUE_LOAD_TPS = 615;

/** The suite's load on the primary as a share of the flat-out rate measured just before, on the same cluster. */
export const SUITE_LOAD_FRACTION = 0.6;

/**
 * The least rate the suite asks of the primary: each replica's four appliers still have work in every
 * second (with one applier, a replica fell behind under 615 tx/s). A machine that cannot commit even
 * this fails the case rather than passing it on an idle replica.
 */
export const SUITE_LOAD_FLOOR_TPS = 200;

/** The rate the suite asks of the primary, from the flat-out rate: a fixed share, never under the floor. */
export const suiteLoadRate = (flatOutTps: number): number => Math.max(SUITE_LOAD_FLOOR_TPS, Math.round(SUITE_LOAD_FRACTION * flatOutTps));

const DATABASE = "shop";
const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s.

function sysbenchArgs(cluster: FakeKubelet, options: Omit<WriteLoadOptions, "seconds">): string[] {
    const secret = renderedSecret(`${cluster.name}-credentials`);
    // The password in an option file only root reads, not on sysbench's command line, which every process
    // on the host can read (case j watches every process's for the cluster's passwords).
    const config = path.join(cluster.workDir, "sysbench.cfg");
    fs.writeFileSync(config, `mysql-password=${secret[PASSWORD_KEYS.app]}\n`, { mode: 0o600 });
    return [
        "netns",
        "exec",
        cluster.network.nsOf(cluster.podName(0)),
        "sysbench",
        `--config-file=${config}`,
        "oltp_write_only",
        "--db-driver=mysql",
        "--mysql-host=127.0.0.1",
        "--mysql-port=3306",
        "--mysql-user=shop-app",
        `--mysql-db=${DATABASE}`,
        `--tables=${options.tables ?? 4}`,
        `--table-size=${options.tableSize ?? 10_000}`,
        `--threads=${options.threads}`,
        ...(options.rate === undefined ? [] : [`--rate=${options.rate}`]),
    ];
}

/** CPU ticks of each pod's server process (mariadbd), found by the pod's network namespace. */
function serverTicks(cluster: FakeKubelet, ordinals: number[]): Record<number, number> {
    const byNs = new Map(ordinals.map((o) => [nsOfPath(`/run/netns/${cluster.network.nsOf(cluster.podName(o))}`, "net"), o]));
    const ticks: Record<number, number> = Object.fromEntries(ordinals.map((o) => [o, 0]));
    for (const pid of allPids()) {
        if (!/^\S*mariadbd\b/.test(cmdlineOf(pid))) continue;
        const ordinal = byNs.get(nsOfPid(pid, "net"));
        if (ordinal === undefined) continue;
        try {
            // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
            const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
            ticks[ordinal] += Number(fields[11]) + Number(fields[12]);
        } catch {
            // exited meanwhile
        }
    }
    return ticks;
}

async function lag(cluster: FakeKubelet, ordinal: number): Promise<number> {
    // Vertical output keeps the field names.
    const status = await rootSql(cluster, ordinal, "SHOW SLAVE STATUS\\G", undefined, true);
    const match = /Seconds_Behind_Master: (\d+)/.exec(status.stdout);
    // NULL (not replicating) counts as behind without bound.
    return match ? Number(match[1]) : Infinity;
}

/** CHECKSUM TABLE of every sysbench table, on one pod. */
async function checksums(cluster: FakeKubelet, ordinal: number, tables: number): Promise<string> {
    const names = Array.from({ length: tables }, (_, i) => `${DATABASE}.sbtest${i + 1}`).join(", ");
    const result = await rootSql(cluster, ordinal, `CHECKSUM TABLE ${names}`);
    return result.code === 0 ? result.stdout : `error ${result.stderr}`;
}

/** Creates sysbench's tables on the primary and waits until every replica has them. */
export async function prepareWriteLoad(cluster: FakeKubelet, options: Omit<WriteLoadOptions, "seconds" | "rate">): Promise<void> {
    await runOk("ip", [...sysbenchArgs(cluster, options), "prepare"]);
    const tables = options.tables ?? 4;
    let all: string[] = [];
    await waitFor(
        async () => {
            all = await Promise.all([0, ...options.replicas].map((o) => checksums(cluster, o, tables)));
            return all.every((c) => c === all[0] && !c.startsWith("error"));
        },
        { timeoutMs: 120_000, everyMs: 250, what: () => `the replicas to get sysbench's tables: ${all.join(" / ")}` },
    );
}

/** Runs the load, sampling the replicas' lag every 250 ms, then waits until every pod has the primary's checksums. */
export async function runWriteLoad(cluster: FakeKubelet, options: WriteLoadOptions): Promise<WriteLoadResult> {
    const ordinals = [0, ...options.replicas];
    const tables = options.tables ?? 4;
    const maxLag: Record<number, number> = Object.fromEntries(options.replicas.map((o) => [o, 0]));
    const ticksBefore = serverTicks(cluster, ordinals);
    const started = Date.now();
    let running = true;
    const load = runOk("ip", [...sysbenchArgs(cluster, options), `--time=${options.seconds}`, "run"]).finally(() => {
        running = false;
    });
    while (running) {
        const lags = await Promise.all(options.replicas.map((o) => lag(cluster, o)));
        options.replicas.forEach((o, i) => (maxLag[o] = Math.max(maxLag[o], lags[i])));
        await sleep(250);
    }
    const stdout = await load;
    const convergeMs = await waitFor(
        async () => {
            const all = await Promise.all(ordinals.map((o) => checksums(cluster, o, tables)));
            return all.every((c) => c === all[0] && !c.startsWith("error"));
        },
        { timeoutMs: 120_000, everyMs: 100, what: "every pod to have the primary's checksums" },
    ).catch(() => -1);
    const ticksAfter = serverTicks(cluster, ordinals);
    const tps = /transactions:\s+\d+\s+\(([\d.]+) per sec/.exec(stdout);
    return {
        tps: tps ? Number(tps[1]) : NaN,
        maxLag,
        convergeMs,
        cpuSeconds: Object.fromEntries(ordinals.map((o) => [o, (ticksAfter[o] - ticksBefore[o]) / TICKS])),
        wallSeconds: (Date.now() - started) / 1000,
    };
}

/** Each replica's largest lag, in words: `mysql-1 0 s, mysql-2 NULL (not replicating)`. */
export function describeLags(maxLag: Record<number, number>): string {
    return Object.entries(maxLag)
        .map(([o, s]) => `mysql-${o} ${Number.isFinite(s) ? `${s} s` : "NULL (not replicating)"}`)
        .join(", ");
}

/** One line for logs: TPS, lag per replica, convergence, CPU per server. */
export function describeWriteLoad(r: WriteLoadResult): string {
    const cpu = Object.entries(r.cpuSeconds).map(([o, s]) => `mysql-${o} ${s.toFixed(1)} s`);
    return (
        `${r.tps.toFixed(0)} tx/s on mysql-0; max lag ${describeLags(r.maxLag)}; converged ${r.convergeMs} ms after the load; ` +
        `server CPU over ${r.wallSeconds.toFixed(1)} s: ${cpu.join(", ")}`
    );
}
