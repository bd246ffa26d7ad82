// Self-test of the fake kubelet (tests/fake-kubelet): runs the fixture StatefulSets
// (tests/real/fixtures/fake-kubelet-*.yaml) for real, MariaDB pods in namespaces of their own, checks the
// Kubernetes behaviour the real-server suite relies on, and that what the fake kubelet does not emulate is refused.
//
// Needs root. Without it the suite skips loudly, or fails under CI=true (requireFakeKubelet).
// Run: npx mocha --no-config --require ts-node/register/transpile-only --timeout 600000 tests/real/fakeKubelet.test.ts
// FAKE_KUBELET_VERBOSE=1 prints pod/container events; FAKE_KUBELET_KEEP=1 keeps the workDir; FAKE_KUBELET_PREFIX
// and FAKE_KUBELET_SUBNET name the run (each cluster here adds a letter to the prefix and takes its own /24).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { FakeKubelet, K8sObject, requireFakeKubelet, runPrefix, runSubnet, waitFor } from "../fake-kubelet";
import { netnsNamesWithPrefix } from "../fake-kubelet/netns";
import { allPids, commOf, mountPointsUnder, nsOfPath, nsOfPid } from "../fake-kubelet/util";
import { ProcessWatch } from "./setup";

/** A space, both quotes, a backslash and a '#': all must survive env, SQL and probes untouched. */
const PASSWORD = `s3cr3t pa'ss\\wo#rd "x"`;
const PREFIX = runPrefix("s");
const SUBNET = runSubnet(1);
const FIXTURE = path.join(__dirname, "fixtures", "fake-kubelet-statefulset.yaml");
const LIFECYCLE_FIXTURE = path.join(__dirname, "fixtures", "fake-kubelet-lifecycle.yaml");

/** mariadbd processes in the network namespaces of the run with this prefix (other runs may be going on). */
function mariadbdPidsOf(prefix: string): number[] {
    const nets = new Set(netnsNamesWithPrefix(prefix).map((n) => nsOfPath(`/run/netns/${n}`, "net")));
    return allPids().filter((p) => commOf(p) === "mariadbd" && nets.has(nsOfPid(p, "net")));
}

