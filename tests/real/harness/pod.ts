// One pod of the StatefulSet and its containers, with kubelet's semantics:
//   - init containers in order, each must exit 0; a failing one is rerun after a back-off and
//     the pod stays not Ready; a native sidecar (init container with restartPolicy Always) is
//     started and kept running, the next init container waiting for its startupProbe;
//   - then the main containers, in order (a postStart hook delays the next one);
//   - restartPolicy Always: a main container or sidecar that exits is started again after a
//     short back-off (1 s, doubling to 2 s; Kubernetes' 10 s..5 min would make tests crawl);
//   - probes (exec inside the container, tcpSocket/httpGet from the pod's network namespace)
//     with initialDelaySeconds, periodSeconds, timeoutSeconds, failure/successThreshold;
//     startupProbe gates the others; liveness failure restarts the container;
//   - Ready = every main container and sidecar running, started and (if it has one) passing its
//     readinessProbe; DNS (the hosts files) follows readiness through the cluster;
//   - a volume that cannot be set up (a missing ConfigMap) leaves the pod Pending with a FailedMount
//     event; kubelet retries the mount, here the pod stays so until it is deleted;
//   - configMap and secret volumes of a running pod follow their objects (syncVolumes), subPath mounts not.

import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ContainerExit, ContainerLaunch, ContainerProcess, ContainerSecurity, DEFAULT_CAPS } from "./container";
import { containerEnv, EnvSources, expandK8s, PodFacts } from "./env";
import type { BuiltImage } from "./image";
import type { PodNetwork } from "./netns";
import type {
    ClusterEvent,
    ContainerSpec,
    ContainerStatus,
    ExecOptions,
    ExecResult,
    LifecycleHandler,
    PodSpec,
    PodStatus,
    Probe,
} from "./types";
import { lookupUser, run, safeRemove, settleWithin, sleep, tailFile } from "./util";
import { prepareVolumes, PreparedVolume, resolveMount, syncProjectedVolumes, VolumeContext } from "./volumes";

/** What a pod needs from its cluster. */
export interface PodHost {
    workDir: string;
    network: PodNetwork;
    images: Map<string, BuiltImage>;
    sources: EnvSources;
    namespace: string;
    statefulSetName: string;
    claimTemplates: string[];
    claimPaths: Record<string, string>;
    backoff: { initialMs: number; maxMs: number };
    keepWorkDir: boolean;
    track(pid: number, alive: boolean): void;
    event(e: Omit<ClusterEvent, "t">): void;
    /** Rewrites every pod's hosts file (a pod started, stopped or changed readiness). */
    refreshDns(): void;
    hostsFileContent(pod: Pod): string;
    resolvConf(): string;
}

/** What a pod is made from: the StatefulSet's template at one revision, or a Job's template. */
export interface PodTemplate {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    spec: PodSpec;
    /** The StatefulSet's revision (the pod's controller-revision-hash label); none for a Job's pod. */
    revision?: string;
}

/** Resolves after ms, or as soon as stop() is called. */
class Interrupt {
    private fire!: () => void;
    readonly fired: Promise<void> = new Promise((r) => (this.fire = r));
    done = false;
    stop(): void {
        this.done = true;
        this.fire();
    }
    async sleep(ms: number): Promise<void> {
        if (ms > 0 && !this.done) await settleWithin(this.fired, ms);
    }
}

type Kind = "init" | "sidecar" | "main";

export class ContainerRunner {
    starts = 0;
    current: ContainerProcess | undefined;
    lastExitCode: number | undefined;
    private startupDone = false;
    private readyByProbe = false;
    private loopDone: Promise<void> | undefined;
    private stopped = false;
    private readonly stopInterrupt = new Interrupt();

    constructor(
        readonly pod: Pod,
        readonly spec: ContainerSpec,
        readonly kind: Kind,
    ) {}

    get name(): string {
        return this.spec.name;
    }

    get logPath(): string {
        return path.join(this.pod.logsDir, `${this.name}.log`);
    }

    get running(): boolean {
        return Boolean(this.current?.running);
    }

