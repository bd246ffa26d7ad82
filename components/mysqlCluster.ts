// MySqlCluster: a replicated MySQL/MariaDB cluster on Kubernetes (the tutorial "Run a Replicated Stateful
// Application"). Thin by design: it checks the settings, then wires the pure builders' specs into child
// resources. All decisions about the objects live in ./builders.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { MySqlClusterArgs, requirePassword, resolveArgs } from "./args";
import * as build from "./builders";
import { ChangeGuard, guardInputs } from "./changeGuard";
import { COMPONENT_TYPE } from "./constants";
import { clusterNames } from "./names";
import { readClusterPodScripts } from "./podScripts";

/**
 * A replicated MySQL or MariaDB cluster on Kubernetes: a StatefulSet whose pod 0 is the primary and whose
 * other pods clone the previous pod and replicate from the primary, each on its own NFS PersistentVolume.
 */
export class MySqlCluster extends pulumi.ComponentResource {
    /** The primary's name inside the namespace, e.g. `mysql-0.mysql`: connect here to write. */
    public readonly primaryHost: pulumi.Output<string>;
    /** The primary's fully qualified name, e.g. `mysql-0.mysql.default.svc.cluster.local`. */
    public readonly primaryFqdn: pulumi.Output<string>;
    /** `host:port` of the read Service, balancing over every Ready pod. */
    public readonly readEndpoint: pulumi.Output<string>;
    /** The MySQL port of every pod and Service. */
    public readonly port: pulumi.Output<number>;
    /** The namespace of the namespaced objects. */
    public readonly namespace: pulumi.Output<string>;
    /** The Secret holding the passwords (keys `root-password`, `replication-password`, `backup-password`, `app-password`). */
    public readonly secretName: pulumi.Output<string>;
    /** The Secret holding the cluster's CA certificate (`ca.crt`), for clients that verify the server. */
    public readonly tlsSecretName: pulumi.Output<string>;
    /** The cluster's CA certificate (PEM): clients verify the servers' certificates against it. */
    public readonly caCertificate: pulumi.Output<string>;
    /** The root password, as a Pulumi secret. */
    public readonly rootPassword: pulumi.Output<string>;
    /** The application user's password, as a Pulumi secret (when `appUser` is set). */
    public readonly appPassword: pulumi.Output<string | undefined>;

