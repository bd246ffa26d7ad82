// Secret masking for the render: Pulumi's secret wrapper recognised by the SDK's own signature constants,
// and Kubernetes Secrets masked whatever the program marked.

/* eslint-disable @typescript-eslint/no-explicit-any -- the values walked here are the engine's inputs: untyped JSON of any resource */

import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** What a secret value is printed as. */
export const MASK = "[secret]";

/** Replaces every Pulumi secret in a value with its plain value, or with `mask` when given. */
export function unwrapSecrets(value: any, mask?: string): any {
    if (Array.isArray(value)) {
        return value.map((v) => unwrapSecrets(v, mask));
    }
    if (value !== null && typeof value === "object") {
        if (value[specialSigKey] === specialSecretSig) {
            return mask ?? unwrapSecrets(value.value);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, mask)]));
    }
    return value;
}

/** A Secret with every value masked (its keys kept), whether or not they were marked secret in the program. */
export function maskSecretObject(object: any): any {
    const masked = { ...object };
    for (const field of ["data", "stringData"]) {
        if (masked[field]) {
            masked[field] = Object.fromEntries(Object.keys(masked[field]).map((k) => [k, MASK]));
        }
    }
    return masked;
}
