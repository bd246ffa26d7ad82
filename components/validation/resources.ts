// Quantities (CPU, memory, storage) and access modes: checked by the API server's grammar, then for what
// each setting measures, so a request of zero, a memory size given for CPU or "500m" (milli-bytes) for
// memory is refused here, not met later as a pod that never schedules or a claim that never binds.

import { Quantity, parseQuantityParts } from "../quantity";
import { Problems, show } from "./problems";
import { stringSetting } from "./types";

/** What a quantity setting measures. */
export type Measure = "cpu" | "bytes";

const BINARY = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** A quantity setting's value in base units (cores or bytes), or undefined after reporting a problem. */
export function checkQuantity(
    problems: Problems,
    key: string,
    text: string | undefined,
    measure: Measure,
    example: string,
): number | undefined {
    if (text === undefined) {
        return undefined;
    }
    const parsed = parseQuantityParts(text);
    if (parsed === undefined) {
        const bytes = /^([0-9.]+)\s*([kKMGTPE])i?B$/.exec(text.trim());
        const [amount, unit] = bytes ? [bytes[1], bytes[2].toUpperCase().replace("K", "k")] : ["", ""];
        const hint =
            bytes && measure === "bytes"
                ? ` (Kubernetes writes no "B": ${show(`${amount}${unit}`)} is ${amount} ${unit}B, ${show(`${amount}${unit.toUpperCase()}i`)} is ${amount} ${unit.toUpperCase()}iB)`
                : "";
        return problems.add(`\`${key}\` is ${show(text)}: use a Kubernetes quantity, e.g. ${show(example)}${hint}.`);
    }
    const problem = measure === "cpu" ? cpuProblem(parsed, show(example)) : bytesProblem(parsed, text, show(example));
    if (problem !== undefined) {
        return problems.add(`\`${key}\` is ${show(text)}: ${problem}.`);
    }
    return parsed.value;
}

function cpuProblem({ value, suffix }: Quantity, example: string): string | undefined {
    if (value <= 0) {
        return `a request must be more than zero; use a CPU amount, e.g. ${example}`;
    }
    if (suffix !== "" && suffix !== "m" && suffix !== "e") {
        return (
            `${show(suffix)} is ${BINARY.includes(suffix) ? "a unit of bytes" : "not a CPU unit"}: write CPUs as cores ("0.5", "2") ` +
            `or millicores ("500m"), e.g. ${example}`
        );
    }
    if (value < 1e-3) {
        return `Kubernetes counts CPU in whole millicores, and this is less than "1m"; use at least "1m", e.g. ${example}`;
    }
    return undefined;
}

function bytesProblem({ value, suffix }: Quantity, text: string, example: string): string | undefined {
    if (value <= 0) {
        return `it must be more than zero bytes; use a size, e.g. ${example}`;
    }
    if (["m", "u", "n"].includes(suffix)) {
        const digits = text.slice(0, -1);
        return (
            `"${suffix}" means ${{ m: "thousandths", u: "millionths", n: "billionths" }[suffix]} of a byte; ` +
            `write ${show(`${digits}Mi`)} or ${show(`${digits}M`)} for megabytes`
        );
    }
    if (!Number.isInteger(Math.round(value * 1e6) / 1e6)) {
        return `that is ${value} bytes, not a whole number of bytes; use a size, e.g. ${example}`;
    }
    return undefined;
}

export const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

/**
 * `volumeAccessModes`: known modes, each once, including ReadWriteOnce (what the claims request). The API
 * server refuses ReadWriteOncePod with any other mode, so it can never go with ReadWriteOnce.
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
 */
export function checkAccessModes(problems: Problems, modes: readonly string[] | undefined): readonly string[] | undefined {
    if (modes === undefined) {
        return undefined;
    }
    const count = problems.list.length;
    const unknown = modes.filter((m) => !ACCESS_MODES.includes(m));
    if (unknown.length > 0) {
        const hints = unknown.map((m) => ACCESS_MODES.find((known) => known.toLowerCase() === m.toLowerCase()));
        problems.add(
            `\`volumeAccessModes\` has ${unknown.map(show).join(", ")}: use only ${ACCESS_MODES.map(show).join(", ")}` +
                (hints.some((h) => h !== undefined)
                    ? ` (mind the case: ${hints
                          .filter((h) => h)
                          .map(show)
                          .join(", ")})`
                    : "") +
                ".",
        );
    }
    const repeated = [...new Set(modes.filter((m, i) => modes.indexOf(m) !== i))];
    if (repeated.length > 0) {
        problems.add(`\`volumeAccessModes\` lists ${repeated.map(show).join(", ")} more than once: list each mode once.`);
    }
    if (modes.includes("ReadWriteOncePod")) {
        problems.add(
            `\`volumeAccessModes\` is ${show(modes)}: "ReadWriteOncePod" cannot be combined with another mode (the API ` +
                `server refuses it), and without "ReadWriteOnce" the claims never bind; remove "ReadWriteOncePod".`,
        );
    } else if (unknown.length === 0 && !modes.includes("ReadWriteOnce")) {
        problems.add(
            `\`volumeAccessModes\` is ${show(modes)}: include "ReadWriteOnce", the mode each pod's claim ` +
                `requests, or the claims never bind.`,
        );
    }
    return problems.list.length === count ? modes : undefined;
}

/** A quantity setting as given (or its default) and its value in base units; undefined parts were reported. */
export function quantitySetting(
    problems: Problems,
    key: string,
    given: unknown,
    fallback: string,
    measure: Measure,
): { text: string | undefined; value: number | undefined } {
    const text = stringSetting(problems, key, given, fallback);
    return { text, value: checkQuantity(problems, key, text, measure, fallback) };
}

/** A claim must fit the volume it binds to. */
export function checkClaimFits(
    problems: Problems,
    capacity: { text: string | undefined; value: number | undefined },
    request: { text: string | undefined; value: number | undefined },
): void {
    if (capacity.value !== undefined && request.value !== undefined && request.value > capacity.value) {
        problems.add(
            `\`storageRequest\` is ${show(request.text)}, more than \`volumeCapacity\` ${show(capacity.text)}: ` +
                `no volume could satisfy the claims; lower \`storageRequest\` or raise \`volumeCapacity\`.`,
        );
    }
}