    /** Running and past its startupProbe (what a native sidecar must reach before the next init container). */
    get started(): boolean {
        return this.running && this.startupDone;
    }

    isReady(): boolean {
        if (!this.running || !this.startupDone) return false;
        return this.spec.readinessProbe ? this.readyByProbe : true;
    }

    status(): ContainerStatus {
        return {
            name: this.name,
            kind: this.kind,
            state: this.running ? "running" : this.starts && this.lastExitCode !== undefined ? "terminated" : "waiting",
            ready: this.isReady(),
            starts: this.starts,
            ...(this.lastExitCode !== undefined ? { lastExitCode: this.lastExitCode } : {}),
        };
    }

    private log(line: string): void {
        fs.appendFileSync(this.logPath, `==== fake-kubelet ${new Date().toISOString()} ${line}\n`);
    }

    /** Starts one instance of the container. */
    private async launch(): Promise<ContainerProcess> {
        this.starts++;
        const n = this.starts;
        this.log(`pod ${this.pod.name} (uid ${this.pod.uid}) container ${this.name}: start #${n}`);
        const dir = path.join(this.pod.dir, "containers", `${this.name}-${n}`);
        // The previous instance is gone: its container layer goes with it (Kubernetes keeps one
        // dead container for logs; the log file is kept here).
        if (n > 1 && !this.pod.host.keepWorkDir) {
            await safeRemove(path.join(this.pod.dir, "containers", `${this.name}-${n - 1}`)).catch(() => undefined);
        }
        const proc = await ContainerProcess.start(this.pod.launchSpec(this.spec, n, dir, this.logPath));
        this.current = proc;
        this.startupDone = !this.spec.startupProbe;
        this.readyByProbe = false;
        this.pod.host.event({ pod: this.pod.name, container: this.name, type: "ContainerStarted", detail: `start #${n}` });
        return proc;
    }

    private recordExit(exit: ContainerExit): void {
        this.lastExitCode = exit.code;
        this.log(`container ${this.name}: exited with code ${exit.code}`);
        this.pod.host.event({ pod: this.pod.name, container: this.name, type: "ContainerExited", detail: `code ${exit.code}` });
        this.pod.updateReady();
    }

    /** An init container: start, wait for the exit. Returns the exit code. */
    async runToCompletion(): Promise<number> {
        let proc: ContainerProcess;
        try {
            proc = await this.launch();
        } catch (e) {
            this.log(`container ${this.name}: could not start: ${(e as Error).message}`);
            this.lastExitCode = 128;
            return 128;
        }
        if (this.stopped) void proc.stop(0); // the pod was deleted while this container was starting
        const exit = await proc.exited;
        this.recordExit(exit);
        return exit.code;
    }

    /**
     * A restartable container (main or sidecar): starts it and keeps it running until the pod
     * stops. Resolves when the first instance has started (and its postStart hook has run).
     */
    startLoop(): Promise<void> {
        let resolveFirst!: () => void;
        const first = new Promise<void>((r) => (resolveFirst = r));
        this.loopDone = this.loop(resolveFirst).finally(resolveFirst);
        return first;
    }

    private async loop(firstStarted: () => void): Promise<void> {
        let delay = this.pod.host.backoff.initialMs;
        while (!this.stopped) {
            let proc: ContainerProcess | undefined;
            try {
                proc = await this.launch();
            } catch (e) {
                this.log(`container ${this.name}: could not start: ${(e as Error).message}`);
                this.lastExitCode = 128;
            }
            if (proc && this.stopped) {
                // The pod was deleted while this instance was starting.
                this.recordExit(await proc.stop(0));
                break;
            }
            if (proc) {
                const probes = new Interrupt();
                void this.runProbes(proc, probes);
                if (this.spec.lifecycle?.postStart) {
                    const ok = await this.runHandler(proc, this.spec.lifecycle.postStart, 30_000);
                    if (!ok && proc.running) {
                        this.pod.host.event({ pod: this.pod.name, container: this.name, type: "Killing", detail: "FailedPostStartHook" });
                        void proc.stop(this.pod.graceMs());
                    }
                }
                firstStarted();
                const exit = await proc.exited;
                probes.stop();
                this.recordExit(exit);
                if (Date.now() - proc.startedAt > 10_000) delay = this.pod.host.backoff.initialMs;
            } else {
                firstStarted();
            }
            if (this.stopped) break;
            this.pod.host.event({ pod: this.pod.name, container: this.name, type: "BackOff", detail: `restarting in ${delay} ms` });
            await this.stopInterrupt.sleep(delay);
            delay = Math.min(delay * 2, this.pod.host.backoff.maxMs);
        }
    }

