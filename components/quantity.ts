// Kubernetes resource quantities ("20Gi", "500m", "1.5G"): checked and compared before anything is created,
// so a claim that can never fit its volume is an error at preview time, not a Pending pod.
// @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/

const SUFFIXES: Readonly<Record<string, number>> = {
    "": 1,
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

const QUANTITY = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

/** The quantity's value in base units, or undefined when the text is not a Kubernetes quantity. */
export function parseQuantity(text: string): number | undefined {
    const match = QUANTITY.exec(text);
    if (!match) {
        return undefined;
    }
    const [, number, suffix, exponent] = match;
    const scale = exponent !== undefined ? 10 ** Number(exponent) : SUFFIXES[suffix ?? ""];
    return Number(number) * scale;
}
