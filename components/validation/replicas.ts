// `replicas`: how many pods, one primary and the rest read replicas; `replicaApplyThreads`: how many
// transactions each replica applies at once; `bootstrap`: how the pods start and find their clone donor.

import { MAX_REPLICAS } from "../constants";
import { Problems, show } from "./problems";
/** MySQL 8.4 accepts up to 1024 workers, MariaDB 16383; past a few dozen they only wait on each other. */
export const MAX_REPLICA_APPLY_THREADS = 64;

/**
 * How the pods of a new cluster (or a scale-up) start: `ordered` one after another, each cloning from the
 * one before it (the tutorial's OrderedReady); `parallel` all at once, each cloning from a donor half its
 * ordinal once that donor is Ready, so a cluster of N pods is whole after about log2(N) clone rounds.
 */
export const BOOTSTRAP_MODES = ["ordered", "parallel"] as const;
export type BootstrapMode = (typeof BOOTSTRAP_MODES)[number];

/** `maxReplicas` when unset, unless `replicas` is more: room to scale out without a new volume. */
export const DEFAULT_MAX_REPLICAS = 5;

/** `maxReplicas`: as `replicas`, and no fewer than it. */
export function checkMaxReplicas(problems: Problems, maxReplicas: number | undefined, replicas: number | undefined): number | undefined {
    if (maxReplicas === undefined) {
        return undefined;
    }
    if (!Number.isInteger(maxReplicas) || maxReplicas < 1 || maxReplicas > MAX_REPLICAS) {
        return problems.add(
            `\`maxReplicas\` is ${show(maxReplicas)}: use a whole number from 1 to ${MAX_REPLICAS}, at least \`replicas\`.`,
        );
    }
    if (replicas !== undefined && maxReplicas < replicas) {
        return problems.add(
            `\`maxReplicas\` is ${maxReplicas} but \`replicas\` is ${replicas}: raise \`maxReplicas\` to at least ${replicas} ` +
                `(one PersistentVolume is made per ordinal up to it), or lower \`replicas\`.`,
        );
    }
    return maxReplicas;
}

export function checkReplicas(problems: Problems, replicas: number | undefined): number | undefined {
    if (replicas === undefined || (Number.isInteger(replicas) && replicas >= 1 && replicas <= MAX_REPLICAS)) {
        return replicas;
    }
    return problems.add(
        `\`replicas\` is ${show(replicas)}: use a whole number from 1 to ${MAX_REPLICAS} (1 primary plus replicas - 1 read replicas).`,
    );
}

export function checkReplicaApplyThreads(problems: Problems, threads: number | undefined): number | undefined {
    if (threads === undefined || (Number.isInteger(threads) && threads >= 1 && threads <= MAX_REPLICA_APPLY_THREADS)) {
        return threads;
    }
    return problems.add(
        `\`replicaApplyThreads\` is ${show(threads)}: use a whole number from 1 to ${MAX_REPLICA_APPLY_THREADS} ` +
            `(transactions a replica applies at once; 1 applies them one by one).`,
    );
}

export function checkBootstrap(problems: Problems, mode: string | undefined): BootstrapMode | undefined {
    if (mode === undefined || (BOOTSTRAP_MODES as readonly string[]).includes(mode)) {
        return mode as BootstrapMode | undefined;
    }
    return problems.add(
        `\`bootstrap\` is ${show(mode)}: use ${BOOTSTRAP_MODES.map((m) => show(m)).join(" or ")} ` +
            `(one pod after another as the tutorial does, or all at once with clones in rounds).`,
    );
}
