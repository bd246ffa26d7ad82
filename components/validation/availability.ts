// The availability settings: time bounds (replication lag, start-up, shutdown, a stalled clone), how pods
// spread over nodes and zones, limits and the priority class. A limit below its request is refused here,
// as the API server would refuse the pod later.

import { checkQuantity, Measure } from "./resources";
import { Problems, show } from "./problems";

/** How strongly pods are kept apart: not at all, when the scheduler can, or always. */
export const SPREAD_MODES = ["none", "preferred", "required"] as const;
export type SpreadMode = (typeof SPREAD_MODES)[number];

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A whole number of seconds within bounds. */
export function checkSeconds(
    problems: Problems,
    key: string,
    value: number | undefined,
    min: number,
    max: number,
    why: string,
): number | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!Number.isInteger(value) || value < min || value > max) {
        return problems.add(`\`${key}\` is ${show(value)}: use a whole number of seconds from ${min} to ${max} (${why}).`);
    }
    return value;
}

export function checkSpread(problems: Problems, key: string, value: string | undefined): SpreadMode | undefined {
    if (value === undefined || (SPREAD_MODES as readonly string[]).includes(value)) {
        return value as SpreadMode | undefined;
    }
    return problems.add(`\`${key}\` is ${show(value)}: use one of ${SPREAD_MODES.map((m) => show(m)).join(", ")}.`);
}

/** An optional limit: a quantity of the same measure as its request, and not below it. */
export function checkLimit(
    problems: Problems,
    key: string,
    limit: string | null | undefined,
    requestKey: string,
    request: { text: string | undefined; value: number | undefined },
    measure: Measure,
    example: string,
): string | null | undefined {
    if (limit === null || limit === undefined) {
        return limit;
    }
    const value = checkQuantity(problems, key, limit, measure, example);
    if (value === undefined) {
        return undefined;
    }
    if (request.value !== undefined && value < request.value) {
        return problems.add(
            `\`${key}\` is ${show(limit)}, less than \`${requestKey}\` ${show(request.text)}: the API server refuses a ` +
                `limit below its request; raise \`${key}\` or lower \`${requestKey}\`.`,
        );
    }
    return limit;
}

/** `priorityClassName`: the name of a PriorityClass, a DNS subdomain. */
export function checkPriorityClassName(problems: Problems, name: string | null | undefined): string | null | undefined {
    if (name === null || name === undefined || (DNS1123_SUBDOMAIN.test(name) && name.length <= 253)) {
        return name;
    }
    return problems.add(
        `\`priorityClassName\` is ${show(name)}: use the name of a PriorityClass (a DNS subdomain), e.g. "database-critical".`,
    );
}
