// FakeKubelet: runs the pods of one rendered StatefulSet on this machine, each pod in network namespaces of its
// own, each container in PID/mount/UTS/IPC namespaces of its own (see container.ts), following the StatefulSet
// controller's ordering (OrderedReady or Parallel, scaleTo) and kubelet semantics, after refusing what it does
// not emulate (refusals.ts). A later render (`pulumi up`: rolling updates, ConfigMap and Secret changes,
// replacements) and the backup CronJob's Jobs are the real controllers' work: tests/engine/ drives those on the
// control plane, with the node agent (node-agent.ts) running the pods.
//
// Host paths it touches: options.workDir (created, removed by destroy), /run/netns/<prefix>-* (netns files via
// `ip netns`), and nothing else; all mounts happen inside the containers' private mount namespaces.

import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { HostResources, registerCluster, releaseHost, releaseHostSync } from "./cleanup";
import { DnsConfig, DnsService, hostsFileFor, writeInPlace } from "./dns";
import { buildExporterImage, buildImage, buildOtherImages, EXPORTER_IMAGE } from "./image";
import { PodNetwork } from "./netns";
import { Pod, PodHost, PodTemplate } from "./pod";
import { checkRender } from "./refusals";
import type { KubeletEvent, ExecOptions, ExecResult, FakeKubeletOptions, K8sObject } from "./types";
import type { PodStatus } from "./types";
import { allPids, claimWorkDir, cmdlineOf, nsOfPid, pidAlive, safeRemoveSync, signalPid, sleepSync, resolveWorkDir } from "./util";
import { claimDir } from "./volumes";

const CLUSTER_DOMAIN = "cluster.local";
/** Whether this process already warned that this host lacks some of the image's binaries. */
let warnedMissing = false;

/** JSON with sorted keys, so that equal objects give equal text. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_k, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
    );
}

/** The StatefulSet's pod template as one revision, named like the controller's: `<name>-<hash of the template>`. */
function revisionOf(sts: K8sObject): Required<PodTemplate> {
    const template = sts.spec.template;
    const hash = createHash("sha256").update(canonical(template)).digest("hex").slice(0, 10);
    return {
        labels: template.metadata?.labels ?? {},
        spec: template.spec,
        revision: `${sts.metadata.name}-${hash}`,
    };
}

