// The fake kubelet as the node agent of a real API server: it registers Nodes (node-a, node-b, node-c by
// default, one zone each), keeps their Leases renewed, and runs the pods the scheduler binds to them with the
// same Pod machinery as the StatefulSet-controller mode (pod.ts, runner.ts, container.ts, volumes.ts,
// netns.ts), reporting their status through pods/status, their probe failures and back-offs as Events, and
// deleting them as kubelet does once they are stopped. The controllers are the real ones: StatefulSet,
// EndpointSlice, PersistentVolume binder, node lifecycle.
//
// Differences from kubelet on purpose: every node is this machine (InternalIP 127.0.0.1, one pod network
// shared by the nodes, no cgroups: requests and limits are accepted, not applied); the image is the fake
// kubelet's mariadb:11.4; volumes are emptyDir, configMap, secret and persistentVolumeClaim bound to an NFS
// PersistentVolume on LOCAL_NFS_SERVER (a directory under nfsRoot), and the ServiceAccount admission's projected
// token volume (a TokenRequest bound to the pod, not refreshed: the API server makes these last a year); ConfigMap and Secret changes reach the volumes at once
// (kubelet: on its next sync, up to a minute); DNS is the hosts-file stand-in filled from EndpointSlices;
// the restart back-off is the fake kubelet's 1-2 s. Pods whose spec uses anything else are not started:
// their containers wait with CreateContainerConfigError and a Warning event names each field.

import * as fs from "fs";
import * as path from "path";
import { HostResources, registerCluster, releaseHost, releaseHostSync } from "./cleanup";
import { endpointSliceEntries, endpointSliceNotes, hostsFileText, selfLine, writeInPlace } from "./dns";
import type { ApiEndpointSlice, ApiService } from "./dns";
import { buildExporterImage, buildImage, buildOtherImages, EXPORTER_IMAGE, hostHasExporter } from "./image";
import type { BuiltImage } from "./image";
import { Informer } from "./informer";
import type { ApiObject } from "./informer";
import { ApiError } from "./kube-client";
import type { ApiClient } from "./kube-client";
import { eventObject, leaseObject, LOCAL_NFS_SERVER, nfsDirectory, nodeObject, nodeStatus, serviceLinkEnv } from "./api-objects";
import type { ApiPersistentVolume, EventShape, NodeShape } from "./api-objects";
import { PodNetwork } from "./netns";
import { Pod } from "./pod";
import type { PodHost } from "./pod";
import { apiPodStatus } from "./pod-status";
import type { ApiPodCondition, ApiPodStatus } from "./pod-status";
import { apiPodProblems } from "./refusals";
import type { ExecOptions, ExecResult, K8sObject, KubeletEvent, PodSpec, Volume } from "./types";
import { claimWorkDir, resolveWorkDir, safeRemove, safeRemoveSync, sleep } from "./util";

const CLUSTER_DOMAIN = "cluster.local";

export interface NodeAgentOptions {
    client: ApiClient;
    /** Node names; node `node-x` is in zone `zone-x`. Default node-a, node-b, node-c. */
    nodes?: string[];
    /** Prefix of network namespaces and interfaces ([a-z][a-z0-9]{0,7}), as FakeKubeletOptions.prefix. */
    prefix: string;
    /** The pod subnet (a private /24), as FakeKubeletOptions.subnet. */
    subnet: string;
    /** Pod directories, logs and the image; removed on destroy unless FAKE_KUBELET_KEEP=1. */
    workDir: string;
    /** The NFS stand-in: PersistentVolumes with `nfs: {server: nfsServer, path: P}` are `<nfsRoot>/P`. */
    nfsRoot: string;
    /** Default LOCAL_NFS_SERVER. */
    nfsServer?: string;
    /**
     * More NFS stand-ins, each a server name and its own root: `{server: S, path: P}` is `<root>/P`. A root that
     * is gone is a server that does not answer (FailedMount, "Connection timed out") until it is back.
     */
    nfsServers?: Readonly<Record<string, string>>;
    /** Port the kubelet endpoint (kubelet-server.ts) listens on; the Nodes advertise it. */
    kubeletPort: number;
    capacity?: NodeShape["capacity"];
    restartBackoffMs?: { initialMs: number; maxMs: number };
    /** The version the Nodes report (kubectl get nodes shows it). */
    kubeletVersion?: string;
    /** How often Leases are renewed (kubelet: 10 s) and node status posted (kubelet: on change, or 5 min). */
    leaseRenewMs?: number;
    nodeStatusMs?: number;
    log?: (line: string) => void;
}

