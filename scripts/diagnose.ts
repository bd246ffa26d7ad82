// One-command diagnosis of a deployed cluster: runs the tutorial's debugging steps with kubectl for one
// stack's namespace and name (pods, events, claims and volumes, each container's logs, every replica's
// replication status) and prints a report with one verdict per pod. Exit 0 when every pod is OK, 2 when
// one is not, 1 when the diagnosis itself could not run. The verdicts are in ./diagnose/verdict.ts, the
// kubectl calls in ./diagnose/kubectl.ts.
//
//   npm run diagnose -- [--stack NAME | --config-file FILE] [--pod NAME-N] [--kubectl PATH] [--context CTX]

import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { FLAVORS } from "../components/flavors";
import { LABEL_SCHEMES, LabelScheme } from "../components/labels";
import { clusterNames } from "../components/names";
import { collect, DiagnoseError, kubectlRunner, Runner } from "./diagnose/kubectl";
import { podVerdict, report, Target } from "./diagnose/verdict";
import { loadConfig, RenderError, ROOT, parseStackCommandLine } from "./render/stackConfig";

export const USAGE = `Usage: npm run diagnose -- [--stack NAME | --config-file FILE] [--pod NAME-N] [--kubectl PATH] [--context CONTEXT]

Diagnoses a deployed cluster with kubectl (read-only): its pods and their events, what each pod script
reported (its container's termination message, or its status file while it runs), each container's logs
(the previous run's too), the claims and volumes, and every replica's replication status, read with root's
option file inside the pod. Prints a report, then one verdict per pod.

  -s, --stack NAME         the stack whose Pulumi.NAME.yaml gives the name and namespace (default: dev)
      --config-file FILE   read the stack's config from FILE instead
  -p, --pod NAME-N         diagnose this pod only (e.g. mysql-1)
      --kubectl PATH       the kubectl to run (default: $KUBECTL, else kubectl on the PATH)
      --context CONTEXT    the kubeconfig context (default: the stack's kubernetes:context, else the current one)
  -h, --help               print this help

Exit status: 0 when every pod is OK; 2 when a pod is not (the verdicts say why); 1 when the diagnosis
could not run (a bad option or stack, kubectl missing, the cluster unreachable), with a message on stderr.
`;

export interface DiagnoseOptions {
    stack: string;
    configFile: string;
    pod?: string;
    kubectl?: string;
    context?: string;
}

/** The command line, or `undefined` when help was asked for. */
export function parseArgs(argv: string[]): DiagnoseOptions | undefined {
    let values: ReturnType<typeof parseCommandLine>["values"];
    try {
        values = parseCommandLine(argv).values;
    } catch (error) {
        throw new DiagnoseError(`${(error as Error).message.split(". ")[0]}. Run with --help for the options.`);
    }
    if (values.help) {
        return undefined;
    }
    const configFile = values["config-file"] === undefined ? undefined : path.resolve(values["config-file"]);
    const stack = values.stack ?? (configFile ? path.basename(configFile).replace(/^Pulumi\.|\.ya?ml$/g, "") : "dev");
    return {
        stack,
        configFile: configFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`),
        pod: values.pod,
        kubectl: values.kubectl,
        context: values.context,
    };
}

function parseCommandLine(argv: string[]) {
    return parseStackCommandLine(argv, {
        pod: { type: "string", short: "p" },
        kubectl: { type: "string" },
        context: { type: "string" },
    });
}

/** The cluster the stack deploys, from its config with Pulumi.yaml's defaults. */
export function loadTarget(options: DiagnoseOptions): Target {
    const { project, config } = loadConfig({ stack: options.stack, configFile: options.configFile, overrides: [] });
    const get = (key: string) => config[`${project}:${key}`];
    const flavor = FLAVORS[get("flavor")];
    if (flavor === undefined) {
        throw new DiagnoseError(
            `\`flavor\` is "${get("flavor")}" in ${path.basename(options.configFile)}: write one of ${Object.keys(FLAVORS).join(", ")}.`,
        );
    }
    const labels = get("selectorLabels");
    if (!(LABEL_SCHEMES as readonly string[]).includes(labels)) {
        throw new DiagnoseError(
            `\`selectorLabels\` is "${labels}" in ${path.basename(options.configFile)}: write one of ${LABEL_SCHEMES.join(", ")}.`,
        );
    }
    const namespace = get("namespace");
    return {
        stack: options.stack,
        name: get("name"),
        namespace,
        flavor,
        replicas: Number(get("replicas")),
        maxReplicationLagSeconds: Number(get("maxReplicationLagSeconds")),
        names: clusterNames(get("name"), namespace, get("clusterDomain"), labels as LabelScheme),
    };
}

/** The stack file's `kubernetes:context`, which `pulumi up` deploys to, if it sets one. */
function stackContext(configFile: string): string | undefined {
    const content = yaml.load(fs.readFileSync(configFile, "utf8")) as { config?: Record<string, unknown> } | undefined;
    const context = content?.config?.["kubernetes:context"];
    return typeof context === "string" ? context : undefined;
}

/** The ordinals to look at: the one asked for, or every ordinal of the stack. */
function ordinals(target: Target, pod: string | undefined): number[] {
    if (pod === undefined) {
        return Array.from({ length: target.replicas }, (_, i) => i);
    }
    const match = new RegExp(`^${target.names.statefulSet.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-([0-9]+)$`).exec(pod);
    if (!match) {
        throw new DiagnoseError(
            `--pod ${pod} is not a pod of the cluster ${target.name}: give ${target.names.pod(0)} to ${target.names.pod(target.replicas - 1)}.`,
        );
    }
    return [Number(match[1])];
}

/** What a run prints and exits with. */
export interface DiagnoseRun {
    status: number;
    stdout: string;
    stderr: string;
}

function describeError(error: unknown): string {
    if (error instanceof DiagnoseError || error instanceof RenderError) {
        return error.message;
    }
    const message = error instanceof Error ? error.message : String(error);
    return process.env.DIAGNOSE_DEBUG
        ? String(error instanceof Error ? error.stack : error)
        : `internal error: ${message}. This is a bug; please report it (DIAGNOSE_DEBUG=1 prints the stack trace).`;
}

/**
 * The whole command, in this process. `runner` replaces kubectl (the tests' recorded outputs); without it
 * the kubectl of --kubectl, $KUBECTL or the PATH runs.
 */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env, runner?: Runner): DiagnoseRun {
    try {
        const options = parseArgs(argv);
        if (options === undefined) {
            return { status: 0, stdout: USAGE, stderr: "" };
        }
        const target = loadTarget(options);
        const wanted = ordinals(target, options.pod);
        const run =
            runner ?? kubectlRunner(options.kubectl ?? env.KUBECTL ?? "kubectl", options.context ?? stackContext(options.configFile));
        const pods = collect(run, target, wanted);
        const verdicts = pods.map((facts) => podVerdict(facts, target));
        return { status: verdicts.every((v) => v.kind === "ok") ? 0 : 2, stdout: report(target, pods, verdicts), stderr: "" };
    } catch (error) {
        return { status: 1, stdout: "", stderr: `diagnose: ${describeError(error)}\n` };
    }
}

if (require.main === module) {
    const run = main(process.argv.slice(2));
    process.stdout.write(run.stdout);
    process.stderr.write(run.stderr);
    process.exitCode = run.status;
}
