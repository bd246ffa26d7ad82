// The real-engine test bed, for suites that drive the built Pulumi CLI against the real control plane: starts
// tools/kubernetes/control-plane.sh and the node agent (tests/fake-kubelet/agent-main.ts) as a child process
// with an NFS root, makes a scratch copy of the project's program with a stack file made by the test, runs
// `pulumi` (local file backend, the built CLI and providers first on PATH, the control plane's KUBECONFIG),
// and reaches the pods' MariaDB servers from the host (see `sql`). `stop()` undoes all of it.
//
// Settings (environment): MST_CLUSTER_PORT_BASE and MST_CLUSTER_DIR (passed to control-plane.sh; defaults
// 28000 and a directory of this run), CONTROL_PLANE (another control-plane.sh), ENGINE_KEEP=1 (keep the
// scratch folder and the agent's log for a post-mortem).
import { ChildProcess, execFile, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { CONTAINERS, ROOT_CLIENT_CONFIG } from "../../components";
import { Informer } from "../fake-kubelet/informer";
import { KubeClient, loadKubeconfig } from "../fake-kubelet/kube-client";
import { canRunProblems } from "../fake-kubelet/requirements";
import { registerCluster, SyncDestroyable, unregisterCluster } from "../fake-kubelet/cleanup";
import { pidAlive, runSubnet, waitFor } from "../fake-kubelet/util";

export const REPO = path.join(__dirname, "..", "..");
const CONTROL_PLANE = process.env.CONTROL_PLANE ?? path.join(REPO, "tools", "kubernetes", "control-plane.sh");

/** What a command printed, its exit code and its wall time. */
export interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

/** Runs a command asynchronously (never blocking this process), resolving with its result whatever its exit code. */
export function command(
    cmd: string,
    args: readonly string[],
    opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = execFile(
            cmd,
            [...args],
            { env: opts.env, cwd: opts.cwd, encoding: "utf8", timeout: opts.timeoutMs ?? 30 * 60_000, maxBuffer: 64 << 20 },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : 255) : 0;
                resolve({ code, stdout, stderr: stderr || (err && code === 255 ? err.message : ""), ms: Date.now() - started });
            },
        );
        // A command that exits without reading its input (a client whose server just stopped) closes the pipe
        // early: that is its result, not an error of this process.
        child.stdin?.on("error", () => undefined);
        child.stdin?.end(opts.input ?? "");
    });
}

/** A command that must succeed; its stdout. */
export async function commandOk(cmd: string, args: readonly string[], opts: Parameters<typeof command>[2] = {}): Promise<string> {
    const r = await command(cmd, args, opts);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
}

/** A command's exit code and the ends of its output, for an assertion's message. */
export const said = (r: CommandResult, stdoutChars = 6000, stderrChars = 3000): string =>
    `exit ${r.code}\n--- stdout\n${r.stdout.slice(-stdoutChars)}\n--- stderr\n${r.stderr.slice(-stderrChars)}`;

/** A setting's key in a stack config file. */
export const KEY = (k: string): string => `mysql-statefulset:${k}`;

/**
 * The settings of a small mariadb stack the suites share: three pods on the NFS stand-in with an app database,
 * small requests and a small InnoDB, short lag and clone bounds.
 */
const SMALL_MARIADB: Readonly<Record<string, unknown>> = {
    flavor: "mariadb",
    replicas: 3,
    nfsServer: "nfs.local",
    appDatabase: "shop",
    appUser: "shop-app",
    maxReplicationLagSeconds: 5,
    cloneIdleTimeoutSeconds: 10,
    cpuRequest: "100m",
    memoryRequest: "200Mi",
    mysqldOptions: ["innodb_buffer_pool_size=64M", "innodb_log_file_size=48M"],
};

