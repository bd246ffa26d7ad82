// One pod of the StatefulSet (or of a Job), with kubelet's semantics:
//   - init containers in order, each must exit 0; a failing one is rerun after a back-off and the pod stays
//     not Ready; then the main containers, in order (see runner.ts for restarts and probes);
//   - Ready = every main container running, past its startupProbe and passing its readinessProbe; DNS (the
//     hosts files) follows readiness through the cluster;
//   - a volume that cannot be set up (a missing ConfigMap) leaves the pod Pending with a FailedMount event;
//     kubelet retries the mount, here the pod stays so until it is deleted;
//   - configMap and secret volumes of a running pod follow their objects (syncVolumes), subPath mounts not;
//   - the environment: the image's ENV, HOSTNAME, the container's env (values only), HOME from the user's
//     passwd entry; no service links (the fake kubelet refuses enableServiceLinks: true).

import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ContainerLaunch, DEFAULT_CAPS } from "./container";
import type { BuiltImage } from "./image";
import { isRcloneImage } from "./image";
import type { PodNetwork } from "./netns";
import type { PodSnapshot } from "./pod-status";
import { resolvConf } from "./dns";
import { ContainerRunner } from "./runner";
import { terminationMount } from "./termination";
import type { KubeletEvent, Container, K8sObject, PodSpec, PodStatus, Volume } from "./types";
import { interruptible, lookupUser, safeRemove, tailFile, waitFor } from "./util";
import { prepareVolumes, PreparedVolume, resolveMount, syncProjectedVolumes, VolumeContext } from "./volumes";

/** What a pod needs from its host: the StatefulSet-controller mode (cluster.ts) or the node agent (node-agent.ts). */
export interface PodHost {
    workDir: string;
    network: PodNetwork;
    image: BuiltImage;
    /** Other images by reference (rclone's, the metrics exporter's), when built; a container names one of them or the image above. */
    otherImages?: Record<string, BuiltImage>;
    /** ConfigMaps and Secrets for the volumes: the render last applied, or the agent's copies of the API's. */
    objects: () => K8sObject[];
    /** Claim name -> host directory, for persistentVolumeClaim volumes (see volumes.ts claimDir). */
    claimPaths: Record<string, string>;
    clusterDomain: string;
    backoff: { initialMs: number; maxMs: number };
    keepWorkDir: boolean;
    track(pid: number, alive: boolean): void;
    event(e: Omit<KubeletEvent, "t">): void;
    /** Rewrites the hosts files of the pods it concerns (a pod started, stopped or changed readiness). */
    refreshDns(): void;
    /** The files of a projected volume of this pod (VolumeContext.projectedFiles); none by default. */
    projectedFiles?(v: Volume): [string, Buffer][] | undefined;
    /** Variables put before each container's own env at every start (kubelet's service links); none by default. */
    serviceEnv?(namespace: string): [string, string][];
}

/** Which pod this is. */
export interface PodIdentity {
    name: string;
    namespace: string;
    /** The StatefulSet ordinal; a Job's or the agent's pods: a number of their own. It numbers the pod's veth. */
    ordinal: number;
    /** Names the pod's directories and network namespace (default: the name; the agent adds the namespace). */
    key?: string;
    /** The API object's UID (the agent); a fresh one on every start otherwise. */
    uid?: string;
    /** Claim templates whose claims `<template>-<pod>` the pod mounts (the StatefulSet-controller mode). */
    claimTemplates?: string[];
}

/** What a pod is made from: the StatefulSet's template at one revision, or a Job's template. */
export interface PodTemplate {
    labels: Record<string, string>;
    spec: PodSpec;
    /** The StatefulSet's revision (the pod's controller-revision-hash label); none for a Job's pod. */
    revision?: string;
}

export class Pod {
    readonly name: string;
    readonly namespace: string;
    readonly ordinal: number;
    readonly key: string;
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
    /** Every init container has exited 0 (in the current start). */
    initialized = false;
    private stopping = false;
    private stopInterrupt = interruptible();
    private volumes = new Map<string, PreparedVolume>();
    private lifecycle: Promise<void> | undefined;
    private starting: Promise<void> | undefined;

    /** A pod made from a template (a StatefulSet's at one revision, a Job's, an API pod's spec), kept for its whole life. */
    constructor(
        readonly host: PodHost,
        private readonly id: PodIdentity,
        readonly template: PodTemplate,
    ) {
        this.name = id.name;
        this.namespace = id.namespace;
        this.ordinal = id.ordinal;
        this.key = id.key ?? id.name;
        this.dir = path.join(host.workDir, "pods", this.key);
        this.logsDir = path.join(host.workDir, "logs", this.key);
        this.hostsFile = path.join(this.dir, "hosts");
    }

