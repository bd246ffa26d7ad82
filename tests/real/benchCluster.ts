// The bootstrap and clone parts of `npm run bench` (run as root): each figure as a ratio to its floor,
// measured in the same run on the same machine.
//   bootstrap: first pod start -> 3 pods Ready, against mariadb-install-db + 3 server starts (timed by
//              starting a bare server in a pod) + each replica's clone (timed in this run);
//   clone:     a replica's clone of a donor with ballast (stream + prepare + move), against a raw `tar` of the
//              donor's data directory through the same namespaces; with where the clone's time goes.
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { execFileSync } from "child_process";
import { CONTAINERS, VOLUMES } from "../../components";
import { KubeletEvent, FakeKubelet, waitFor } from "../fake-kubelet";
import { sqlOn } from "./setup";

const BALLAST_ROWS = Number(process.env.BENCH_ROWS ?? 800_000); // ~300 MB of InnoDB data
const RAW_PORT = 3399;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function mib(bytes: number): string {
    return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function duBytes(dir: string): number {
    return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

function span(events: KubeletEvent[], pod: string, from: (e: KubeletEvent) => boolean, to: (e: KubeletEvent) => boolean): number {
    const start = events.find((e) => e.pod === pod && from(e));
    const end = events.find((e) => e.pod === pod && to(e) && e.t >= (start?.t ?? 0));
    if (!start || !end) {
        throw new Error(`no events for ${pod}`);
    }
    return end.t - start.t;
}

const cloneSpan = (events: KubeletEvent[], pod: string) =>
    span(
        events,
        pod,
        (e) => e.type === "ContainerStarted" && e.container === CONTAINERS.clone,
        (e) => e.type === "ContainerExited" && e.container === CONTAINERS.clone,
    );

/** Runs a bash script in a pod's sidecar container (root, the server's binaries, the pod's network); its stdout. */
async function inSidecar(cluster: FakeKubelet, ordinal: number, script: string): Promise<string> {
    const run = await cluster.exec(ordinal, CONTAINERS.sidecar, ["bash", "-c", script], { timeoutMs: 600_000 });
    if (run.code !== 0) {
        throw new Error(`in mysql-${ordinal}'s sidecar: ${run.stderr}`);
    }
    return run.stdout.trim();
}

/**
 * The server's own start-up, timed in a pod: mariadb-install-db into an empty directory, then a bare server
 * started on it until it answers (polled every 20 ms), twice. Milliseconds: [install, start].
 */
async function serverStartFloor(cluster: FakeKubelet, ordinal: number): Promise<[number, number]> {
    const out = await inSidecar(
        cluster,
        ordinal,
        `set -o errexit
        ms() { local us=\${EPOCHREALTIME/./}; echo $((us / 1000)); }
        d=$(mktemp -d /tmp/bench-floor.XXXXXX)
        server=(mariadbd --no-defaults --user=root --datadir="$d/data" --socket="$d/sock" --port=3398 --bind-address=127.0.0.1
            --innodb-buffer-pool-size=64M --innodb-log-file-size=48M --pid-file="$d/pid")
        t0=$(ms)
        mariadb-install-db --no-defaults --user=root --datadir="$d/data" --auth-root-authentication-method=normal --skip-test-db >/dev/null 2>&1
        t1=$(ms)
        starts=()
        for _ in 1 2; do
            s=$(ms)
            "\${server[@]}" >"$d/log" 2>&1 &
            until mariadb-admin --no-defaults --socket="$d/sock" -uroot ping >/dev/null 2>&1; do sleep 0.02; done
            starts+=($(($(ms) - s)))
            mariadb-admin --no-defaults --socket="$d/sock" -uroot shutdown
            wait
        done
        rm -rf "$d"
        echo $((t1 - t0)) "\${starts[@]}"`,
    );
    const [install, ...starts] = out.split(/\s+/).map(Number);
    return [install, Math.min(...starts)];
}

/** Where a pod's start went: each container's start and exit or Ready, in seconds from PodStarting. */
function timeline(events: KubeletEvent[], pod: string): string {
    const own = events.filter((e) => e.pod === pod);
    const from = own.find((e) => e.type === "PodStarting")?.t ?? 0;
    const until = own.find((e) => e.type === "PodReady")?.t ?? Infinity;
    const at = (e: KubeletEvent | undefined) => (e ? ((e.t - from) / 1000).toFixed(2) : "?");
    const containers = [...new Set(own.filter((e) => e.container && e.t <= until).map((e) => e.container as string))];
    return containers
        .map((c) => {
            const of = (type: string) => own.find((e) => e.container === c && e.type === type && e.t <= until);
            const end = of("ContainerExited") ?? of("ContainerReady");
            return `${c} ${at(of("ContainerStarted"))}→${end?.type === "ContainerReady" ? "Ready " : ""}${at(end)}`;
        })
        .join(", ");
}

/** What a bootstrap of 3 pods cannot go below: the data directory's install, 3 server starts, 2 clones (ms). */
export interface BootstrapFloor {
    install: number;
    start: number;
    clones: number[];
    total: number;
}

/**
 * The time a pod spends between its containers, which the (fake) kubelet takes to start each one: from
 * PodStarting to the first init container, and from each init container's exit to the next container's start.
 */
function handOvers(events: KubeletEvent[], pod: string): number {
    const is = (type: string, container?: string) => (e: KubeletEvent) => e.type === type && e.container === container;
    return (
        span(events, pod, is("PodStarting"), is("ContainerStarted", CONTAINERS.init)) +
        span(events, pod, is("ContainerExited", CONTAINERS.init), is("ContainerStarted", CONTAINERS.clone)) +
        span(events, pod, is("ContainerExited", CONTAINERS.clone), is("ContainerStarted", CONTAINERS.mysql))
    );
}

/**
 * Bootstrap of 3 pods from empty data, printed against its floor: the floor measured in this cluster (its
 * server starts; its clones, which are timed without waiting, with `bootstrap: ordered`), or one given (a
 * `parallel` cluster's clones wait for their donor and for its clone slot). Returns the floor.
 */
export async function benchBootstrap(cluster: FakeKubelet, mode: string, given?: BootstrapFloor): Promise<BootstrapFloor> {
    const started = Date.now();
    await cluster.scaleTo(3);
    const allReady = Date.now() - started;
    const events = cluster.events();
    const pods = ["mysql-0", "mysql-1", "mysql-2"];
    const perPod = pods.map((pod) =>
        span(
            events,
            pod,
            (e) => e.type === "PodStarting",
            (e) => e.type === "PodReady",
        ),
    );
    const clones = pods.slice(1).map((pod) => cloneSpan(events, pod));
    const floor = given ?? (await measureFloor(cluster, clones));
    console.log(`bootstrap (empty data), bootstrap: ${mode}:`);
    console.log(`  per pod, PodStarting -> PodReady: ${pods.map((p, i) => `${p} ${seconds(perPod[i])}`).join(", ")}`);
    for (const pod of pods) {
        console.log(`  ${pod}: ${timeline(events, pod)}`);
    }
    console.log(`  clones (clone-mysql container, waits included): ${clones.map(seconds).join(", ")}`);
    console.log(
        `  the kubelet's container starts and hand-overs (PodStarting -> init, init -> clone, clone -> mysql): ` +
            `${pods.map((p) => `${p} ${seconds(handOvers(events, p))}`).join(", ")}`,
    );
    console.log(
        `  floor${given ? " (the ordered cluster's)" : ""}: mariadb-install-db ${seconds(floor.install)} + 3 × server start ${seconds(floor.start)} + ` +
            `the clones ${floor.clones.map(seconds).join(" + ")} = ${seconds(floor.total)}`,
    );
    console.log(`  first pod start -> 3 pods Ready: ${seconds(allReady)} = ${ratio(allReady, floor.total)} floor (goal ≤ 1.30×)`);
    return floor;
}

async function measureFloor(cluster: FakeKubelet, clones: number[]): Promise<BootstrapFloor> {
    const [install, start] = await serverStartFloor(cluster, 2);
    return { install, start, clones, total: install + 3 * start + clones.reduce((a, b) => a + b, 0) };
}

/**
 * Milliseconds of a tar of mysql-2's data directory sent by socat to `connect` and unpacked by mysql-3's
 * socat listening on `listen` (socat address specs), into a fresh raw-copy directory beside its data.
 */
async function rawTarCopy(cluster: FakeKubelet, listen: string, connect: string, what: string): Promise<number> {
    const receive = cluster.exec(
        3,
        CONTAINERS.sidecar,
        [
            "bash",
            "-c",
            `rm -rf /var/lib/mysql/raw-copy && mkdir -p /var/lib/mysql/raw-copy && socat -u -b 1048576 ${listen} STDOUT | tar --no-same-owner -xf - -C /var/lib/mysql/raw-copy`,
        ],
        { timeoutMs: 600_000 },
    );
    await sleep(300);
    const started = Date.now();
    const send = await cluster.exec(
        2,
        CONTAINERS.sidecar,
        ["bash", "-c", `tar -C /var/lib/mysql --exclude=./raw-copy -cf - . | socat -u -b 1048576 STDIN ${connect}`],
        { timeoutMs: 600_000 },
    );
    const received = await receive;
    const took = Date.now() - started;
    if (send.code !== 0 || received.code !== 0) {
        throw new Error(`${what} failed: ${send.stderr} ${received.stderr}`);
    }
    return took;
}

/** A fourth pod's clone of mysql-2 after ballast, against a raw tar copy; prints where the time goes. */
export async function benchClone(cluster: FakeKubelet): Promise<void> {
    const sql = (ordinal: number, statement: string) => sqlOn(cluster, ordinal, statement, 600_000);
    await sql(
        0,
        `CREATE DATABASE IF NOT EXISTS shop; CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS}`,
    );
    // Wait until the last replica has applied the load, so the clone below copies all of it.
    await waitFor(async () => (await sql(2, "SELECT COUNT(*) FROM shop.ballast").catch(() => "")) === String(BALLAST_ROWS), {
        timeoutMs: 300_000,
        everyMs: 500,
        what: "mysql-2 to apply the ballast",
    }).catch(() => undefined);

    await cluster.startPod(3);
    const clone = cloneSpan(cluster.events(), "mysql-3");
    const phases = /complete: stream ([\d.]+) s, prepare ([\d.]+) s, move ([\d.]+) s/.exec(cluster.logs(3, CONTAINERS.clone));
    const cloned = duBytes(path.join(cluster.volumePath(3, VOLUMES.data), "mysql"));
    const donorBytes = duBytes(path.join(cluster.volumePath(2, VOLUMES.data), "mysql"));

    // The backup alone on the donor: read only (to /dev/null), then read and unpacked on the donor's disk,
    // each with one copy thread (as the clone) and with four; the best is the most a clone could reach here.
    const backup = (threads: number) =>
        `"$BACKUP_TOOL" --defaults-extra-file="$BACKUP_CLIENT_CONFIG" --backup --slave-info --stream=xbstream --parallel=${threads} ` +
        `--host=127.0.0.1 --port=3306 --datadir="$DATA_DIR" --target-dir=/tmp 2>/dev/null`;
    const timed = (script: string) => `s=\${EPOCHREALTIME/./}; ${script}; e=\${EPOCHREALTIME/./}; echo $(((e - s) / 1000))`;
    const readOnly: number[] = [];
    const readUnpack: number[] = [];
    for (const threads of [1, 4]) {
        readOnly.push(Number(await inSidecar(cluster, 2, timed(`${backup(threads)} >/dev/null`))));
        readUnpack.push(
            Number(
                await inSidecar(
                    cluster,
                    2,
                    `d=$(mktemp -d /var/lib/mysql-bench.XXXXXX 2>/dev/null || mktemp -d); ${timed(`${backup(threads)} | "$STREAM_TOOL" -x --parallel=${threads} -C "$d"`)}; rm -rf "$d"`,
                ),
            ),
        );
    }

    // The same bytes as a plain tar stream from mysql-2 to mysql-3, through the same veths and socat; then
    // through the clone's own transport, socat with the pods' mutual TLS (what the clone adds to a raw copy
    // beyond the transport is the backup tool's own work).
    const raw = await rawTarCopy(cluster, `TCP-LISTEN:${RAW_PORT},reuseaddr`, `TCP:mysql-3.mysql:${RAW_PORT},retry=20`, "raw copy");
    const tls = 'cert="$TLS_CERT",key="$TLS_KEY",cafile="$TLS_CA",verify=1';
    const rawTls = await rawTarCopy(
        cluster,
        `OPENSSL-LISTEN:${RAW_PORT},reuseaddr,${tls}`,
        `OPENSSL:"mysql-3.$PEER_DOMAIN":${RAW_PORT},retry=20,${tls}`,
        "raw copy over TLS",
    );

    const cloneRate = cloned / 2 ** 20 / (clone / 1000);
    const rawRate = donorBytes / 2 ** 20 / (raw / 1000);
    console.log("clone of mysql-2 by a new mysql-3, after ballast:");
    console.log(`  clone-mysql container (stream + prepare + move): ${mib(cloned)} in ${seconds(clone)} = ${cloneRate.toFixed(0)} MiB/s`);
    if (phases) {
        console.log(
            `    of which: stream (backup read, TLS transport, unpack) ${phases[1]} s, prepare ${phases[2]} s, move ${phases[3]} s`,
        );
    }
    console.log(
        `    the backup alone on the donor, 1 / 4 threads: read ${readOnly.map(seconds).join(" / ")}; ` +
            `read + unpack on its disk ${readUnpack.map(seconds).join(" / ")}`,
    );
    console.log(`  raw tar copy of the donor's data dir, same path:  ${mib(donorBytes)} in ${seconds(raw)} = ${rawRate.toFixed(0)} MiB/s`);
    console.log(
        `  the same tar through the clone's mutual-TLS socat:  ${seconds(rawTls)} = ${(donorBytes / 2 ** 20 / (rawTls / 1000)).toFixed(0)} MiB/s`,
    );
    console.log(
        `  clone / raw throughput: ${(cloneRate / rawRate).toFixed(2)} (goal ≥ 1.00); clone / raw over TLS: ${((cloneRate * rawTls) / (donorBytes / 2 ** 20) / 1000).toFixed(2)}`,
    );
    // The bound: the backup tool's best read + unpack on the donor's own disk (no network, no TLS), as a
    // ratio to the raw copy of the same bytes; a clone, which adds the transport and the prepare, stays below.
    console.log(
        `  the backup tool alone (best read + unpack) / raw copy: ${((raw * donorBytes) / (Math.min(...readUnpack) * cloned)).toFixed(2)}`,
    );
}
