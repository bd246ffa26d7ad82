// FakeKubelet: runs the pods of one rendered StatefulSet on this machine, each pod in network namespaces of its
// own, each container in PID/mount/UTS/IPC namespaces of its own (see container.ts), following the StatefulSet
// controller (OrderedReady or Parallel) and kubelet semantics, after refusing what it does not emulate
// (refusals.ts). apply() takes a later render as `pulumi up` and the controllers would: ConfigMaps and Secrets
// replaced (running pods' volumes rewritten), the StatefulSet updated (scale, RollingUpdate from the highest
// ordinal, halting at a pod that does not become Ready) or replaced (pods orphaned and adopted). startJob() runs
// a CronJob's Job.
//
// Host paths it touches: options.workDir (created, removed by destroy), /run/netns/<prefix>-* (netns files via
// `ip netns`), and nothing else; all mounts happen inside the containers' private mount namespaces.

import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { HostResources, registerCluster, releaseHost, releaseHostSync } from "./cleanup";
import { DnsConfig, DnsService, hostsFileFor, writeInPlace } from "./dns";
import { buildExporterImage, buildImage, EXPORTER_IMAGE } from "./image";
import { PodNetwork } from "./netns";
import { Pod, PodHost, PodTemplate } from "./pod";
import { checkRender } from "./refusals";
import type {
    ApplyOptions,
    ApplyResult,
    KubeletEvent,
    ExecOptions,
    ExecResult,
    FakeKubeletOptions,
    JobResult,
    K8sObject,
    PodSpec,
} from "./types";
import type { PodStatus } from "./types";
import { allPids, claimWorkDir, cmdlineOf, nsOfPid, pidAlive, safeRemoveSync, signalPid, sleepSync, resolveWorkDir } from "./util";
import { claimDir } from "./volumes";

const CLUSTER_DOMAIN = "cluster.local";
/** Whether this process already warned that this host lacks some of the image's binaries. */
let warnedMissing = false;

/** StatefulSet spec fields pulumi-kubernetes updates in place; a change of any other one replaces the object. */
const IN_PLACE_FIELDS = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];
/** The annotation that makes Pulumi delete a StatefulSet without its pods (read from the old object). */
const PROPAGATION_ANNOTATION = "pulumi.com/deletionPropagationPolicy";

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

/** The Job a CronJob makes (as `kubectl create job --from=cronjob/NAME` does): one pod at a time, up to backoffLimit + 1. */
function jobTemplateOf(cronJob: K8sObject): { backoffLimit: number; labels: Record<string, string>; spec: PodSpec } {
    const job = cronJob.spec.jobTemplate.spec;
    return { backoffLimit: job.backoffLimit ?? 6, labels: job.template.metadata?.labels ?? {}, spec: job.template.spec };
}

/** A Job started by FakeKubelet.startJob. */
export interface JobRun {
    readonly name: string;
    /** Resolves when the Job has succeeded or used up its attempts. */
    readonly result: Promise<JobResult>;
    /** SIGKILLs a container of the current attempt (an OOM kill, a lost node): that pod fails. */
    kill(container: string): Promise<void>;
    /** The container's log in the current attempt's pod. */
    logs(container: string): string;
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
    /** The StatefulSet last applied. */
    private sts: K8sObject;
    /** The controller's updateRevision: the template of the StatefulSet last applied. */
    private updateRevision: Required<PodTemplate>;
    /** The controller's spec.replicas: the render's, or scaleTo's since. */
    private replicas: number;
    /** kubelet volume syncs still to come (apply's volumeSyncDelayMs). */
    private readonly pendingSyncs = new Set<NodeJS.Timeout>();
    private readonly t0 = Date.now();
    private readonly eventLog: KubeletEvent[] = [];
    private readonly pods = new Map<number, Pod>();
    /** Pods of Jobs, by name. */
    private readonly jobPods = new Map<string, Pod>();
    private readonly tracked = new Set<number>();
    private readonly host: PodHost;
    /** The names of the StatefulSet's volumeClaimTemplates: each pod mounts `<template>-<pod>`. */
    private readonly claimTemplates: string[];
    private readonly dns: DnsConfig;
    private readonly verbose = process.env.FAKE_KUBELET_VERBOSE === "1";
    private readonly keep = process.env.FAKE_KUBELET_KEEP === "1";
    /** The render last applied (ConfigMaps and Secrets of the pods' volumes); dropped objects stay until a rollout completes. */
    private objects: K8sObject[];
    private destroyed = false;

    private constructor(
        opts: FakeKubeletOptions,
        readonly network: PodNetwork,
        image: PodHost["image"],
        sts: K8sObject,
        images: PodHost["images"] = {},
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
            images,
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

    /** The StatefulSet last applied. */
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
            // The exporter's image only when the render names it (the `metrics` setting).
            const images: PodHost["images"] = JSON.stringify(sts).includes(JSON.stringify(EXPORTER_IMAGE))
                ? { [EXPORTER_IMAGE]: buildExporterImage(image, path.join(workDir, "image-exporter")) }
                : {};
            const cluster = new FakeKubelet(opts, network, image, sts, images);
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
     * Every new pod is made from the update revision: the controller (newVersionedStatefulSetPod) uses the
     * current one only below the partition, which apps/v1 defaults to 0. So a pod deleted during a halted
     * rollout comes back with the new template.
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
        return [...this.pods.values(), ...this.jobPods.values()];
    }

