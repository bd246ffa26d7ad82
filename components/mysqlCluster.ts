// MySqlCluster: a replicated MySQL/MariaDB cluster on Kubernetes (the tutorial "Run a Replicated Stateful
// Application"). Thin by design: it checks the settings, then wires the pure builders' specs into child
// resources. All decisions about the objects live in ./builders.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MySqlClusterArgs, requireRootPassword, resolveArgs } from "./args";
import * as build from "./builders";
import { COMPONENT_TYPE } from "./constants";
import { clusterNames } from "./names";

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
    /** The Secret holding the root password (key `root-password`). */
    public readonly secretName: pulumi.Output<string>;
    /** The root password, as a Pulumi secret. */
    public readonly rootPassword: pulumi.Output<string>;

    constructor(name: string, args: MySqlClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before the component registers, so a bad setting touches nothing.
        const settings = resolveArgs(args);
        super(COMPONENT_TYPE, name, {}, opts);
        const names = clusterNames(settings.name, settings.namespace, settings.clusterDomain);
        const parent = { parent: this };

        const password =
            settings.rootPassword !== undefined
                ? pulumi.output(settings.rootPassword).apply(requireRootPassword)
                : new random.RandomPassword(`${name}-root-password`, { length: 32, special: false }, parent).result;
        this.rootPassword = pulumi.secret(password);

        const secret = new k8s.core.v1.Secret(`${name}-credentials`, build.rootSecret(settings, names, this.rootPassword), parent);
        const volumes = build
            .persistentVolumes(settings, names)
            // retainOnDelete: `pulumi destroy` leaves the volumes (and so the data) in the cluster.
            .map((spec, ordinal) => new k8s.core.v1.PersistentVolume(`${name}-pv-${ordinal}`, spec, { ...parent, retainOnDelete: true }));
        const config = new k8s.core.v1.ConfigMap(`${name}-config`, build.configMap(settings, names), parent);
        const scripts = new k8s.core.v1.ConfigMap(`${name}-scripts`, build.scriptsConfigMap(settings, names), parent);
        const headless = new k8s.core.v1.Service(`${name}-headless`, build.headlessService(settings, names), parent);
        new k8s.core.v1.Service(`${name}-read`, build.readService(settings, names), parent);
        new k8s.apps.v1.StatefulSet(`${name}-statefulset`, build.statefulSet(settings, names), {
            ...parent,
            dependsOn: [secret, config, scripts, headless, ...volumes],
        });

        this.primaryHost = pulumi.output(names.podHost(0));
        this.primaryFqdn = pulumi.output(names.podFqdn(0));
        this.readEndpoint = pulumi.output(`${names.readServiceFqdn}:${settings.port}`);
        this.port = pulumi.output(settings.port);
        this.namespace = pulumi.output(settings.namespace);
        this.secretName = secret.metadata.name;
        this.registerOutputs({
            primaryHost: this.primaryHost,
            primaryFqdn: this.primaryFqdn,
            readEndpoint: this.readEndpoint,
            port: this.port,
            namespace: this.namespace,
            secretName: this.secretName,
            rootPassword: this.rootPassword,
        });
    }
}
