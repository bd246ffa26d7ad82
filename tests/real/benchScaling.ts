// The bench's scaling sections (issue 15), called by bench.ts: how far the replicas fall behind a write
// load with one applier thread and with the default four, and how the time to a whole cluster grows from
// 3 to 6 pods with `bootstrap: ordered` and `parallel`. Each figure comes from one run on fresh clusters.
import { createRealCluster } from "./setup";
import {
    describeWriteLoad,
    ISSUE_LOAD_TPS,
    prepareWriteLoad,
    runWriteLoad,
    SUITE_LOAD_FLOOR_TPS,
    SUITE_LOAD_FRACTION,
    suiteLoadRate,
    WriteLoadResult,
} from "./writeLoad";

const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);

/** sysbench oltp_write_only, 4 client threads on mysql-0 at `rate` tx/s (unset: flat out), against 3 pods whose replicas apply with `threads`. */
async function writeLoad(threads: number, rate?: number): Promise<WriteLoadResult> {
    const cluster = await createRealCluster(`bench-apply${threads}`, { render: ["--config", `replicaApplyThreads=${threads}`] });
    try {
        await cluster.scaleTo(3);
        const load = { threads: 4, seconds: LOAD_SECONDS, replicas: [1, 2], rate };
        await prepareWriteLoad(cluster, load);
        return await runWriteLoad(cluster, load);
    } finally {
        await cluster.destroy();
    }
}

export async function benchWriteLoad(): Promise<void> {
    // Flat out first: the issue's absolute rate means something only as a share of what this machine commits.
    console.log(`\nwrite load: sysbench oltp_write_only, 4 threads for ${LOAD_SECONDS} s on mysql-0, 3 pods:`);
    const flat = await writeLoad(4);
    // Flat out, the clients and the three servers share this machine's cores; the CPU figures show the limit.
    console.log(`  flat out, replicaApplyThreads=4: ${describeWriteLoad(flat)}`);
    console.log(
        `  the issue's ${ISSUE_LOAD_TPS} tx/s = ${(ISSUE_LOAD_TPS / flat.tps).toFixed(2)} x this machine's flat-out rate ` +
            `(the suite's case p asks ${SUITE_LOAD_FRACTION} x, at least ${SUITE_LOAD_FLOOR_TPS} tx/s: ${suiteLoadRate(flat.tps)} tx/s here)`,
    );
    const results: Record<number, WriteLoadResult> = {};
    for (const threads of [1, 4]) {
        results[threads] = await writeLoad(threads, ISSUE_LOAD_TPS);
        console.log(`  at the issue's ${ISSUE_LOAD_TPS} tx/s, replicaApplyThreads=${threads}: ${describeWriteLoad(results[threads])}`);
    }
    const maxLag = (r: WriteLoadResult) => Math.max(...Object.values(r.maxLag));
    const [one, four] = [results[1], results[4]];
    console.log(
        `  4 threads / 1 thread: primary TPS ${(four.tps / one.tps).toFixed(2)}, replicas' max lag ${maxLag(four)} s / ${maxLag(one)} s, ` +
            `converged ${four.convergeMs} ms / ${one.convergeMs} ms after the load`,
    );
    const goal = maxLag(four) <= 2 && four.convergeMs >= 0 && four.convergeMs <= 2000;
    console.log(`  goal (lag <= 2 s, converged <= 2 s after the load, default 4 threads): ${goal ? "met" : "NOT met"}`);
}

/** Milliseconds from the first pod's start until all `replicas` pods are Ready, on a fresh cluster. */
async function timeToReady(mode: string, replicas: number): Promise<number> {
    const cluster = await createRealCluster(`bench-${mode}${replicas}`, {
        render: ["--config", `bootstrap=${mode}`, "--config", `replicas=${replicas}`],
    });
    try {
        const started = Date.now();
        await cluster.scaleTo(replicas);
        return Date.now() - started;
    } finally {
        await cluster.destroy();
    }
}

export async function benchBootstrap(): Promise<void> {
    console.log("\nbootstrap of an empty cluster, first pod start -> all pods Ready:");
    const times: Record<string, Record<number, number>> = {};
    for (const mode of ["ordered", "parallel"]) {
        times[mode] = {};
        for (const replicas of [3, 6]) {
            times[mode][replicas] = await timeToReady(mode, replicas);
        }
        const ratio = times[mode][6] / times[mode][3];
        console.log(`  ${mode}: 3 pods ${times[mode][3]} ms, 6 pods ${times[mode][6]} ms, 6/3 = ${ratio.toFixed(2)}`);
    }
    console.log(
        `  parallel / ordered: 3 pods ${(times.parallel[3] / times.ordered[3]).toFixed(2)}, 6 pods ${(times.parallel[6] / times.ordered[6]).toFixed(2)}`,
    );
    console.log(`  goal (parallel: 6 pods within 1.3x the time of 3): ${times.parallel[6] / times.parallel[3] <= 1.3 ? "met" : "NOT met"}`);
}