    /**
     * Creates a Job from the CronJob's jobTemplate, as `kubectl create job --from=cronjob/NAME` does, and runs
     * its pods: one at a time, each container once, a new pod after a failed one up to backoffLimit times.
     * Job pods get their own network and DNS like any pod, but are no endpoints of the cluster's Services.
     */
    async startJob(cronJobName: string): Promise<JobRun> {
        if (this.destroyed) throw new Error("fake kubelet: the cluster is destroyed");
        const cronJob = this.objects.find((o) => o.kind === "CronJob" && o.metadata.name === cronJobName);
        if (!cronJob) throw new Error(`fake kubelet: no CronJob ${cronJobName} among the objects`);
        const template = jobTemplateOf(cronJob);
        const jobName = `${cronJobName}-manual-${Date.now().toString(36).slice(-5)}`;
        let current: Pod | undefined;
        const attempt = async (n: number): Promise<Pod> => {
            // Job pods number their veths from 200 up, clear of the StatefulSet's ordinals.
            const labels = { ...template.labels, "job-name": jobName };
            const pod = new Pod(
                this.host,
                { name: `${jobName}-${n}`, namespace: this.namespace, ordinal: 200 + this.jobPods.size },
                { labels, spec: template.spec },
            );
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
            result,
            kill: (container) => pod().runner(container).kill(0, "killed by the test"),
            logs: (container) => this.readLog(pod().name, container),
        };
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
     * Takes a new render as `pulumi up` and the controllers would. Everything is checked before anything is
     * touched: a change the fake kubelet does not emulate, or a replacement that would delete every pod at once
     * without `cascade`, throws. Then ConfigMaps and Secrets are replaced (created, updated, deleted, with
     * events) and the running pods' configMap and secret volumes rewritten (after volumeSyncDelayMs), and the
     * StatefulSet is updated in place (replicas, template: a RollingUpdate) or replaced (pulumi-kubernetes'
     * replacement fields): orphaned pods are kept and adopted, then rolled if their template differs. A pod
     * that does not become Ready halts the rollout; the result says where, and the next apply goes on.
     */
    async apply(render: K8sObject[], opts: ApplyOptions = {}): Promise<ApplyResult> {
        if (this.destroyed) throw new Error("fake kubelet: the cluster is destroyed");
        const objects = structuredClone(render); // the cluster's own copy, as the API server keeps one
        const sts = checkRender(objects);
        const old = this.sts;
        const refused: string[] = [];
        if (sts.metadata.name !== this.name || (sts.metadata.namespace ?? "default") !== this.namespace)
            refused.push(
                `it renames the StatefulSet ${this.namespace}/${this.name} to ${sts.metadata.namespace ?? "default"}/${sts.metadata.name}`,
            );
        for (const field of ["serviceName", "selector"]) {
            if (!isDeepStrictEqual(sts.spec[field], old.spec[field]))
                refused.push(`it changes spec.${field} from ${JSON.stringify(old.spec[field])} to ${JSON.stringify(sts.spec[field])}`);
        }
        const claims = (o: K8sObject) => (o.spec.volumeClaimTemplates ?? []).map((t: K8sObject) => t.metadata.name);
        if (!isDeepStrictEqual(claims(sts), claims(old)))
            refused.push(`it changes the volumeClaimTemplates' names from ${claims(old).join(", ")} to ${claims(sts).join(", ")}`);
        if (refused.length) throw new Error(`fake kubelet: apply: the fake kubelet does not emulate this render: ${refused.join("; ")}`);
        const fields = [...new Set([...Object.keys(old.spec), ...Object.keys(sts.spec)])];
        const replacedFor = fields
            .filter((f) => !IN_PLACE_FIELDS.includes(f) && !isDeepStrictEqual(old.spec[f], sts.spec[f]))
            .map((f) => `spec.${f}`);
        const replace = replacedFor.length > 0;
        const orphan = old.metadata.annotations?.[PROPAGATION_ANNOTATION] === "orphan";
        if (replace && !orphan && !opts.cascade) {
            throw new Error(
                `fake kubelet: apply: this render replaces StatefulSet ${this.name} (${replacedFor.join(", ")}), and the ` +
                    `running one lacks the annotation \`${PROPAGATION_ANNOTATION}: orphan\`, so \`pulumi up\` would delete every pod ` +
                    `at once (Foreground cascade): render the annotation, or pass { cascade: true } to emulate that.`,
            );
        }
        // ConfigMaps and Secrets created and replaced now; objects the render dropped are deleted last, and only
        // if the rest succeeded, as Pulumi runs deletes after every other step of an update that did not fail.
        const keyOf = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? "default"}/${o.metadata.name}`;
        const before = new Map(this.objects.map((o) => [keyOf(o), o]));
        const after = new Set(objects.map(keyOf));
        const vanished = this.objects.filter((o) => !after.has(keyOf(o)));
        const objectEvent = (o: K8sObject, change: string) => {
            if (o.kind === "ConfigMap" || o.kind === "Secret")
                this.host.event({ pod: `${o.kind}/${o.metadata.name}`, type: `${o.kind}${change}` as KubeletEvent["type"] });
        };
        for (const o of objects) {
            const was = before.get(keyOf(o));
            if (!was || canonical(was) !== canonical(o)) objectEvent(o, was ? "Updated" : "Created");
        }
        this.objects = [...objects, ...vanished];
        const sync = () => {
            for (const p of this.pods.values()) p.syncVolumes();
        };
        if (opts.volumeSyncDelayMs === undefined) sync();
        else {
            const timer = setTimeout(() => {
                this.pendingSyncs.delete(timer);
                if (!this.destroyed) sync();
            }, opts.volumeSyncDelayMs);
            this.pendingSyncs.add(timer);
        }

        // The StatefulSet.
        const next = revisionOf(sts);
        let outcome: ApplyResult["statefulSet"] = "unchanged";
        if (replace) {
            const running = [...this.pods.values()].filter((p) => p.running);
            if (!orphan) await Promise.all(running.map((p) => this.deletePod(p, "cascading delete of the StatefulSet", opts.graceSeconds)));
            // The new StatefulSet adopts the pods its selector matches; the same name and template give the same revision.
            this.host.event({
                pod: `StatefulSet/${this.name}`,
                type: "StatefulSetReplaced",
                detail: orphan
                    ? `orphaned, then adopted: ${running.map((p) => p.name).join(", ") || "no pods"}`
                    : "cascade: every pod deleted",
            });
            outcome = "replaced";
        } else if (canonical(sts) !== canonical(old)) {
            this.host.event({ pod: `StatefulSet/${this.name}`, type: "StatefulSetUpdated", detail: `update revision ${next.revision}` });
            outcome = "updated";
        }
        if (outcome !== "unchanged") {
            // Server-side apply sets every field the render holds: spec.replicas too, whatever scaleTo did.
            this.sts = sts;
            this.replicas = sts.spec.replicas ?? 1;
            this.updateRevision = next;
        }
        this.dns.services = FakeKubelet.dnsServices(objects, this.namespace, this.serviceName, this.updateRevision);
        this.host.refreshDns();
        const halted = await this.reconcile(opts.readyTimeoutMs ?? 180_000, opts.graceSeconds);
        if (!halted) {
            this.objects = objects;
            for (const o of vanished) objectEvent(o, "Deleted");
        }
        return { statefulSet: outcome, replacedFor, revision: this.updateRevision.revision, ...(halted ? { halted } : {}) };
    }

    /**
     * One pass of the StatefulSet controller (OrderedReady, RollingUpdate): every ordinal below replicas
     * exists, in order, each Ready before the next; the pods above, deleted from the highest; then each pod
     * of another revision deleted and made again from the update revision, from the highest ordinal down,
     * the next only once it is Ready. Returns where it halted, if it did.
     */
    private async reconcile(readyTimeoutMs: number, graceSeconds?: number): Promise<ApplyResult["halted"]> {
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
        let rolled = false;
        for (let i = this.replicas - 1; i >= 0; i--) {
            const p = this.pods.get(i);
            if (!p || p.template.revision === this.updateRevision.revision) continue;
            await this.deletePod(p, "rolling update", graceSeconds);
            const halted = await this.readyOrHalt(await this.createPod(i), readyTimeoutMs);
            if (halted) return halted;
            rolled = true;
        }
        if (rolled) {
            this.host.event({
                pod: `StatefulSet/${this.name}`,
                type: "RolloutComplete",
                detail: `revision ${this.updateRevision.revision}`,
            });
        }
        return undefined;
    }

    private async readyOrHalt(p: Pod, timeoutMs: number): Promise<ApplyResult["halted"]> {
        try {
            await p.waitReady(timeoutMs);
            return undefined;
        } catch (e) {
            const revision = p.template.revision ?? "";
            let reason = (e as Error).message.split("\n")[0];
            if (revision !== this.updateRevision.revision) {
                reason +=
                    `; it runs revision ${revision}, not the update revision ${this.updateRevision.revision}: the controller waits ` +
                    `for it even after a revert (Kubernetes' "forced rollback"): delete the pod (stopPod), then apply again`;
            }
            this.host.event({ pod: p.name, type: "RolloutHalted", detail: reason });
            return { ordinal: p.ordinal, revision, reason };
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
        for (const t of this.pendingSyncs) clearTimeout(t);
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
        for (const t of this.pendingSyncs) clearTimeout(t);
        this.killContainers();
        releaseHostSync(this, this.hostResources(), "fake kubelet");
    }
}
