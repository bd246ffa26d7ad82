// Names checked by the rules the API server applies to them: RFC 1035 labels for what names a Service,
// RFC 1123 labels for namespaces, DNS subdomains for storage classes, resolvable DNS names for the domain.
// @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/

import { LABEL_SCHEMES, LabelScheme } from "../labels";
import { Problems, show } from "./problems";

/** RFC 1123 label: what a namespace name must be. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1035 label: what a Service name must be (it starts with a letter). */
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_LABEL = 63;
export const MAX_SUBDOMAIN = 253;
/** Longest StatefulSet name: its pods carry a `controller-revision-hash` label of name + 11 characters. */
export const MAX_NAME_LENGTH = 52;

/** `name`: it names the headless Service (an RFC 1035 label) and the StatefulSet. */
export function checkName(problems: Problems, name: string | undefined): string | undefined {
    if (name === undefined || (DNS1035_LABEL.test(name) && name.length <= MAX_NAME_LENGTH)) {
        return name;
    }
    return problems.add(
        `\`name\` is ${show(name)}: use a DNS label of at most ${MAX_NAME_LENGTH} characters (lower-case letters, ` +
            `digits and '-', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".`,
    );
}

export function checkNamespace(problems: Problems, namespace: string | undefined): string | undefined {
    if (namespace === undefined || (DNS1123_LABEL.test(namespace) && namespace.length <= MAX_LABEL)) {
        return namespace;
    }
    return problems.add(
        `\`namespace\` is ${show(namespace)}: use the name of an existing namespace, a DNS label of at most ` +
            `${MAX_LABEL} characters, e.g. "default".`,
    );
}

/** `selectorLabels`: one of the label schemes (labels.ts). */
export function checkSelectorLabels(problems: Problems, scheme: string | undefined): LabelScheme | undefined {
    if (scheme === undefined || (LABEL_SCHEMES as readonly string[]).includes(scheme)) {
        return scheme as LabelScheme | undefined;
    }
    return problems.add(
        `\`selectorLabels\` is ${show(scheme)}: use "recommended" (the app.kubernetes.io/* labels, for a new cluster) or ` +
            `"legacy" (app=<name>, for a cluster deployed before this setting; see docs/labels.md).`,
    );
}

/** `clusterDomain`: the tail of every FQDN output, so it must resolve: labels of at most 63 characters. */
export function checkClusterDomain(problems: Problems, domain: string | undefined): string | undefined {
    if (domain === undefined) {
        return undefined;
    }
    const fix = `use the cluster's DNS domain, e.g. "cluster.local".`;
    if (!DNS1123_SUBDOMAIN.test(domain)) {
        return problems.add(`\`clusterDomain\` is ${show(domain)}: ${fix}`);
    }
    const long = domain.split(".").find((label) => label.length > MAX_LABEL);
    if (long !== undefined) {
        return problems.add(
            `\`clusterDomain\` is ${show(domain)}: its label ${show(long)} has ${long.length} characters, more than ` +
                `the ${MAX_LABEL} a DNS label may have; ${fix}`,
        );
    }
    if (domain.length > MAX_SUBDOMAIN) {
        return problems.add(
            `\`clusterDomain\` is ${domain.length} characters long, more than the ${MAX_SUBDOMAIN} a DNS name may ` + `have: ${fix}`,
        );
    }
    return domain;
}

/** `storageClassName`: a DNS subdomain of at most 253 characters, or "" for no class. */
export function checkStorageClassName(problems: Problems, name: string | undefined): string | undefined {
    if (name === undefined || name === "" || (DNS1123_SUBDOMAIN.test(name) && name.length <= MAX_SUBDOMAIN)) {
        return name;
    }
    return problems.add(
        `\`storageClassName\` is ${show(name)}: use a DNS subdomain of at most ${MAX_SUBDOMAIN} characters such as ` +
            `"mysql-nfs", or "" for volumes and claims without a class.`,
    );
}

/** Whether `text` is a host name: DNS labels (letters, digits, '-') of at most 63 characters, 253 in all. */
export function isHostName(text: string): boolean {
    const name = text.endsWith(".") ? text.slice(0, -1) : text;
    const labels = name.split(".");
    return (
        name.length > 0 &&
        name.length <= MAX_SUBDOMAIN &&
        labels.every((label) => /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/.test(label) && label.length <= MAX_LABEL) &&
        // An all-numeric last label would make "1.2.3" or "10.0.0.256" a host name rather than a bad address.
        !/^[0-9]+$/.test(labels[labels.length - 1])
    );
}
