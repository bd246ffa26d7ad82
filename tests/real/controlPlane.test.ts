// The fake kubelet as the node agent of a real control plane (tests/fake-kubelet/node-agent.ts, issue #20):
// tools/kubernetes/control-plane.sh starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler on
// 127.0.0.1; the agent registers node-a..c and runs what the real scheduler binds there; the fixtures are
// applied with kubectl. Checks what the agent must get right for the real controllers: Nodes Ready and
// untainted, OrderedReady (the StatefulSet controller waits for the Ready the agent reports), EndpointSlices
// and hosts files, kubectl logs and exec, deletion with the grace period and re-creation, ConfigMap updates in
// running pods, the component's own mariadb render replicating (SQL through NodeAgent.exec, in-process) and
// diagnosed by `scripts/diagnose.ts` with its real kubectl calls (get, logs, exec), and the refusals (fields, NFS servers).
//
// Needs root and the control plane's binaries (tools/kubernetes/build.sh); without them it skips loudly, or
// fails under CI=true. Takes /tmp/real-suite.lock's place in the queue like the rest of tests/real: run it as
//   flock /tmp/real-suite.lock npx mocha --no-config --require ts-node/register/transpile-only --timeout 900000 \
//       tests/real/controlPlane.test.ts
// CONTROL_PLANE names another control-plane.sh; MST_KUBERNETES_BIN and ETCD are passed on to it.
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireFakeKubelet, runOk, runPrefix, runSubnet, waitFor } from "../fake-kubelet";
import { KubeClient, loadKubeconfig } from "../fake-kubelet/kube-client";
import { KubeletServer } from "../fake-kubelet/kubelet-server";
import { NodeAgent } from "../fake-kubelet/node-agent";
import { CONTAINERS, resolveArgs, ROOT_CLIENT_CONFIG } from "../../components";
import { CRON_SCHEDULES } from "../cronSchedules";

const REPO = path.join(__dirname, "..", "..");
const FIXTURES = path.join(__dirname, "fixtures");
const CONTROL_PLANE = process.env.CONTROL_PLANE ?? path.join(REPO, "tools", "kubernetes", "control-plane.sh");

interface ApiPod {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status?: {
        phase?: string;
        podIP?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: { name: string; ready: boolean; state?: { waiting?: { reason?: string; message?: string } } }[];
    };
}
const isReady = (p: ApiPod | undefined): boolean => Boolean(p?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));

