// The rules of the policy pack, as plain policy objects so the tests can run each one against crafted
// resources; index.ts hands them to a PolicyPack. They read Kubernetes objects by their Pulumi type token
// only, so the pack needs no @pulumi/kubernetes.

import { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

export const TYPES = {
    persistentVolume: "kubernetes:core/v1:PersistentVolume",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

/** The annotation pulumi-kubernetes reads (from the old state) to choose how a delete propagates. */
export const DELETION_PROPAGATION_ANNOTATION = "pulumi.com/deletionPropagationPolicy";

/** Kinds whose objects carry a pod spec, and where it is. */
const POD_SPEC_PATHS: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/* eslint-disable @typescript-eslint/no-explicit-any -- `props` as the policy SDK hands them: untyped JSON of any kind */
function containersOf(
    type: string,
    props: any,
): Array<{ name?: string; image?: string; env?: any[]; command?: string[]; args?: string[] }> {
    const at = POD_SPEC_PATHS[type];
    if (at === undefined) {
        return [];
    }
    const spec = at.reduce((value, key) => value?.[key], props);
    return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** PersistentVolumes keep `Retain`, so deleting the object (or its claim) never deletes the data. */
export const volumesRetained: ResourceValidationPolicy = {
    name: "mysql-volumes-retained",
    description: "PersistentVolumes have reclaim policy Retain, so no delete of a volume or claim deletes the data.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.persistentVolume) {
            return;
        }
        const policy = args.props.spec?.persistentVolumeReclaimPolicy;
        if (policy !== "Retain") {
            reportViolation(
                `PersistentVolume ${args.name} has reclaim policy ${JSON.stringify(policy ?? "unset (Retain only for static volumes)")}: ` +
                    `set spec.persistentVolumeReclaimPolicy to "Retain" so that deleting it or its claim keeps the data.`,
            );
        }
    },
};

/**
 * A StatefulSet with a fixed name is deleted before it is re-created, and by default the delete cascades
 * to its pods: every database goes down at once. `orphan` leaves the pods to the new StatefulSet;
 * `protect` makes any planned replacement fail at preview.
 */
export const statefulSetReplaceKeepsPods: ResourceValidationPolicy = {
    name: "mysql-statefulset-no-cascading-replace",
    description: "A StatefulSet is never replaced with a cascading delete: it is protected or its deletes orphan the pods.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.statefulSet || args.opts.protect) {
            return;
        }
        const policy = args.props.metadata?.annotations?.[DELETION_PROPAGATION_ANNOTATION];
        if (policy !== "orphan") {
            reportViolation(
                `StatefulSet ${args.name} would be replaced with a cascading delete of its pods: annotate it ` +
                    `${DELETION_PROPAGATION_ANNOTATION}: orphan, or give it the resource option protect: true.`,
            );
        }
    },
};

const PASSWORD_NAME = /pass(word|wd)?$|pwd$|_pass_|password/i;
const PASSWORD_ON_COMMAND_LINE = /(^|\s)(--password=\S|-p[^\s-]\S*)|IDENTIFIED\s+BY\s+'[^']+'|PASSWORD\s*=\s*'[^']+'/i;
// A literal value in an option file; a shell expansion (`password=$(read …)`) or an empty value is none.
const PASSWORD_IN_FILE = /^\s*[\w.-]*pass(word|wd)?[\w.-]*\s*[=:]\s*(?!["']?\$|""|''|$)\S+/im;
// `MYSQL_ROOT_PASSWORD_FILE` and the like hold a path to a mounted Secret, not a password; `ROOT_PASSWORD_KEY`
// and the like the name of a key in one.
const PATH_TO_PASSWORD = /_(FILE|KEY)$/i;

/** No password in a place Kubernetes and Pulumi keep in plain text: env values, command lines, ConfigMaps. */
export const noPlainTextPasswords: ResourceValidationPolicy = {
    name: "mysql-no-plain-text-password",
    description: "No password in an environment variable's value, a command line, a ConfigMap or an annotation; passwords live in Secrets.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type === TYPES.secret) {
            return;
        }
        for (const container of containersOf(args.type, args.props)) {
            for (const env of container.env ?? []) {
                if (
                    PASSWORD_NAME.test(env.name ?? "") &&
                    !PATH_TO_PASSWORD.test(env.name ?? "") &&
                    typeof env.value === "string" &&
                    env.value !== ""
                ) {
                    reportViolation(
                        `${args.name}: container ${container.name} has the password ${env.name} in plain text: use valueFrom.secretKeyRef or a mounted Secret.`,
                    );
                }
            }
            const line = [...(container.command ?? []), ...(container.args ?? [])].join(" ");
            if (PASSWORD_ON_COMMAND_LINE.test(line)) {
                reportViolation(
                    `${args.name}: container ${container.name} has a password on its command line: read it from a file of a mounted Secret.`,
                );
            }
        }
        if (args.type === TYPES.configMap) {
            for (const [key, value] of Object.entries<unknown>(args.props.data ?? {})) {
                if (typeof value === "string" && (PASSWORD_IN_FILE.test(value) || (PASSWORD_NAME.test(key) && value.trim() !== ""))) {
                    reportViolation(`ConfigMap ${args.name}: ${key} holds a password in plain text: move it to a Secret.`);
                }
            }
        }
        for (const [key, value] of Object.entries<unknown>(args.props.metadata?.annotations ?? {})) {
            if (PASSWORD_NAME.test(key) && typeof value === "string" && value !== "") {
                reportViolation(`${args.name}: annotation ${key} holds a password in plain text.`);
            }
        }
    },
};

/** Images are pinned: a digest, or a tag other than `latest` (no tag means `latest`). */
export const imagesPinned: ResourceValidationPolicy = {
    name: "mysql-images-pinned",
    description: "Every container image names a digest or a tag other than latest.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        for (const container of containersOf(args.type, args.props)) {
            const problem = imageProblem(container.image);
            if (problem !== undefined) {
                reportViolation(`${args.name}: container ${container.name} ${problem}`);
            }
        }
    },
};

