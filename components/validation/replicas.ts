// `replicas`: how many pods, one primary and the rest read replicas.

import { Problems, show } from "./problems";

export const MAX_REPLICAS = 100;

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
