// The one place problems are collected while the settings are checked, and how values are shown in them.

import * as pulumi from "@pulumi/pulumi";

/** Every problem found so far, one sentence each: "`setting` is VALUE: what is wrong; the fix." */
export class Problems {
    readonly list: string[] = [];

    /** Records a problem; returns undefined, so a check can `return problems.add(...)` for "no valid value". */
    add(problem: string): undefined {
        this.list.push(problem);
        return undefined;
    }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
    return (
        value !== null &&
        (typeof value === "object" || typeof value === "function") &&
        typeof (value as { then?: unknown }).then === "function"
    );
}

/**
 * A value as a user would write it: JSON for strings, lists and plain objects, but NaN, Infinity and
 * BigInts literally (JSON would print "null" or throw), and the kind of what JSON cannot show.
 */
export function show(value: unknown, depth = 0): string {
    switch (typeof value) {
        case "number":
            return Number.isFinite(value) ? JSON.stringify(value) : String(value);
        case "bigint":
            return `${value}n`;
        case "undefined":
            return "undefined";
        case "function":
            return "a function";
        case "symbol":
            return value.toString();
        case "object":
            if (value === null) {
                return "null";
            }
            if (pulumi.Output.isInstance(value)) {
                return "an Output";
            }
            if (isPromiseLike(value)) {
                return "a Promise";
            }
            if (depth > 3) {
                return "…";
            }
            if (Array.isArray(value)) {
                return `[${Array.from(value, (item) => show(item, depth + 1)).join(",")}]`;
            }
            return `{${Object.entries(value)
                .map(([k, v]) => `${JSON.stringify(k)}:${show(v, depth + 1)}`)
                .join(",")}}`;
        default:
            return JSON.stringify(value);
    }
}

/** What kind of value this is, for a type mistake: "a number", "a list". */
export function kindOf(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "a list";
    }
    if (pulumi.Output.isInstance(value)) {
        return "an Output";
    }
    if (isPromiseLike(value)) {
        return "a Promise";
    }
    return (
        { bigint: "a BigInt", object: "an object", boolean: "a boolean", number: "a number", string: "a string" }[typeof value as string] ??
        `a ${typeof value}`
    );
}

/** Names that differ from `key` by case, a prefix or at most two edits, best first. */
export function closest(key: string, known: readonly string[]): string | undefined {
    const lower = key.toLowerCase();
    const byPrefix = known.find((k) => k.toLowerCase() === lower || k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()));
    if (byPrefix !== undefined) {
        return byPrefix;
    }
    const scored = known.map((k) => [k, editDistance(lower, k.toLowerCase())] as const).filter(([, d]) => d <= 2);
    return scored.sort((a, b) => a[1] - b[1])[0]?.[0];
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