export function imageProblem(image: string | undefined): string | undefined {
    if (image === undefined || image === "") {
        return "has no image.";
    }
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
        return undefined;
    }
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastPart.indexOf(":");
    if (colon < 0) {
        return `uses ${image} without a tag, which means latest: pin a version tag or a digest.`;
    }
    if (lastPart.slice(colon + 1) === "latest") {
        return `uses ${image}: pin a version tag or a digest instead of latest.`;
    }
    return undefined;
}

/** The policy config of the production rule (`--policy-pack-config`, or the policy group's settings). */
export interface ProductionConfig {
    /** Treat the stack as production whatever its tags. */
    production?: boolean;
    /** Fewest pods a production StatefulSet may have. */
    minReplicas?: number;
}

/** The stack tag that marks a production stack: `pulumi stack tag set environment production`. */
export const PRODUCTION_TAG = { name: "environment", value: "production" };

export function isProduction(args: Pick<StackValidationArgs, "stackTags" | "getConfig">): boolean {
    return args.getConfig<ProductionConfig>().production === true || args.stackTags.get(PRODUCTION_TAG.name) === PRODUCTION_TAG.value;
}

/** `selector` selects pods with these labels (matchLabels only; matchExpressions are not evaluated). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a label selector read from untyped props
function selects(selector: any, labels: Record<string, string>): boolean {
    const wanted = Object.entries<string>(selector?.matchLabels ?? {});
    return wanted.length > 0 && (selector?.matchExpressions ?? []).length === 0 && wanted.every(([k, v]) => labels[k] === v);
}

/** On production stacks, each StatefulSet has at least 3 pods and a PodDisruptionBudget that selects them. */
export const productionAvailability: StackValidationPolicy = {
    name: "mysql-production-availability",
    description:
        "On production stacks (tag environment=production, or policy config production: true) each StatefulSet has at least 3 replicas and a PodDisruptionBudget selecting its pods.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            production: { type: "boolean", default: false },
            minReplicas: { type: "integer", default: 3, minimum: 1 },
        },
    },
    validateStack: (args, reportViolation: ReportViolation) => {
        if (!isProduction(args)) {
            return;
        }
        const minReplicas = args.getConfig<ProductionConfig>().minReplicas ?? 3;
        const budgets = args.resources.filter((r) => r.type === TYPES.podDisruptionBudget);
        for (const set of args.resources.filter((r) => r.type === TYPES.statefulSet)) {
            const name = set.props.metadata?.name ?? set.name;
            const replicas = set.props.spec?.replicas ?? 1;
            if (replicas < minReplicas) {
                reportViolation(
                    `StatefulSet ${name} has ${replicas} replicas on a production stack: at least ${minReplicas} are needed.`,
                    set.urn,
                );
            }
            const labels = set.props.spec?.template?.metadata?.labels ?? {};
            const namespace = set.props.metadata?.namespace ?? "default";
            if (
                !budgets.some(
                    (b: PolicyResource) =>
                        (b.props.metadata?.namespace ?? "default") === namespace && selects(b.props.spec?.selector, labels),
                )
            ) {
                reportViolation(
                    `StatefulSet ${name} has no PodDisruptionBudget in namespace ${namespace} whose selector matches its pod labels ${JSON.stringify(labels)}.`,
                    set.urn,
                );
            }
        }
    },
};

export const POLICIES = [volumesRetained, statefulSetReplaceKeepsPods, noPlainTextPasswords, imagesPinned, productionAvailability];
