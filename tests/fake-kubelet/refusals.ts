// The fence: what the fake kubelet runs is exactly what the component renders. Every field of a StatefulSet
// it reads is listed below; any other field, or a value it does not run, is refused before anything
// starts, naming the object, the field, and that the fake kubelet does not emulate it (httpGet, tcpSocket and
// grpc probes, lifecycle hooks, envFrom, valueFrom, service links, native sidecars, fsGroup...).
// "Accepted, not applied": resources, affinity, seccompProfile, serviceAccountName (one node, no cgroups).

import { EXPORTER_IMAGE, RCLONE_IMAGES } from "./image";
import type { K8sObject } from "./types";

/** A field's rule: any value (true), only these values (string[]), or an object whose own keys are ruled. */
type Rule = true | string[] | { [key: string]: Rule };

const PROBE: Rule = {
    exec: { command: true },
    periodSeconds: true,
    timeoutSeconds: true,
    failureThreshold: true,
    initialDelaySeconds: true,
};
const SECURITY: Rule = { runAsUser: true, allowPrivilegeEscalation: true, capabilities: { add: true, drop: true } };
const CONTAINER: Rule = {
    name: true,
    // The exporter's image where this host has Debian's exporter (image.ts).
    image: ["mariadb:11.4", "rclone/rclone:1.76.0", EXPORTER_IMAGE],
    command: true,
    args: true,
    env: { name: true, value: true },
    ports: { name: true, containerPort: true, protocol: ["TCP"] },
    volumeMounts: { name: true, mountPath: true, subPath: true, readOnly: true },
    resources: true,
    securityContext: SECURITY,
    // termination.ts: the file, bound in, read as kubelet reads it.
    terminationMessagePath: true,
    terminationMessagePolicy: ["File", "FallbackToLogsOnError"],
};
const POD = (restartPolicy: string): Rule => ({
    metadata: { labels: true, annotations: true },
    spec: {
        initContainers: CONTAINER,
        containers: { ...CONTAINER, readinessProbe: PROBE, livenessProbe: PROBE, startupProbe: PROBE },
        volumes: {
            name: true,
            emptyDir: { medium: ["", "Memory"] },
            configMap: { name: true, defaultMode: true },
            secret: { secretName: true, defaultMode: true },
            persistentVolumeClaim: { claimName: true, readOnly: true },
        },
        restartPolicy: [restartPolicy],
        terminationGracePeriodSeconds: true,
        enableServiceLinks: ["false"],
        automountServiceAccountToken: true,
        serviceAccountName: true,
        affinity: true,
        securityContext: { seccompProfile: true },
    },
});
const META: Rule = { name: true, namespace: true, labels: true, annotations: true };
const STATEFUL_SET: Rule = {
    apiVersion: ["apps/v1"],
    kind: true,
    metadata: META,
    spec: {
        replicas: true,
        serviceName: true,
        selector: true,
        podManagementPolicy: ["OrderedReady", "Parallel"],
        updateStrategy: { type: ["RollingUpdate"] },
        template: POD("Always"),
        volumeClaimTemplates: true,
    },
};
/** Each place where `value` breaks `rule`, as "path: what"; lists are ruled element by element. */
function breaches(value: unknown, rule: Rule, at: string): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => breaches(v, rule, `${at}[${(v as { name?: string })?.name ?? i}]`));
    // Kubernetes expands $(NAME) of a defined variable and turns $$ into $: both refused (nothing else changes).
    if (rule === true) return typeof value === "string" && /\$\([\w.-]+\)|\$\$/.test(value) ? [`${at}: $(VAR) expansion`] : [];
    if (Array.isArray(rule)) return rule.includes(String(value)) ? [] : [`${at}: ${JSON.stringify(value)} (runs only ${rule.join(", ")})`];
    if (typeof value !== "object" || value === null) return [`${at}: ${JSON.stringify(value)}`];
    const dot = at ? "." : "";
    return Object.entries(value).flatMap(([k, v]) => (k in rule ? breaches(v, rule[k], `${at}${dot}${k}`) : [`${at}${dot}${k}`]));
}

