// FakeCluster: runs the pods of one rendered StatefulSet on this machine, each pod in network
// namespaces of its own, each container in PID/mount/UTS/IPC namespaces of its own (see
// container.ts), following the StatefulSet controller (OrderedReady or Parallel) and kubelet semantics.
//
// Host paths it touches: options.workDir (created, removed by destroy), /run/netns/<prefix>-*
// (netns files via `ip netns`), and nothing else; all mounts happen inside the containers'
// private mount namespaces and vanish with them.

import * as fs from "fs";
import * as path from "path";
import { registerCluster, unregisterCluster } from "./cleanup";
import { DnsConfig, DnsService, hostsFileFor, resolvConf, writeInPlace } from "./dns";
import { buildImage, BuiltImage } from "./image";
import { PodNetwork } from "./netns";
import { DEFAULT_IMAGES } from "./profiles";
import { Pod, PodHost } from "./pod";
import type {
    ClusterEvent,
    ContainerSpec,
    ExecOptions,
    ExecResult,
    FakeClusterOptions,
    ImageProfile,
    JobResult,
    K8sObject,
    PodSpec,
    PodStatus,
    Probe,
} from "./types";
import {
    allPids,
    cmdlineOf,
    nsOfPid,
    pidAlive,
    safeRemove,
    safeRemoveSync,
    signalGroup,
    signalPid,
    sleep,
    sleepSync,
    unmountAllUnderSync,
} from "./util";
import { claimDir } from "./volumes";

const WORKDIR_MARKER = ".fake-kubelet-workdir";
/** Images whose missing optional binaries were already reported by this process. */
const warnedMissing = new Set<string>();

/** Rejects pod specs using what the harness cannot run faithfully, before anything starts. */
function validateSpec(spec: PodSpec, images: Record<string, unknown>): void {
    const problems: string[] = [];
    for (const k of ["hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace"]) {
        if (spec[k]) problems.push(`spec.${k} is not supported`);
    }
    const all: ContainerSpec[] = [...(spec.initContainers ?? []), ...spec.containers];
    for (const c of all) {
        if (!images[c.image]) problems.push(`container ${c.name}: no image profile for ${JSON.stringify(c.image)} (options.images)`);
        for (const [kind, p] of [
            ["readinessProbe", c.readinessProbe],
            ["livenessProbe", c.livenessProbe],
            ["startupProbe", c.startupProbe],
        ] as [string, Probe | undefined][]) {
            if (p && !p.exec && !p.tcpSocket && !p.httpGet) problems.push(`container ${c.name}: ${kind} type not supported (grpc?)`);
        }
    }
    for (const v of spec.volumes ?? []) {
        if (!v.emptyDir && !v.configMap && !v.secret && !v.persistentVolumeClaim) {
            problems.push(`volume ${v.name}: only emptyDir, configMap, secret and persistentVolumeClaim are supported`);
        }
    }
    if (problems.length) throw new Error(`FakeCluster: the pod template uses what the harness cannot run:\n  - ${problems.join("\n  - ")}`);
}

/**
 * The Job a CronJob makes (as `kubectl create job --from=cronjob/NAME` does): one pod at a time, its
 * containers run once (restartPolicy Never), up to backoffLimit + 1 pods. Anything else is refused.
 */
function jobTemplateOf(cronJob: K8sObject): { backoffLimit: number; labels: Record<string, string>; spec: PodSpec } {
    const job = cronJob.spec?.jobTemplate?.spec ?? {};
    const problems: string[] = [];
    if ((job.parallelism ?? 1) !== 1 || (job.completions ?? 1) !== 1)
        problems.push("parallelism and completions other than 1 are not supported");
    if (job.podFailurePolicy || job.successPolicy || job.completionMode === "Indexed")
        problems.push("podFailurePolicy, successPolicy and Indexed jobs are not supported");
    const spec: PodSpec = job.template?.spec;
    if (!spec?.containers?.length) problems.push("the job template has no containers");
    else if (spec.restartPolicy !== "Never")
        problems.push(`restartPolicy ${JSON.stringify(spec.restartPolicy)} is not supported (Never only)`);
    if (problems.length) throw new Error(`FakeCluster: CronJob ${cronJob.metadata.name}: ${problems.join("; ")}`);
    return { backoffLimit: job.backoffLimit ?? 6, labels: job.template.metadata?.labels ?? {}, spec };
}