    constructor(name: string, args: MySqlClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before the component registers, so a bad setting touches nothing.
        const settings = resolveArgs(args);
        super(COMPONENT_TYPE, name, {}, opts);
        const names = clusterNames(settings.name, settings.namespace, settings.clusterDomain, settings.selectorLabels);
        const own = { parent: this };

        // Each password: the one given (checked once known), or 32 generated characters kept in the state.
        const password = (key: string, given: pulumi.Input<string> | undefined, role: string, flavor?: typeof settings.flavor) =>
            pulumi.secret(
                given !== undefined
                    ? pulumi.output(given).apply((value) => requirePassword(key, value, flavor))
                    : new random.RandomPassword(`${name}-${role}-password`, { length: 32, special: false }, own).result,
            );
        const passwords: build.Passwords = {
            root: password("rootPassword", settings.rootPassword, "root"),
            replication: password("replicationPassword", settings.replicationPassword, "replication", settings.flavor),
            backup: password("backupPassword", settings.backupPassword, "backup"),
            app: settings.appUser !== undefined ? password("appPassword", settings.appPassword, "app") : undefined,
        };
        // A guarded change (see changeGuard.ts) fails the guard's check, in preview and before any step of an
        // update; every Kubernetes object waits for the guard, so nothing is touched.
        const guard = new ChangeGuard(`${name}-change-guard`, guardInputs(settings, names), own);
        const guarded = { parent: this, dependsOn: [guard] };
        this.rootPassword = pulumi.output(passwords.root);
        this.appPassword = passwords.app === undefined ? pulumi.output(undefined) : pulumi.output(passwords.app);

        // The cluster's own CA and one certificate for every pod (wildcard names, so scaling keeps it).
        const certificate = build.certificateSpecs(names);
        const caKey = new tls.PrivateKey(`${name}-ca-key`, certificate.key, own);
        const ca = new tls.SelfSignedCert(`${name}-ca`, { ...certificate.ca, privateKeyPem: caKey.privateKeyPem }, own);
        const key = new tls.PrivateKey(`${name}-tls-key`, certificate.key, own);
        const request = new tls.CertRequest(`${name}-tls-request`, { ...certificate.request, privateKeyPem: key.privateKeyPem }, own);
        const cert = new tls.LocallySignedCert(
            `${name}-tls-cert`,
            { ...certificate.cert, certRequestPem: request.certRequestPem, caPrivateKeyPem: caKey.privateKeyPem, caCertPem: ca.certPem },
            own,
        );
        this.caCertificate = ca.certPem;

        const secret = new k8s.core.v1.Secret(`${name}-credentials`, build.credentialsSecret(settings, names), guarded);
        // The passwords, applied to that Secret in place (a rotation is an update, never a delete and create).
        const secretData = new k8s.core.v1.SecretPatch(
            `${name}-credentials-data`,
            build.credentialsSecretData(settings, names, passwords),
            {
                ...guarded,
                dependsOn: [guard, secret],
            },
        );
        const tlsSecret = new k8s.core.v1.Secret(
            `${name}-tls`,
            build.tlsSecret(settings, names, { caCert: ca.certPem, cert: cert.certPem, key: key.privateKeyPem }),
            guarded,
        );
        const volumes = build
            .persistentVolumes(settings, names)
            // retainOnDelete: `pulumi destroy` leaves the volumes (and so the data) in the cluster.
            // ignoreChanges: a bound volume's claimRef is the volume controller's (see builders/engine.ts).
            .map(
                (spec, ordinal) =>
                    new k8s.core.v1.PersistentVolume(`${name}-pv-${ordinal}`, spec, {
                        ...guarded,
                        retainOnDelete: true,
                        ignoreChanges: [...build.VOLUME_IGNORE_CHANGES],
                    }),
            );
        const podScripts = readClusterPodScripts(settings.metrics);
        const config = new k8s.core.v1.ConfigMap(`${name}-config`, build.configMap(settings, names), guarded);
        const scripts = new k8s.core.v1.ConfigMap(`${name}-scripts`, build.scriptsConfigMap(settings, names, podScripts), guarded);
        const headless = new k8s.core.v1.Service(`${name}-headless`, build.headlessService(settings, names), guarded);
        new k8s.core.v1.Service(`${name}-read`, build.readService(settings, names), guarded);
        // Before the pods: mysql-0's empty-data guard finds its peers through it.
        const peers = new k8s.core.v1.Service(`${name}-peers`, build.peerService(settings, names), guarded);
        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-service-account`, build.serviceAccount(settings, names), guarded);
        new k8s.policy.v1.PodDisruptionBudget(`${name}-disruption-budget`, build.podDisruptionBudget(settings, names), guarded);
        for (const [port, spec] of Object.entries(build.networkPolicies(settings, names))) {
            // retainOnDelete: `pulumi destroy` orphans the pods (they keep running until deleted by hand), so their
            // policies stay with them; without, the clone port would serve a full copy to any pod in between.
            new k8s.networking.v1.NetworkPolicy(`${name}-${port}-policy`, spec, { ...guarded, retainOnDelete: true });
        }
        // The backup volume and its claim (with `backupNfsPath`), kept on delete like the data volumes.
        const backupVolumeSpec = build.backupVolume(settings, names);
        const backupClaimSpec = build.backupClaim(settings, names);
        const backupClaim =
            backupVolumeSpec && backupClaimSpec
                ? new k8s.core.v1.PersistentVolumeClaim(`${name}-backup-claim`, backupClaimSpec, {
                      ...guarded,
                      retainOnDelete: true,
                      dependsOn: [
                          guard,
                          new k8s.core.v1.PersistentVolume(`${name}-backup-pv`, backupVolumeSpec, {
                              ...guarded,
                              retainOnDelete: true,
                              ignoreChanges: [...build.VOLUME_IGNORE_CHANGES],
                          }),
                      ],
                  })
                : undefined;
        const restoring = settings.restoreFrom !== undefined && backupClaim !== undefined ? [backupClaim] : [];
        // The cluster's identity for the life of the stack, recorded beside each pod's data directory: a pod of
        // another cluster (another stack, or this one after `name` or `namespace` changed) refuses that data.
        const clusterUid = new random.RandomUuid(`${name}-cluster-uid`, {}, own);
        // The exporter's Secret (`metrics`): its pods mount it.
        const metricsSecret = settings.metrics
            ? [
                  new k8s.core.v1.Secret(
                      `${name}-metrics`,
                      build.metricsSecret(
                          settings,
                          names,
                          new random.RandomPassword(`${name}-exporter-password`, { length: 32, special: false }, own).result,
                      ),
                      guarded,
                  ),
              ]
            : [];
        const statefulSet = new k8s.apps.v1.StatefulSet(
            `${name}-statefulset`,
            build.statefulSet(settings, names, podScripts, clusterUid.result),
            {
                ...guarded,
                dependsOn: [
                    guard,
                    secret,
                    secretData,
                    tlsSecret,
                    config,
                    scripts,
                    headless,
                    peers,
                    serviceAccount,
                    ...volumes,
                    ...restoring,
                    ...metricsSecret,
                ],
                // The await needs every pod Ready on the current revision: a bound that follows from the settings.
                customTimeouts: build.statefulSetTimeouts(settings),
            },
        );
        // The dashboard, and with `monitoringCrds` the PodMonitor and the alerts, which only a cluster with the
        // Prometheus Operator's CRDs can take.
        const dashboardSpec = build.dashboardConfigMap(settings, names);
        if (dashboardSpec !== undefined) {
            new k8s.core.v1.ConfigMap(`${name}-dashboard`, dashboardSpec, guarded);
        }
        for (const [role, spec] of [
            ["pod-monitor", build.podMonitor(settings, names)],
            ["alerts", build.prometheusRule(settings, names)],
        ] as const) {
            if (spec !== undefined) {
                new k8s.apiextensions.CustomResource(`${name}-${role}`, spec, guarded);
            }
        }
        const cronJobSpec = build.backupCronJob(settings, names, podScripts, clusterUid.result);
        if (cronJobSpec !== undefined) {
            // Without the backup volume (a bucket only) the Job stages on the node's disk.
            new k8s.batch.v1.CronJob(`${name}-backup`, cronJobSpec, {
                ...guarded,
                dependsOn: [guard, ...(backupClaim === undefined ? [] : [backupClaim]), scripts, tlsSecret, statefulSet],
            });
        }

        this.primaryHost = pulumi.output(names.podHost(0));
        this.primaryFqdn = pulumi.output(names.podFqdn(0));
        this.readEndpoint = pulumi.output(`${names.readServiceFqdn}:${settings.port}`);
        this.port = pulumi.output(settings.port);
        this.namespace = pulumi.output(settings.namespace);
        this.secretName = secret.metadata.name;
        this.tlsSecretName = tlsSecret.metadata.name;
        this.registerOutputs({
            primaryHost: this.primaryHost,
            primaryFqdn: this.primaryFqdn,
            readEndpoint: this.readEndpoint,
            port: this.port,
            namespace: this.namespace,
            secretName: this.secretName,
            tlsSecretName: this.tlsSecretName,
            caCertificate: this.caCertificate,
            rootPassword: this.rootPassword,
            appPassword: this.appPassword,
        });
    }
}
