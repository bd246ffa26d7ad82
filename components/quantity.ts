// Kubernetes resource quantities ("20Gi", "500m", "1.5G"): checked and compared before anything is created,
// so a claim that can never fit its volume is an error at preview time, not a Pending pod.
// The grammar is the API server's (k8s.io/apimachinery resource.ParseQuantity):
//   <quantity> ::= <sign>? <number> <suffix>?      <number> ::= <digits> | <digits>.<digits>? | .<digits>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei      (binarySI)
//                | n | u | m | k | M | G | T | P | E  (decimalSI)
//                | (e | E) <sign>? <digits>          (decimalExponent)
// @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/

const SUFFIXES: Readonly<Record<string, number>> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

/** A quantity split as the grammar splits it. */
export interface Quantity {
    /** The value in base units (cores, bytes); negative when the text has a `-` sign. */
    readonly value: number;
    /** The suffix as written: "" (none), a binarySI or decimalSI suffix, or "e" for a decimal exponent. */
    readonly suffix: string;
}

/** The quantity's parts, or undefined when the text is not a Kubernetes quantity. */
export function parseQuantityParts(text: string): Quantity | undefined {
    const match = QUANTITY.exec(text);
    if (!match) {
        return undefined;
    }
    const [, sign, number, suffix, exponent] = match;
    const scale = exponent !== undefined ? 10 ** Number(exponent) : SUFFIXES[suffix ?? ""];
    return { value: (sign === "-" ? -1 : 1) * Number(number) * scale, suffix: exponent !== undefined ? "e" : (suffix ?? "") };
}

/** The quantity's value in base units, or undefined when the text is not a Kubernetes quantity. */
export function parseQuantity(text: string): number | undefined {
    return parseQuantityParts(text)?.value;
}