    /** Kills the current instance like kubelet does (preStop, SIGTERM, SIGKILL after the grace). */
    async kill(graceMs: number, reason: string): Promise<void> {
        const proc = this.current;
        if (!proc?.running) return;
        this.pod.host.event({ pod: this.pod.name, container: this.name, type: "Killing", detail: reason });
        const deadline = Date.now() + graceMs;
        if (this.spec.lifecycle?.preStop && graceMs > 0) {
            await this.runHandler(proc, this.spec.lifecycle.preStop, graceMs);
        }
        await proc.stop(Math.max(0, deadline - Date.now()));
    }

    /** Stops for good: no more restarts. */
    async stop(graceMs: number, reason: string): Promise<void> {
        this.stopped = true;
        this.stopInterrupt.stop();
        await this.kill(graceMs, reason);
        if (this.current) await this.current.exited;
        await this.loopDone;
    }

    /** Kills the current instance and waits until the next one has started. */
    async restart(graceMs: number): Promise<void> {
        if (this.kind === "init") throw new Error(`${this.name} is an init container; it is not restarted`);
        const before = this.starts;
        await this.kill(graceMs, "restartContainer");
        const end = Date.now() + 60_000 + this.pod.host.backoff.maxMs;
        while (!(this.starts > before && this.running)) {
            if (this.stopped) throw new Error(`pod ${this.pod.name} is stopping`);
            if (Date.now() > end) throw new Error(`container ${this.name} of ${this.pod.name} did not come back`);
            await sleep(20);
        }
    }

    /** Resolves when the container has been started at least minStarts times and is running. */
    async waitRunning(minStarts: number, timeoutMs: number): Promise<void> {
        const end = Date.now() + timeoutMs;
        while (!(this.starts >= minStarts && this.running)) {
            if (Date.now() > end) {
                throw new Error(
                    `container ${this.name} of ${this.pod.name} not running (start ${minStarts}) after ${timeoutMs} ms\n${this.pod.describe()}`,
                );
            }
            await sleep(20);
        }
    }