    get spec(): PodSpec {
        return this.template.spec;
    }

    get running(): boolean {
        return this.phase === "Pending" || this.phase === "Running";
    }

    graceMs(): number {
        return (this.spec.terminationGracePeriodSeconds ?? 30) * 1000;
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

    /** What the node agent reports (pod-status.ts). */
    snapshot(): PodSnapshot {
        return {
            phase: this.phase,
            ...(this.ip ? { ip: this.ip } : {}),
            initialized: this.initialized,
            ready: this.ready,
            containers: this.runners.map((r) => r.snapshot()),
            ...(this.failedMount ? { failedMount: this.failedMount } : {}),
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
        this.stopInterrupt = interruptible();
        this.ready = false;
        this.initialized = false;
        this.uid = this.id.uid ?? randomUUID();
        this.host.event({ pod: this.name, type: "PodStarting" });
        try {
            await safeRemove(this.dir);
            fs.mkdirSync(path.join(this.dir, "containers"), { recursive: true });
            fs.mkdirSync(this.logsDir, { recursive: true });
            const net = await this.host.network.attach(this.key, this.ordinal);
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
            ...(this.spec.initContainers ?? []).map((c) => new ContainerRunner(this, c, "init")),
            ...this.spec.containers.map((c) => new ContainerRunner(this, c, "main")),
        ];
        this.lifecycle = this.runLifecycle();
    }

    private async runLifecycle(): Promise<void> {
        for (const r of this.runners.filter((x) => x.kind === "init")) {
            let delay = this.host.backoff.initialMs;
            for (let code = -1; code !== 0;) {
                if (this.stopping) return;
                code = await r.runToCompletion();
                if (this.stopping) return;
                if (code === 0) break;
                this.host.event({
                    pod: this.name,
                    container: r.name,
                    type: "BackOff",
                    detail: `init container exited ${code}, rerun in ${delay} ms`,
                });
                r.backingOff = true;
                await this.stopInterrupt.sleep(delay);
                r.backingOff = false;
                delay = Math.min(delay * 2, this.host.backoff.maxMs);
            }
        }
        if (this.stopping) return;
        this.initialized = true;
        this.phase = "Running";
        const main = this.runners.filter((x) => x.kind === "main");
        if (this.spec.restartPolicy === "Never") {
            // A Job's pod: every main container runs once, together; the pod's phase is the outcome.
            const codes = await Promise.all(main.map((r) => r.runToCompletion()));
            this.phase = codes.every((c) => c === 0) ? "Succeeded" : "Failed";
            await this.teardownNetwork();
            this.host.event({ pod: this.name, type: "PodStopped", detail: this.phase });
            return;
        }
        for (const r of main) if (!this.stopping) await r.startLoop();
        this.updateReady();
    }

    private volumeContext(): VolumeContext {
        return {
            pod: this.name,
            namespace: this.namespace,
            volumesDir: path.join(this.dir, "volumes"),
            pvcRoot: path.join(this.host.workDir, "pvc"),
            claimTemplates: this.id.claimTemplates ?? [],
            claimPaths: this.host.claimPaths,
            objects: this.host.objects(),
            projectedFiles: (v) => this.host.projectedFiles?.(v),
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
        const main = this.runners.filter((r) => r.kind === "main");
        const ready = this.phase === "Running" && !this.stopping && main.length > 0 && main.every((r) => r.isReady());
        if (ready === this.ready) return;
        this.ready = ready;
        this.host.event({ pod: this.name, type: ready ? "PodReady" : "PodNotReady" });
        this.host.refreshDns();
    }

    /** Resolves when the pod is Ready; rejects on timeout (with logs) or when the pod stops. */
    async waitReady(timeoutMs: number): Promise<void> {
        await waitFor(
            () => {
                if (this.failedMount) throw new Error(`pod ${this.name} is Pending: FailedMount: ${this.failedMount}`);
                if (!this.running) throw new Error(`pod ${this.name} is ${this.phase}, it will not become Ready`);
                return this.ready;
            },
            { timeoutMs, what: () => `pod ${this.name} to be Ready\n${this.describe()}` },
        );
    }

    /** Status of every container and the tail of its log. */
    describe(lines = 30): string {
        const parts = [
            `pod ${this.name} phase=${this.phase} ready=${this.ready} ip=${this.ip ?? "-"} revision=${this.template.revision ?? "-"}`,
        ];
        if (this.failedMount) parts.push(`FailedMount: ${this.failedMount}`);
        for (const r of this.runners) {
            const s = r.status();
            const exit = s.lastExitCode !== undefined ? `, last exit ${s.lastExitCode}` : "";
            parts.push(
                `--- ${s.kind} container ${s.name}: ${s.state}, ready=${s.ready}, starts=${s.starts}${exit} (${r.logPath}):\n${tailFile(r.logPath, lines)}`,
            );
        }
        return parts.join("\n");
    }

    /** A Job's pod: resolves with its final phase once its containers have exited. */
    async finished(): Promise<"Succeeded" | "Failed"> {
        await this.starting;
        await this.lifecycle;
        return this.phase === "Succeeded" ? "Succeeded" : "Failed"; // Failed too when deleted before its containers were done
    }

    /** Deletes the pod: DNS first, SIGTERM, SIGKILL after the grace period, then the network. */
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
        // Main containers together; a running init container is killed at once.
        await Promise.all(this.runners.map((r) => r.stop(r.kind === "init" ? 0 : Math.max(0, deadline - Date.now()), "pod deletion")));
        await this.lifecycle?.catch(() => undefined);
        await this.teardownNetwork();
        // A Job's pod keeps the phase its containers' exits gave it.
        if (!["Succeeded", "Failed"].includes(this.phase as string)) this.phase = "Stopped";
        this.host.refreshDns();
        this.host.event({ pod: this.name, type: "PodStopped" });
    }

    private async teardownNetwork(): Promise<void> {
        await this.host.network.detach(this.key);
        this.ip = undefined;
        this.netns = undefined;
    }

    /** Everything the runtime needs to start one container of this pod. */
    launchSpec(c: Container, startNo: number, dir: string, logPath: string): ContainerLaunch {
        if (!this.ip || !this.netns) throw new Error(`pod ${this.name} has no network`);
        const image = (c.image !== undefined ? this.host.otherImages?.[c.image] : undefined) ?? this.host.image;
        if (image === this.host.image && c.image !== undefined && isRcloneImage(c.image)) {
            throw new Error(
                `container ${c.name}: image ${c.image} is not built: set FAKE_KUBELET_RCLONE to an rclone binary (tools/rclone/build.sh)`,
            );
        }
        const sc = c.securityContext ?? {};
        const uid = sc.runAsUser ?? 0;
        const user = lookupUser(String(uid), image.passwd);
        const env = new Map([
            ...image.env,
            ["HOSTNAME", this.name],
            ...(this.host.serviceEnv?.(this.namespace) ?? []),
            ...(c.env ?? []).map((e) => [e.name, e.value ?? ""] as const),
        ]);
        // runc sets HOME from the user's passwd entry when the image and pod leave it unset.
        if (!env.has("HOME")) env.set("HOME", user?.home ?? "/");
        const drop = (sc.capabilities?.drop ?? []).map((x) => x.toLowerCase().replace(/^cap_/, ""));
        const add = (sc.capabilities?.add ?? []).map((x) => x.toLowerCase().replace(/^cap_/, ""));
        const caps = drop.includes("all") ? [] : DEFAULT_CAPS.split(" ").filter((x) => !drop.includes(x));
        const termination = terminationMount(c, dir);
        return {
            pod: this.name,
            container: c.name,
            startNo,
            netns: this.netns,
            image,
            dir,
            // No command: the image's entrypoint, with args or the image's CMD.
            argv: c.command
                ? [...c.command, ...(c.args ?? [])]
                : image.entrypoint
                  ? [...image.entrypoint, ...(c.args ?? [])]
                  : ["docker-entrypoint.sh", ...(c.args ?? ["mariadbd"])],
            env: [...env.entries()],
            mounts: [...(c.volumeMounts ?? []).map((vm) => resolveMount(this.volumes, vm, c.name)), ...(termination ? [termination] : [])],
            ...(termination ? { termination } : {}),
            hostsFile: this.hostsFile,
            resolvConf: resolvConf(this.namespace, this.host.clusterDomain),
            security: {
                uid,
                gid: user?.gid ?? 0,
                caps: [...new Set([...caps, ...add])],
                noNewPrivs: sc.allowPrivilegeEscalation === false,
            },
            logPath,
            track: (pid, alive) => this.host.track(pid, alive),
        };
    }
}