describe("fake kubelet (self-test)", function () {
    this.timeout(10 * 60_000);
    let cluster: FakeKubelet | undefined;
    let workDir = "";
    /** Every mariadbd this cluster ran, collected along the way: none may survive destroy(). */
    const ourMariadbd = new Set<number>();
    const collectMariadbd = () => mariadbdPidsOf(PREFIX).forEach((p) => ourMariadbd.add(p));
    const timings: string[] = [];
    /** Every process's command line from the cluster's creation on, looked at for the root password. */
    let argvWatch: ProcessWatch | undefined;

    const c = (): FakeKubelet => {
        if (!cluster) throw new Error("no cluster");
        return cluster;
    };

    /** How each instance of a pod's container exited so far ("code N"), oldest first. */
    const exitDetails = (ordinal: number, container: string) =>
        c()
            .events()
            .filter((e) => e.pod === `mysql-${ordinal}` && e.container === container && e.type === "ContainerExited")
            .map((e) => e.detail);

    /** SQL through the mariadb client in a pod's mariadb container, as the user the fixture's initdb.d SQL creates. */
    const sql = (ordinal: number, host: string, statement: string, extra: string[] = []) =>
        c().exec(ordinal, "mariadb", [
            "mariadb",
            `--host=${host}`,
            "--user=remote",
            "--password=remote-pw",
            "-N",
            "-B",
            ...extra,
            "-e",
            statement,
        ]);

    const readyAfter = (pod: string): number => {
        const ev = c().events();
        const start = [...ev].reverse().find((e) => e.pod === pod && e.type === "PodStarting");
        const ready = ev.find((e) => e.pod === pod && e.type === "PodReady" && start && e.t >= start.t);
        return ready && start ? ready.t - start.t : NaN;
    };

    before(async function () {
        requireFakeKubelet(this);
        workDir = path.join(os.tmpdir(), `fake-kubelet-selftest-${PREFIX}`);
        const t = Date.now();
        const objects = yaml.loadAll(fs.readFileSync(FIXTURE, "utf8")) as K8sObject[];
        (objects.find((o) => o.kind === "Secret") as K8sObject).stringData["root-password"] = PASSWORD;
        cluster = await FakeKubelet.create({ prefix: PREFIX, subnet: SUBNET, workDir, objects });
        timings.push(`create (network + image) ${Date.now() - t} ms`);
        argvWatch = new ProcessWatch(() => ["wo#rd"], ["cmdline"]);
    });

    after(async function () {
        await argvWatch?.stop();
        await cluster?.destroy();
        if (timings.length) console.log(`\n    timings:\n      ${timings.join("\n      ")}`);
    });

    it("starts the pods in order, each only after the previous one is Ready", async () => {
        const t = Date.now();
        await c().scaleTo(2, { readyTimeoutMs: 90_000 });
        collectMariadbd();
        timings.push(
            `scaleTo(2) ${Date.now() - t} ms (mysql-0 Ready after ${readyAfter("mysql-0")} ms, mysql-1 after ${readyAfter("mysql-1")} ms)`,
        );
        const order = c()
            .events()
            .filter((e) => e.type === "PodStarting" || e.type === "PodReady")
            .map((e) => `${e.pod} ${e.type}`);
        assert.deepStrictEqual(order, ["mysql-0 PodStarting", "mysql-0 PodReady", "mysql-1 PodStarting", "mysql-1 PodReady"]);
        for (const o of [0, 1]) {
            assert.strictEqual(c().starts(o, "init"), 1);
            assert.strictEqual(c().restarts(o, "mariadb"), 0, c().describe(o));
            assert.strictEqual(c().status(o).phase, "Running");
        }
    });

    it("runs the init container first, into an emptyDir the main containers share", async () => {
        const r = await c().exec(1, "sidecar", ["cat", "/work/init-done"]);
        assert.strictEqual(r.stdout, "init ran on mysql-1 as ordinal 1\n");
        const ro = await c().exec(1, "mariadb", ["touch", "/work/x"]);
        assert.notStrictEqual(ro.code, 0, "the mariadb container mounts /work readOnly");
        assert.match(ro.stderr, /Read-only file system/);
    });

    it("gives each container the pod's hostname, a PID namespace of its own and exactly its env (no service links)", async () => {
        assert.strictEqual((await c().exec(1, "mariadb", ["hostname"])).stdout, "mysql-1\n");
        assert.strictEqual((await c().exec(1, "mariadb", ["cat", "/proc/1/comm"])).stdout, "mariadbd\n");
        assert.strictEqual((await c().exec(1, "sidecar", ["cat", "/proc/1/comm"])).stdout, "socat\n");
        const env = (await c().exec(1, "sidecar", ["env", "-0"])).stdout.split("\0").filter(Boolean);
        const vars = new Map(env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as [string, string]));
        assert.strictEqual(vars.get("PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assert.strictEqual(vars.get("HOSTNAME"), "mysql-1");
        assert.strictEqual(vars.get("HOME"), "/root");
        assert.deepStrictEqual(
            [...vars.keys()].sort(),
            ["HOME", "HOSTNAME", "LANG", "MARIADB_VERSION", "PATH"],
            "nothing of the host's environment leaks in",
        );
        const hello = await c().exec(0, "mariadb", ["bash", "-c", "exec 3<>/dev/tcp/mysql-1.mysql/3307; cat <&3"]);
        assert.strictEqual(hello.stdout, "hello from mysql-1\n");
    });

    it("lets mysql-1 log in to mysql-0.mysql:3306 as the initdb.d SQL's user over the pod network, not as root", async () => {
        const r = await sql(
            1,
            "mysql-0.mysql",
            "SELECT @@hostname, @@server_id, @@max_connections, @@expire_logs_days, " +
                "(SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID())",
        );
        assert.strictEqual(r.code, 0, r.stderr);
        const [hostname, serverId, maxConn, expireDays, client] = r.stdout.trim().split("\t");
        assert.deepStrictEqual([hostname, serverId, maxConn, Number(expireDays)], ["mysql-0", "100", "123", 3]);
        assert.ok(client.startsWith(`${c().podIP(1)}:`), `client address ${client} is mysql-1's pod IP`);
        const local = await sql(1, "127.0.0.1", "SELECT @@server_id");
        assert.strictEqual(local.stdout, "101\n");
        const wrong = await c().exec(1, "mariadb", ["mariadb", "-h", "mysql-0.mysql", "-uremote", "--password=wrong", "-e", "SELECT 1"]);
        assert.match(wrong.stderr, /Access denied/);
        // The stand-in creates root@localhost only, as the component asks (MYSQL_ROOT_HOST=localhost).
        const root = await c().exec(1, "mariadb", [
            "bash",
            "-c",
            'MYSQL_PWD="$(cat /etc/secret/root-password)" exec mariadb -h mysql-0.mysql -uroot -e "SELECT 1"',
        ]);
        assert.match(root.stderr, /Access denied for user 'root'/);
        const rootLocal = await c().exec(0, "mariadb", [
            "bash",
            "-c",
            'MYSQL_PWD="$(cat /etc/secret/root-password)" exec mariadb -uroot -N -e "SELECT CURRENT_USER()"',
        ]);
        assert.strictEqual(rootLocal.stdout, "root@localhost\n", rootLocal.stderr);
    });

    it("keeps the root password out of every process's argv", async () => {
        // Every process since the cluster was created, each read as it appeared, not a few seconds of samples.
        await argvWatch!.stop();
        timings.push(`argv watch: ${argvWatch!.processes} processes`);
        assert.ok(argvWatch!.processes > 100, `the watch read ${argvWatch!.processes} processes`);
        assert.deepStrictEqual([...argvWatch!.leaks], []);
    });

    it("resolves Ready pods as <pod>.<service>, not another pod's bare name, and nothing outside", async () => {
        const full = await c().exec(0, "mariadb", ["getent", "hosts", "mysql-1.mysql.default.svc.cluster.local"]);
        assert.match(full.stdout, new RegExp(`^${c().podIP(1)?.replace(/\./g, "\\.")}\\s`));
        assert.strictEqual(
            (await c().exec(0, "mariadb", ["getent", "hosts", "mysql-1"])).code,
            2,
            "bare names of other pods do not resolve",
        );
        assert.match((await c().exec(0, "mariadb", ["getent", "hosts", "mysql-0"])).stdout, /mysql-0/, "a pod resolves its own name");
        // Refused at once; a route would leave the connect hanging for TCP's minutes, past this bound.
        const out = await c().exec(0, "mariadb", ["bash", "-c", "exec 3<>/dev/tcp/1.1.1.1/53"], { timeoutMs: 30_000 });
        assert.match(out.stderr, /Network is unreachable/);
    });

    it("offers only the image's binaries (no mysql, mysqladmin in mariadb:11.4) and no extra privileges", async () => {
        const probe = await c().exec(0, "mariadb", [
            "bash",
            "-c",
            "for b in mysql mysqladmin mysqld mariadb mariadb-admin mariadb-backup mbstream socat my_print_defaults; do command -v $b || echo no-$b; done",
        ]);
        assert.deepStrictEqual(probe.stdout.trim().split("\n"), [
            "no-mysql",
            "no-mysqladmin",
            "no-mysqld",
            "/usr/bin/mariadb",
            "/usr/bin/mariadb-admin",
            "/usr/bin/mariadb-backup",
            "/usr/bin/mbstream",
            "/usr/bin/socat",
            "/usr/bin/my_print_defaults",
        ]);
        assert.strictEqual((await c().exec(0, "mariadb", ["mysql", "-e", "SELECT 1"])).code, 127);
        assert.notStrictEqual((await c().exec(0, "mariadb", ["/usr/bin/mysqladmin", "ping"])).code, 0);
        // Root in a container lacks CAP_SYS_ADMIN and CAP_NET_ADMIN, as with containerd's defaults.
        const mnt = await c().exec(0, "mariadb", ["/.fake-kubelet/usr/bin/mount", "-t", "tmpfs", "x", "/mnt"]);
        assert.notStrictEqual(mnt.code, 0);
        assert.match(mnt.stderr, /permission denied|must be superuser/i);
    });

    it("restarts mysqld on restartContainer: Ready again, emptyDir kept, init not rerun", async () => {
        const t = Date.now();
        await c().restartContainer(0, "mariadb");
        await c().waitForReady(0, 90_000);
        timings.push(`restartContainer(mysql-0, mariadb) to Ready ${Date.now() - t} ms`);
        collectMariadbd();
        assert.strictEqual(c().restarts(0, "mariadb"), 1);
        assert.strictEqual(c().starts(0, "init"), 1);
        assert.strictEqual((await c().exec(0, "sidecar", ["cat", "/work/init-done"])).code, 0);
        assert.deepStrictEqual(exitDetails(0, "mariadb"), ["code 0"], "mariadbd shut down cleanly on SIGTERM");
        assert.strictEqual(
            c()
                .logs(0, "mariadb")
                .match(/start #\d/g)?.length,
            2,
            "one log, a header per start",
        );
    });

    it("keeps a pod's data across stopPod/startPod; a stopped pod's name stops resolving", async () => {
        const w = await sql(
            0,
            "127.0.0.1",
            "CREATE DATABASE selftest; CREATE TABLE selftest.t (v VARCHAR(64)); INSERT INTO selftest.t VALUES ('survives')",
        );
        assert.strictEqual(w.code, 0, w.stderr);
        const oldIp = c().podIP(0);
        await c().stopPod(0);
        assert.strictEqual((await c().exec(1, "mariadb", ["getent", "hosts", "mysql-0.mysql"])).code, 2);
        assert.ok(!c().hostsFile(1).includes("mysql-0"));
        assert.ok(fs.existsSync(path.join(c().volumePath(0, "data"), "mysql", "selftest")), "the PVC dir stays");
        const t = Date.now();
        await c().startPod(0, { readyTimeoutMs: 90_000 });
        timings.push(`startPod(0) on existing data to Ready ${Date.now() - t} ms`);
        assert.notStrictEqual(c().podIP(0), oldIp, "a new pod gets a new IP, as in Kubernetes");
        const r = await sql(1, "mysql-0.mysql", "SELECT v FROM selftest.t");
        assert.strictEqual(r.stdout, "survives\n", r.stderr);
        assert.strictEqual(c().starts(0, "init"), 1, "a new pod: counters start over");
    });

    it("cuts a pod off the pod network and reconnects it", async () => {
        await c().setNetworkBlocked(0, true);
        const cut = await sql(1, "mysql-0.mysql", "SELECT 1", ["--connect-timeout=2"]);
        assert.notStrictEqual(cut.code, 0);
        assert.match(cut.stderr, /Can't connect/);
        await c().setNetworkBlocked(0, false);
        const back = await sql(1, "mysql-0.mysql", "SELECT 1", ["--connect-timeout=5"]);
        assert.strictEqual(back.stdout, "1\n", back.stderr);
    });

    it("killMatching kills mysqld half-way; the container restarts with exit code 137", async () => {
        assert.strictEqual(await c().killMatching(1, "mariadb", /^mariadbd/), 1);
        await c().waitForRunning(1, "mariadb", { minStarts: 2 });
        await c().waitForReady(1, 90_000);
        assert.strictEqual(c().restarts(1, "mariadb"), 1);
        assert.deepStrictEqual(exitDetails(1, "mariadb"), ["code 137"]);
    });

    it("destroy leaves no namespace, mount, mariadbd or workDir behind", async () => {
        collectMariadbd();
        assert.ok(ourMariadbd.size >= 4, `saw ${ourMariadbd.size} mariadbd processes`);
        await c().destroy();
        await c().destroy(); // idempotent
        assert.deepStrictEqual(netnsNamesWithPrefix(PREFIX), []);
        assert.deepStrictEqual(mountPointsUnder(workDir), []);
        assert.deepStrictEqual(
            [...ourMariadbd].filter((p) => fs.existsSync(`/proc/${p}`)),
            [],
            "not even as zombies",
        );
        assert.ok(!fs.existsSync(workDir));
        cluster = undefined;
    });
});

describe("fake kubelet (self-test): kubelet lifecycle and refusals", function () {
    this.timeout(5 * 60_000);
    const prefix = runPrefix("l");
    let cluster: FakeKubelet | undefined;
    let workDir = "";
    const c = (): FakeKubelet => {
        if (!cluster) throw new Error("no cluster");
        return cluster;
    };

    before(async function () {
        requireFakeKubelet(this);
        workDir = path.join(os.tmpdir(), `fake-kubelet-selftest-${prefix}`);
        cluster = await FakeKubelet.create({
            prefix,
            subnet: runSubnet(2),
            workDir,
            objects: yaml.loadAll(fs.readFileSync(LIFECYCLE_FIXTURE, "utf8")) as K8sObject[],
            restartBackoffMs: { initialMs: 500, maxMs: 1000 },
        });
    });

    after(async function () {
        await cluster?.destroy();
    });

    it("refuses, before starting anything, every field of a render it does not emulate", async () => {
        const objects = yaml.loadAll(fs.readFileSync(LIFECYCLE_FIXTURE, "utf8")) as K8sObject[];
        const pod = (objects.find((o) => o.kind === "StatefulSet") as K8sObject).spec.template.spec;
        pod.enableServiceLinks = true;
        pod.initContainers[0].restartPolicy = "Always";
        Object.assign(pod.containers[0], {
            envFrom: [{ configMapRef: { name: "web" } }],
            env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
            lifecycle: { preStop: { exec: { command: ["true"] } } },
            startupProbe: { tcpSocket: { port: 8080 } },
            livenessProbe: { httpGet: { port: 8080, path: "/" } },
        });
        pod.containers[0].command[2] = "echo $(POD_IP)";
        const refused = FakeKubelet.create({ prefix: runPrefix("x"), subnet: runSubnet(4), workDir: `${workDir}-x`, objects });
        await assert.rejects(refused, (e: Error) => {
            const at = "StatefulSet web: spec.template.spec";
            assert.deepStrictEqual(e.message.split("\n"), [
                "fake kubelet: the render uses fields the fake kubelet does not emulate:",
                `  - ${at}.initContainers[flaky].restartPolicy`,
                `  - ${at}.containers[app].command[2]: $(VAR) expansion`,
                `  - ${at}.containers[app].livenessProbe.httpGet`,
                `  - ${at}.containers[app].envFrom`,
                `  - ${at}.containers[app].env[POD_IP].valueFrom`,
                `  - ${at}.containers[app].lifecycle`,
                `  - ${at}.containers[app].startupProbe.tcpSocket`,
                `  - ${at}.enableServiceLinks: true (runs only false)`,
            ]);
            return true;
        });
        assert.deepStrictEqual(netnsNamesWithPrefix(runPrefix("x")), [], "no namespace was made");
        assert.ok(!fs.existsSync(`${workDir}-x`), "no work directory was made");
    });

    it("reruns a failing init container", async () => {
        await c().startPod(0, { readyTimeoutMs: 60_000 });
        assert.strictEqual(c().starts(0, "flaky"), 2);
        assert.strictEqual(c().restarts(0, "flaky"), 1);
        assert.match(c().logs(0, "flaky"), /first run fails[\s\S]*exited with code 3[\s\S]*second run succeeds/);
        assert.ok(
            c()
                .events()
                .some((e) => e.container === "flaky" && e.type === "BackOff"),
        );
    });

    it("runs the image's entrypoint stand-in only with the settings it emulates", async () => {
        for (const [setting, line] of [
            ["MARIADB_DATABASE=shop", "the mariadb image's setting MARIADB_DATABASE is not emulated by this stand-in"],
            ["MYSQL_ROOT_HOST=%", "MARIADB_ROOT_HOST is '%': this stand-in creates root@localhost only"],
        ]) {
            const r = await c().exec(0, "app", ["env", setting, "MYSQL_ROOT_PASSWORD=x", "docker-entrypoint.sh", "mariadbd"]);
            assert.strictEqual(r.code, 1, r.stderr);
            assert.match(r.stderr, new RegExp(`\\[ERROR\\] \\[Entrypoint\\]: fake kubelet: ${line.replace(/[.*'%]/g, "\\$&")}`));
        }
    });

    it("restarts a container whose liveness probe fails; its shell PID 1 ignores SIGTERM, so SIGKILL after the grace", async () => {
        await c().exec(0, "app", ["touch", "/scratch/sick"]);
        await c().waitForRunning(0, "app", { minStarts: 2, timeoutMs: 120_000 });
        await c().exec(0, "app", ["rm", "/scratch/sick"]);
        assert.strictEqual(c().restarts(0, "app"), 1);
        const ev = c().events();
        const kill = ev.find((e) => e.container === "app" && e.type === "Killing");
        const exit = ev.find((e) => e.container === "app" && e.type === "ContainerExited");
        assert.strictEqual(kill?.detail, "liveness probe failed");
        assert.strictEqual(exit?.detail, "code 137");
        assert.ok(exit && kill && exit.t - kill.t >= 2900, `SIGKILL came after the 3 s grace (${exit && kill ? exit.t - kill.t : "?"} ms)`);
        await c().waitForReady(0, 120_000);
    });

    it("rejects waitForReady on timeout with the containers' states and log tails", async () => {
        await c().exec(0, "app", ["rm", "/scratch/init-said"]);
        await waitFor(() => !c().isReady(0), { timeoutMs: 60_000, what: "the next readiness probe to fail" });
        await assert.rejects(
            c().waitForReady(0, 2500),
            /timed out after 2500 ms waiting for pod web-0 to be Ready[\s\S]*main container app: running, ready=false[\s\S]*app started/,
        );
    });

    it("stops a pod whose PID 1 ignores SIGTERM only at the end of the grace period", async () => {
        const t = Date.now();
        await c().stopPod(0);
        const took = Date.now() - t;
        assert.ok(took >= 2900 && took < 10_000, `stopPod took ${took} ms`);
        assert.strictEqual(c().status(0).phase, "Stopped");
    });
});