/**
 * The node agent's fence (node-agent.ts): a pod's spec as the API server holds it, with the fields it defaults
 * (imagePullPolicy, terminationMessagePath, dnsPolicy, schedulerName, tolerations, probes' successThreshold...)
 * and those the scheduler and the StatefulSet controller set (nodeName, hostname, subdomain, claim volumes).
 * Service links are run here (kubelet's variables for the namespace's Services), so enableServiceLinks is free.
 */
const API_CONTAINER: Rule = {
    ...(CONTAINER as Record<string, Rule>),
    imagePullPolicy: true,
};
/**
 * The images every node agent admits: mariadb's and rclone's, under both names (a pod whose rclone image was not
 * built fails at its container's start, saying how to build it: pod.ts).
 */
const BASE_IMAGES = ["mariadb:11.4", "docker.io/library/mariadb:11.4", ...RCLONE_IMAGES];
const API_PROBE: Rule = { ...(PROBE as Record<string, Rule>), successThreshold: ["1"] };
const POD_SPEC = (POD("Always") as Record<string, Rule>).spec as Record<string, Rule>;
/** The pod spec rule of a node agent that runs the base images and `otherImages` (those it built). */
const apiPodSpec = (otherImages: readonly string[]): Rule => {
    const container = { ...(API_CONTAINER as Record<string, Rule>), image: [...new Set([...BASE_IMAGES, ...otherImages])] };
    return {
        ...POD_SPEC,
        // The ServiceAccount admission plugin's kube-api-access-* volume (automountServiceAccountToken unset).
        volumes: {
            ...(POD_SPEC.volumes as Record<string, Rule>),
            projected: {
                defaultMode: true,
                sources: {
                    serviceAccountToken: { path: true, expirationSeconds: true, audience: true },
                    configMap: { name: true, items: { key: true, path: true } },
                    downwardAPI: {
                        items: {
                            path: true,
                            fieldRef: { apiVersion: true, fieldPath: ["metadata.namespace", "metadata.name", "metadata.uid"] },
                        },
                    },
                },
            },
        },
        initContainers: container,
        containers: { ...container, readinessProbe: API_PROBE, livenessProbe: API_PROBE, startupProbe: API_PROBE },
        restartPolicy: ["Always", "Never"],
        enableServiceLinks: true,
        serviceAccount: true,
        dnsPolicy: ["ClusterFirst"],
        schedulerName: true,
        nodeName: true,
        nodeSelector: true,
        hostname: true,
        subdomain: true,
        tolerations: true,
        topologySpreadConstraints: true,
        priority: true,
        priorityClassName: true,
        preemptionPolicy: true,
    };
};

/**
 * Every field of an API pod's spec that the node agent does not run, as "path: what" (empty: it runs).
 * `otherImages`: the images it built (`buildOtherImages`'s rclone, the exporter's where the host has it).
 */
export function apiPodProblems(spec: unknown, otherImages: readonly string[] = []): string[] {
    return breaches(spec, apiPodSpec(otherImages), "spec");
}

/**
 * Throws one error listing every field of the render's StatefulSet (exactly one) that the fake kubelet does not
 * emulate; returns the StatefulSet. Other objects are read only as the pods use them (ConfigMaps, Secrets,
 * Services); a CronJob's Jobs are not run (tests/engine runs them under the real Job controller).
 */
export function checkRender(objects: K8sObject[]): K8sObject {
    const sets = objects.filter((o) => o.kind === "StatefulSet");
    if (sets.length !== 1) throw new Error(`fake kubelet: the render must hold exactly one StatefulSet, it holds ${sets.length}`);
    const rules: Record<string, Rule> = { StatefulSet: STATEFUL_SET };
    const problems = objects.flatMap((o) =>
        rules[o.kind] ? breaches(o, rules[o.kind], "").map((p) => `${o.kind} ${o.metadata.name}: ${p}`) : [],
    );
    if (problems.length)
        throw new Error(`fake kubelet: the render uses fields the fake kubelet does not emulate:\n  - ${problems.join("\n  - ")}`);
    return sets[0];
}
