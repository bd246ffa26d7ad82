// Container image references, parsed by the grammar the registries and the kubelet use (the distribution
// project's `reference` grammar), and the families of images each flavor can run.
// @see https://github.com/distribution/reference/blob/main/reference.go

/** An image reference split into its parts. */
export interface ImageReference {
    /** Registry host (and port), when the reference names one: `registry.example.com:5000`. */
    readonly domain?: string;
    /** Repository path without the registry: `library/mysql` is written `mysql`, `percona/percona-xtrabackup`. */
    readonly path: string;
    readonly tag?: string;
    readonly digest?: string;
}

const ALPHA_NUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[_.]|__|[-]+)";
const PATH_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** The longest repository name (domain and path) the grammar allows. */
const MAX_NAME_LENGTH = 255;

/**
 * Parses an image reference (`[domain/]path[:tag][@digest]`); `undefined` when it is not one. As in the
 * grammar, the first component is a registry only if it has a `.` or a `:` or is `localhost`.
 */
export function parseImageReference(reference: string): ImageReference | undefined {
    const match = REFERENCE.exec(reference);
    if (!match) {
        return undefined;
    }
    const [, registry, repository, tag, digest] = match;
    let domain: string | undefined = registry;
    let path = repository;
    if (domain !== undefined && !/[.:]/.test(domain) && domain !== "localhost") {
        // "team/mysql": the first component is a path component, which must then be lower-case.
        if (!new RegExp(`^${PATH_COMPONENT}$`).test(domain)) {
            return undefined;
        }
        path = `${domain}/${path}`;
        domain = undefined;
    }
    if ((domain === undefined ? 0 : domain.length + 1) + path.length > MAX_NAME_LENGTH) {
        return undefined;
    }
    return { domain, path, tag, digest };
}

/** One kind of repository an image family accepts, by the last component of its path. */
export interface ImageRepository {
    /** The repository's last path component, whatever registry or organisation mirrors it: `mysql`. */
    readonly name: string;
    /** A tag that starts with a digit is a version, and must match this (e.g. `/^8\.4(?![0-9])/`). */
    readonly version?: RegExp;
}

/** The images one container of a flavor can run. */
export interface ImageFamily {
    /** What the images are, for messages: "a MySQL 5.7 server image". */
    readonly description: string;
    readonly repositories: readonly ImageRepository[];
}

/** Whether an image (already parsed) belongs to a family; digests and non-version tags are taken on trust. */
export function inImageFamily(image: ImageReference, family: ImageFamily): boolean {
    const name = image.path.slice(image.path.lastIndexOf("/") + 1);
    return family.repositories.some(
        (repository) =>
            repository.name === name &&
            (repository.version === undefined ||
                image.tag === undefined ||
                !/^[0-9]/.test(image.tag) ||
                repository.version.test(image.tag)),
    );
}
