// The pod scripts, read from the package's pod/ folder: the one place that touches the disk, so
// the builders stay functions of their inputs (the component reads the scripts and hands them over).

import * as fs from "fs";
import * as path from "path";
import { METRICS_SCRIPT_FILES, SCRIPT_FILES } from "./constants";
import { PodScripts } from "./builders/config";

/** The folder with the pod scripts, found from this file whether it runs as .ts or compiled under bin/. */
function podScriptsDir(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const candidate = path.join(dir, "pod");
        if (fs.existsSync(path.join(candidate, SCRIPT_FILES.lib))) {
            return candidate;
        }
    }
    throw new Error(`The pod scripts (pod/${SCRIPT_FILES.lib}) are missing from the package installed at ${__dirname}.`);
}

let cached: PodScripts | undefined;

/** The pod scripts, by ConfigMap key (their file names); read once per process, they are part of the package. */
export function readPodScripts(): PodScripts {
    if (cached === undefined) {
        const dir = podScriptsDir();
        cached = Object.freeze(
            Object.fromEntries(Object.values(SCRIPT_FILES).map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")])),
        );
    }
    return cached;
}

/**
 * The pod scripts of these settings: with `metrics`, also the script of the container that keeps the
 * exporter's account (so a cluster without metrics has the scripts ConfigMap it always had).
 */
export function readClusterPodScripts(metrics: boolean): PodScripts {
    if (!metrics) {
        return readPodScripts();
    }
    const dir = podScriptsDir();
    return Object.freeze({
        ...readPodScripts(),
        ...Object.fromEntries(Object.values(METRICS_SCRIPT_FILES).map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")])),
    });
}