/** A stack config file's `config`: the small mariadb stack's settings, then the suite's and the stack's (later ones win). */
export const stackConfig = (...settings: Record<string, unknown>[]): Record<string, unknown> =>
    Object.fromEntries(Object.entries(Object.assign({}, SMALL_MARIADB, ...settings)).map(([k, v]) => [KEY(k), v]));

/**
 * Waits until every ordinal's `answer` is the same and starts with `rows` (the row count first, then what else
 * the query asks, e.g. CHECKSUM TABLE): replication has caught up. Returns each ordinal's answer; a pod that
 * fails to answer counts as its error's first line.
 */
export async function waitConverged(
    answer: (ordinal: number) => Promise<string>,
    ordinals: readonly number[],
    rows: number,
    what: string,
): Promise<string[]> {
    let states: string[] = [];
    await waitFor(
        async () => {
            states = await Promise.all(ordinals.map((o) => answer(o).catch((e: Error) => e.message.split("\n")[0])));
            return states.every((s) => s === states[0]) && states[0].startsWith(`${rows}\n`);
        },
        { timeoutMs: 180_000, everyMs: 1000, what: () => `${what}: ${JSON.stringify(states)}` },
    );
    return states;
}

/** Problems that keep the bed from starting here (none: it can start). */
export function engineBedProblems(): string[] {
    const problems = canRunProblems();
    if (!fs.existsSync(CONTROL_PLANE)) problems.push(`no ${CONTROL_PLANE} (set CONTROL_PLANE)`);
    return problems;
}

/** Fails under CI=true, else skips the suite, when the engine bed cannot run here (engineBedProblems). */
export function requireEngineBed(context: Mocha.Context, what = "the real-engine suite"): void {
    const problems = engineBedProblems();
    if (!problems.length) return;
    const message = `${what} cannot run here:\n  - ${problems.join("\n  - ")}`;
    if (process.env.CI === "true") throw new Error(message);
    console.warn(`\n  !!! SKIPPING: ${message}\n`);
    context.skip();
}

/** A pod of the API, the fields the suites read. */
export interface ApiPod {
    metadata: { name: string; uid: string; resourceVersion?: string; labels?: Record<string, string>; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status?: {
        phase?: string;
        podIP?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: { name: string; ready: boolean; restartCount: number }[];
        initContainerStatuses?: { name: string; ready: boolean; restartCount: number }[];
    };
}
/** A StatefulSet of the API, the fields the suites read. */
export interface ApiStatefulSet {
    metadata: { generation: number };
    spec: { selector: { matchLabels: Record<string, string> } };
    status: {
        observedGeneration?: number;
        currentRevision?: string;
        updateRevision?: string;
        replicas?: number;
        readyReplicas?: number;
        updatedReplicas?: number;
    };
}
export const isReady = (p: ApiPod | undefined): boolean =>
    Boolean(p?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));

export interface EngineBedOptions {
    /** The stack's name; its config file is written from `stackConfig`. */
    readonly stack: string;
    /** The stack file's `config:` (keys as in Pulumi.<stack>.yaml, e.g. `mysql-statefulset:replicas`). */
    readonly stackConfig: Record<string, unknown>;
    /** Directories to make under the NFS root (the exports the stack names). */
    readonly nfsDirs: readonly string[];
    /**
     * More stand-in NFS servers than `nfs.local` (whose root is `nfsRoot`): each server's name and the directories
     * to make under its own root (`nfsServerRoot(server)`). Removing a root is that server gone.
     */
    readonly nfsServers?: Readonly<Record<string, readonly string[]>>;
    /** Stands between this bed's pods and others' (a /24 that no other run uses). */
    readonly subnetIndex?: number;
    /**
     * The program as of this commit of the repo (`git archive`), e.g. the last one before a change of the
     * component, to deploy a stack as that version did; `useProgram()` moves the stack to another. Default: the
     * working tree.
     */
    readonly programCommit?: string;
}

