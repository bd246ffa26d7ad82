// The labels the cluster's objects carry and the selectors that find its pods, in one of two schemes:
// `recommended` (Kubernetes' app.kubernetes.io/* labels, the default for new clusters) and `legacy` (the
// `app: <name>` label of the tutorial, which clusters deployed before the recommended labels keep: a
// StatefulSet's selector cannot change in place). See docs/labels.md.
// @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/

/** The label schemes `selectorLabels` accepts. */
export const LABEL_SCHEMES = ["recommended", "legacy"] as const;
export type LabelScheme = (typeof LABEL_SCHEMES)[number];

/**
 * `app.kubernetes.io/name` of every object: this package's name, as a Helm chart puts its chart's name there.
 * Not "mysql": another chart's MySQL (Bitnami's, installed as release "mysql") would then carry the same name
 * and instance as a cluster named "mysql", and the Services would select its pods.
 */
export const APP_NAME = "mysql-statefulset";
/** `app.kubernetes.io/managed-by`: the tool that manages the objects. */
export const MANAGED_BY = "pulumi";
/** `app.kubernetes.io/component` of the server pods and of the backup Job's pods. */
export const COMPONENTS = { database: "database", backup: "backup" } as const;

/** A workload's labels: those on its pods (and objects), and the subset its selectors match on. */
export interface WorkloadLabels {
    /** Every label the pods carry; the objects of the cluster carry the same. */
    readonly labels: Readonly<Record<string, string>>;
    /** The labels the selectors match: unique to this workload within the namespace, and never changed. */
    readonly selector: Readonly<Record<string, string>>;
}

/**
 * The labels of one of the cluster's workloads (`database`: the StatefulSet's pods; `backup`: the backup Job's).
 * `recommended`: name, instance and component select (the StatefulSet's name is unique in its namespace, the
 * component tells the server pods from the backup pods); managed-by is carried, not selected. `legacy`: `app`
 * alone, `<name>` and `<name>-backup`, exactly as clusters deployed before had them.
 */
export function workloadLabels(scheme: LabelScheme, name: string, component: keyof typeof COMPONENTS): WorkloadLabels {
    if (scheme === "legacy") {
        const app = { app: component === "database" ? name : `${name}-${component}` };
        return { labels: app, selector: app };
    }
    const selector = {
        "app.kubernetes.io/name": APP_NAME,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": COMPONENTS[component],
    };
    return { labels: { ...selector, "app.kubernetes.io/managed-by": MANAGED_BY }, selector };
}
