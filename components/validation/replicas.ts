// `replicas`: how many pods, one primary and the rest read replicas.

import { Problems, show } from "./problems";

export const MAX_REPLICAS = 100;

export function checkReplicas(problems: Problems, replicas: number | undefined): number | undefined {
    if (replicas === undefined || (Number.isInteger(replicas) && replicas >= 1 && replicas <= MAX_REPLICAS)) {
        return replicas;
    }
    return problems.add(
        `\`replicas\` is ${show(replicas)}: use a whole number from 1 to ${MAX_REPLICAS} (1 primary plus replicas - 1 read replicas).`,
    );
}