/** A Job started by FakeCluster.startJob. */
export interface FakeJob {
    readonly name: string;
    /** The pod of the current attempt. */
    readonly podName: () => string;
    /** Resolves when the Job has succeeded or used up its attempts. */
    readonly result: Promise<JobResult>;
    /** Runs argv in a container of the current attempt's pod. */
    exec(container: string, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
    /** SIGKILLs a container of the current attempt (an OOM kill, a lost node): that pod fails. */
    kill(container: string): Promise<void>;
    /** The container's log in the current attempt's pod. */
    logs(container: string): string;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
    if (!selector || !Object.keys(selector).length) return false;
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export class FakeCluster {
    readonly statefulSet: K8sObject;
    readonly name: string;
    readonly namespace: string;
    readonly serviceName: string;
    /** spec.replicas of the rendered StatefulSet. */
    readonly specReplicas: number;
    readonly workDir: string;
    private readonly t0 = Date.now();
    private readonly eventLog: ClusterEvent[] = [];
    private readonly pods = new Map<number, Pod>();
    /** Pods of Jobs, by name. */
    private readonly jobPods = new Map<string, Pod>();
    private readonly tracked = new Set<number>();
    private readonly host: PodHost;
    private readonly dns: DnsConfig;
    private readonly verbose: boolean;
    private destroyed = false;

    private constructor(
        private readonly opts: FakeClusterOptions,
        readonly network: PodNetwork,
        images: Map<string, BuiltImage>,
    ) {
        const sets = opts.objects.filter((o) => o.kind === "StatefulSet");
        this.statefulSet = sets[0];
        this.name = this.statefulSet.metadata.name;
        this.namespace = this.statefulSet.metadata.namespace ?? "default";
        this.serviceName = this.statefulSet.spec.serviceName;
        this.specReplicas = this.statefulSet.spec.replicas ?? 1;
        this.workDir = path.resolve(opts.workDir);
        this.verbose = Boolean(opts.verbose || process.env.FAKE_KUBELET_VERBOSE === "1");
        const template = this.statefulSet.spec.template;
        const labels: Record<string, string> = template.metadata?.labels ?? {};
        this.dns = {
            namespace: this.namespace,
            clusterDomain: opts.clusterDomain ?? "cluster.local",
            services: FakeCluster.dnsServices(opts.objects, this.namespace, this.serviceName, labels, template.spec),
        };
        this.host = {
            workDir: this.workDir,
            network,
            images,
            sources: { objects: opts.objects, secrets: opts.secrets ?? {} },
            namespace: this.namespace,
            statefulSetName: this.name,
            template: { labels, annotations: template.metadata?.annotations ?? {}, spec: template.spec },
            claimTemplates: (this.statefulSet.spec.volumeClaimTemplates ?? []).map((t: K8sObject) => t.metadata.name),
            claimPaths: opts.claimPaths ?? {},
            backoff: opts.restartBackoffMs ?? { initialMs: 1000, maxMs: 2000 },
            keepWorkDir: this.keep,
            track: (pid, alive) => {
                if (alive) this.tracked.add(pid);
                else this.tracked.delete(pid);
            },
            event: (e) => {
                const ev = { t: Date.now() - this.t0, ...e };
                this.eventLog.push(ev);
                if (this.verbose) {
                    console.log(
                        `[fake-kubelet +${(ev.t / 1000).toFixed(1)}s] ${ev.pod}${ev.container ? "/" + ev.container : ""} ${ev.type}${ev.detail ? ": " + ev.detail : ""}`,
                    );
                }
            },
            refreshDns: () => this.refreshDns(),
            hostsFileContent: (pod) => this.hostsFor(pod),
            resolvConf: () => resolvConf(this.namespace, this.dns.clusterDomain),
        };
    }

    private get keep(): boolean {
        return Boolean(this.opts.keepWorkDir || process.env.FAKE_KUBELET_KEEP === "1");
    }

    /** Services of the namespace that select the pods; the governing one must exist. */
    private static dnsServices(
        objects: K8sObject[],
        ns: string,
        governing: string,
        labels: Record<string, string>,
        spec: PodSpec,
    ): DnsService[] {
        const ports = new Map<string, number>();
        for (const c of spec.containers) for (const p of c.ports ?? []) if (p.name) ports.set(p.name, p.containerPort);
        const out: DnsService[] = [];
        for (const o of objects) {
            if (o.kind !== "Service" || (o.metadata.namespace ?? "default") !== ns) continue;
            const s = o.spec ?? {};
            const isGoverning = o.metadata.name === governing;
            if (!isGoverning && !selects(s.selector, labels)) continue;
            const emulable = (s.ports ?? []).every((p: { port: number; targetPort?: number | string }) => {
                const target =
                    p.targetPort === undefined
                        ? p.port
                        : typeof p.targetPort === "number"
                          ? p.targetPort
                          : /^\d+$/.test(p.targetPort)
                            ? Number(p.targetPort)
                            : ports.get(p.targetPort);
                return target === p.port;
            });
            out.push({
                name: o.metadata.name,
                governing: isGoverning,
                headless: s.clusterIP === "None",
                publishNotReadyAddresses: Boolean(s.publishNotReadyAddresses),
                emulable,
            });
        }
        if (!out.some((s) => s.governing)) {
            throw new Error(
                `FakeCluster: StatefulSet spec.serviceName ${JSON.stringify(governing)} names no Service in namespace ${ns} among the objects`,
            );
        }
        return out;
    }

    static async create(opts: FakeClusterOptions): Promise<FakeCluster> {
        const sets = opts.objects.filter((o) => o.kind === "StatefulSet");
        if (sets.length !== 1) throw new Error(`FakeCluster: expected exactly one StatefulSet among the objects, got ${sets.length}`);
        const sts = sets[0];
        if (!sts.spec?.template?.spec?.containers?.length) throw new Error("FakeCluster: the StatefulSet has no containers");
        if (!sts.spec.serviceName) throw new Error("FakeCluster: the StatefulSet has no spec.serviceName");
        const policy = sts.spec.podManagementPolicy ?? "OrderedReady";
        if (policy !== "OrderedReady" && policy !== "Parallel")
            throw new Error(`FakeCluster: podManagementPolicy ${policy} is not supported (OrderedReady or Parallel)`);
        const profiles: Record<string, ImageProfile> = { ...DEFAULT_IMAGES, ...(opts.images ?? {}) };
        validateSpec(sts.spec.template.spec, profiles);
        const jobSpecs = opts.objects.filter((o) => o.kind === "CronJob").map((o) => jobTemplateOf(o).spec);
        for (const spec of jobSpecs) validateSpec(spec, profiles);

        const network = new PodNetwork(opts.prefix, opts.subnet); // validates prefix and subnet
        const workDir = path.resolve(opts.workDir);
        if (workDir === "/" || workDir.split("/").length < 3) throw new Error(`FakeCluster: workDir ${workDir} is too close to /`);

        // Leftovers of an earlier run with the same prefix: processes, namespaces, the workDir.
        PodNetwork.removeLeftovers(opts.prefix);
        if (fs.existsSync(workDir)) {
            const marker = path.join(workDir, WORKDIR_MARKER);
            if (fs.existsSync(marker)) safeRemoveSync(workDir);
            else if (fs.readdirSync(workDir).length)
                throw new Error(`FakeCluster: workDir ${workDir} exists, is not empty and was not made by the harness`);
        }
        fs.mkdirSync(workDir, { recursive: true });
        fs.writeFileSync(path.join(workDir, WORKDIR_MARKER), `${opts.prefix}\n`);

        const images = new Map<string, BuiltImage>();
        let cluster: FakeCluster | undefined;
        try {
            await network.create();
            const spec: PodSpec = sts.spec.template.spec;
            const refs = new Set([spec, ...jobSpecs].flatMap((s) => [...(s.initContainers ?? []), ...s.containers]).map((c) => c.image));
            let i = 0;
            for (const ref of refs) {
                const slug = `${i++}-${ref.replace(/[^A-Za-z0-9._-]+/g, "_")}`;
                const built = await buildImage(ref, profiles[ref], path.join(workDir, "images", slug));
                if (built.missing.length && !warnedMissing.has(ref)) {
                    warnedMissing.add(ref);
                    console.warn(`fake-kubelet: image ${ref}: this host lacks ${built.missing.join(", ")}; left off its PATH`);
                }
                images.set(ref, built);
            }
            cluster = new FakeCluster(opts, network, images);
            registerCluster(cluster);
            return cluster;
        } catch (e) {
            network.destroySync();
            if (!opts.keepWorkDir) safeRemoveSync(workDir);
            throw e;
        }
    }

    podName(ordinal: number): string {
        return `${this.name}-${ordinal}`;
    }

    private pod(ordinal: number): Pod {
        if (this.destroyed) throw new Error("FakeCluster: destroyed");
        let p = this.pods.get(ordinal);
        if (!p) {
            if (!Number.isInteger(ordinal) || ordinal < 0) throw new Error(`bad ordinal ${ordinal}`);
            p = new Pod(this.host, ordinal);
            this.pods.set(ordinal, p);
        }
        return p;
    }

    private runningPod(ordinal: number): Pod {
        const p = this.pods.get(ordinal);
        if (!p?.running) throw new Error(`pod ${this.podName(ordinal)} is not running`);
        return p;
    }

    private hostsFor(pod: Pod): string {
        const pods = [...this.pods.values()]
            .filter((p) => p.ip && p.running)
            .map((p) => ({ name: p.name, ip: p.ip as string, ready: p.ready }));
        return hostsFileFor({ name: pod.name, ip: pod.ip ?? "127.0.0.1", ready: pod.ready }, pods, this.dns);
    }

    /** Rewrites the hosts file of every pod that has a network (in place: it is bind-mounted). */
    private refreshDns(): void {
        for (const p of this.allPods()) {
            if (p.ip && fs.existsSync(p.dir)) writeInPlace(p.hostsFile, this.hostsFor(p));
        }
    }

    private allPods(): Pod[] {
        return [...this.pods.values(), ...this.jobPods.values()];
    }

    /**
     * Creates a Job from the CronJob's jobTemplate, as `kubectl create job --from=cronjob/NAME` does, and runs
     * its pods: one at a time, each container once, a new pod after a failed one up to backoffLimit times.
     * Job pods get their own network and DNS like any pod, but are no endpoints of the cluster's Services.
     */
    async startJob(cronJobName: string): Promise<FakeJob> {
        if (this.destroyed) throw new Error("FakeCluster: destroyed");
        const cronJob = this.opts.objects.find((o) => o.kind === "CronJob" && o.metadata.name === cronJobName);
        if (!cronJob) throw new Error(`FakeCluster: no CronJob ${cronJobName} among the objects`);
        const template = jobTemplateOf(cronJob);
        const jobName = `${cronJobName}-manual-${Date.now().toString(36).slice(-5)}`;
        let current: Pod | undefined;
        const attempt = async (n: number): Promise<Pod> => {
            // Job pods number their veths from 200 up, clear of the StatefulSet's ordinals.
            const pod = new Pod(this.host, 200 + this.jobPods.size, {
                name: `${jobName}-${n}`,
                labels: { ...template.labels, "job-name": jobName },
                spec: template.spec,
            });
            this.jobPods.set(pod.name, pod);
            current = pod;
            await pod.start();
            return pod;
        };
        const first = await attempt(0);
        const result = (async (): Promise<JobResult> => {
            const attempts: Record<string, number>[] = [];
            for (let n = 0, pod = first; ; pod = await attempt(++n)) {
                const phase = await pod.finished();
                attempts.push(Object.fromEntries(pod.runners.filter((r) => r.kind === "main").map((r) => [r.name, r.lastExitCode ?? -1])));
                if (phase === "Succeeded") return { succeeded: true, attempts };
                if (n >= template.backoffLimit || this.destroyed) return { succeeded: false, attempts };
            }
        })();
        const pod = () => {
            if (!current) throw new Error(`job ${jobName} has no pod`);
            return current;
        };
        return {
            name: jobName,
            podName: () => pod().name,
            result,
            exec: (container, argv, execOpts = {}) => pod().runner(container).exec(argv, execOpts),
            kill: (container) => pod().runner(container).kill(0, "killed by the test"),
            logs: (container) => {
                try {
                    return fs.readFileSync(path.join(this.workDir, "logs", pod().name, `${container}.log`), "utf8");
                } catch {
                    return "";
                }
            },
        };
    }

    /**
     * Starts pod `ordinal` and resolves when it is Ready. On timeout it rejects with the status and
     * log tail of every container; the pod keeps running (as in Kubernetes) until stopPod().
     */
    async startPod(ordinal: number, opts: { readyTimeoutMs?: number } = {}): Promise<void> {
        const p = this.pod(ordinal);
        await p.start();
        await p.waitReady(opts.readyTimeoutMs ?? 180_000);
    }

    /** Deletes the pod (grace: the pod's terminationGracePeriodSeconds unless given). Its PVC dirs stay. */
    async stopPod(ordinal: number, opts: { graceSeconds?: number } = {}): Promise<void> {
        const p = this.pods.get(ordinal);
        if (!p) return;
        await p.stop(opts.graceSeconds !== undefined ? opts.graceSeconds * 1000 : p.graceMs());
    }

    /** Kills a main container or sidecar (SIGTERM, SIGKILL after the grace); resolves when its next instance has started. */
    async restartContainer(ordinal: number, container: string, opts: { graceSeconds?: number } = {}): Promise<void> {
        const p = this.runningPod(ordinal);
        await p.runner(container).restart(opts.graceSeconds !== undefined ? opts.graceSeconds * 1000 : p.graceMs());
    }

    /**
     * The StatefulSet controller's scaling. OrderedReady: up one ordinal at a time, each after the previous is
     * Ready; down from the highest, one at a time. Parallel: every missing pod started at once, every extra
     * one stopped at once; resolves when all `replicas` pods are Ready.
     */
    async scaleTo(replicas: number, opts: { readyTimeoutMs?: number; graceSeconds?: number } = {}): Promise<void> {
        if (this.statefulSet.spec.podManagementPolicy === "Parallel") {
            const extra = [...this.pods.values()].filter((p) => p.ordinal >= replicas && p.running);
            await Promise.all(extra.map((p) => this.stopPod(p.ordinal, opts)));
            const wanted = Array.from({ length: replicas }, (_, i) => this.pod(i));
            await Promise.all(wanted.filter((p) => !p.running).map((p) => p.start()));
            await Promise.all(wanted.map((p) => p.waitReady(opts.readyTimeoutMs ?? 180_000)));
            return;
        }
        for (let i = 0; i < replicas; i++) {
            const p = this.pod(i);
            if (!p.running) await this.startPod(i, opts);
            else await p.waitReady(opts.readyTimeoutMs ?? 180_000);
        }
        const higher = [...this.pods.values()].filter((p) => p.ordinal >= replicas && p.running).sort((a, b) => b.ordinal - a.ordinal);
        for (const p of higher) await this.stopPod(p.ordinal, opts);
    }

    async waitForReady(ordinal: number, timeoutMs = 180_000): Promise<void> {
        await this.runningPod(ordinal).waitReady(timeoutMs);
    }

    /**
     * Resolves when the container is running and has been started at least `minStarts` times
     * (e.g. starts(...) + 1 after killing it). Default: running at all.
     */
    async waitForRunning(ordinal: number, container: string, opts: { minStarts?: number; timeoutMs?: number } = {}): Promise<void> {
        await this.runningPod(ordinal)
            .runner(container)
            .waitRunning(opts.minStarts ?? 1, opts.timeoutMs ?? 60_000);
    }

    isReady(ordinal: number): boolean {
        return Boolean(this.pods.get(ordinal)?.ready);
    }

    isRunning(ordinal: number): boolean {
        return Boolean(this.pods.get(ordinal)?.running);
    }

    podIP(ordinal: number): string | undefined {
        return this.pods.get(ordinal)?.ip;
    }

    runningOrdinals(): number[] {
        return [...this.pods.values()]
            .filter((p) => p.running)
            .map((p) => p.ordinal)
            .sort((a, b) => a - b);
    }

    status(ordinal: number): PodStatus {
        return this.pod(ordinal).status();
    }

    /** Status and log tails of every container of the pod, for failure messages. */
    describe(ordinal: number): string {
        return this.pod(ordinal).describe();
    }

    /** Runs argv in a container: its namespaces, root, env, user, capabilities and workingDir. */
    async exec(ordinal: number, container: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
        return this.runningPod(ordinal).runner(container).exec(argv, opts);
    }

    /** Cuts the pod off the pod network (both ways) or reconnects it. */
    async setNetworkBlocked(ordinal: number, blocked: boolean): Promise<void> {
        const p = this.runningPod(ordinal);
        await this.network.setBlocked(p.name, blocked);
        this.host.event({ pod: p.name, type: blocked ? "NetworkBlocked" : "NetworkUnblocked" });
    }

    /** Signals the processes of a container whose command line matches; returns how many. */
    async killMatching(ordinal: number, container: string, pattern: RegExp, signal: NodeJS.Signals = "SIGKILL"): Promise<number> {
        const r = this.runningPod(ordinal).runner(container);
        const inner = r.current?.running ? r.current.innerPid : undefined;
        if (!inner) throw new Error(`container ${container} of ${this.podName(ordinal)} is not running`);
        const pidNs = nsOfPid(inner, "pid");
        if (!pidNs) return 0;
        let n = 0;
        for (const pid of allPids()) {
            if (nsOfPid(pid, "pid") !== pidNs) continue;
            if (!pattern.test(cmdlineOf(pid))) continue;
            if (pid === inner && signal === "SIGKILL") {
                r.current?.kill("SIGKILL"); // through the container, so its exit code reads 137
                n++;
            } else if (signalPid(pid, signal)) {
                n++;
            }
        }
        return n;
    }

    /** Host path of the pod's PVC for a volumeClaimTemplate (exists once the pod has started). */
    volumePath(ordinal: number, claimTemplate: string): string {
        if (!this.host.claimTemplates.includes(claimTemplate)) {
            throw new Error(`no volumeClaimTemplate ${claimTemplate} (has: ${this.host.claimTemplates.join(", ")})`);
        }
        return claimDir(path.join(this.workDir, "pvc"), claimTemplate, this.podName(ordinal));
    }

    /** The container's log: stdout+stderr of every start, with a harness header line per start. */
    logs(ordinal: number, container: string): string {
        try {
            return fs.readFileSync(path.join(this.workDir, "logs", this.podName(ordinal), `${container}.log`), "utf8");
        } catch {
            return "";
        }
    }

    /** Kubernetes' restartCount of the container in the current pod (starts - 1; init reruns count too). */
    restarts(ordinal: number, container: string): number {
        return Math.max(0, this.starts(ordinal, container) - 1);
    }

    /** How many times the container was started in the current pod. */
    starts(ordinal: number, container: string): number {
        const p = this.pods.get(ordinal);
        return p?.runners.find((r) => r.name === container)?.starts ?? 0;
    }

    /** The pod's current /etc/hosts. */
    hostsFile(ordinal: number): string {
        return (
            fs
                .readFileSync(this.runningPod(ordinal).hostsFile, "utf8")
                .replace(/#\s*\n$/, "")
                .trimEnd() + "\n"
        );
    }

    events(): ClusterEvent[] {
        return [...this.eventLog];
    }

    /** Stops every pod at once (SIGKILL), deletes the network and the workDir. Idempotent. */
    async destroy(): Promise<void> {
        if (this.destroyed) return;
        await Promise.all(
            this.allPods()
                .filter((p) => p.running)
                .map((p) => p.stop(0).catch(() => undefined)),
        );
        this.destroyed = true;
        // Pods were stopped above (SIGKILL to each container's PID 1, reaped by its unshare); what is
        // still tracked now is an exec or a stuck process: killed by process group.
        for (const pid of this.tracked) signalGroup(pid, "SIGKILL");
        for (let i = 0; i < 100 && [...this.tracked].some((p) => pidAlive(p)); i++) await sleep(20);
        this.network.destroySync();
        unmountAllUnderSync(this.workDir);
        if (!this.keep) await safeRemove(this.workDir);
        unregisterCluster(this);
    }

    /** Synchronous: containers' PID 1 first (reaped by their unshare), then every tracked group. */
    private killTracked(): void {
        const procs = this.allPods()
            .flatMap((p) => p.runners.map((r) => r.current))
            .filter((x) => x !== undefined);
        const killed = procs.filter((p) => p.killInnerNow());
        for (let i = 0; i < 150 && killed.some((p) => pidAlive(p.outerPid)); i++) sleepSync(20);
        for (const p of procs) p.killOuterNow();
        for (const pid of this.tracked) signalGroup(pid, "SIGKILL");
    }

    /** The exit-path variant of destroy(): synchronous, SIGKILL everything by pid. */
    destroySync(): void {
        if (this.destroyed) return;
        this.destroyed = true;
        this.killTracked();
        this.network.destroySync();
        unmountAllUnderSync(this.workDir);
        if (!this.keep) {
            try {
                safeRemoveSync(this.workDir);
            } catch (e) {
                process.stderr.write(`fake-kubelet: ${(e as Error).message}\n`);
            }
        }
        unregisterCluster(this);
    }
}