    async exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
        const proc = this.current;
        if (!proc?.running) throw new Error(`container ${this.name} of ${this.pod.name} is not running`);
        return proc.exec(argv, opts);
    }

    /** Runs a lifecycle handler; true when it succeeded. */
    private async runHandler(proc: ContainerProcess, h: LifecycleHandler, timeoutMs: number): Promise<boolean> {
        if (h.sleep) {
            await sleep(Math.min(h.sleep.seconds * 1000, timeoutMs));
            return true;
        }
        if (h.exec) {
            const r = await proc.exec(h.exec.command, { timeoutMs }).catch(() => undefined);
            return r?.code === 0;
        }
        return this.pod.networkCheck({ tcpSocket: h.tcpSocket, httpGet: h.httpGet }, this.spec, timeoutMs);
    }

    private async probeOnce(proc: ContainerProcess, probe: Probe): Promise<{ ok: boolean; out: string }> {
        const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
        if (probe.exec) {
            try {
                const r = await proc.exec(probe.exec.command, { timeoutMs });
                return {
                    ok: r.code === 0,
                    out: r.timedOut ? `timed out after ${timeoutMs} ms` : (r.stdout + r.stderr).trim().slice(0, 300),
                };
            } catch (e) {
                return { ok: false, out: (e as Error).message };
            }
        }
        const ok = await this.pod.networkCheck(probe, this.spec, timeoutMs);
        return { ok, out: ok ? "" : "connection failed" };
    }

    /** Startup probe first; then readiness and liveness, until the instance exits. */
    private async runProbes(proc: ContainerProcess, stop: Interrupt): Promise<void> {
        const s = this.spec;
        if (s.startupProbe) {
            const ok = await this.probeLoop(proc, stop, "startup", s.startupProbe);
            if (!ok) return;
            this.startupDone = true;
            this.pod.updateReady();
        } else {
            this.pod.updateReady();
        }
        const loops: Promise<boolean>[] = [];
        if (s.readinessProbe) loops.push(this.probeLoop(proc, stop, "readiness", s.readinessProbe));
        if (s.livenessProbe) loops.push(this.probeLoop(proc, stop, "liveness", s.livenessProbe));
        await Promise.all(loops);
    }

    /**
     * One probe worker. Startup: resolves true on success, kills the container after
     * failureThreshold failures. Readiness: flips readyByProbe. Liveness: kills after
     * failureThreshold consecutive failures.
     */
    private async probeLoop(
        proc: ContainerProcess,
        stop: Interrupt,
        kind: "startup" | "readiness" | "liveness",
        p: Probe,
    ): Promise<boolean> {
        const period = (p.periodSeconds ?? 10) * 1000;
        const failureThreshold = p.failureThreshold ?? 3;
        const successThreshold = p.successThreshold ?? 1;
        await stop.sleep(proc.startedAt + (p.initialDelaySeconds ?? 0) * 1000 - Date.now());
        let successes = 0;
        let failures = 0;
        while (!stop.done && proc.running) {
            const t0 = Date.now();
            const { ok, out } = await this.probeOnce(proc, p);
            if (stop.done || !proc.running) break;
            if (ok) {
                successes++;
                failures = 0;
            } else {
                failures++;
                successes = 0;
                this.pod.host.event({ pod: this.pod.name, container: this.name, type: "ProbeFailed", detail: `${kind}: ${out}` });
            }
            if (kind === "startup") {
                if (ok) return true;
                if (failures >= failureThreshold) {
                    void this.kill(this.pod.graceMs(p), "startup probe failed");
                    return false;
                }
            } else if (kind === "readiness") {
                const before = this.readyByProbe;
                if (ok && successes >= successThreshold) this.readyByProbe = true;
                if (!ok && failures >= failureThreshold) this.readyByProbe = false;
                if (before !== this.readyByProbe) {
                    this.pod.host.event({
                        pod: this.pod.name,
                        container: this.name,
                        type: this.readyByProbe ? "ContainerReady" : "ContainerNotReady",
                    });
                    this.pod.updateReady();
                }
            } else if (!ok && failures >= failureThreshold) {
                void this.kill(this.pod.graceMs(p), "liveness probe failed");
                return false;
            }
            await stop.sleep(period - (Date.now() - t0));
        }
        return false;
    }
}

export class Pod {
    readonly name: string;
    readonly dir: string;
    readonly logsDir: string;
    readonly hostsFile: string;
    phase: PodStatus["phase"] = "Stopped";
    ready = false;
    ip: string | undefined;
    netns: string | undefined;
    uid = "";
    /** Why the pod's volumes could not be set up (it then stays Pending). */
    failedMount: string | undefined;
    runners: ContainerRunner[] = [];
    private stopping = false;
    private stopInterrupt = new Interrupt();
    private volumes = new Map<string, PreparedVolume>();
    private lifecycle: Promise<void> | undefined;
    private starting: Promise<void> | undefined;
    private readyWaiters = new Set<() => void>();

    /**
     * A pod of the StatefulSet made from the template at one revision, or, with `jobPodName`, a Job's pod
     * (`ordinal` then only numbers its veth). The pod keeps its template for its whole life.
     */
    constructor(
        readonly host: PodHost,
        readonly ordinal: number,
        readonly template: PodTemplate,
        private readonly jobPodName?: string,
    ) {
        this.name = jobPodName ?? `${host.statefulSetName}-${ordinal}`;
        this.dir = path.join(host.workDir, "pods", this.name);
        this.logsDir = path.join(host.workDir, "logs", this.name);
        this.hostsFile = path.join(this.dir, "hosts");
    }

