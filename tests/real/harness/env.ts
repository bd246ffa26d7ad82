// A container's environment as kubelet + the container runtime build it:
//   image ENV (PATH first), HOSTNAME, service-link variables, envFrom, env (in order, with
//   Kubernetes' $(VAR) expansion), and HOME from the user's passwd entry when unset.
// Also the $(VAR) expansion of command/args.

import type { ContainerSpec, EnvVar, K8sObject } from "./types";

export interface PodFacts {
    name: string;
    namespace: string;
    uid: string;
    ip: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    serviceAccountName: string;
    nodeName: string;
}

export interface EnvSources {
    objects: K8sObject[];
    secrets: Record<string, Record<string, string>>;
}

/**
 * Kubernetes' expansion (k8s.io/kubernetes third_party/forked/golang/expansion): "$(NAME)" is
 * replaced when NAME is defined, left as is otherwise; "$$" is an escaped "$".
 */
export function expandK8s(input: string, lookup: (name: string) => string | undefined): string {
    let out = "";
    for (let i = 0; i < input.length; i++) {
        const c = input[i];
        if (c !== "$" || i + 1 >= input.length) {
            out += c;
            continue;
        }
        const next = input[i + 1];
        if (next === "$") {
            out += "$";
            i++;
        } else if (next === "(") {
            const close = input.indexOf(")", i + 2);
            if (close < 0) {
                out += input.slice(i);
                break;
            }
            const name = input.slice(i + 2, close);
            const val = lookup(name);
            out += val === undefined ? input.slice(i, close + 1) : val;
            i = close;
        } else {
            out += c;
        }
    }
    return out;
}

function findObject(objects: K8sObject[], kind: string, name: string, namespace: string): K8sObject | undefined {
    return objects.find((o) => o.kind === kind && o.metadata?.name === name && (o.metadata.namespace ?? "default") === namespace);
}

/** The data of a ConfigMap as bytes (data + base64 binaryData). */
export function configMapBytes(src: EnvSources, name: string, namespace: string): Record<string, Buffer> | undefined {
    const cm = findObject(src.objects, "ConfigMap", name, namespace);
    if (!cm) return undefined;
    const data: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries<string>(cm.data ?? {})) data[k] = Buffer.from(String(v), "utf8");
    for (const [k, v] of Object.entries<string>(cm.binaryData ?? {})) data[k] = Buffer.from(v, "base64");
    return data;
}

/**
 * The plain data of a Secret as bytes: the `secrets` option wins (rendered Secrets are masked),
 * else the object's data (base64) and stringData.
 */
export function secretBytes(src: EnvSources, name: string, namespace: string): Record<string, Buffer> | undefined {
    if (src.secrets[name]) {
        return Object.fromEntries(Object.entries(src.secrets[name]).map(([k, v]) => [k, Buffer.from(v, "utf8")]));
    }
    const s = findObject(src.objects, "Secret", name, namespace);
    if (!s) return undefined;
    const data: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries<string>(s.data ?? {})) data[k] = Buffer.from(v, "base64");
    for (const [k, v] of Object.entries<string>(s.stringData ?? {})) data[k] = Buffer.from(String(v), "utf8");
    return data;
}

const asStrings = (d: Record<string, Buffer> | undefined): Record<string, string> | undefined =>
    d && Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v.toString("utf8")]));

export function configMapData(src: EnvSources, name: string, namespace: string): Record<string, string> | undefined {
    return asStrings(configMapBytes(src, name, namespace));
}

export function secretData(src: EnvSources, name: string, namespace: string): Record<string, string> | undefined {
    return asStrings(secretBytes(src, name, namespace));
}

/** Stable fake ClusterIP for a Service without one: 10.96.x.y. Unroutable from pods (no default route). */
function fakeClusterIp(name: string): string {
    let h = 0;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return `10.96.${((h >>> 8) % 254) + 1}.${(h % 253) + 2}`;
}

/**
 * Docker-links style variables kubelet injects for Services (kubelet_pods.go getServiceEnvVarMap):
 * the "kubernetes" master Service always, other ClusterIP Services of the namespace when
 * enableServiceLinks is not false. Headless Services (clusterIP None) get none.
 */
