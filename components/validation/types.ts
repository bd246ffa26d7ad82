// Type checks, the first step for every setting: the library is called from JavaScript and from YAML
// programs too, where a number, a list of the wrong things or an Output can arrive anywhere. A value of
// the wrong type is reported here and goes no further, so the checks after this see only their type.

import * as pulumi from "@pulumi/pulumi";
import { closest, isPromiseLike, kindOf, Problems, show } from "./problems";

const notPlain = (key: string, value: unknown, expected: string, example: string) =>
    `\`${key}\` is ${kindOf(value)}: it must be a plain value, known before anything is ` +
    `created (only the passwords may be Outputs); pass ${expected}, e.g. ${example}.`;

function wrongType(problems: Problems, key: string, value: unknown, expected: string, example: string): undefined {
    if (pulumi.Output.isInstance(value) || isPromiseLike(value)) {
        return problems.add(notPlain(key, value, expected, example));
    }
    if (value === null) {
        return problems.add(`\`${key}\` is null: pass ${expected}, e.g. ${example}, or leave it unset.`);
    }
    return problems.add(`\`${key}\` is ${show(value)}, ${kindOf(value)}: pass ${expected}, e.g. ${example}.`);
}

/** The settings object itself: anything but a plain object is refused before any setting is read. */
export function settingsObject(problems: Problems, args: unknown): Record<string, unknown> | undefined {
    if (args === null || typeof args !== "object" || Array.isArray(args) || pulumi.Output.isInstance(args) || isPromiseLike(args)) {
        return problems.add(
            `MySqlCluster's settings are ${show(args)}: pass an object with at least \`nfsServer\` and ` +
                `\`nfsPaths\` or \`nfsPathPattern\`, e.g. { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/mysql-{ordinal}" }.`,
        );
    }
    return args as Record<string, unknown>;
}

/**
 * Keys that are not settings (`replica: 5` from JavaScript, where no type stops it) are refused rather than
 * ignored: a misspelt setting would otherwise leave its default in force without a word. A key whose value
 * is `undefined` sets nothing and passes.
 */
export function checkKnownKeys(problems: Problems, args: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(args).filter((k) => !known.includes(k) && args[k] !== undefined)) {
        const hint = closest(key, known);
        problems.add(
            `\`${key}\` is not a setting of MySqlCluster${hint ? ` (did you mean \`${hint}\`?)` : ""}: remove it, or use ` +
                `one of the settings, ${known.join(", ")}.`,
        );
    }
}

/**
 * A string setting: the value, the default when unset (`null` when there is none), or `undefined` after
 * reporting a wrong type.
 */
export function stringSetting(problems: Problems, key: string, value: unknown, fallback: string, example?: string): string | undefined;
export function stringSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: undefined,
    example: string,
): string | null | undefined;
export function stringSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: string | undefined,
    example = fallback,
): string | null | undefined {
    if (value === undefined) {
        return fallback ?? null;
    }
    if (typeof value !== "string") {
        return wrongType(problems, key, value, "a string", show(example));
    }
    return value;
}

/** A number setting, as {@link stringSetting}; `null` when unset without a default. */
export function numberSetting(problems: Problems, key: string, value: unknown, fallback: number, example?: number): number | undefined;
export function numberSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: number | undefined,
    example: number,
): number | null | undefined;
export function numberSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: number | undefined,
    example = fallback,
): number | null | undefined {
    if (value === undefined) {
        return fallback ?? null;
    }
    if (typeof value !== "number") {
        return wrongType(problems, key, value, "a number", show(example));
    }
    return value;
}

/** A list of strings, as {@link stringSetting}; `null` when unset without a default. */
export function stringListSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: readonly string[],
    example: readonly string[],
): readonly string[] | undefined;
export function stringListSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: undefined,
    example: readonly string[],
): readonly string[] | null | undefined;
export function stringListSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: readonly string[] | undefined,
    example: readonly string[],
): readonly string[] | null | undefined {
    if (value === undefined) {
        return fallback ?? null;
    }
    if (!Array.isArray(value)) {
        return wrongType(problems, key, value, "a list of strings", show(example));
    }
    // Array.from visits holes too ([, "a"] from JavaScript), which some() and filter() skip.
    const items = Array.from(value as unknown[]);
    const wrong = items.map((item, index) => [item, index] as const).filter(([item]) => typeof item !== "string");
    if (wrong.length > 0) {
        const what = wrong.map(
            ([item, index]) =>
                `${item === undefined || item === null ? show(item) : `${show(item)} (${kindOf(item)})`} at position ${index}`,
        );
        return problems.add(`\`${key}\` has ${what.join(", ")}: every item must be a string, e.g. ${show(example)}.`);
    }
    return items as string[];
}

/** A password (`rootPassword`, `replicationPassword`, `backupPassword`, `appPassword`): the only settings that may be an Output or a Promise (checked once known). */
export function passwordInput(problems: Problems, key: string, value: unknown): pulumi.Input<string> | undefined | null {
    if (value === undefined) {
        return null;
    }
    if (typeof value === "string" || pulumi.Output.isInstance(value) || isPromiseLike(value)) {
        return value as pulumi.Input<string>;
    }
    return problems.add(
        `\`${key}\` is ${show(value)}, ${kindOf(value)}: pass a string (or an Output of one), or leave it unset to have one generated.`,
    );
}

/** A boolean setting, as {@link stringSetting}; `null` when unset without a default. */
export function booleanSetting(problems: Problems, key: string, value: unknown, fallback: boolean, example?: boolean): boolean | undefined;
export function booleanSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: boolean | undefined,
    example: boolean,
): boolean | null | undefined;
export function booleanSetting(
    problems: Problems,
    key: string,
    value: unknown,
    fallback: boolean | undefined,
    example = fallback,
): boolean | null | undefined {
    if (value === undefined) {
        return fallback ?? null;
    }
    if (typeof value !== "boolean") {
        return wrongType(problems, key, value, "true or false", show(example));
    }
    return value;
}
