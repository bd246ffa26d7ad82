// The two ConfigMaps: the servers' my.cnf files (the tutorial's primary/replica split plus the user's
// settings) and the pod scripts, read from scripts/pod/ so they stay real, shellcheck-able files.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { CONFIG_FILES, SCRIPT_FILES } from "../constants";
import { ClusterNames } from "../names";

function myCnf(lines: readonly string[]): string {
    return ["[mysqld]", ...lines, ""].join("\n");
}

/** The my.cnf files, by ConfigMap key. */
export function configFiles(args: ResolvedArgs): Record<string, string> {
    return {
        [CONFIG_FILES.primary]: myCnf(args.flavor.primaryConfig),
        [CONFIG_FILES.replica]: myCnf(args.flavor.replicaConfig),
        [CONFIG_FILES.custom]: myCnf(args.mysqldOptions),
    };
}

/** The folder with the pod scripts, found from this file whether it runs as .ts or compiled under bin/. */
function podScriptsDir(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const candidate = path.join(dir, "scripts", "pod");
        if (fs.existsSync(path.join(candidate, SCRIPT_FILES.lib))) {
            return candidate;
        }
    }
    throw new Error(`The pod scripts (scripts/pod/${SCRIPT_FILES.lib}) are missing from the package installed at ${__dirname}.`);
}

let scripts: Record<string, string> | undefined;

/** The pod scripts, by ConfigMap key (their file names); read once, they are part of the package. */
export function scriptFiles(): Record<string, string> {
    if (scripts === undefined) {
        const dir = podScriptsDir();
        scripts = Object.fromEntries(
            Object.values(SCRIPT_FILES).map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")]),
        );
    }
    return { ...scripts };
}

export function configMap(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ConfigMapArgs {
    return {
        metadata: { name: names.configMap, namespace: args.namespace, labels: { ...names.podLabels } },
        data: configFiles(args),
    };
}

export function scriptsConfigMap(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.ConfigMapArgs {
    return {
        metadata: { name: names.scriptsConfigMap, namespace: args.namespace, labels: { ...names.podLabels } },
        data: scriptFiles(),
    };
}

/** A digest of everything the pods read from the ConfigMaps; a change rolls the pods. */
export function configChecksum(args: ResolvedArgs): string {
    const hash = crypto.createHash("sha256");
    for (const files of [configFiles(args), scriptFiles()]) {
        for (const [key, value] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
            hash.update(`${key}\0${value}\0`);
        }
    }
    return hash.digest("hex");
}