interface ApiPod extends ApiObject {
    metadata: ApiObject["metadata"] & {
        namespace: string;
        uid: string;
        deletionTimestamp?: string;
        deletionGracePeriodSeconds?: number;
        labels?: Record<string, string>;
    };
    spec: PodSpec & { nodeName?: string; hostname?: string; subdomain?: string };
    status?: ApiPodStatus;
}

/** One pod the agent has accepted, from its first sight to its deletion. */
interface PodRecord {
    uid: string;
    key: string;
    node: string;
    api: ApiPod;
    /** The runtime pod, once volumes are resolved. */
    pod?: Pod;
    state: "resolving" | "refused" | "running" | "stopping" | "gone";
    /** Why the containers wait before the pod runs (CreateContainerConfigError, ContainerCreating). */
    waiting?: { reason: string; message?: string };
    startTime: string;
    claimPaths: Record<string, string>;
    /** Service-account tokens of projected volumes (TokenRequest, bound to the pod), by volume name. */
    tokens: Map<string, string>;
    lastStatus?: string;
    syncing?: Promise<void>;
    dirty?: boolean;
    timer?: NodeJS.Timeout;
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export class NodeAgent {
    readonly nodes: NodeShape[];
    readonly nfsServer: string;
    private readonly client: ApiClient;
    private readonly records = new Map<string, PodRecord>();
    /** UIDs of pods this agent stopped and deleted: their last watch events are not new pods. */
    private readonly finished = new Set<string>();
    private readonly nodeUids = new Map<string, string>();
    private readonly tracked = new Set<number>();
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly eventCounts = new Map<string, { name: string; count: number }>();
    private eventSeq = 0;
    private destroyed = false;
    private readonly keep = process.env.FAKE_KUBELET_KEEP === "1";
    private readonly log: (line: string) => void;
    private readonly kubeletVersion: string;
    private readonly pods: Informer<ApiPod>;
    private readonly configMaps: Informer<ApiObject & K8sObject>;
    private readonly secrets: Informer<ApiObject & K8sObject>;
    private readonly services: Informer<ApiObject & ApiService>;
    private readonly slices: Informer<ApiObject & ApiEndpointSlice>;
    private objectsCache: K8sObject[] | undefined;

    private constructor(
        private readonly opts: NodeAgentOptions,
        readonly network: PodNetwork,
        private readonly image: BuiltImage,
        readonly workDir: string,
        private readonly otherImages: Record<string, BuiltImage> = {},
    ) {
        this.client = opts.client;
        this.log = opts.log ?? ((line) => console.log(`[node-agent ${new Date().toISOString()}] ${line}`));
        this.kubeletVersion = opts.kubeletVersion ?? "v1.37.2-fake-kubelet";
        this.nfsServer = opts.nfsServer ?? LOCAL_NFS_SERVER;
        this.nodes = (opts.nodes ?? ["node-a", "node-b", "node-c"]).map((name) => ({
            name,
            zone: `zone-${name.replace(/^node-/, "")}`,
            kubeletPort: opts.kubeletPort,
            capacity: opts.capacity ?? { cpu: "8", memory: "32Gi", pods: "110" },
        }));
        const informerOpts = { log: (m: string) => this.log(`informer ${m}`) };
        const objectsChanged = () => {
            this.objectsCache = undefined;
            this.syncVolumes();
        };
        this.configMaps = new Informer(this.client, "/api/v1/configmaps", objectsChanged, informerOpts);
        this.secrets = new Informer(this.client, "/api/v1/secrets", objectsChanged, informerOpts);
        this.services = new Informer(this.client, "/api/v1/services", () => this.refreshAllDns(), informerOpts);
        this.slices = new Informer(this.client, "/apis/discovery.k8s.io/v1/endpointslices", () => this.refreshAllDns(), informerOpts);
        this.pods = new Informer<ApiPod>(this.client, "/api/v1/pods", (type, pod) => this.onPod(type, pod), informerOpts);
    }

    /** Builds the image and the pod network, registers the Nodes, then follows the API until destroy(). */
    static async create(opts: NodeAgentOptions): Promise<NodeAgent> {
        const network = new PodNetwork(opts.prefix, opts.subnet);
        const workDir = resolveWorkDir(opts.workDir, "node agent");
        if (!fs.statSync(opts.nfsRoot, { throwIfNoEntry: false })?.isDirectory())
            throw new Error(`node agent: nfsRoot ${opts.nfsRoot} is not a directory; create it first.`);
        PodNetwork.removeLeftovers(opts.prefix);
        claimWorkDir(workDir, opts.prefix, "node agent");
        let agent: NodeAgent | undefined;
        try {
            await network.create();
            const image = await buildImage(path.join(workDir, "image"));
            // The rclone image when FAKE_KUBELET_RCLONE names a binary; the exporter's where the host has Debian's
            // (a pod naming an image not built here is refused, naming the images this agent runs).
            const otherImages = {
                ...(await buildOtherImages(path.join(workDir, "image"))),
                ...(hostHasExporter() ? { [EXPORTER_IMAGE]: buildExporterImage(image, path.join(workDir, "image-exporter")) } : {}),
            };
            agent = new NodeAgent(opts, network, image, workDir, otherImages);
            registerCluster(agent);
            await agent.start();
            return agent;
        } catch (e) {
            if (agent) await agent.destroy();
            else {
                network.destroySync();
                safeRemoveSync(workDir);
            }
            throw e;
        }
    }

    private async start(): Promise<void> {
        for (const n of this.nodes) await this.registerNode(n);
        await Promise.all([this.configMaps.start(), this.secrets.start(), this.services.start(), this.slices.start()]);
        await this.pods.start();
        this.every(this.opts.leaseRenewMs ?? 10_000, () => Promise.all(this.nodes.map((n) => this.renewLease(n))));
        this.every(this.opts.nodeStatusMs ?? 60_000, () => Promise.all(this.nodes.map((n) => this.postNodeStatus(n))));
        // kubelet's periodic sync: statuses whose change was not announced (a back-off ending) are posted here.
        this.every(5_000, async () => {
            for (const r of this.records.values()) this.scheduleStatus(r);
        });
        this.log(
            `nodes ${this.nodes.map((n) => `${n.name} (${n.zone})`).join(", ")} registered; kubelet endpoint 127.0.0.1:${this.opts.kubeletPort}; ` +
                `NFS ${[[this.nfsServer, this.opts.nfsRoot], ...Object.entries(this.opts.nfsServers ?? {})].map(([s, r]) => `${s}:/P = ${r}/P`).join(", ")}; pod subnet ${this.opts.subnet}`,
        );
    }

    /** Runs fn every ms (after the previous run ended) until destroy(). */
    private every(ms: number, fn: () => Promise<unknown>): void {
        const schedule = () => {
            const t = setTimeout(async () => {
                this.timers.delete(t);
                if (this.destroyed) return;
                await fn().catch((e: Error) => this.log(`periodic task: ${e.message}`));
                if (!this.destroyed) schedule();
            }, ms);
            this.timers.add(t);
        };
        schedule();
    }

    // ---- Nodes and Leases --------------------------------------------------------------------------------------

    private async registerNode(n: NodeShape): Promise<void> {
        const now = new Date();
        let node: { metadata: { uid: string } };
        try {
            node = await this.client.request("POST", "/api/v1/nodes", { body: nodeObject(n, now, this.kubeletVersion) });
            this.log(`registered node ${n.name}`);
        } catch (e) {
            if (!(e instanceof ApiError && e.status === 409)) throw e;
            // Registered before (an earlier agent): labels brought up to date, as kubelet reconciles them.
            const labels = nodeObject(n, now, this.kubeletVersion).metadata.labels;
            node = await this.client.request("PATCH", `/api/v1/nodes/${n.name}`, {
                body: { metadata: { labels } },
                contentType: "application/merge-patch+json",
            });
            this.log(`node ${n.name} was registered already`);
        }
        this.nodeUids.set(n.name, node.metadata.uid);
        await this.postNodeStatus(n);
        await this.renewLease(n);
    }

    private async postNodeStatus(n: NodeShape): Promise<void> {
        const current = await this.client.request<{
            status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
        }>("GET", `/api/v1/nodes/${n.name}`);
        await this.client.request("PATCH", `/api/v1/nodes/${n.name}/status`, {
            body: { status: nodeStatus(n, new Date(), this.kubeletVersion, current.status?.conditions) },
            contentType: "application/merge-patch+json",
        });
    }

    private async renewLease(n: NodeShape): Promise<void> {
        const lease = leaseObject(n.name, this.nodeUids.get(n.name) ?? "", new Date());
        const at = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.name}`;
        try {
            await this.client.request("PATCH", at, { body: { spec: lease.spec }, contentType: "application/merge-patch+json" });
        } catch (e) {
            if (!(e instanceof ApiError && e.status === 404)) throw e;
            await this.client.request("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", { body: lease });
        }
    }

    // ---- Pods: acceptance, start, status, deletion -------------------------------------------------------------

    private ours(pod: ApiPod): boolean {
        return this.nodes.some((n) => n.name === pod.spec.nodeName);
    }

    private onPod(type: "ADDED" | "MODIFIED" | "DELETED", pod: ApiPod): void {
        if (this.destroyed || !this.ours(pod) || this.finished.has(pod.metadata.uid)) return;
        const rec = this.records.get(pod.metadata.uid);
        if (type === "DELETED") {
            // Gone from the API without us (a forced deletion): stop at once, even during a graceful stop.
            if (rec?.state === "stopping") for (const r of rec.pod?.runners ?? []) r.current?.kill("SIGKILL");
            else if (rec && rec.state !== "gone") void this.terminate(rec, 0, false);
            return;
        }
        if (rec) {
            rec.api = pod;
            if (pod.metadata.deletionTimestamp) void this.terminate(rec, this.graceOf(pod), true);
            return;
        }
        // A finished pod (an earlier agent's) is left as it is; one being deleted is only deleted.
        if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
        const node = pod.spec.nodeName as string;
        const fresh: PodRecord = {
            uid: pod.metadata.uid,
            key: `${pod.metadata.namespace}_${pod.metadata.name}`,
            node,
            api: pod,
            state: "resolving",
            startTime: rfc3339(new Date()),
            claimPaths: {},
            tokens: new Map(),
        };
        this.records.set(fresh.uid, fresh);
        if (pod.metadata.deletionTimestamp) {
            void this.terminate(fresh, 0, true);
            return;
        }
        this.log(`pod ${fresh.key} bound to ${node}: starting`);
        void this.admit(fresh);
    }

    private graceOf(pod: ApiPod): number {
        return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    }

    /** Fence, volumes, then the Pod; volumes are retried (kubelet's FailedMount) until they resolve or the pod goes. */
    private async admit(rec: PodRecord): Promise<void> {
        const problems = apiPodProblems(rec.api.spec, Object.keys(this.otherImages));
        if (problems.length) {
            rec.state = "refused";
            const message = `fake kubelet: the pod uses fields it does not emulate: ${problems.join("; ")}`;
            rec.waiting = { reason: "CreateContainerConfigError", message };
            this.event(rec, { type: "Warning", reason: "Failed", message });
            this.log(`pod ${rec.key} refused: ${problems.join("; ")}`);
            this.scheduleStatus(rec);
            return;
        }
        rec.waiting = { reason: "ContainerCreating" };
        this.scheduleStatus(rec);
        let lastError = "";
        while (rec.state === "resolving") {
            const error = await this.resolveVolumes(rec).catch((e: Error) => e.message);
            if (rec.state !== "resolving") return;
            if (!error) break;
            if (error !== lastError) {
                this.event(rec, { type: "Warning", reason: "FailedMount", message: error });
                this.log(`pod ${rec.key}: FailedMount: ${error}`);
                lastError = error;
            }
            await sleep(2000);
        }
        if (rec.state !== "resolving") return;
        const spec = rec.api.spec;
        const host: PodHost = {
            workDir: this.workDir,
            network: this.network,
            image: this.image,
            otherImages: this.otherImages,
            objects: () => this.objects(),
            claimPaths: rec.claimPaths,
            clusterDomain: CLUSTER_DOMAIN,
            backoff: this.opts.restartBackoffMs ?? { initialMs: 1000, maxMs: 2000 },
            keepWorkDir: this.keep,
            track: (pid, alive) => void (alive ? this.tracked.add(pid) : this.tracked.delete(pid)),
            event: (e) => this.onPodEvent(rec, e),
            refreshDns: () => this.writeHosts(rec),
            projectedFiles: (v) => this.projectedFiles(rec, v),
            serviceEnv: (ns) => serviceLinkEnv([...this.services.store.values()], ns, spec.enableServiceLinks !== false),
        };
        const pod = new Pod(
            host,
            { name: rec.api.metadata.name, namespace: rec.api.metadata.namespace, ordinal: this.freeSlot(), key: rec.key, uid: rec.uid },
            { labels: rec.api.metadata.labels ?? {}, spec },
        );
        rec.pod = pod;
        rec.state = "running";
        rec.waiting = undefined;
        try {
            await pod.start();
        } catch (e) {
            const message = (e as Error).message;
            this.event(rec, { type: "Warning", reason: "FailedCreatePodSandBox", message });
            this.log(`pod ${rec.key}: could not start: ${message}`);
            rec.waiting = { reason: "ContainerCreating", message };
        }
        this.scheduleStatus(rec);
    }

    /** The smallest number no live pod's veth uses. */
    private freeSlot(): number {
        const used = new Set([...this.records.values()].flatMap((r) => (r.pod ? [r.pod.ordinal] : [])));
        let n = 0;
        while (used.has(n)) n++;
        return n;
    }

    /** Resolves the pod's claims to NFS directories and checks its ConfigMaps and Secrets exist; an error message or "". */
    private async resolveVolumes(rec: PodRecord): Promise<string> {
        const ns = rec.api.metadata.namespace;
        for (const v of rec.api.spec.volumes ?? []) {
            if (v.configMap && !this.configMaps.store.has(`${ns}/${v.configMap.name}`))
                return `MountVolume.SetUp failed for volume "${v.name}" : configmap "${v.configMap.name}" not found`;
            if (v.secret && !this.secrets.store.has(`${ns}/${v.secret.secretName}`))
                return `MountVolume.SetUp failed for volume "${v.name}" : secret "${v.secret.secretName}" not found`;
            if (v.projected) {
                const error = await this.requestTokens(rec, v);
                if (error) return error;
                continue;
            }
            if (!v.persistentVolumeClaim) continue;
            const claim = v.persistentVolumeClaim.claimName;
            const pvc = await this.client.request<{ spec?: { volumeName?: string }; status?: { phase?: string } }>(
                "GET",
                `/api/v1/namespaces/${ns}/persistentvolumeclaims/${claim}`,
            );
            if (pvc.status?.phase !== "Bound" || !pvc.spec?.volumeName)
                return `persistentvolumeclaim "${claim}" is not bound (phase ${pvc.status?.phase ?? "unknown"})`;
            const pv = await this.client.request<ApiPersistentVolume>("GET", `/api/v1/persistentvolumes/${pvc.spec.volumeName}`);
            const local = nfsDirectory(pv, this.nfsServer, this.opts.nfsRoot, this.opts.nfsServers);
            if ("error" in local) return `MountVolume.SetUp failed for volume "${pv.metadata.name}" : ${local.error}`;
            if (!fs.statSync(local.root, { throwIfNoEntry: false })?.isDirectory())
                return (
                    `MountVolume.SetUp failed for volume "${pv.metadata.name}" : mount.nfs: Connection timed out ` +
                    `(${local.server}:${pv.spec?.nfs?.path}; the stand-in server's root ${local.root} is gone)`
                );
            if (!fs.statSync(local.dir, { throwIfNoEntry: false })?.isDirectory())
                return (
                    `MountVolume.SetUp failed for volume "${pv.metadata.name}" : mount.nfs: mounting ` +
                    `${local.server}:${pv.spec?.nfs?.path} failed, reason given by server: No such file or directory (${local.dir})`
                );
            rec.claimPaths[claim] = local.dir;
        }
        return "";
    }

    /** kubelet's service-account token: a TokenRequest bound to the pod (its audience and lifetime as asked); an error or "". */
    private async requestTokens(rec: PodRecord, v: Volume): Promise<string> {
        const { name, namespace: ns } = rec.api.metadata;
        for (const src of v.projected?.sources ?? []) {
            if (src.configMap && !this.configMaps.store.has(`${ns}/${src.configMap.name}`))
                return `MountVolume.SetUp failed for volume "${v.name}" : configmap "${src.configMap.name}" not found`;
            const sat = src.serviceAccountToken;
            if (!sat || rec.tokens.has(v.name)) continue;
            const sa = rec.api.spec.serviceAccountName ?? "default";
            const answer = await this.client.request<{ status: { token: string } }>(
                "POST",
                `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
                {
                    body: {
                        apiVersion: "authentication.k8s.io/v1",
                        kind: "TokenRequest",
                        spec: {
                            audiences: sat.audience ? [sat.audience] : [],
                            expirationSeconds: sat.expirationSeconds ?? 3600,
                            boundObjectRef: { apiVersion: "v1", kind: "Pod", name, uid: rec.uid },
                        },
                    },
                },
            );
            rec.tokens.set(v.name, answer.status.token);
        }
        return "";
    }

    /** A projected volume's files: the token, ConfigMap keys, the pod's namespace/name/uid. */
    private projectedFiles(rec: PodRecord, v: Volume): [string, Buffer][] | undefined {
        const files: [string, Buffer][] = [];
        const meta = rec.api.metadata;
        for (const src of v.projected?.sources ?? []) {
            if (src.serviceAccountToken) {
                const token = rec.tokens.get(v.name);
                if (!token) return undefined;
                files.push([src.serviceAccountToken.path, Buffer.from(token)]);
            } else if (src.configMap) {
                const cm = this.configMaps.store.get(`${meta.namespace}/${src.configMap.name}`) as
                    { data?: Record<string, string> } | undefined;
                if (!cm) return undefined;
                const items = src.configMap.items ?? Object.keys(cm.data ?? {}).map((key) => ({ key, path: key }));
                for (const it of items) files.push([it.path, Buffer.from(cm.data?.[it.key] ?? "")]);
            } else if (src.downwardAPI) {
                const fields: Record<string, string> = {
                    "metadata.namespace": meta.namespace,
                    "metadata.name": meta.name,
                    "metadata.uid": meta.uid,
                };
                for (const it of src.downwardAPI.items ?? [])
                    files.push([it.path, Buffer.from(fields[it.fieldRef?.fieldPath ?? ""] ?? "")]);
            } else return undefined;
        }
        return files;
    }

    /** ConfigMaps and Secrets as the volumes read them (list items carry no kind). */
    private objects(): K8sObject[] {
        this.objectsCache ??= [
            ...[...this.configMaps.store.values()].map((o) => ({ ...o, apiVersion: "v1", kind: "ConfigMap" }) as K8sObject),
            ...[...this.secrets.store.values()].map((o) => ({ ...o, apiVersion: "v1", kind: "Secret" }) as K8sObject),
        ];
        return this.objectsCache;
    }

    private syncVolumes(): void {
        for (const r of this.records.values()) if (r.state === "running") r.pod?.syncVolumes();
    }

    /** The pod's events: the log, Kubernetes Events for what kubelet reports, and a status post. */
    private onPodEvent(rec: PodRecord, e: Omit<KubeletEvent, "t">): void {
        const always = ["PodReady", "PodNotReady", "FailedMount", "BackOff"].includes(e.type);
        if (always || process.env.FAKE_KUBELET_VERBOSE === "1")
            this.log(`pod ${rec.key}${e.container ? "/" + e.container : ""} ${e.type}${e.detail ? ": " + e.detail : ""}`);
        const init = Boolean(e.container && rec.api.spec.initContainers?.some((c) => c.name === e.container));
        const about = { container: e.container, init };
        switch (e.type) {
            case "ContainerStarted":
                this.event(rec, {
                    ...about,
                    type: "Normal",
                    reason: "Pulled",
                    message: `Container image "mariadb:11.4" already present on machine`,
                });
                this.event(rec, { ...about, type: "Normal", reason: "Created", message: `Created container ${e.container}` });
                this.event(rec, { ...about, type: "Normal", reason: "Started", message: `Started container ${e.container}` });
                break;
            case "ProbeFailed": {
                // A probe cut short by the pod's own stop is no news (kubelet stops probing a terminating pod).
                if (rec.state === "stopping") break;
                const [kind, ...rest] = (e.detail ?? "").split(": ");
                const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
                this.event(rec, { ...about, type: "Warning", reason: "Unhealthy", message: `${Kind} probe failed: ${rest.join(": ")}` });
                break;
            }
            case "BackOff":
                this.event(rec, {
                    ...about,
                    type: "Warning",
                    reason: "BackOff",
                    message: `Back-off restarting failed container ${e.container} in pod ${rec.api.metadata.name}_${rec.api.metadata.namespace}(${rec.uid}) (${e.detail})`,
                });
                break;
            case "Killing":
                this.event(rec, {
                    ...about,
                    type: "Normal",
                    reason: "Killing",
                    message:
                        e.detail === "pod deletion"
                            ? `Stopping container ${e.container}`
                            : `Container ${e.container} ${e.detail}, will be restarted`,
                });
                break;
            case "FailedMount":
                this.event(rec, { type: "Warning", reason: "FailedMount", message: e.detail ?? "" });
                break;
        }
        this.scheduleStatus(rec);
    }

    /** Posts an Event, or counts it again (kubelet's recorder aggregates repeats of the same event). */
    private event(rec: PodRecord, e: Omit<EventShape, "namespace" | "pod" | "uid" | "node">): void {
        const shape: EventShape = { ...e, namespace: rec.api.metadata.namespace, pod: rec.api.metadata.name, uid: rec.uid, node: rec.node };
        const key = `${rec.uid}|${e.container ?? ""}|${e.reason}|${e.message}`;
        const seen = this.eventCounts.get(key);
        const now = new Date();
        const ns = shape.namespace;
        if (seen) {
            seen.count++;
            void this.client
                .request("PATCH", `/api/v1/namespaces/${ns}/events/${seen.name}`, {
                    body: { count: seen.count, lastTimestamp: rfc3339(now) },
                    contentType: "application/merge-patch+json",
                })
                .catch((err: Error) => this.log(`event: ${err.message}`));
            return;
        }
        const body = eventObject(shape, now, this.eventSeq++);
        this.eventCounts.set(key, { name: body.metadata.name, count: 1 });
        void this.client
            .request("POST", `/api/v1/namespaces/${ns}/events`, { body })
            .catch((err: Error) => this.log(`event: ${err.message}`));
    }

    /** Posts the pod's status soon; one post at a time per pod, the last change always posted. */
    private scheduleStatus(rec: PodRecord): void {
        if (rec.timer || rec.state === "gone") return;
        rec.timer = setTimeout(() => {
            rec.timer = undefined;
            if (rec.syncing) {
                rec.dirty = true;
                return;
            }
            rec.syncing = this.postStatus(rec)
                .catch((e: Error) => {
                    if (!(e instanceof ApiError && (e.status === 404 || e.status === 409))) this.log(`status of ${rec.key}: ${e.message}`);
                })
                .finally(() => {
                    rec.syncing = undefined;
                    if (rec.dirty) {
                        rec.dirty = false;
                        this.scheduleStatus(rec);
                    }
                });
        }, 50);
    }

    private statusOf(rec: PodRecord): ApiPodStatus {
        const spec = rec.api.spec;
        return apiPodStatus(rec.api.metadata.name, {
            snapshot: rec.pod?.snapshot(),
            uid: rec.uid,
            hostIP: "127.0.0.1",
            initContainers: spec.initContainers ?? [],
            containers: spec.containers,
            restartPolicy: spec.restartPolicy ?? "Always",
            startTime: rec.startTime,
            previous: (rec.api.status?.conditions ?? []) as ApiPodCondition[],
            waiting: rec.waiting,
            now: new Date(),
        });
    }

    private async postStatus(rec: PodRecord): Promise<void> {
        if (rec.state === "gone") return;
        const status = this.statusOf(rec);
        const text = JSON.stringify(status);
        if (text === rec.lastStatus) return;
        const { name, namespace } = rec.api.metadata;
        const updated = await this.client.request<ApiPod>("PATCH", `/api/v1/namespaces/${namespace}/pods/${name}/status`, {
            // The UID makes the patch fail on a pod of the same name made since (as kubelet's status manager does).
            body: { metadata: { uid: rec.uid }, status },
            contentType: "application/merge-patch+json",
        });
        rec.lastStatus = text;
        // Our conditions' transition times come back in the next status.
        if (updated?.status) rec.api = { ...rec.api, status: updated.status };
    }

    /**
     * kubelet's deletion: SIGTERM, SIGKILL after the grace period, the final status, then the API object deleted
     * with grace 0 and the pod's UID as precondition (`inApi` false: it is gone already).
     */
    private async terminate(rec: PodRecord, graceSeconds: number, inApi: boolean): Promise<void> {
        if (rec.state === "stopping" || rec.state === "gone") return;
        rec.state = "stopping";
        this.log(`pod ${rec.key}: stopping (grace ${graceSeconds} s)`);
        await rec.pod?.stop(graceSeconds * 1000).catch((e: Error) => this.log(`pod ${rec.key}: stop: ${e.message}`));
        if (inApi) {
            await this.postStatus(rec).catch(() => undefined);
            const { name, namespace } = rec.api.metadata;
            await this.client
                .request("DELETE", `/api/v1/namespaces/${namespace}/pods/${name}`, {
                    body: { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: rec.uid } },
                })
                .catch((e: Error) => {
                    if (!(e instanceof ApiError && (e.status === 404 || e.status === 409))) this.log(`delete of ${rec.key}: ${e.message}`);
                });
        }
        rec.state = "gone";
        if (rec.timer) clearTimeout(rec.timer);
        this.records.delete(rec.uid);
        this.finished.add(rec.uid);
        for (const k of [...this.eventCounts.keys()]) if (k.startsWith(`${rec.uid}|`)) this.eventCounts.delete(k);
        if (rec.pod && !this.keep) await safeRemove(rec.pod.dir).catch((e: Error) => this.log(`pod ${rec.key}: ${e.message}`));
        this.log(`pod ${rec.key}: deleted`);
    }

    // ---- DNS ---------------------------------------------------------------------------------------------------

    /** The pod's hosts file from the API's EndpointSlices of its namespace. */
    hostsFor(rec: PodRecord): string {
        const ns = rec.api.metadata.namespace;
        const slices = [...this.slices.store.values()];
        const services = [...this.services.store.values()];
        const ip = rec.pod?.ip ?? "127.0.0.1";
        const hostname = rec.api.spec.hostname ?? rec.api.metadata.name;
        return hostsFileText(
            selfLine(ip, hostname, rec.api.spec.subdomain, ns, CLUSTER_DOMAIN),
            endpointSliceEntries(slices, services, ns, CLUSTER_DOMAIN),
            endpointSliceNotes(slices, services, ns),
        );
    }

    private writeHosts(rec: PodRecord): void {
        const p = rec.pod;
        if (p?.ip && fs.existsSync(p.dir)) writeInPlace(p.hostsFile, this.hostsFor(rec));
    }

    private refreshAllDns(): void {
        for (const r of this.records.values()) if (r.state === "running") this.writeHosts(r);
    }

    // ---- For the kubelet endpoint and the tests ----------------------------------------------------------------

    /** The host file of a container's log (every start, with the fake kubelet's header lines), if the pod is here. */
    logPath(namespace: string, pod: string, container: string): string | undefined {
        const rec = [...this.records.values()].find((r) => r.api.metadata.namespace === namespace && r.api.metadata.name === pod);
        return rec?.pod?.runners.find((r) => r.name === container)?.logPath;
    }

    /** Runs argv in a container of a pod running here, as FakeKubelet.exec does (in-process: no `kubectl exec`). */
    async exec(namespace: string, pod: string, container: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
        const rec = [...this.records.values()].find(
            (r) => r.api.metadata.namespace === namespace && r.api.metadata.name === pod && r.state === "running",
        );
        if (!rec?.pod) throw new Error(`pod ${namespace}/${pod} is not running on this agent's nodes`);
        return rec.pod.runner(container).exec(argv, opts);
    }

    /** The host directory of a pod running here (volumes/, hosts), for the tests. */
    podDir(namespace: string, pod: string): string | undefined {
        return [...this.records.values()].find(
            (r) => r.api.metadata.namespace === namespace && r.api.metadata.name === pod && r.state === "running",
        )?.pod?.dir;
    }

    /** Whether the pod still runs here (a follow of its log ends when it does not). */
    hasPod(namespace: string, pod: string): boolean {
        return [...this.records.values()].some(
            (r) => r.api.metadata.namespace === namespace && r.api.metadata.name === pod && r.state !== "gone",
        );
    }

    // ---- Teardown ----------------------------------------------------------------------------------------------

    /** What a teardown gives back to the host (cleanup.ts). */
    private hostResources(): HostResources {
        return { tracked: this.tracked, network: this.network, workDir: this.workDir, keep: this.keep };
    }

    /** Stops every pod at once (SIGKILL), stops following the API, deletes the network and the workDir. */
    async destroy(): Promise<void> {
        if (this.destroyed) return;
        this.destroyed = true;
        for (const t of this.timers) clearTimeout(t);
        for (const i of [this.pods, this.configMaps, this.secrets, this.services, this.slices]) i.stop();
        await Promise.all(
            [...this.records.values()].map(async (r) => {
                if (r.timer) clearTimeout(r.timer);
                r.state = "gone";
                await r.pod?.stop(0).catch(() => undefined);
            }),
        );
        await releaseHost(this, this.hostResources());
    }

    /** The exit-path variant: synchronous, SIGKILL by pid. */
    destroySync(): void {
        if (this.destroyed) return;
        this.destroyed = true;
        for (const t of this.timers) clearTimeout(t);
        const procs = [...this.records.values()].flatMap((r) => r.pod?.runners.map((x) => x.current) ?? []).filter((x) => x !== undefined);
        for (const p of procs) p.killInnerNow();
        for (const p of procs) p.killOuterNow();
        releaseHostSync(this, this.hostResources(), "node agent");
    }
}