export function serviceLinkEnv(objects: K8sObject[], namespace: string, enableServiceLinks: boolean): [string, string][] {
    const services: { name: string; ip: string; ports: { name?: string; port: number; protocol: string }[] }[] = [
        { name: "kubernetes", ip: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP" }] },
    ];
    if (enableServiceLinks) {
        for (const o of objects) {
            if (o.kind !== "Service" || (o.metadata.namespace ?? "default") !== namespace) continue;
            if (o.metadata.name === "kubernetes") continue;
            const spec = o.spec ?? {};
            if (spec.clusterIP === "None" || spec.type === "ExternalName") continue;
            services.push({
                name: o.metadata.name,
                ip: typeof spec.clusterIP === "string" && spec.clusterIP ? spec.clusterIP : fakeClusterIp(o.metadata.name),
                ports: (spec.ports ?? []).map((p: { name?: string; port: number; protocol?: string }) => ({
                    name: p.name,
                    port: p.port,
                    protocol: p.protocol ?? "TCP",
                })),
            });
        }
    }
    const env: [string, string][] = [];
    for (const s of services) {
        if (!s.ports.length) continue;
        const n = s.name.toUpperCase().replace(/-/g, "_");
        env.push([`${n}_SERVICE_HOST`, s.ip], [`${n}_SERVICE_PORT`, String(s.ports[0].port)]);
        for (const p of s.ports) if (p.name) env.push([`${n}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, "_")}`, String(p.port)]);
        const first = s.ports[0];
        env.push([`${n}_PORT`, `${first.protocol.toLowerCase()}://${s.ip}:${first.port}`]);
        for (const p of s.ports) {
            const pre = `${n}_PORT_${p.port}_${p.protocol.toUpperCase()}`;
            env.push(
                [pre, `${p.protocol.toLowerCase()}://${s.ip}:${p.port}`],
                [`${pre}_PROTO`, p.protocol.toLowerCase()],
                [`${pre}_PORT`, String(p.port)],
                [`${pre}_ADDR`, s.ip],
            );
        }
    }
    return env;
}

function fieldValue(path: string, pod: PodFacts): string {
    const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
    if (label) return pod.labels[label[1]] ?? "";
    const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
    if (ann) return pod.annotations[ann[1]] ?? "";
    switch (path) {
        case "metadata.name":
            return pod.name;
        case "metadata.namespace":
            return pod.namespace;
        case "metadata.uid":
            return pod.uid;
        case "status.podIP":
        case "status.podIPs":
            return pod.ip;
        case "spec.nodeName":
            return pod.nodeName;
        case "spec.serviceAccountName":
            return pod.serviceAccountName;
        default:
            throw new Error(`fieldRef ${path} is not supported by the harness`);
    }
}

/**
 * The environment of one container. `imageEnv` must start with PATH. Returns the final ordered
 * list (later definitions of a name replace earlier ones, as the runtime does) and the variables
 * Kubernetes defines itself (service links, envFrom, env), which are what $(VAR) may refer to.
 */
export function containerEnv(
    c: ContainerSpec,
    pod: PodFacts,
    src: EnvSources,
    imageEnv: [string, string][],
    enableServiceLinks: boolean,
): { env: [string, string][]; vars: Map<string, string> } {
    const map = new Map<string, string>();
    const set = (k: string, v: string) => {
        map.delete(k); // keep insertion order = last definition
        map.set(k, v);
    };
    for (const [k, v] of imageEnv) set(k, v);
    set("HOSTNAME", pod.name);

    // What $(VAR) may refer to: service links and the container's own earlier variables.
    const k8sVars = new Map<string, string>();
    const define = (k: string, v: string) => {
        k8sVars.set(k, v);
        set(k, v);
    };
    for (const [k, v] of serviceLinkEnv(src.objects, pod.namespace, enableServiceLinks)) define(k, v);

    for (const from of c.envFrom ?? []) {
        const prefix = from.prefix ?? "";
        let data: Record<string, string> | undefined;
        let what: string;
        if (from.configMapRef) {
            what = `ConfigMap ${from.configMapRef.name}`;
            data = configMapData(src, from.configMapRef.name, pod.namespace);
            if (!data && !from.configMapRef.optional) throw new Error(`${c.name}: envFrom ${what} not found`);
        } else if (from.secretRef) {
            what = `Secret ${from.secretRef.name}`;
            data = secretData(src, from.secretRef.name, pod.namespace);
            if (!data && !from.secretRef.optional) throw new Error(`${c.name}: envFrom ${what} not found`);
        } else {
            throw new Error(`${c.name}: envFrom entry without configMapRef/secretRef`);
        }
        for (const [k, v] of Object.entries(data ?? {})) {
            // kubelet skips keys that are not valid variable names.
            if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(prefix + k)) define(prefix + k, v);
        }
    }

    for (const e of c.env ?? []) {
        const v = envValue(e, c, pod, src, (n) => k8sVars.get(n));
        if (v !== undefined) define(e.name, v); // a missing optional reference leaves the variable unset
    }
    return { env: [...map.entries()], vars: k8sVars };
}

function envValue(
    e: EnvVar,
    c: ContainerSpec,
    pod: PodFacts,
    src: EnvSources,
    lookup: (n: string) => string | undefined,
): string | undefined {
    if (e.value !== undefined) return expandK8s(String(e.value), lookup);
    const from = e.valueFrom;
    if (!from) return "";
    if (from.secretKeyRef) {
        const { name, key, optional } = from.secretKeyRef;
        const data = secretData(src, name, pod.namespace);
        if (data?.[key] === undefined) {
            if (optional) return undefined;
            throw new Error(
                `${c.name}: env ${e.name}: Secret ${name} key ${key} not found (pass the plain value in options.secrets[${JSON.stringify(name)}])`,
            );
        }
        return data[key];
    }
    if (from.configMapKeyRef) {
        const { name, key, optional } = from.configMapKeyRef;
        const data = configMapData(src, name, pod.namespace);
        if (data?.[key] === undefined) {
            if (optional) return undefined;
            throw new Error(`${c.name}: env ${e.name}: ConfigMap ${name} key ${key} not found`);
        }
        return data[key];
    }
    if (from.fieldRef) return fieldValue(from.fieldRef.fieldPath, pod);
    throw new Error(`${c.name}: env ${e.name}: resourceFieldRef is not supported by the harness`);
}