/**
 * One control plane, one node agent, one scratch program with a local backend. Registered for the last-resort
 * teardown (tests/fake-kubelet/cleanup.ts): a run stopped by SIGINT, SIGTERM or SIGHUP, or one that exits
 * without its `after` hook, still takes its control plane down (`destroySync`), so that no etcd keeps the
 * ports the next run needs.
 */
export class EngineBed implements SyncDestroyable {
    readonly work: string;
    readonly nfsRoot: string;
    readonly programDir: string;
    readonly env: NodeJS.ProcessEnv;
    private agent: ChildProcess | undefined;
    private agentExit: Promise<void> | undefined;
    private upDone = false;
    readonly prefix: string;

    private constructor(private readonly opts: EngineBedOptions) {
        this.work = fs.mkdtempSync(path.join(os.tmpdir(), "engine-bed-"));
        this.nfsRoot = path.join(this.work, "nfs");
        this.programDir = path.join(this.work, "program");
        this.prefix = `e${process.pid % 100_000}`;
        this.env = {
            ...process.env,
            MST_CLUSTER_DIR: process.env.MST_CLUSTER_DIR ?? path.join(this.work, "cluster"),
            MST_CLUSTER_PORT_BASE: process.env.MST_CLUSTER_PORT_BASE ?? "28000",
            PULUMI_HOME: path.join(this.work, "pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-bed",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_STACK: opts.stack,
            NO_COLOR: "1",
        };
    }

    /** Starts everything; on a failure part-way, stops what started and rethrows. */
    static async start(opts: EngineBedOptions): Promise<EngineBed> {
        const bed = new EngineBed(opts);
        registerCluster(bed);
        try {
            await bed.startClusterAndAgent();
            fs.mkdirSync(path.join(bed.work, "state"), { recursive: true });
            await bed.useProgram(opts.programCommit);
            await bed.pulumiOk(["stack", "init", opts.stack]);
        } catch (e) {
            await bed.stop();
            throw e;
        }
        return bed;
    }

    private async startClusterAndAgent(): Promise<void> {
        const bins = ["pulumi", "kubernetes"].map((tool) =>
            execFileSync("bash", [path.join(REPO, "tools", tool, "build.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
                .trim()
                .split("\n")
                .pop(),
        );
        const printed = await commandOk("bash", [CONTROL_PLANE, "up"], { env: this.env });
        this.upDone = true;
        const kubeconfig = /^export KUBECONFIG=(.*)$/m.exec(printed)?.[1];
        if (!kubeconfig) throw new Error(`control-plane.sh up printed no KUBECONFIG:\n${printed}`);
        this.env.KUBECONFIG = kubeconfig;
        this.env.PATH = [...bins, this.env.PATH].join(":");
        // The kubelet endpoint's certificate, signed by the cluster CA (--kubelet-certificate-authority), so that
        // `kubectl logs` works through the API server.
        const pki = path.join(this.env.MST_CLUSTER_DIR as string, "pki");
        const [key, csr, crt, ext] = ["kubelet.key", "kubelet.csr", "kubelet.crt", "kubelet.ext"].map((f) => path.join(this.work, f));
        fs.writeFileSync(ext, "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n");
        await commandOk("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
        await commandOk("openssl", ["req", "-new", "-key", key, "-subj", "/CN=fake-kubelet", "-out", csr]);
        const ca = ["-CA", path.join(pki, "ca.crt"), "-CAkey", path.join(pki, "ca.key"), "-CAcreateserial"];
        await commandOk("openssl", ["x509", "-req", "-in", csr, ...ca, "-days", "2", "-extfile", ext, "-out", crt]);

        fs.mkdirSync(this.nfsRoot, { recursive: true });
        for (const dir of this.opts.nfsDirs) fs.mkdirSync(path.join(this.nfsRoot, dir), { recursive: true });
        const exportArgs: string[] = [];
        for (const [server, dirs] of Object.entries(this.opts.nfsServers ?? {})) {
            for (const dir of dirs) fs.mkdirSync(path.join(this.nfsServerRoot(server), dir), { recursive: true });
            exportArgs.push("--nfs-export", `${server}=${this.nfsServerRoot(server)}`);
        }
        const log = fs.openSync(path.join(this.work, "agent.log"), "a");
        this.agent = spawn(
            process.execPath,
            [
                "--require",
                "ts-node/register/transpile-only",
                path.join(REPO, "tests", "fake-kubelet", "agent-main.ts"),
                "--kubeconfig",
                kubeconfig,
                "--nfs-root",
                this.nfsRoot,
                ...exportArgs,
                "--work-dir",
                path.join(this.work, "agent"),
                "--prefix",
                this.prefix,
                "--subnet",
                runSubnet(this.opts.subnetIndex ?? 17),
                "--tls-cert-file",
                crt,
                "--tls-private-key-file",
                key,
            ],
            { cwd: REPO, env: process.env, stdio: ["ignore", log, log] },
        );
        fs.closeSync(log);
        const agent = this.agent;
        this.agentExit = new Promise((resolve) => agent.once("exit", () => resolve()));
        let exited = false;
        void this.agentExit.then(() => (exited = true));
        await waitFor(
            async () => {
                if (exited) throw new Error(`the node agent exited:\n${this.agentLog()}`);
                const r = await command("kubectl", ["get", "nodes", "-o", "jsonpath={.items[*].spec.taints}"], { env: this.env });
                const nodes = await command("kubectl", ["get", "nodes", "-o", "name"], { env: this.env });
                return r.code === 0 && r.stdout.trim() === "" && nodes.stdout.trim().split("\n").length === 3;
            },
            { timeoutMs: 120_000, what: "three Nodes, Ready and untainted", everyMs: 500 },
        );
    }

    /** The root directory of one of the `nfsServers` stand-ins: `{server, path: P}` is `<root>/P`. */
    nfsServerRoot(server: string): string {
        return path.join(this.work, "nfs-servers", server);
    }

    /** The tail of the node agent's log. */
    agentLog(lines = 40): string {
        const file = path.join(this.work, "agent.log");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";
    }

    /**
     * The scratch program: the repo's index.ts, components and pod scripts (linked from the working tree, or
     * extracted from `commit` by `git archive`), the repo's node_modules, and the stack file, which is written
     * from the test's config on the first call and kept (with what `pulumi config set` added) after.
     */
    async useProgram(commit?: string): Promise<void> {
        const files = ["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"];
        const dirs = ["components", "pod", "scripts"];
        fs.mkdirSync(this.programDir, { recursive: true });
        for (const entry of [...files, ...dirs, "node_modules"]) {
            fs.rmSync(path.join(this.programDir, entry), { recursive: true, force: true });
        }
        if (commit === undefined) {
            for (const file of files) fs.copyFileSync(path.join(REPO, file), path.join(this.programDir, file));
            for (const dir of dirs) fs.symlinkSync(path.join(REPO, dir), path.join(this.programDir, dir));
        } else {
            const archive = path.join(this.work, "program.tar");
            // The pod scripts were under scripts/pod/ before they had their own top-level folder: a commit's tree takes what it has.
            const present: string[] = [];
            for (const dir of dirs) {
                if ((await command("git", ["-C", REPO, "cat-file", "-e", `${commit}:${dir}`])).code === 0) present.push(dir);
            }
            await commandOk("git", ["-C", REPO, "archive", "--output", archive, commit, ...files, ...present]);
            await commandOk("tar", ["-x", "-f", archive, "-C", this.programDir]);
        }
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.programDir, "node_modules"));
        const stackFile = path.join(this.programDir, `Pulumi.${this.opts.stack}.yaml`);
        if (!fs.existsSync(stackFile)) fs.writeFileSync(stackFile, yaml.dump({ config: this.opts.stackConfig }, { lineWidth: -1 }));
    }

    /** Writes another stack's file (`Pulumi.<stack>.yaml`) into the program's folder; run it with `--stack`. */
    writeStackFile(stack: string, config: Record<string, unknown>): void {
        fs.writeFileSync(path.join(this.programDir, `Pulumi.${stack}.yaml`), yaml.dump({ config }, { lineWidth: -1 }));
    }

    /** `pulumi ARGS` in the program's folder, whatever its exit code. */
    pulumi(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
        return command("pulumi", args, { env: this.env, cwd: this.programDir, ...opts });
    }

    /** `pulumi ARGS` that must succeed. */
    async pulumiOk(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
        const r = await this.pulumi(args, opts);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
        return r;
    }

    /** `kubectl ARGS` against the control plane; its stdout. */
    kubectl(...args: string[]): Promise<string> {
        return commandOk("kubectl", args, { env: this.env, timeoutMs: 120_000 });
    }

    /** `kubectl ARGS` against the control plane, whatever its exit code. */
    kubectlRun(...args: string[]): Promise<CommandResult> {
        return command("kubectl", args, { env: this.env, timeoutMs: 120_000 });
    }

    /** The pods of a namespace by name. */
    async pods(namespace = "default"): Promise<Map<string, ApiPod>> {
        const list = JSON.parse(await this.kubectl("get", "pods", "-n", namespace, "-o", "json")) as { items: ApiPod[] };
        return new Map(list.items.map((p) => [p.metadata.name, p]));
    }

    /** The StatefulSet `name` (the component's is `mysql`) as the API server has it. */
    async statefulSet(name = "mysql", namespace = "default"): Promise<ApiStatefulSet> {
        return JSON.parse(await this.kubectl("get", "statefulset", name, "-n", namespace, "-o", "json")) as ApiStatefulSet;
    }

    /**
     * The controller has seen the StatefulSet's last change and finished it: `replicas` pods, every one Ready on
     * the update revision, and no other pod of its (by the name `<name>-<ordinal>`) left or being deleted. The
     * suites check this themselves after `pulumi up`: the test bed's provider (a build of January 2026) can read
     * the StatefulSet's status before the controller has seen the update, and then reports an unfinished rollout
     * as done (pulumi/pulumi-kubernetes#3329, fixed by #4094: check status.observedGeneration).
     */
    async rolledOut(replicas: number, name = "mysql", namespace = "default"): Promise<boolean> {
        const { metadata, status } = await this.statefulSet(name, namespace);
        if (
            status.observedGeneration !== metadata.generation ||
            status.currentRevision !== status.updateRevision ||
            ![status.replicas, status.readyReplicas, status.updatedReplicas].every((n) => n === replicas)
        ) {
            return false;
        }
        const own = new RegExp(`^${name}-\\d+$`);
        const pods = [...(await this.pods(namespace)).values()].filter((p) => own.test(p.metadata.name));
        const want = Array.from({ length: replicas }, (_, i) => `${name}-${i}`).sort();
        return (
            pods
                .map((p) => p.metadata.name)
                .sort()
                .join() === want.join() && pods.every((p) => isReady(p) && !p.metadata.deletionTimestamp)
        );
    }

    /** Waits until `rolledOut(replicas)` (at most `timeoutMs`); fails saying which rollout it waited for. */
    async waitForRollout(
        replicas: number,
        opts: { timeoutMs?: number; what?: string; name?: string; namespace?: string } = {},
    ): Promise<void> {
        await waitFor(() => this.rolledOut(replicas, opts.name, opts.namespace), {
            timeoutMs: opts.timeoutMs ?? 300_000,
            everyMs: 1000,
            what: opts.what ?? `the rollout of ${replicas} Ready pods`,
        });
    }

    /**
     * Runs SQL as root on a pod's server and returns its output (`-N -B`): `kubectl exec` into the mysql
     * container (the node agent serves it), with the root option file the probes use; the SQL on stdin.
     */
    async sql(pod: string, statement: string, namespace = "default"): Promise<string> {
        const client = ["mariadb", `--defaults-extra-file=${ROOT_CLIENT_CONFIG}`, "-N", "-B"];
        return commandOk("kubectl", ["exec", "-i", "-n", namespace, pod, "-c", CONTAINERS.mysql, "--", ...client], {
            env: this.env,
            input: statement,
            timeoutMs: 60_000,
        });
    }

    /**
     * SIGKILLs a running container from the host, as an OOM kill would end it: the node agent's outer process
     * of that container (its `unshare`, whose death SIGKILLs the container's PID 1 and so everything in it).
     * The agent then reports the container terminated with exit code 137. Returns how many it killed.
     */
    killContainer(pod: string, container: string, namespace = "default"): number {
        const containers = path.join(this.work, "agent", "pods", `${namespace}_${pod}`, "containers", `${container}-`);
        const isSetup = (a: string) => a.startsWith(containers) && /^\d+\/setup\.sh$/.test(a.slice(containers.length));
        let killed = 0;
        for (const pid of fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
            try {
                const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
                if (path.basename(argv[0]) === "unshare" && argv.some(isSetup)) {
                    process.kill(Number(pid), "SIGKILL");
                    killed++;
                }
            } catch {
                // The process ended while we looked.
            }
        }
        return killed;
    }

    /** Stops the node agent (its pods), the control plane, and removes the scratch folder (unless ENGINE_KEEP=1). */
    async stop(): Promise<void> {
        if (this.agent && this.agent.exitCode === null) {
            this.agent.kill("SIGTERM");
            const timer = setTimeout(() => this.agent?.kill("SIGKILL"), 60_000);
            await this.agentExit;
            clearTimeout(timer);
        }
        if (this.upDone) await command("bash", [CONTROL_PLANE, "down"], { env: this.env });
        if (process.env.ENGINE_KEEP === "1") console.warn(`engine bed kept in ${this.work}`);
        else fs.rmSync(this.work, { recursive: true, force: true });
        unregisterCluster(this);
    }

    /**
     * `stop`, synchronously, for the last-resort teardown: the node agent tears its pods down on SIGTERM (its own
     * cleanup.ts), given 30 s before SIGKILL; then the control plane's `down` and the work directory.
     */
    destroySync(): void {
        const pid = this.agent?.exitCode === null ? this.agent.pid : undefined;
        if (pid !== undefined) {
            this.agent?.kill("SIGTERM");
            const deadline = Date.now() + 30_000;
            while (pidAlive(pid) && Date.now() < deadline) spawnSync("sleep", ["0.2"]);
            if (pidAlive(pid)) this.agent?.kill("SIGKILL");
        }
        if (this.upDone) spawnSync("bash", [CONTROL_PLANE, "down"], { env: this.env, stdio: "ignore", timeout: 120_000 });
        if (process.env.ENGINE_KEEP !== "1") fs.rmSync(this.work, { recursive: true, force: true });
    }
}

/** What ClusterWatch saw happen to a pod: its deletion begun, its Ready lost, or an Event about it (reason). */
export interface PodChange {
    readonly pod: string;
    readonly what: "deleting" | "notReady" | "event";
    readonly reason?: string;
    readonly message?: string;
    /** For "deleting": the other pods of the namespace that were not Ready, or being deleted, at that moment. */
    readonly othersDown?: readonly string[];
}

interface ApiEvent {
    metadata: { name: string; namespace?: string; resourceVersion?: string };
    involvedObject: { kind?: string; name: string };
    reason?: string;
    message?: string;
    count?: number;
}

/**
 * Watches a namespace's pods and Events from the test's process (list + watch, as a controller does), and keeps,
 * in the order the API server told them, every pod whose deletion began, every pod that lost Ready, and every
 * Event (each repetition of a counted one too): what the real controllers and the node agent did during a
 * step, without polling. `mark()` then `since(mark)` reads one step's changes.
 */
export class ClusterWatch {
    private readonly changes: PodChange[] = [];
    private readonly client: KubeClient;
    private readonly informers: Informer<ApiPod | ApiEvent>[];

    private constructor(kubeconfig: string, namespace: string) {
        this.client = new KubeClient(loadKubeconfig(kubeconfig));
        const pods = new Informer<ApiPod>(this.client, `/api/v1/namespaces/${namespace}/pods`, (type, pod, old) => {
            const name = pod.metadata.name;
            if (pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp && type !== "DELETED") {
                const othersDown = [...pods.store.values()]
                    .filter((p) => p.metadata.name !== name && (!isReady(p) || p.metadata.deletionTimestamp))
                    .map((p) => p.metadata.name)
                    .sort();
                this.changes.push({ pod: name, what: "deleting", othersDown });
            }
            if (type === "MODIFIED" && isReady(old) && !isReady(pod)) this.changes.push({ pod: name, what: "notReady" });
        });
        const events = new Informer<ApiEvent>(this.client, `/api/v1/namespaces/${namespace}/events`, (type, e, old) => {
            if (type === "DELETED" || (type === "MODIFIED" && (e.count ?? 1) === (old?.count ?? 1))) return;
            this.changes.push({ pod: e.involvedObject.name, what: "event", reason: e.reason, message: e.message });
        });
        this.informers = [pods, events] as Informer<ApiPod | ApiEvent>[];
    }

    /** Starts watching; resolves once both lists are read (what happened before is not told again). */
    static async start(kubeconfig: string, namespace = "default"): Promise<ClusterWatch> {
        const watch = new ClusterWatch(kubeconfig, namespace);
        await Promise.all(watch.informers.map((i) => i.start()));
        watch.changes.length = 0;
        return watch;
    }

    /** Where the changes stand now. */
    mark(): number {
        return this.changes.length;
    }

    /** The changes since a mark, optionally of one kind. */
    since(mark: number, what?: PodChange["what"]): PodChange[] {
        return this.changes.slice(mark).filter((c) => what === undefined || c.what === what);
    }

    stop(): void {
        for (const i of this.informers) i.stop();
        this.client.close();
    }
}

/** One suite's engine bed and pod watch; see `engineSuite`. */
export interface EngineSuite {
    /** Checks that the bed can run here (`requireEngineBed`) and starts it; call it in the suite's `before`. */
    start(context: Mocha.Context, opts: EngineBedOptions): Promise<EngineBed>;
    /** Starts the watch of the default namespace's pods and Events, when the suite wants one and from when. */
    startWatch(): Promise<ClusterWatch>;
    /** The bed, for the cases; throws when it did not start. */
    bed(): EngineBed;
    /** The watch, for the cases; throws when it did not start. */
    watch(): ClusterWatch;
}

/**
 * The bed and the watch of a suite that drives one engine bed itself: call it in the `describe`, which gets an
 * `after` hook that stops both (whatever of them started).
 */
export function engineSuite(): EngineSuite {
    let bed: EngineBed | undefined;
    let watch: ClusterWatch | undefined;
    after(async () => {
        watch?.stop();
        await bed?.stop();
    });
    const suite: EngineSuite = {
        async start(context, opts) {
            requireEngineBed(context);
            bed = await EngineBed.start(opts);
            return bed;
        },
        async startWatch() {
            watch = await ClusterWatch.start(suite.bed().env.KUBECONFIG as string);
            return watch;
        },
        bed() {
            if (!bed) throw new Error("the engine bed did not start");
            return bed;
        },
        watch() {
            if (!watch) throw new Error("the cluster watch did not start");
            return watch;
        },
    };
    return suite;
}
