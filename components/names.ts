// Every Kubernetes name the cluster's DNS contract depends on, derived from the cluster name and the
// namespace in one place, so the Services, the StatefulSet, the volumes and the outputs cannot disagree.

import { MAX_REPLICAS, VOLUMES } from "./constants";
import { LabelScheme, workloadLabels } from "./labels";

export interface ClusterNames {
    /** The StatefulSet; its pods are `<statefulSet>-<ordinal>`. */
    readonly statefulSet: string;
    /** The headless Service that is the StatefulSet's `serviceName` (stable pod DNS names). */
    readonly headlessService: string;
    /** The Service that balances reads over every Ready pod. */
    readonly readService: string;
    /**
     * The headless Service that publishes every pod's address, Ready or not (`publishNotReadyAddresses`):
     * mysql-0, starting on an empty data directory, asks through it whether a peer still holds the data.
     */
    readonly peerService: string;
    /** The peer Service's fully qualified name: it resolves to the address of every pod of the StatefulSet. */
    readonly peerServiceFqdn: string;
    /** The ConfigMap with the my.cnf files. */
    readonly configMap: string;
    /** The ConfigMap with the pod scripts. */
    readonly scriptsConfigMap: string;
    /** The Secret with the passwords (root, replication, backup, application). */
    readonly secret: string;
    /** The Secret with the cluster's CA certificate, its certificate and key (clone stream, replication, clients). */
    readonly tlsSecret: string;
    /** The PodDisruptionBudget: at most one pod down for a drain. */
    readonly podDisruptionBudget: string;
    /** The pods' ServiceAccount (no API token mounted). */
    readonly serviceAccount: string;
    /** The NetworkPolicy of the clone port. */
    readonly clonePolicy: string;
    /** The NetworkPolicy of the MySQL port. */
    readonly mysqlPolicy: string;
    /** DNS names the cluster's certificate holds: every pod's, the read Service's, and localhost. */
    readonly certificateDnsNames: readonly string[];
    /** The labels on every pod of the StatefulSet, and on every object of the cluster. */
    readonly podLabels: Readonly<Record<string, string>>;
    /**
     * The labels that select the StatefulSet's pods, a subset of `podLabels`: the StatefulSet's selector, both
     * Services', the PodDisruptionBudget's, the NetworkPolicies' and the pod (anti-)affinity's.
     */
    readonly podSelector: Readonly<Record<string, string>>;
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
    /** The backup volume (cluster-scoped, so it carries the namespace). */
    readonly backupVolume: string;
    /** The claim of the backup volume, made by the component (not by the StatefulSet). */
    readonly backupClaim: string;
    /** The CronJob that takes the scheduled backups. */
    readonly backupCronJob: string;
    /**
     * The labels of the backup Job's pods: not the cluster's pod labels, which the Services select, but
     * their own, which the clone port's NetworkPolicy admits.
     */
    readonly backupPodLabels: Readonly<Record<string, string>>;
    /** The labels that select the backup Job's pods (the clone port's NetworkPolicy), a subset of `backupPodLabels`. */
    readonly backupPodSelector: Readonly<Record<string, string>>;
    /** The exporter's Secret (its option file), its NetworkPolicy, and the dashboard's ConfigMap (`metrics`). */
    readonly metricsSecret: string;
    readonly metricsPolicy: string;
    readonly dashboard: string;
    /** The PodMonitor and the PrometheusRule (`monitoringCrds`). */
    readonly podMonitor: string;
    readonly prometheusRule: string;
    /** The read Service's fully qualified name. */
    readonly readServiceFqdn: string;
    /**
     * The headless Service's fully qualified name, the domain of every pod's FQDN. Pods reach each other by
     * FQDN: TLS verification (OpenSSL's host check) matches `*.<this>`, never a one-label wildcard like `*.mysql`.
     */
    readonly peerDomain: string;
}

/** The names of a cluster; `labels` is the `selectorLabels` setting (see labels.ts). */
export function clusterNames(name: string, namespace: string, clusterDomain: string, labels: LabelScheme): ClusterNames {
    const statefulSet = name;
    const headlessService = name;
    const pod = (ordinal: number) => `${statefulSet}-${ordinal}`;
    const podHost = (ordinal: number) => `${pod(ordinal)}.${headlessService}`;
    const readService = `${name}-read`;
    const peerService = `${name}-peers`;
    const peerDomain = `${headlessService}.${namespace}.svc.${clusterDomain}`;
    const pods = workloadLabels(labels, name, "database");
    const backupPods = workloadLabels(labels, name, "backup");
    return {
        statefulSet,
        headlessService,
        readService,
        peerService,
        peerServiceFqdn: `${peerService}.${namespace}.svc.${clusterDomain}`,
        configMap: name,
        scriptsConfigMap: `${name}-scripts`,
        secret: `${name}-credentials`,
        tlsSecret: `${name}-tls`,
        podDisruptionBudget: name,
        serviceAccount: name,
        clonePolicy: `${name}-clone`,
        mysqlPolicy: `${name}-mysql`,
        // Wildcards over the qualified names, so scaling never changes the certificate. The short host of each
        // pod (`mysql-0.mysql`, the primaryHost output) is listed one by one for every ordinal a cluster may
        // have: OpenSSL's host check refuses `*.mysql` (a wildcard needs two labels after it).
        certificateDnsNames: [
            ...[`${headlessService}.${namespace}`, `${headlessService}.${namespace}.svc`, peerDomain].map((domain) => `*.${domain}`),
            readService,
            `${readService}.${namespace}`,
            `${readService}.${namespace}.svc`,
            `${readService}.${namespace}.svc.${clusterDomain}`,
            "localhost",
            ...Array.from({ length: MAX_REPLICAS }, (_, ordinal) => podHost(ordinal)),
        ],
        podLabels: pods.labels,
        podSelector: pods.selector,
        pod,
        podHost,
        podFqdn: (ordinal) => `${pod(ordinal)}.${peerDomain}`,
        claim: (ordinal) => `${VOLUMES.data}-${pod(ordinal)}`,
        persistentVolume: (ordinal) => `${namespace}-${pod(ordinal)}-${VOLUMES.data}`,
        backupVolume: `${namespace}-${name}-${VOLUMES.backups}`,
        backupClaim: `${name}-${VOLUMES.backups}`,
        backupCronJob: `${name}-backup`,
        backupPodLabels: backupPods.labels,
        backupPodSelector: backupPods.selector,
        metricsSecret: `${name}-metrics`,
        metricsPolicy: `${name}-metrics`,
        dashboard: `${name}-dashboard`,
        podMonitor: name,
        prometheusRule: name,
        readServiceFqdn: `${readService}.${namespace}.svc.${clusterDomain}`,
        peerDomain,
    };
}