    get spec(): PodSpec {
        return this.template.spec;
    }

    /** A Job's pod: its containers run once, and the pod ends Succeeded or Failed. */
    get runsToCompletion(): boolean {
        return this.spec.restartPolicy === "Never";
    }

    get running(): boolean {
        return this.phase === "Pending" || this.phase === "Running";
    }

    graceMs(probe?: Probe): number {
        return (probe?.terminationGracePeriodSeconds ?? this.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    }

    runner(container: string): ContainerRunner {
        const r = this.runners.find((x) => x.name === container);
        if (!r) throw new Error(`pod ${this.name} has no container ${container} (has: ${this.runners.map((x) => x.name).join(", ")})`);
        return r;
    }

    status(): PodStatus {
        return {
            name: this.name,
            ordinal: this.ordinal,
            phase: this.phase,
            ready: this.ready,
            ...(this.template.revision ? { revision: this.template.revision } : {}),
            ...(this.failedMount ? { failedMount: this.failedMount } : {}),
            ...(this.ip ? { ip: this.ip } : {}),
            containers: this.runners.map((r) => r.status()),
        };
    }

    /** Network, volumes, then the init/main container sequence in the background. */
    start(): Promise<void> {
        if (this.running || this.phase === "Terminating") return Promise.reject(new Error(`pod ${this.name} is already ${this.phase}`));
        this.starting = this.doStart();
        return this.starting;
    }

    private async doStart(): Promise<void> {
        this.phase = "Pending";
        this.stopping = false;
        this.stopInterrupt = new Interrupt();
        this.ready = false;
        this.uid = randomUUID();
        this.host.event({ pod: this.name, type: "PodStarting" });
        try {
            await safeRemove(this.dir);
            fs.mkdirSync(path.join(this.dir, "containers"), { recursive: true });
            fs.mkdirSync(this.logsDir, { recursive: true });
            const net = await this.host.network.attach(this.name, this.ordinal);
            this.ip = net.ip;
            this.netns = net.ns;
            this.host.refreshDns(); // writes this pod's hosts file (kubelet's own-name entry) too
        } catch (e) {
            await this.teardownNetwork();
            this.phase = "Stopped";
            throw e;
        }
        try {
            this.volumes = await prepareVolumes(this.spec.volumes ?? [], this.volumeContext());
        } catch (e) {
            // As kubelet: the pod exists, Pending, not Ready; nothing starts.
            this.failedMount = (e as Error).message;
            this.host.event({ pod: this.name, type: "FailedMount", detail: this.failedMount });
            await this.teardownNetwork();
            this.host.refreshDns();
            return;
        }
        this.runners = [
            ...(this.spec.initContainers ?? []).map((c) => new ContainerRunner(this, c, c.restartPolicy === "Always" ? "sidecar" : "init")),
            ...this.spec.containers.map((c) => new ContainerRunner(this, c, "main")),
        ];
        this.lifecycle = this.runLifecycle();
    }

    private async runLifecycle(): Promise<void> {
        for (const r of this.runners.filter((x) => x.kind !== "main")) {
            if (r.kind === "sidecar") {
                await r.startLoop();
                // The next init container waits until the sidecar has started (startupProbe passed).
                while (!this.stopping && !r.started) await sleep(50);
                continue;
            }
            let delay = this.host.backoff.initialMs;
            for (;;) {
                if (this.stopping) return;
                const code = await r.runToCompletion();
                if (this.stopping) return;
                if (code === 0) break;
                this.host.event({
                    pod: this.name,
                    container: r.name,
                    type: "BackOff",
                    detail: `init container exited ${code}, rerun in ${delay} ms`,
                });
                await this.stopInterrupt.sleep(delay);
                delay = Math.min(delay * 2, this.host.backoff.maxMs);
            }
        }
        if (this.stopping) return;
        this.phase = "Running";
        if (this.runsToCompletion) {
            // restartPolicy Never: every main container runs once, together; the pod's phase is the outcome.
            const codes = await Promise.all(this.runners.filter((x) => x.kind === "main").map((r) => r.runToCompletion()));
            this.phase = codes.every((c) => c === 0) ? "Succeeded" : "Failed";
            await this.teardownNetwork();
            this.host.event({ pod: this.name, type: "PodStopped", detail: this.phase });
            return;
        }
        for (const r of this.runners.filter((x) => x.kind === "main")) {
            if (this.stopping) return;
            await r.startLoop();
        }
        this.updateReady();
    }

    private volumeContext(): VolumeContext {
        return {
            pod: this.name,
            namespace: this.host.namespace,
            volumesDir: path.join(this.dir, "volumes"),
            pvcRoot: path.join(this.host.workDir, "pvc"),
            claimTemplates: this.jobPodName ? [] : this.host.claimTemplates,
            claimPaths: this.host.claimPaths,
            sources: this.host.sources,
            fsGroup: this.spec.securityContext?.fsGroup,
        };
    }

    /** Rewrites the configMap and secret volumes whose objects changed, as kubelet's sync does (atomic swap). */
    syncVolumes(): void {
        if (!this.running || this.failedMount) return;
        for (const detail of syncProjectedVolumes(this.spec.volumes ?? [], this.volumes, this.volumeContext())) {
            this.host.event({ pod: this.name, type: "VolumeUpdated", detail });
        }
    }

    updateReady(): void {
        const restartable = this.runners.filter((r) => r.kind !== "init");
        const ready = this.phase === "Running" && !this.stopping && restartable.length > 0 && restartable.every((r) => r.isReady());
        if (ready === this.ready) return;
        this.ready = ready;
        this.host.event({ pod: this.name, type: ready ? "PodReady" : "PodNotReady" });
        this.host.refreshDns();
        for (const w of [...this.readyWaiters]) w();
    }

    /** Resolves when the pod is Ready; rejects on timeout (with logs) or when the pod stops. */
    async waitReady(timeoutMs: number): Promise<void> {
        const end = Date.now() + timeoutMs;
        while (!this.ready) {
            if (this.failedMount) throw new Error(`pod ${this.name} is Pending: FailedMount: ${this.failedMount}`);
            if (!this.running) throw new Error(`pod ${this.name} is ${this.phase}, it will not become Ready`);
            const left = end - Date.now();
            if (left <= 0) throw new Error(`pod ${this.name} not Ready after ${timeoutMs} ms\n${this.describe()}`);
            await new Promise<void>((resolve) => {
                const done = () => {
                    clearTimeout(t);
                    this.readyWaiters.delete(done);
                    resolve();
                };
                const t = setTimeout(done, Math.min(left, 200));
                this.readyWaiters.add(done);
            });
        }
    }

    /** Status of every container and the tail of its log. */
    describe(lines = 30): string {
        const parts = [
            `pod ${this.name} phase=${this.phase} ready=${this.ready} ip=${this.ip ?? "-"} revision=${this.template.revision ?? "-"}`,
        ];
        if (this.failedMount) parts.push(`FailedMount: ${this.failedMount}`);
        for (const r of this.runners) {
            const s = r.status();
            parts.push(
                `--- ${s.kind} container ${s.name}: ${s.state}, ready=${s.ready}, starts=${s.starts}` +
                    (s.lastExitCode !== undefined ? `, last exit ${s.lastExitCode}` : "") +
                    ` (${r.logPath}):\n${tailFile(r.logPath, lines)}`,
            );
        }
        return parts.join("\n");
    }

    /** A Job's pod: resolves with its final phase once its containers have exited. */
    async finished(): Promise<"Succeeded" | "Failed"> {
        await this.starting;
        await this.lifecycle;
        if (this.phase === "Succeeded" || this.phase === "Failed") return this.phase;
        return "Failed"; // deleted before its containers were done
    }

    /** Deletes the pod: DNS first, preStop + SIGTERM, SIGKILL after the grace period, then the network. */
    async stop(graceMs: number): Promise<void> {
        if (!this.running) return;
        await this.starting?.catch(() => undefined); // a stop during start waits for the pod to exist
        if (!this.running) return;
        this.stopping = true;
        this.stopInterrupt.stop();
        this.phase = "Terminating";
        this.host.event({ pod: this.name, type: "PodStopping" });
        this.updateReady();
        this.ready = false;
        this.host.refreshDns();
        const deadline = Date.now() + graceMs;
        const left = () => Math.max(0, deadline - Date.now());
        // Main containers together; then sidecars in reverse order (Kubernetes 1.29+); a running
        // init container is killed at once.
        await Promise.all(this.runners.filter((r) => r.kind === "main").map((r) => r.stop(left(), "pod deletion")));
        for (const r of this.runners.filter((x) => x.kind === "sidecar").reverse()) await r.stop(left(), "pod deletion");
        await Promise.all(this.runners.filter((r) => r.kind === "init").map((r) => r.stop(0, "pod deletion")));
        await this.lifecycle?.catch(() => undefined);
        await this.teardownNetwork();
        // A Job's pod keeps the phase its containers' exits gave it.
        if (!["Succeeded", "Failed"].includes(this.phase as string)) this.phase = "Stopped";
        this.host.refreshDns();
        this.host.event({ pod: this.name, type: "PodStopped" });
    }

    private async teardownNetwork(): Promise<void> {
        await this.host.network.detach(this.name);
        this.ip = undefined;
        this.netns = undefined;
    }

    /** tcpSocket / httpGet check from the pod's network namespace, to the pod IP (as kubelet does). */
    async networkCheck(
        p: {
            tcpSocket?: { port: number | string; host?: string };
            httpGet?: { port: number | string; host?: string; path?: string; scheme?: string };
        },
        c: ContainerSpec,
        timeoutMs: number,
    ): Promise<boolean> {
        if (!this.netns || !this.ip) return false;
        const portOf = (port: number | string): number => {
            if (typeof port === "number") return port;
            if (/^\d+$/.test(port)) return Number(port);
            const found = c.ports?.find((x) => x.name === port);
            if (!found) throw new Error(`container ${c.name}: no port named ${port}`);
            return found.containerPort;
        };
        const nsArgs = [`--net=/run/netns/${this.netns}`, "--", "/usr/bin/bash", "-c"];
        if (p.tcpSocket) {
            const r = await run(
                "nsenter",
                [...nsArgs, 'exec 3<>"/dev/tcp/$1/$2"', "probe", p.tcpSocket.host ?? this.ip, String(portOf(p.tcpSocket.port))],
                {
                    timeoutMs,
                },
            );
            return r.code === 0;
        }
        if (p.httpGet) {
            if ((p.httpGet.scheme ?? "HTTP").toUpperCase() !== "HTTP") throw new Error("httpGet probes: only scheme HTTP is supported");
            const script =
                'exec 3<>"/dev/tcp/$1/$2" || exit 1; ' +
                'printf "GET %s HTTP/1.1\\r\\nHost: %s:%s\\r\\nUser-Agent: kube-probe/1.31\\r\\nAccept: */*\\r\\nConnection: close\\r\\n\\r\\n" "$3" "$1" "$2" >&3; ' +
                'read -r _ code _ <&3; [ "${code:-0}" -ge 200 ] && [ "${code:-0}" -lt 400 ]';
            const r = await run(
                "nsenter",
                [...nsArgs, script, "probe", p.httpGet.host ?? this.ip, String(portOf(p.httpGet.port)), p.httpGet.path ?? "/"],
                { timeoutMs },
            );
            return r.code === 0;
        }
        throw new Error(`container ${c.name}: probe/handler without exec, tcpSocket or httpGet`);
    }

    /** Everything the runtime needs to start one container of this pod. */
    launchSpec(c: ContainerSpec, startNo: number, dir: string, logPath: string): ContainerLaunch {
        const image = this.host.images.get(c.image);
        if (!image) throw new Error(`no image profile for ${c.image}`);
        if (!this.ip || !this.netns) throw new Error(`pod ${this.name} has no network`);
        const facts: PodFacts = {
            name: this.name,
            namespace: this.host.namespace,
            uid: this.uid,
            ip: this.ip,
            labels: this.jobPodName
                ? { ...this.template.labels }
                : {
                      ...this.template.labels,
                      "controller-revision-hash": this.template.revision ?? "",
                      "statefulset.kubernetes.io/pod-name": this.name,
                      "apps.kubernetes.io/pod-index": String(this.ordinal),
                  },
            annotations: this.template.annotations,
            serviceAccountName: this.spec.serviceAccountName ?? "default",
            nodeName: "fake-node",
        };
        const security = this.security(c, image);
        const { env, vars } = containerEnv(c, facts, this.host.sources, image.env, this.spec.enableServiceLinks !== false);
        // runc sets HOME from the user's passwd entry when the image and pod leave it unset.
        if (!env.some(([k]) => k === "HOME")) env.push(["HOME", lookupUser(String(security.uid), image.passwd)?.home ?? "/"]);
        // $(VAR) in command, args and subPathExpr sees the container's own env and service links only.
        const lookup = (n: string) => vars.get(n);
        const expand = (xs: string[] | undefined) => (xs ?? []).map((s) => expandK8s(String(s), lookup));
        const argv = c.command
            ? [...expand(c.command), ...expand(c.args)]
            : [...image.entrypoint, ...(c.args ? expand(c.args) : image.cmd)];
        if (!argv.length) throw new Error(`container ${c.name}: no command, and image ${c.image} has no entrypoint or cmd`);
        return {
            pod: this.name,
            container: c.name,
            startNo,
            netns: this.netns,
            image,
            dir,
            argv,
            env,
            workingDir: c.workingDir ?? "/",
            mounts: (c.volumeMounts ?? []).map((vm) => resolveMount(this.volumes, vm, lookup, c.name)),
            hostsFile: this.hostsFile,
            resolvConf: this.host.resolvConf(),
            security,
            logPath,
            track: (pid, alive) => this.host.track(pid, alive),
        };
    }

    private security(c: ContainerSpec, image: BuiltImage): ContainerSecurity {
        const psc = this.spec.securityContext ?? {};
        const sc = c.securityContext ?? {};
        let imageUser: { uid: number; gid: number } | undefined;
        if (image.user) {
            const [u, g] = image.user.split(":");
            const found = lookupUser(u, image.passwd);
            const uid = found ? found.uid : Number(u);
            if (!Number.isInteger(uid)) throw new Error(`image ${image.ref}: user ${image.user} unknown on this host`);
            imageUser = { uid, gid: g !== undefined ? Number(g) : (found?.gid ?? 0) };
        }
        const uid = sc.runAsUser ?? psc.runAsUser ?? imageUser?.uid ?? 0;
        if ((sc.runAsNonRoot ?? psc.runAsNonRoot) && uid === 0) {
            throw new Error(`container ${c.name}: runAsNonRoot is set but the container would run as root (CreateContainerConfigError)`);
        }
        const explicitGid = sc.runAsGroup ?? psc.runAsGroup;
        const gid = explicitGid ?? (imageUser && imageUser.uid === uid ? imageUser.gid : (lookupUser(String(uid), image.passwd)?.gid ?? 0));
        const extraGroups = [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])];
        let caps = [...DEFAULT_CAPS];
        const norm = (x: string) => x.toLowerCase().replace(/^cap_/, "");
        const drop = (sc.capabilities?.drop ?? []).map(norm);
        if (drop.includes("all")) caps = [];
        else caps = caps.filter((x) => !drop.includes(x));
        for (const a of (sc.capabilities?.add ?? []).map(norm)) if (!caps.includes(a)) caps.push(a);
        return {
            uid,
            gid,
            groups: extraGroups.length ? [gid, ...extraGroups] : "init",
            privileged: Boolean(sc.privileged),
            caps,
            noNewPrivs: sc.allowPrivilegeEscalation === false,
            readOnlyRoot: Boolean(sc.readOnlyRootFilesystem),
        };
    }
}
