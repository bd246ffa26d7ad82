// The policy pack's rules (policy/policies.ts), each run against resources that pass and resources that
// fail, then all of them against what the dev and prod stacks render.
import * as assert from "assert";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs } from "@pulumi/policy";
import {
    imageProblem,
    imagesPinned,
    noPlainTextPasswords,
    POLICIES,
    productionAvailability,
    statefulSetReplaceKeepsPods,
    TYPES,
    volumesRetained,
} from "../../policy/policies";
import { render } from "../../scripts/render";
import * as path from "path";

const OPTS = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

function resourceArgs(type: string, props: any, opts: Partial<typeof OPTS> = {}): ResourceValidationArgs {
    const name = props?.metadata?.name ?? "r";
    return {
        type,
        props,
        urn: `urn:pulumi:test::p::${type}::${name}`,
        name,
        opts: { ...OPTS, ...opts },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T>() => ({}) as T,
        notApplicable: () => {
            throw new Error("not applicable");
        },
    } as unknown as ResourceValidationArgs;
}

/** Runs a resource policy's validation (each of them is one function). */
function validate(policy: ResourceValidationPolicy, args: ResourceValidationArgs, report: (message: string) => void): void {
    const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
    for (const validation of validations) {
        // The violations are read right after: a validation that went async would report them too late.
        assert.strictEqual(validation(args, report), undefined, `${policy.name} validates synchronously`);
    }
}

/** The violations one resource policy reports for one resource. */
function check(policy: ResourceValidationPolicy, type: string, props: any, opts: Partial<typeof OPTS> = {}): string[] {
    const violations: string[] = [];
    validate(policy, resourceArgs(type, props, opts), (message) => violations.push(message));
    return violations;
}

function stackArgs(
    resources: Array<{ type: string; props: any }>,
    tags: Record<string, string> = {},
    config: object = {},
): StackValidationArgs {
    return {
        resources: resources.map(
            (r, i) =>
                ({
                    ...r,
                    urn: `urn:${i}`,
                    name: r.props.metadata?.name ?? `r${i}`,
                    opts: OPTS,
                    dependencies: [],
                    propertyDependencies: {},
                    isType: () => false,
                    asType: () => undefined,
                }) as unknown as PolicyResource,
        ),
        stackTags: new Map(Object.entries(tags)),
        getConfig: <T>() => config as T,
        notApplicable: () => {
            throw new Error("not applicable");
        },
    } as unknown as StackValidationArgs;
}

function checkStack(resources: Array<{ type: string; props: any }>, tags: Record<string, string> = {}, config: object = {}): string[] {
    const violations: string[] = [];
    const result = productionAvailability.validateStack(stackArgs(resources, tags, config), (message) => violations.push(message));
    assert.strictEqual(result, undefined, "the stack policy validates synchronously");
    return violations;
}

const LABELS = { app: "mysql" };
/** What the component renders for a cluster (selectorLabels' default), less its instance. */
const RECOMMENDED_SELECTOR = { "app.kubernetes.io/name": "mysql-statefulset", "app.kubernetes.io/component": "database" };
function statefulSet(replicas: number, annotations: Record<string, string> = {}, image = "mysql:8.4") {
    return {
        type: TYPES.statefulSet,
        props: {
            metadata: { name: "mysql", namespace: "shop", annotations },
            spec: { replicas, template: { metadata: { labels: LABELS }, spec: { containers: [{ name: "mysql", image }] } } },
        },
    };
}
function budget(matchLabels: Record<string, string>, namespace = "shop") {
    return {
        type: TYPES.podDisruptionBudget,
        props: { metadata: { name: "mysql", namespace }, spec: { maxUnavailable: 1, selector: { matchLabels } } },
    };
}