/** Where scaling stopped: a pod that did not become Ready in time (the controller waits for it, as Kubernetes does). */
interface Halt {
    ordinal: number;
    reason: string;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
    if (!selector || !Object.keys(selector).length) return false;
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export class FakeKubelet {
    readonly name: string;
    readonly namespace: string;
    readonly serviceName: string;
    readonly workDir: string;
    /** The StatefulSet of the render. */
    private readonly sts: K8sObject;
    /** The controller's updateRevision: the render's pod template. */
    private readonly updateRevision: Required<PodTemplate>;
    /** The controller's spec.replicas: the render's, or scaleTo's since. */
    private replicas: number;
    private readonly t0 = Date.now();
    private readonly eventLog: KubeletEvent[] = [];
    private readonly pods = new Map<number, Pod>();
    private readonly tracked = new Set<number>();
    private readonly host: PodHost;
    /** The names of the StatefulSet's volumeClaimTemplates: each pod mounts `<template>-<pod>`. */
    private readonly claimTemplates: string[];
    private readonly dns: DnsConfig;
    private readonly verbose = process.env.FAKE_KUBELET_VERBOSE === "1";
    private readonly keep = process.env.FAKE_KUBELET_KEEP === "1";
    /** The render (ConfigMaps and Secrets of the pods' volumes). */
    private readonly objects: K8sObject[];
    private destroyed = false;

    private constructor(
        opts: FakeKubeletOptions,
        readonly network: PodNetwork,
        image: PodHost["image"],
        sts: K8sObject,
        otherImages: PodHost["otherImages"] = {},
    ) {
        this.sts = sts;
        this.objects = opts.objects;
        this.name = sts.metadata.name;
        this.namespace = sts.metadata.namespace ?? "default";
        this.serviceName = sts.spec.serviceName;
        this.replicas = sts.spec.replicas ?? 1;
        this.updateRevision = revisionOf(sts);
        this.workDir = path.resolve(opts.workDir);
        this.dns = {
            namespace: this.namespace,
            clusterDomain: CLUSTER_DOMAIN,
            services: FakeKubelet.dnsServices(opts.objects, this.namespace, this.serviceName, this.updateRevision),
        };
        this.host = {
            workDir: this.workDir,
            network,
            image,
            otherImages,
            objects: () => this.objects,
            claimPaths: opts.claimPaths ?? {},
            clusterDomain: CLUSTER_DOMAIN,
            backoff: opts.restartBackoffMs ?? { initialMs: 1000, maxMs: 2000 },
            keepWorkDir: this.keep,
            track: (pid, alive) => void (alive ? this.tracked.add(pid) : this.tracked.delete(pid)),
            event: (e) => {
                const ev = { t: Date.now() - this.t0, ...e };
                this.eventLog.push(ev);
                if (this.verbose)
                    console.log(
                        `[fake-kubelet +${(ev.t / 1000).toFixed(1)}s] ${ev.pod}${ev.container ? "/" + ev.container : ""} ${ev.type}${ev.detail ? ": " + ev.detail : ""}`,
                    );
            },
            refreshDns: () => this.refreshDns(),
        };
        this.claimTemplates = (sts.spec.volumeClaimTemplates ?? []).map((t: K8sObject) => t.metadata.name);
    }

    /** The StatefulSet of the render. */
    get statefulSet(): K8sObject {
        return this.sts;
    }

    /** Services of the namespace that select the pods; the governing one must exist. */
    private static dnsServices(objects: K8sObject[], ns: string, governing: string, { labels, spec }: PodTemplate): DnsService[] {
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
                `fake kubelet: StatefulSet spec.serviceName ${JSON.stringify(governing)} names no Service in namespace ${ns} among the objects`,
            );
        }
        return out;
    }

    static async create(opts: FakeKubeletOptions): Promise<FakeKubelet> {
        const sts = checkRender(opts.objects); // before anything is started
        const network = new PodNetwork(opts.prefix, opts.subnet); // validates prefix and subnet
        const workDir = resolveWorkDir(opts.workDir, "fake kubelet");

        // Leftovers of an earlier run with the same prefix: processes, namespaces, the workDir.
        PodNetwork.removeLeftovers(opts.prefix);
        claimWorkDir(workDir, opts.prefix, "fake kubelet");
        try {
            await network.create();
            const image = await buildImage(path.join(workDir, "image"));
            if (image.missing.length && !warnedMissing) {
                warnedMissing = true;
                console.warn(`fake kubelet: image mariadb:11.4: this host lacks ${image.missing.join(", ")}; left off its PATH`);
            }
            // The rclone image when FAKE_KUBELET_RCLONE names a binary; the exporter's only when the render names it
            // (the `metrics` setting).
            const otherImages: PodHost["otherImages"] = {
                ...(await buildOtherImages(path.join(workDir, "image"))),
                ...(JSON.stringify(sts).includes(JSON.stringify(EXPORTER_IMAGE))
                    ? { [EXPORTER_IMAGE]: buildExporterImage(image, path.join(workDir, "image-exporter")) }
                    : {}),
            };
            const cluster = new FakeKubelet(opts, network, image, sts, otherImages);
            registerCluster(cluster);
            return cluster;
        } catch (e) {
            network.destroySync();
            safeRemoveSync(workDir);
            throw e;
        }
    }

    podName(ordinal: number): string {
        return `${this.name}-${ordinal}`;
    }

    /**
     * Creates (and starts) a new pod for the ordinal, as the controller does; resolves once it is started.
     */
    private async createPod(ordinal: number): Promise<Pod> {
        if (this.destroyed) throw new Error("fake kubelet: the cluster is destroyed");
        if (!Number.isInteger(ordinal) || ordinal < 0) throw new Error(`bad ordinal ${ordinal}`);
        if (this.pods.get(ordinal)?.running) throw new Error(`pod ${this.podName(ordinal)} already exists`);
        const template = this.updateRevision;
        const p = new Pod(
            this.host,
            { name: this.podName(ordinal), namespace: this.namespace, ordinal, claimTemplates: this.claimTemplates },
            template,
        );
        this.pods.set(ordinal, p);
        this.host.event({ pod: p.name, type: "PodCreated", detail: `revision ${template.revision}` });
        await p.start();
        return p;
    }

    /** Deletes a pod (its grace period unless given); its claim dirs stay. */
    private async deletePod(p: Pod, why: string, graceSeconds?: number): Promise<void> {
        if (!p.running) return;
        this.host.event({ pod: p.name, type: "PodDeleted", detail: `revision ${p.template.revision} (${why})` });
        await p.stop(graceSeconds !== undefined ? graceSeconds * 1000 : p.graceMs());
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
        return [...this.pods.values()];
    }

    /**
     * Starts pod `ordinal` and resolves when it is Ready. On timeout it rejects with the status and
     * log tail of every container; the pod keeps running (as in Kubernetes) until stopPod().
     */
    async startPod(ordinal: number, opts: { readyTimeoutMs?: number } = {}): Promise<void> {
        const p = await this.createPod(ordinal);
        await p.waitReady(opts.readyTimeoutMs ?? 180_000);
    }

    /** Deletes the pod (grace: the pod's terminationGracePeriodSeconds unless given). Its PVC dirs stay. */
    async stopPod(ordinal: number, opts: { graceSeconds?: number } = {}): Promise<void> {
        const p = this.pods.get(ordinal);
        if (p) await this.deletePod(p, "deleted", opts.graceSeconds);
    }

    /** Kills a main container or sidecar (SIGTERM, SIGKILL after the grace); resolves when its next instance has started. */
    async restartContainer(ordinal: number, container: string, opts: { graceSeconds?: number } = {}): Promise<void> {
        const p = this.runningPod(ordinal);
        await p.runner(container).restart(opts.graceSeconds !== undefined ? opts.graceSeconds * 1000 : p.graceMs());
    }

    /**
     * `kubectl scale`: OrderedReady scaling, up one ordinal at a time, each after the previous is Ready; down
     * from the highest. Rejects (with the pod's containers and logs) when a pod does not become Ready.
     */
    async scaleTo(replicas: number, opts: { readyTimeoutMs?: number; graceSeconds?: number } = {}): Promise<void> {
        this.replicas = replicas;
        const halted = await this.reconcile(opts.readyTimeoutMs ?? 180_000, opts.graceSeconds);
        if (halted) throw new Error(`${halted.reason}\n${this.describe(halted.ordinal)}`);
    }

    /**
     * One pass of the StatefulSet controller's scaling (OrderedReady): every ordinal below replicas exists, in
     * order, each Ready before the next; the pods above, deleted from the highest. Returns where it halted, if
     * it did.
     */
    private async reconcile(readyTimeoutMs: number, graceSeconds?: number): Promise<Halt | undefined> {
        if (this.sts.spec.podManagementPolicy === "Parallel") {
            // Parallel: every extra pod deleted and every missing one created at once, then all waited for.
            const condemned = [...this.pods.values()].filter((p) => p.ordinal >= this.replicas && p.running);
            await Promise.all(condemned.map((p) => this.deletePod(p, "scale down", graceSeconds)));
            const ordinals = Array.from({ length: this.replicas }, (_, i) => i);
            const pods = await Promise.all(
                ordinals.map((i) => {
                    const p = this.pods.get(i);
                    return p?.running ? p : this.createPod(i);
                }),
            );
            const halted = (await Promise.all(pods.map((p) => this.readyOrHalt(p, readyTimeoutMs)))).find((h) => h !== undefined);
            if (halted) return halted;
        }
        for (let i = 0; i < this.replicas; i++) {
            const p = this.pods.get(i);
            const halted = await this.readyOrHalt(p?.running ? p : await this.createPod(i), readyTimeoutMs);
            if (halted) return halted;
        }
        const condemned = [...this.pods.values()].filter((p) => p.ordinal >= this.replicas && p.running);
        for (const p of condemned.sort((a, b) => b.ordinal - a.ordinal)) await this.deletePod(p, "scale down", graceSeconds);
        return undefined;
    }

    private async readyOrHalt(p: Pod, timeoutMs: number): Promise<Halt | undefined> {
        try {
            await p.waitReady(timeoutMs);
            return undefined;
        } catch (e) {
            const reason = (e as Error).message.split("\n")[0];
            this.host.event({ pod: p.name, type: "RolloutHalted", detail: reason });
            return { ordinal: p.ordinal, reason };
        }
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
        return this.pods.get(ordinal)?.status() ?? { name: this.podName(ordinal), ordinal, phase: "Stopped", ready: false, containers: [] };
    }

    /** Status and log tails of every container of the pod, for failure messages. */
    describe(ordinal: number): string {
        return this.pods.get(ordinal)?.describe() ?? `pod ${this.podName(ordinal)} does not exist`;
    }

    /** Runs argv in a container: its namespaces, root, env, user, capabilities and workingDir. */
    async exec(ordinal: number, container: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
        return this.runningPod(ordinal).runner(container).exec(argv, opts);
    }

    /**
     * The one SQL helper: runs `statement` with the mariadb client in a container, `client` giving its options
     * (host, user, option file; first, as --defaults-extra-file must be); --batch --skip-column-names unless
     * `columnNames` (a vertical `\G` statement then keeps its field names).
     */
    sql(
        ordinal: number,
        container: string,
        statement: string,
        opts: { client?: string[]; columnNames?: boolean; timeoutMs?: number } = {},
    ): Promise<ExecResult> {
        const format = opts.columnNames ? [] : ["--batch", "--skip-column-names"];
        return this.exec(ordinal, container, ["mariadb", ...(opts.client ?? []), ...format, `--execute=${statement}`], {
            timeoutMs: opts.timeoutMs,
        });
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
        if (!this.claimTemplates.includes(claimTemplate)) {
            throw new Error(`no volumeClaimTemplate ${claimTemplate} (has: ${this.claimTemplates.join(", ")})`);
        }
        return claimDir(
            { pvcRoot: path.join(this.workDir, "pvc"), claimPaths: this.host.claimPaths },
            `${claimTemplate}-${this.podName(ordinal)}`,
        );
    }

    /** The container's log: stdout+stderr of every start, with a fake-kubelet header line per start. */
    logs(ordinal: number, container: string): string {
        return this.readLog(this.podName(ordinal), container);
    }

    private readLog(pod: string, container: string): string {
        const file = path.join(this.workDir, "logs", pod, `${container}.log`);
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
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

    events(): KubeletEvent[] {
        return [...this.eventLog];
    }

    /** The wall-clock time (ms since the epoch) of an event's `t`, to set it beside a log line's time stamp. */
    wallTime(t: number): number {
        return this.t0 + t;
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
        await releaseHost(this, this.hostResources());
    }

    /** What a teardown gives back to the host (cleanup.ts). */
    private hostResources(): HostResources {
        return { tracked: this.tracked, network: this.network, workDir: this.workDir, keep: this.keep };
    }

    /** Synchronous: containers' PID 1 first (reaped by their unshare), then their outer processes; releaseHostSync kills the tracked groups. */
    private killContainers(): void {
        const procs = this.allPods()
            .flatMap((p) => p.runners.map((r) => r.current))
            .filter((x) => x !== undefined);
        const killed = procs.filter((p) => p.killInnerNow());
        for (let i = 0; i < 150 && killed.some((p) => pidAlive(p.outerPid)); i++) sleepSync(20);
        for (const p of procs) p.killOuterNow();
    }

    /** The exit-path variant of destroy(): synchronous, SIGKILL everything by pid. */
    destroySync(): void {
        if (this.destroyed) return;
        this.destroyed = true;
        this.killContainers();
        releaseHostSync(this, this.hostResources(), "fake kubelet");
    }
}
