// Every Kubernetes name the cluster's DNS contract depends on, derived from the cluster name and the
// namespace in one place, so the Services, the StatefulSet, the volumes and the outputs cannot disagree.

import { VOLUMES } from "./constants";

export interface ClusterNames {
    /** The StatefulSet; its pods are `<statefulSet>-<ordinal>`. */
    readonly statefulSet: string;
    /** The headless Service that is the StatefulSet's `serviceName` (stable pod DNS names). */
    readonly headlessService: string;
    /** The Service that balances reads over every Ready pod. */
    readonly readService: string;
    /** The ConfigMap with the my.cnf files. */
    readonly configMap: string;
    /** The ConfigMap with the pod scripts. */
    readonly scriptsConfigMap: string;
    /** The Secret with the root password. */
    readonly secret: string;
    /** The labels on every pod, used verbatim by both Service selectors and the StatefulSet selector. */
    readonly podLabels: Readonly<Record<string, string>>;
    /** Name of the pod with this ordinal. */
    pod(ordinal: number): string;
    /** The pod's stable host name inside the namespace, e.g. `mysql-0.mysql`. */
    podHost(ordinal: number): string;
    /** The pod's fully qualified name, e.g. `mysql-0.mysql.default.svc.cluster.local`. */
    podFqdn(ordinal: number): string;
    /** The claim the StatefulSet creates for this ordinal, e.g. `data-mysql-0`. */
    claim(ordinal: number): string;
    /** The PersistentVolume reserved for this ordinal (cluster-scoped, so it carries the namespace). */
    persistentVolume(ordinal: number): string;
    /** The read Service's fully qualified name. */
    readonly readServiceFqdn: string;
}

export function clusterNames(name: string, namespace: string, clusterDomain: string): ClusterNames {
    const statefulSet = name;
    const headlessService = name;
    const pod = (ordinal: number) => `${statefulSet}-${ordinal}`;
    const podHost = (ordinal: number) => `${pod(ordinal)}.${headlessService}`;
    const readService = `${name}-read`;
    return {
        statefulSet,
        headlessService,
        readService,
        configMap: name,
        scriptsConfigMap: `${name}-scripts`,
        secret: `${name}-credentials`,
        podLabels: { app: name },
        pod,
        podHost,
        podFqdn: (ordinal) => `${podHost(ordinal)}.${namespace}.svc.${clusterDomain}`,
        claim: (ordinal) => `${VOLUMES.data}-${pod(ordinal)}`,
        persistentVolume: (ordinal) => `${namespace}-${pod(ordinal)}-${VOLUMES.data}`,
        readServiceFqdn: `${readService}.${namespace}.svc.${clusterDomain}`,
    };
}