describe("the policy pack", () => {
    it("volumes: Retain passes; Delete, Recycle and unset fail", () => {
        assert.deepStrictEqual(
            check(volumesRetained, TYPES.persistentVolume, {
                metadata: { name: "pv0" },
                spec: { persistentVolumeReclaimPolicy: "Retain" },
            }),
            [],
        );
        assert.deepStrictEqual(
            check(volumesRetained, TYPES.persistentVolume, {
                metadata: { name: "pv0" },
                spec: { persistentVolumeReclaimPolicy: "Delete" },
            }),
            [
                'PersistentVolume pv0 has reclaim policy "Delete": set spec.persistentVolumeReclaimPolicy to "Retain" so that deleting it or its claim keeps the data.',
            ],
        );
        assert.strictEqual(
            check(volumesRetained, TYPES.persistentVolume, {
                metadata: { name: "pv0" },
                spec: { persistentVolumeReclaimPolicy: "Recycle" },
            }).length,
            1,
        );
        assert.strictEqual(check(volumesRetained, TYPES.persistentVolume, { metadata: { name: "pv0" }, spec: {} }).length, 1);
        assert.deepStrictEqual(check(volumesRetained, TYPES.configMap, { metadata: { name: "c" } }), []);
    });

    it("StatefulSet: orphaning deletes or `protect` pass; a cascading delete fails", () => {
        assert.deepStrictEqual(
            check(
                statefulSetReplaceKeepsPods,
                TYPES.statefulSet,
                statefulSet(3, { "pulumi.com/deletionPropagationPolicy": "orphan" }).props,
            ),
            [],
        );
        assert.deepStrictEqual(check(statefulSetReplaceKeepsPods, TYPES.statefulSet, statefulSet(3).props, { protect: true }), []);
        assert.deepStrictEqual(check(statefulSetReplaceKeepsPods, TYPES.statefulSet, statefulSet(3).props), [
            "StatefulSet mysql would be replaced with a cascading delete of its pods: annotate it pulumi.com/deletionPropagationPolicy: orphan, or give it the resource option protect: true.",
        ]);
        assert.strictEqual(
            check(
                statefulSetReplaceKeepsPods,
                TYPES.statefulSet,
                statefulSet(3, { "pulumi.com/deletionPropagationPolicy": "foreground" }).props,
            ).length,
            1,
        );
    });

    it("passwords: env from a Secret, option files and Secrets pass; env values, command lines, ConfigMaps and annotations fail", () => {
        const pod = (container: object, annotations = {}) => ({
            metadata: { name: "p", annotations },
            spec: { containers: [{ name: "c", image: "mysql:8.4", ...container }] },
        });
        const ok = [
            pod({
                env: [
                    { name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
                    { name: "MYSQL_ROOT_PASSWORD_FILE", value: "/etc/x" },
                    { name: "ROOT_PASSWORD_KEY", value: "root-password" },
                ],
            }),
            pod({ command: ["mysql", "--defaults-extra-file=/etc/mysql-credentials/root.cnf", "-e", "SELECT 1"] }),
        ];
        for (const props of ok) {
            assert.deepStrictEqual(check(noPlainTextPasswords, "kubernetes:core/v1:Pod", props), []);
        }
        assert.deepStrictEqual(
            check(noPlainTextPasswords, TYPES.secret, { metadata: { name: "s" }, stringData: { password: "hunter2" } }),
            [],
        );
        assert.deepStrictEqual(
            check(noPlainTextPasswords, "kubernetes:core/v1:Pod", pod({ env: [{ name: "MYSQL_ROOT_PASSWORD", value: "hunter2" }] })),
            ["p: container c has the password MYSQL_ROOT_PASSWORD in plain text: use valueFrom.secretKeyRef or a mounted Secret."],
        );
        assert.deepStrictEqual(check(noPlainTextPasswords, "kubernetes:core/v1:Pod", pod({ command: ["mysql", "-uroot", "-phunter2"] })), [
            "p: container c has a password on its command line: read it from a file of a mounted Secret.",
        ]);
        assert.strictEqual(check(noPlainTextPasswords, "kubernetes:core/v1:Pod", pod({ args: ["--password=hunter2"] })).length, 1);
        assert.strictEqual(
            check(noPlainTextPasswords, "kubernetes:core/v1:Pod", pod({ args: ["-e", "CREATE USER a IDENTIFIED BY 'hunter2'"] })).length,
            1,
        );
        assert.deepStrictEqual(
            check(noPlainTextPasswords, TYPES.configMap, {
                metadata: { name: "cnf" },
                data: { "client.cnf": "[client]\nuser=root\npassword=hunter2\n" },
            }),
            ["ConfigMap cnf: client.cnf holds a password in plain text: move it to a Secret."],
        );
        assert.strictEqual(check(noPlainTextPasswords, "kubernetes:core/v1:Pod", pod({}, { "db-password": "hunter2" })).length, 1);
        const sts = statefulSet(3);
        (sts.props.spec.template.spec.containers[0] as any).env = [{ name: "DB_PASS", value: "x" }];
        assert.strictEqual(check(noPlainTextPasswords, TYPES.statefulSet, sts.props).length, 1);
    });

    it("images: tags and digests pass; latest and no tag fail, in init containers too", () => {
        for (const image of [
            "mysql:8.4",
            "registry.local:5000/mirror/mysql:8.4.3",
            `mysql@sha256:${"a".repeat(64)}`,
            `mysql:8.4@sha256:${"b".repeat(64)}`,
        ]) {
            assert.strictEqual(imageProblem(image), undefined, image);
        }
        assert.strictEqual(imageProblem("mysql:latest"), "uses mysql:latest: pin a version tag or a digest instead of latest.");
        assert.strictEqual(
            imageProblem("registry.local:5000/mysql"),
            "uses registry.local:5000/mysql without a tag, which means latest: pin a version tag or a digest.",
        );
        assert.deepStrictEqual(check(imagesPinned, TYPES.statefulSet, statefulSet(3, {}, "mysql").props), [
            "mysql: container mysql uses mysql without a tag, which means latest: pin a version tag or a digest.",
        ]);
        const withInit = statefulSet(3);
        (withInit.props.spec.template.spec as any).initContainers = [{ name: "init", image: "busybox:latest" }];
        assert.deepStrictEqual(check(imagesPinned, TYPES.statefulSet, withInit.props), [
            "mysql: container init uses busybox:latest: pin a version tag or a digest instead of latest.",
        ]);
        const cron = {
            metadata: { name: "backup" },
            spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "b", image: "x" }] } } } } },
        };
        assert.strictEqual(check(imagesPinned, "kubernetes:batch/v1:CronJob", cron).length, 1);
    });

    it("production: 3 replicas and a matching PodDisruptionBudget pass; fewer pods or no matching budget fail", () => {
        const production = { environment: "production" };
        assert.deepStrictEqual(checkStack([statefulSet(3), budget(LABELS)], production), []);
        assert.deepStrictEqual(checkStack([statefulSet(2), budget(LABELS)], production), [
            "StatefulSet mysql has 2 replicas on a production stack: at least 3 are needed.",
        ]);
        assert.deepStrictEqual(checkStack([statefulSet(3)], production), [
            'StatefulSet mysql has no PodDisruptionBudget in namespace shop whose selector matches its pod labels {"app":"mysql"}.',
        ]);
        assert.strictEqual(checkStack([statefulSet(3), budget({ app: "other" })], production).length, 1, "a budget for other pods");
        assert.strictEqual(checkStack([statefulSet(3), budget(LABELS, "default")], production).length, 1, "a budget in another namespace");
        assert.strictEqual(checkStack([statefulSet(3), budget({})], production).length, 1, "an empty selector");
        // Marked by policy config instead of the tag, with its own minimum.
        assert.strictEqual(checkStack([statefulSet(3), budget(LABELS)], {}, { production: true, minReplicas: 5 }).length, 1);
        // Not production: nothing is required.
        assert.deepStrictEqual(checkStack([statefulSet(1)], { environment: "dev" }), []);
        assert.deepStrictEqual(checkStack([statefulSet(1)]), []);
    });

    it("on what the dev and prod stacks render: no violation, marked production too, as each renders its budget; without it, the violation", async () => {
        for (const stack of ["dev", "prod"]) {
            const objects = await render({ stack, configFile: path.join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), overrides: [] });
            const resources = objects.map((o) => ({ type: typeToken(o), props: o }));
            const violations: string[] = [];
            for (const policy of POLICIES) {
                if ("validateResource" in policy) {
                    for (const r of resources) {
                        validate(policy, resourceArgs(r.type, r.props), (m) => violations.push(`${policy.name}: ${m}`));
                    }
                }
            }
            assert.deepStrictEqual(violations, [], stack);
            // The component renders one budget, selecting the StatefulSet's pods.
            const namespace = stack === "prod" ? "databases" : "default";
            assert.deepStrictEqual(
                resources
                    .filter((r) => r.type === TYPES.podDisruptionBudget)
                    .map((r: any) => [r.props.metadata.name, r.props.metadata.namespace, r.props.spec]),
                [
                    [
                        "mysql",
                        namespace,
                        {
                            maxUnavailable: 1,
                            selector: { matchLabels: { ...RECOMMENDED_SELECTOR, "app.kubernetes.io/instance": "mysql" } },
                        },
                    ],
                ],
                stack,
            );
            assert.deepStrictEqual(checkStack(resources, { environment: "production" }), [], stack);
            // The same render without its budget: the production check names the StatefulSet.
            const withoutBudget = resources.filter((r) => r.type !== TYPES.podDisruptionBudget);
            assert.deepStrictEqual(
                checkStack(withoutBudget, { environment: "production" }),
                [
                    `StatefulSet mysql has no PodDisruptionBudget in namespace ${namespace} whose selector matches its pod labels {"app.kubernetes.io/component":"database","app.kubernetes.io/instance":"mysql","app.kubernetes.io/managed-by":"pulumi","app.kubernetes.io/name":"mysql-statefulset"}.`,
                ],
                stack,
            );
        }
    });
});

/** The Pulumi type token of a rendered Kubernetes object. */
function typeToken(o: { apiVersion: string; kind: string }): string {
    return `kubernetes:${o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
}