describe("fake kubelet as a node agent (real control plane)", function () {
    this.timeout(15 * 60_000);
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        MST_CLUSTER_DIR: path.join(os.tmpdir(), `node-agent-test-${process.pid}`),
        MST_CLUSTER_PORT_BASE: process.env.MST_CLUSTER_PORT_BASE ?? "27500",
    };
    let work = "";
    let client: KubeClient | undefined;
    let server: KubeletServer | undefined;
    let agent: NodeAgent | undefined;
    let upDone = false;

    const api = (): KubeClient => {
        if (!client) throw new Error("no control plane");
        return client;
    };
    // Never synchronous: the agent and its kubelet endpoint answer in this process (kubectl logs, delete --wait).
    const kubectlIn = (input: string | undefined, ...args: string[]): Promise<string> =>
        new Promise((resolve, reject) => {
            const child = execFile("kubectl", args, { env, encoding: "utf8", timeout: 120_000 }, (err, stdout, stderr) =>
                err ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout),
            );
            child.stdin?.end(input ?? "");
        });
    const kubectl = (...args: string[]): Promise<string> => kubectlIn(undefined, ...args);
    /** kubectl's exit status and both outputs, for commands expected to fail too. */
    const kubectlRun = (input: string | undefined, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
        new Promise((resolve) => {
            const child = execFile("kubectl", args, { env, encoding: "utf8", timeout: 120_000 }, (err, stdout, stderr) =>
                resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
            );
            child.stdin?.end(input ?? "");
        });
    const pods = async (): Promise<Map<string, ApiPod>> => {
        const list = await api().request<{ items: ApiPod[] }>("GET", "/api/v1/namespaces/default/pods");
        return new Map(list.items.map((p) => [p.metadata.name, p]));
    };
    const pod = async (name: string): Promise<ApiPod | undefined> => (await pods()).get(name);
    const events = async (name: string): Promise<{ reason: string; type: string; message: string }[]> =>
        (
            await api().request<{ items: { reason: string; type: string; message: string }[] }>(
                "GET",
                `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`,
            )
        ).items;

    before(async function () {
        requireFakeKubelet(this);
        const missing = !fs.existsSync(CONTROL_PLANE) && `no ${CONTROL_PLANE} (set CONTROL_PLANE)`;
        if (missing) {
            if (process.env.CI === "true") throw new Error(`the node agent test cannot run: ${missing}`);
            console.warn(`\n  !!! SKIPPING: the node agent test cannot run: ${missing}\n`);
            this.skip();
        }
        work = fs.mkdtempSync(path.join(os.tmpdir(), "node-agent-test-"));
        const exports = execFileSync("bash", [CONTROL_PLANE, "up"], { env, encoding: "utf8" });
        upDone = true;
        env.KUBECONFIG = /^export KUBECONFIG=(.*)$/m.exec(exports)?.[1];
        const bin = /^export PATH=(.*):"\$PATH"$/m.exec(exports)?.[1];
        if (!env.KUBECONFIG || !bin) throw new Error(`control-plane.sh up printed no KUBECONFIG and PATH:\n${exports}`);
        env.PATH = `${bin}:${env.PATH}`;
        const pki = path.join(env.MST_CLUSTER_DIR as string, "pki");
        // The kubelet endpoint's certificate, signed by the cluster CA (--kubelet-certificate-authority).
        const [key, csr, crt, ext] = ["kubelet.key", "kubelet.csr", "kubelet.crt", "kubelet.ext"].map((f) => path.join(work, f));
        fs.writeFileSync(ext, "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n");
        await runOk("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
        await runOk("openssl", ["req", "-new", "-key", key, "-subj", "/CN=fake-kubelet", "-out", csr]);
        const ca = ["-CA", path.join(pki, "ca.crt"), "-CAkey", path.join(pki, "ca.key"), "-CAcreateserial"];
        await runOk("openssl", ["x509", "-req", "-in", csr, ...ca, "-days", "2", "-extfile", ext, "-out", crt]);
        client = new KubeClient(loadKubeconfig(env.KUBECONFIG));
        const running: { agent?: NodeAgent } = {};
        server = await KubeletServer.start({
            port: 0,
            certDir: work,
            tls: { cert: fs.readFileSync(crt), key: fs.readFileSync(key) },
            clientCa: fs.readFileSync(path.join(pki, "ca.crt")),
            source: () => running.agent,
        });
        for (const d of ["demo/0", "demo/1"]) fs.mkdirSync(path.join(work, "nfs", d), { recursive: true });
        agent = running.agent = await NodeAgent.create({
            client,
            prefix: runPrefix("n"),
            subnet: runSubnet(9),
            workDir: path.join(work, "agent"),
            nfsRoot: path.join(work, "nfs"),
            kubeletPort: server.port,
            log: () => undefined,
        });
    });

    after(async () => {
        await agent?.destroy();
        await server?.close();
        client?.close();
        if (upDone) execFileSync("bash", [CONTROL_PLANE, "down"], { env, stdio: "ignore" });
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("registers node-a..c, one zone each, Ready, untainted by the node lifecycle controller, with Leases", async () => {
        await waitFor(async () => (await kubectl("get", "nodes", "-o", "jsonpath={.items[*].spec.taints}")).trim() === "", {
            timeoutMs: 60_000,
            what: "the Nodes' not-ready taints to be lifted",
        });
        const nodes = await api().request<{
            items: {
                metadata: { name: string; labels: Record<string, string> };
                status: { conditions: { type: string; status: string }[] };
            }[];
        }>("GET", "/api/v1/nodes");
        assert.deepStrictEqual(
            nodes.items.map((n) => [
                n.metadata.name,
                n.metadata.labels["topology.kubernetes.io/zone"],
                n.status.conditions.find((c) => c.type === "Ready")?.status,
            ]),
            [
                ["node-a", "zone-a", "True"],
                ["node-b", "zone-b", "True"],
                ["node-c", "zone-c", "True"],
            ],
        );
        assert.strictEqual(
            await kubectl("get", "leases", "-n", "kube-node-lease", "-o", "jsonpath={.items[*].spec.holderIdentity}"),
            "node-a node-b node-c",
        );
    });

    it("runs the StatefulSet OrderedReady: the controller creates mysql-1 only once mysql-0 is Ready", async () => {
        await kubectl(
            "apply",
            "-f",
            path.join(FIXTURES, "node-agent-pvs.yaml"),
            "-f",
            path.join(FIXTURES, "fake-kubelet-statefulset.yaml"),
        );
        // Each list is one consistent view: when mysql-1 first shows, mysql-0 must already be Ready in it.
        let firstSeen: Map<string, ApiPod> | undefined;
        await waitFor(
            async () => {
                const now = await pods();
                if (now.has("mysql-1") && !firstSeen) firstSeen = now;
                return isReady(now.get("mysql-0")) && isReady(now.get("mysql-1"));
            },
            { timeoutMs: 300_000, what: "mysql-0 and mysql-1 to be Ready", everyMs: 100 },
        );
        assert.ok(firstSeen && isReady(firstSeen.get("mysql-0")), "mysql-1 existed before mysql-0 was Ready");
        const both = await pods();
        assert.notStrictEqual(both.get("mysql-0")?.spec.nodeName, undefined);
        assert.deepStrictEqual(
            both.get("mysql-0")?.status?.containerStatuses?.map((c) => [c.name, c.ready]),
            [
                ["mariadb", true],
                ["sidecar", true],
            ],
        );
    });

    it("lists both pods in the headless Service's EndpointSlice and in each pod's hosts file", async () => {
        const ips = [...(await pods()).values()].map((p) => p.status?.podIP).sort();
        await waitFor(
            async () =>
                (
                    await kubectl(
                        "get",
                        "endpointslices",
                        "-l",
                        "kubernetes.io/service-name=mysql",
                        "-o",
                        "jsonpath={.items[*].endpoints[*].addresses[0]}",
                    )
                )
                    .split(" ")
                    .sort()
                    .join() === ips.join(),
            {
                timeoutMs: 30_000,
                what: "the EndpointSlice to list both pods",
            },
        );
        const hosts = fs.readFileSync(path.join(agent?.podDir("default", "mysql-1") ?? "", "hosts"), "utf8");
        assert.match(
            hosts,
            new RegExp(`^${(await pod("mysql-0"))?.status?.podIP}\\tmysql-0\\.mysql\\.default\\.svc\\.cluster\\.local `, "m"),
        );
    });

    it("serves kubectl logs through the API server's kubelet proxy (tail, previous refused for a first start)", async () => {
        assert.match(await kubectl("logs", "mysql-0", "-c", "mariadb", "--tail=50"), /ready for connections/);
        await assert.rejects(
            kubectl("logs", "mysql-0", "-c", "mariadb", "--previous"),
            /previous terminated container "mariadb" in pod "mysql-0" not found/,
        );
    });

    it("serves kubectl exec over the WebSocket the API server proxies to the node (outputs, exit status, stdin)", async () => {
        const declared = await kubectl("get", "nodes", "-o", "jsonpath={.items[*].status.declaredFeatures}");
        assert.strictEqual((declared.match(/ExtendWebSocketsToKubelet/g) ?? []).length, 3, declared);
        const r = await kubectlRun(undefined, "exec", "mysql-0", "-c", "mariadb", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assert.deepStrictEqual(r, { code: 3, stdout: "out\n", stderr: "err\ncommand terminated with exit code 3\n" });
        assert.strictEqual(await kubectlIn("line 1\nline 2\n", "exec", "-i", "mysql-0", "-c", "mariadb", "--", "cat"), "line 1\nline 2\n");
        assert.strictEqual(await kubectl("exec", "mysql-0", "-c", "mariadb", "--", "hostname"), "mysql-0\n");
        const missing = await kubectlRun(undefined, "exec", "mysql-0", "-c", "nope", "--", "true");
        assert.strictEqual(missing.code, 1);
        assert.match(missing.stderr, /container nope is not valid for pod mysql-0/);
    });

    it("rewrites a running pod's ConfigMap volume when the ConfigMap changes (..data swap), restarting nothing", async () => {
        await kubectl(
            "patch",
            "configmap",
            "mysql-conf",
            "--type=merge",
            "-p",
            JSON.stringify({ data: { "extra.cnf": "[mysqld]\n# changed\n" } }),
        );
        const file = path.join(agent?.podDir("default", "mysql-0") ?? "", "volumes", "conf", "extra.cnf");
        await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, "utf8").includes("# changed"), {
            timeoutMs: 30_000,
            what: `${file} to appear`,
        });
        assert.strictEqual(
            (await pod("mysql-0"))?.status?.containerStatuses?.every((c) => c.ready),
            true,
        );
    });

    it("stops a deleted pod with its grace period, deletes it, and runs the controller's new pod", async () => {
        const old = await pod("mysql-0");
        const t0 = Date.now();
        await kubectl("delete", "pod", "mysql-0", "--wait=true");
        const tookMs = Date.now() - t0;
        await waitFor(
            async () => {
                const p = await pod("mysql-0");
                return Boolean(p && p.metadata.uid !== old?.metadata.uid && isReady(p));
            },
            { timeoutMs: 300_000, what: "a new mysql-0 to be Ready" },
        );
        assert.ok(tookMs < 10_000 + 5_000, `the deletion took ${tookMs} ms, more than the fixture's grace period of 10 s`);
        const reasons = (await events("mysql-0")).map((e) => e.reason);
        assert.ok(reasons.includes("Killing"), `no Killing event among ${reasons.join(", ")}`);
    });

    it("runs the component's mariadb render (dev stack, nfsServer=nfs.local): a pod per node, Ready, replicating", async () => {
        // The self-test's StatefulSet, claims and volumes go first: the render's claims have the same names.
        await kubectl("delete", "-f", path.join(FIXTURES, "fake-kubelet-statefulset.yaml"), "--wait=true");
        await kubectl("delete", "pvc", "data-mysql-0", "data-mysql-1", "--wait=true");
        await kubectl("delete", "-f", path.join(FIXTURES, "node-agent-pvs.yaml"), "--wait=true");
        const render = await new Promise<string>((resolve, reject) =>
            execFile(
                process.execPath,
                ["scripts/render.cjs", "--stack", "dev", "--config", "flavor=mariadb", "--config", "nfsServer=nfs.local", "--show-secrets"],
                { cwd: REPO, encoding: "utf8", maxBuffer: 64 << 20 },
                (err, stdout, stderr) => (err ? reject(new Error(`render failed: ${stderr}`)) : resolve(stdout)),
            ),
        );
        for (const m of render.matchAll(/^ *path: (\/\S+)$/gm)) fs.mkdirSync(path.join(work, "nfs", m[1]), { recursive: true });
        await kubectlIn(render, "apply", "-f", "-");
        let now = new Map<string, ApiPod>();
        await waitFor(
            async () => {
                now = await pods();
                return ["mysql-0", "mysql-1", "mysql-2"].every((n) => isReady(now.get(n)));
            },
            { timeoutMs: 600_000, what: "the render's three pods to be Ready", everyMs: 500 },
        );
        assert.deepStrictEqual([...new Set([...now.values()].map((p) => p.spec.nodeName))].sort(), ["node-a", "node-b", "node-c"]);
        const sql = async (ordinal: number, statement: string) => {
            // As tests/real/setup.ts rootSql: the component's root option file, over TCP.
            const r = await agent?.exec("default", `mysql-${ordinal}`, CONTAINERS.mysql, [
                "mariadb",
                `--defaults-extra-file=${ROOT_CLIENT_CONFIG}`,
                "--host=127.0.0.1",
                "--batch",
                "--skip-column-names",
                `--execute=${statement}`,
            ]);
            assert.strictEqual(r?.code, 0, `SQL on mysql-${ordinal}: ${r?.stderr}`);
            return r?.stdout.trim();
        };
        await sql(
            0,
            "CREATE DATABASE agent_test; CREATE TABLE agent_test.t (v VARCHAR(20)); INSERT INTO agent_test.t VALUES ('from mysql-0')",
        );
        for (const ordinal of [1, 2]) {
            await waitFor(
                async () =>
                    (await sql(ordinal, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'agent_test'")) === "1",
                {
                    timeoutMs: 30_000,
                    what: `agent_test.t on mysql-${ordinal}`,
                },
            );
            await waitFor(async () => (await sql(ordinal, "SELECT v FROM agent_test.t")) === "from mysql-0", {
                timeoutMs: 30_000,
                what: `the row on mysql-${ordinal}`,
            });
        }
    });

    it("diagnoses the render with npm run diagnose's own kubectl calls (get, logs, exec): every pod OK, replicas replicating", async () => {
        // The dev stack as the render above deployed it (--config flavor=mariadb, nfsServer=nfs.local).
        const configFile = path.join(work, "Pulumi.dev.yaml");
        const dev = fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(configFile, dev.replace(/flavor: \S+/, "flavor: mariadb").replace(/nfsServer: \S+/, "nfsServer: nfs.local"));
        // A child process: diagnose runs kubectl synchronously, and the kubelet endpoint answers in this one.
        const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
            execFile(
                process.execPath,
                ["--require", "ts-node/register/transpile-only", "scripts/diagnose.ts", "--config-file", configFile],
                { cwd: REPO, env, encoding: "utf8", timeout: 300_000 },
                (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
            ),
        );
        assert.strictEqual(run.code, 0, `diagnose exited ${run.code}:\n${run.stdout}${run.stderr}`);
        const verdicts = run.stdout.split("== Verdicts\n")[1] ?? "";
        for (const ordinal of [0, 1, 2]) assert.match(verdicts, new RegExp(`^mysql-${ordinal} +OK`, "m"), run.stdout);
        for (const ordinal of [1, 2]) {
            assert.match(
                run.stdout,
                new RegExp(`== mysql-${ordinal} \\(replica\\)[^]*?replication: \\w+_IO_Running=Yes, \\w+_SQL_Running=Yes`),
                run.stdout,
            );
        }
    });

    it("diagnoses a failing clone from the real pod's termination message: the donor it chose and the error it died with", async () => {
        // mysql-2 loses its data and clones again from mysql-1, whose backups fail: the backup account is
        // locked on every server (the ALTER USER replicates). clone-mysql.sh dies, and its status record
        // reaches the pod's status through the agent's termination-message file, as kubelet's would.
        const sql = async (statement: string) => {
            const r = await agent?.exec("default", "mysql-0", CONTAINERS.mysql, [
                "mariadb",
                `--defaults-extra-file=${ROOT_CLIENT_CONFIG}`,
                "--host=127.0.0.1",
                `--execute=${statement}`,
            ]);
            assert.strictEqual(r?.code, 0, `SQL on mysql-0: ${r?.stderr}`);
        };
        const backupAccounts = "'backup'@'localhost', 'backup'@'127.0.0.1', 'backup'@'::1'";
        await kubectl("scale", "statefulset", "mysql", "--replicas=2");
        await waitFor(async () => !(await pod("mysql-2")), { timeoutMs: 120_000, what: "mysql-2 to be gone" });
        const volume = JSON.parse(await kubectl("get", "pv", "-o", "json")).items.find(
            (pv: { spec: { claimRef?: { name: string } } }) => pv.spec.claimRef?.name === "data-mysql-2",
        );
        fs.rmSync(path.join(work, "nfs", volume.spec.nfs.path, "mysql"), { recursive: true, force: true });
        await sql(`ALTER USER ${backupAccounts} ACCOUNT LOCK`);
        try {
            await kubectl("scale", "statefulset", "mysql", "--replicas=3");
            type Clone = {
                restartCount?: number;
                state?: { terminated?: { message?: string } };
                lastState?: { terminated?: { message?: string } };
            };
            const clone = async (): Promise<Clone | undefined> =>
                (
                    (await pod("mysql-2"))?.status as { initContainerStatuses?: ({ name: string } & Clone)[] } | undefined
                )?.initContainerStatuses?.find((c) => c.name === CONTAINERS.clone);
            await waitFor(async () => ((await clone())?.restartCount ?? 0) >= 1, {
                timeoutMs: 180_000,
                what: "mysql-2's clone-mysql to fail and be retried",
            });
            // What docs/diagnose.md tells the reader to run.
            const message = await kubectl(
                "get",
                "pod",
                "mysql-2",
                "-o",
                `jsonpath={.status.initContainerStatuses[?(@.name=="clone-mysql")].lastState.terminated.message}`,
            );
            const donor = "mysql-1.mysql.default.svc.cluster.local";
            assert.match(
                message,
                new RegExp(
                    `^script=clone-mysql\\.sh\nat=\\S+\ndonor=${donor.replace(/\./g, "\\.")}:3307\nreason=bootstrap: ordered, the pod before this one\n` +
                        `phase=failed\nerror=the backup stream from ${donor.replace(/\./g, "\\.")} ended before the backup was complete; the next attempt starts over\n$`,
                ),
            );
            const configFile = path.join(work, "Pulumi.dev.yaml");
            const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
                execFile(
                    process.execPath,
                    [
                        "--require",
                        "ts-node/register/transpile-only",
                        "scripts/diagnose.ts",
                        "--config-file",
                        configFile,
                        "--pod",
                        "mysql-2",
                    ],
                    { cwd: REPO, env, encoding: "utf8", timeout: 300_000 },
                    (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
                ),
            );
            assert.strictEqual(run.code, 2, `diagnose exited ${run.code}:\n${run.stdout}${run.stderr}`);
            assert.match(
                run.stdout,
                new RegExp(
                    `== Verdicts\nmysql-2 {2}clone failing: clone-mysql (restarted \\d+ times? \\(\\w+\\)|failed \\(\\w+\\)), cloning from ${donor.replace(/\./g, "\\.")}:3307: ` +
                        `the backup stream from ${donor.replace(/\./g, "\\.")} ended before the backup was complete; the next attempt starts over\n`,
                ),
                run.stdout,
            );
        } finally {
            await sql(`ALTER USER ${backupAccounts} ACCOUNT UNLOCK`);
        }
        // Unlocked, the next attempt clones, and the cluster is whole again for the cases after this one.
        await waitFor(async () => isReady(await pod("mysql-2")), {
            timeoutMs: 300_000,
            what: "mysql-2 to clone and be Ready",
            everyMs: 500,
        });
        const cloned = await kubectl(
            "get",
            "pod",
            "mysql-2",
            "-o",
            `jsonpath={.status.initContainerStatuses[?(@.name=="clone-mysql")].state.terminated.message}`,
        );
        assert.match(cloned, /\nphase=cloned\nposition=\S+/);
    });

    it("does not start a pod that uses what it does not emulate: CreateContainerConfigError and a Warning naming the field", async () => {
        const refused = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "refused", namespace: "default" },
            spec: {
                nodeName: "node-a",
                containers: [{ name: "web", image: "mariadb:11.4", command: ["sleep", "600"], readinessProbe: { httpGet: { port: 80 } } }],
            },
        };
        await kubectlIn(JSON.stringify(refused), "apply", "-f", "-");
        await waitFor(
            async () => (await pod("refused"))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError",
            {
                timeoutMs: 30_000,
                what: "the refused pod's status",
            },
        );
        const failed = (await events("refused")).find((e) => e.reason === "Failed");
        assert.strictEqual(failed?.type, "Warning");
        assert.match(failed?.message ?? "", /the pod uses fields it does not emulate: spec\.containers\[web\]\.readinessProbe\.httpGet/);
        await kubectl("delete", "pod", "refused", "--wait=true");
    });

    it("mounts only NFS volumes of the local stand-in: another server is a FailedMount event that says what to render", async () => {
        const objects = [
            {
                apiVersion: "v1",
                kind: "PersistentVolume",
                metadata: { name: "elsewhere" },
                spec: {
                    capacity: { storage: "1Gi" },
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: "",
                    claimRef: { namespace: "default", name: "elsewhere" },
                    nfs: { server: "192.0.2.1", path: "/x" },
                },
            },
            {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: "elsewhere", namespace: "default" },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: "",
                    volumeName: "elsewhere",
                    resources: { requests: { storage: "1Gi" } },
                },
            },
            {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "elsewhere", namespace: "default" },
                spec: {
                    nodeName: "node-b",
                    containers: [
                        { name: "c", image: "mariadb:11.4", command: ["sleep", "600"], volumeMounts: [{ name: "d", mountPath: "/d" }] },
                    ],
                    volumes: [{ name: "d", persistentVolumeClaim: { claimName: "elsewhere" } }],
                },
            },
        ];
        await kubectlIn(objects.map((o) => JSON.stringify(o)).join("\n"), "apply", "-f", "-");
        await waitFor(async () => (await events("elsewhere")).some((e) => e.reason === "FailedMount" && /192\.0\.2\.1/.test(e.message)), {
            timeoutMs: 60_000,
            what: "a FailedMount event",
        });
        const failed = (await events("elsewhere")).find((e) => e.reason === "FailedMount" && /192\.0\.2\.1/.test(e.message));
        assert.strictEqual(
            failed?.message,
            'MountVolume.SetUp failed for volume "elsewhere" : PersistentVolume elsewhere: NFS server "192.0.2.1" is not the local stand-in "nfs.local"; render nfsServer=nfs.local',
        );
        // The status is posted apart from the event: it may come a moment later.
        await waitFor(
            async () => (await pod("elsewhere"))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ContainerCreating",
            {
                timeoutMs: 10_000,
                what: "the pod's containers to wait in ContainerCreating",
            },
        );
        await kubectl("delete", "pod", "elsewhere", "--wait=true");
    });

    it("accepts exactly the backup schedules the component accepts (a server-side dry run of a CronJob each)", async () => {
        const verdict = async (schedule: string): Promise<boolean> => {
            const cronJob = {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: "schedule-check", namespace: "default" },
                spec: {
                    schedule,
                    jobTemplate: {
                        spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } },
                    },
                },
            };
            try {
                await kubectlIn(JSON.stringify(cronJob), "create", "--dry-run=server", "-f", "-");
                return true;
            } catch (error) {
                assert.match(String(error), /spec\.schedule|Invalid value/, `${schedule}: refused for another reason`);
                return false;
            }
        };
        const component = (schedule: string): boolean => {
            try {
                resolveArgs({
                    nfsServer: "nfs.local",
                    nfsPathPattern: "/exports/mysql-{ordinal}",
                    backupSchedule: schedule,
                    backupNfsPath: "/b",
                });
                return true;
            } catch (error) {
                assert.match(String(error), /`backupSchedule` is/, `${schedule}: refused for another reason`);
                return false;
            }
        };
        for (const schedule of [...CRON_SCHEDULES.accepted, ...CRON_SCHEDULES.refused]) {
            assert.strictEqual(component(schedule), await verdict(schedule), `"${schedule}": the component and the API server disagree`);
        }
    });
});
