// Benchmark (not a test): run with `npm run bench` as root. Prints, from one run of the rendered mariadb
// flavor: each pod's bootstrap time, the time from the first pod's start to all pods Ready, and the clone's
// throughput against a raw `tar` copy of the donor's data directory through the same namespaces; then the
// replicas' lag under a write load and the bootstrap time of 3 and 6 pods by mode (benchScaling.ts).
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { execFileSync } from "child_process";
import { CONTAINERS, VOLUMES } from "../../components";
import { ClusterEvent } from "./harness";
import { createRealCluster, rootSql } from "./setup";
import { benchBootstrap, benchWriteLoad } from "./benchScaling";

const BALLAST_ROWS = Number(process.env.BENCH_ROWS ?? 800_000); // ~300 MB of InnoDB data
const RAW_PORT = 3399;

function mib(bytes: number): string {
    return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function duBytes(dir: string): number {
    return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

function span(events: ClusterEvent[], pod: string, from: (e: ClusterEvent) => boolean, to: (e: ClusterEvent) => boolean): number {
    const start = events.find((e) => e.pod === pod && from(e));
    const end = events.find((e) => e.pod === pod && to(e) && e.t >= (start?.t ?? 0));
    if (!start || !end) {
        throw new Error(`no events for ${pod}`);
    }
    return end.t - start.t;
}

async function main(): Promise<void> {
    const cluster = await createRealCluster("bench");
    const sql = async (ordinal: number, statement: string) => {
        const run = await rootSql(cluster, ordinal, statement, 600_000);
        if (run.code !== 0) {
            throw new Error(run.stderr);
        }
        return run.stdout.trim();
    };
    try {
        const started = Date.now();
        await cluster.scaleTo(3);
        const allReady = Date.now() - started;
        const events = cluster.events();
        console.log("bootstrap (empty data), per pod, PodStarting -> PodReady:");
        for (const pod of ["mysql-0", "mysql-1", "mysql-2"]) {
            const ready = span(
                events,
                pod,
                (e) => e.type === "PodStarting",
                (e) => e.type === "PodReady",
            );
            console.log(`  ${pod}: ${ready} ms`);
        }
        console.log(`first pod start -> 3 pods Ready: ${allReady} ms`);

        await sql(
            0,
            `CREATE DATABASE IF NOT EXISTS shop; CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS}`,
        );
        // Wait until the last replica has applied the load, so the clone below copies all of it.
        for (let tries = 0; tries < 600; tries++) {
            if ((await sql(2, "SELECT COUNT(*) FROM shop.ballast").catch(() => "")) === String(BALLAST_ROWS)) break;
            await sleep(500);
        }

        await cluster.startPod(3);
        const clone = span(
            cluster.events(),
            "mysql-3",
            (e) => e.type === "ContainerStarted" && e.container === CONTAINERS.clone,
            (e) => e.type === "ContainerExited" && e.container === CONTAINERS.clone,
        );
        const cloned = duBytes(path.join(cluster.volumePath(3, VOLUMES.data), "mysql"));
        const donorDir = path.join(cluster.volumePath(2, VOLUMES.data), "mysql");
        const donorBytes = duBytes(donorDir);

        // The same bytes as a plain tar stream from mysql-2 to mysql-3, through the same veths and socat.
        const receive = cluster.exec(
            3,
            CONTAINERS.sidecar,
            [
                "bash",
                "-c",
                `mkdir -p /var/lib/mysql/raw-copy && socat -u -b 1048576 TCP-LISTEN:${RAW_PORT},reuseaddr STDOUT | tar --no-same-owner -xf - -C /var/lib/mysql/raw-copy`,
            ],
            { timeoutMs: 600_000 },
        );
        await sleep(300);
        const rawStarted = Date.now();
        const send = await cluster.exec(
            2,
            CONTAINERS.sidecar,
            ["bash", "-c", `tar -C /var/lib/mysql -cf - . | socat -u -b 1048576 STDIN TCP:mysql-3.mysql:${RAW_PORT},retry=20`],
            { timeoutMs: 600_000 },
        );
        const received = await receive;
        const raw = Date.now() - rawStarted;
        if (send.code !== 0 || received.code !== 0) {
            throw new Error(`raw copy failed: ${send.stderr} ${received.stderr}`);
        }

        const cloneRate = cloned / 2 ** 20 / (clone / 1000);
        const rawRate = donorBytes / 2 ** 20 / (raw / 1000);
        console.log(`clone mysql-2 -> mysql-3 (stream + prepare + rename): ${mib(cloned)} in ${clone} ms = ${cloneRate.toFixed(0)} MiB/s`);
        console.log(`raw tar copy of the donor's data dir, same path:      ${mib(donorBytes)} in ${raw} ms = ${rawRate.toFixed(0)} MiB/s`);
        console.log(`clone / raw throughput: ${(cloneRate / rawRate).toFixed(2)}`);
    } finally {
        await cluster.destroy();
    }
}

// Issue 15's sections: replicas under a write load, bootstrap time by mode and size (benchScaling.ts).
async function scaling(): Promise<void> {
    await benchWriteLoad();
    await benchBootstrap();
}

// BENCH_ONLY=scaling runs only those sections.
(process.env.BENCH_ONLY === "scaling" ? scaling() : main().then(scaling)).catch((error) => {
    console.error(error);
    process.exit(1);
});
