// The object-storage backup target: an S3-compatible bucket, its key prefix, endpoint and region, and the
// Secret that holds its credentials (only its name is a setting), and the image rclone is copied from.
// @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
// @see https://rclone.org/s3/

import { FLAVORS } from "../flavors";
import { parseImageReference } from "../imageReference";
import { DNS1123_SUBDOMAIN, MAX_SUBDOMAIN } from "./names";
import { Problems, show } from "./problems";

/** What `backupS3Region` is when unset: AWS's first region, which region-less S3-compatible servers expect. */
export const DEFAULT_S3_REGION = "us-east-1";

/** `binlogShipIntervalSeconds` when unset with a bucket, and its bounds. */
export const DEFAULT_BINLOG_SHIP_INTERVAL = 60;
export const BINLOG_SHIP_INTERVAL_BOUNDS = { min: 5, max: 3600 } as const;
/** The flavors whose binlogs are shipped: those with `binlogs` (components/flavors.ts). */
export const BINLOG_SHIPPING_FLAVORS: readonly string[] = Object.values(FLAVORS)
    .filter((f) => f.binlogs !== undefined)
    .map((f) => f.name);

/** Where backups go in object storage, resolved. */
export interface ObjectStore {
    readonly bucket: string;
    /** Without leading or trailing `/`; backup NAME's objects are `PREFIX/NAME/...`. */
    readonly prefix: string;
    /** Unset: AWS S3 in `region`. */
    readonly endpoint: string | undefined;
    readonly region: string;
    readonly credentialsSecret: string;
    /** Seconds between binlog shipping rounds; undefined when the flavor's binlogs are not shipped. */
    readonly binlogShipIntervalSeconds: number | undefined;
}

export interface ObjectStoreSettings {
    backupS3Bucket: string | null | undefined;
    backupS3Prefix: string | null | undefined;
    backupS3Endpoint: string | null | undefined;
    backupS3Region: string | undefined;
    backupS3CredentialsSecret: string | null | undefined;
    /** null: unset. */
    binlogShipIntervalSeconds: number | null | undefined;
    flavor: string | undefined;
}

/** S3's rules for new buckets: 3-63 of a-z 0-9 . -, a letter or digit at each end, no "..", not an IP address. */
function bucketProblem(bucket: string): string | undefined {
    if (bucket.length < 3 || bucket.length > 63) return `it has ${bucket.length} characters, S3 allows 3 to 63`;
    if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) return "S3 allows only a-z, 0-9, '.' and '-', with a letter or digit at each end";
    if (bucket.includes("..")) return "it has two adjacent periods";
    if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return "it looks like an IP address";
    return undefined;
}

/** A key prefix: path segments of safe characters, no empty, `.` or `..` segment (they would not round-trip). */
function prefixProblem(prefix: string): string | undefined {
    if (prefix.length > 512) return "it is longer than 512 characters";
    const segments = prefix.split("/");
    if (segments.some((s) => s === "" || s === "." || s === ".."))
        return "it has an empty, '.' or '..' segment (or a leading or trailing '/')";
    if (!segments.every((s) => /^[A-Za-z0-9._=-]+$/.test(s))) return "use only letters, digits and . _ = - between the '/'s";
    return undefined;
}

function endpointProblem(endpoint: string): string | undefined {
    let url: URL;
    try {
        url = new URL(endpoint);
    } catch {
        return "it is not a URL";
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return `its scheme is ${url.protocol.slice(0, -1)}, not https or http`;
    if (url.username !== "" || url.password !== "") return "it carries credentials, which belong in backupS3CredentialsSecret";
    if (url.search !== "" || url.hash !== "") return "it has a query or fragment";
    return undefined;
}

/**
 * The bucket settings: none of them without `backupS3Bucket`, and with it a credentials Secret. The prefix
 * defaults to `defaultPrefix` (the cluster's namespace/name), so that two clusters can share a bucket.
 */
export function checkObjectStore(problems: Problems, s: ObjectStoreSettings, defaultPrefix: string): ObjectStore | null | undefined {
    const { backupS3Bucket: bucket, backupS3Prefix: prefix, backupS3Endpoint: endpoint, backupS3Region: region } = s;
    const secret = s.backupS3CredentialsSecret;
    if (
        bucket === undefined ||
        prefix === undefined ||
        endpoint === undefined ||
        region === undefined ||
        secret === undefined ||
        s.binlogShipIntervalSeconds === undefined
    ) {
        return undefined;
    }
    const found = problems.list.length;
    if (bucket === null) {
        const others = (["backupS3Prefix", "backupS3Endpoint", "backupS3CredentialsSecret", "binlogShipIntervalSeconds"] as const).filter(
            (k) => s[k] !== null,
        );
        if (others.length > 0) {
            problems.add(
                `${others.map((k) => `\`${k}\``).join(", ")} ${others.length > 1 ? "are" : "is"} set but \`backupS3Bucket\` is not: ` +
                    `set \`backupS3Bucket\` to the bucket the backups go to, or unset ${others.length > 1 ? "them" : "it"}.`,
            );
            return undefined;
        }
        return null;
    }
    const bad = bucketProblem(bucket);
    if (bad !== undefined) problems.add(`\`backupS3Bucket\` is ${show(bucket)}: ${bad}; e.g. "acme-mysql-backups".`);
    const badPrefix = prefix === null ? undefined : prefixProblem(prefix);
    if (badPrefix !== undefined) problems.add(`\`backupS3Prefix\` is ${show(prefix)}: ${badPrefix}; e.g. "prod/mysql".`);
    const badEndpoint = endpoint === null ? undefined : endpointProblem(endpoint);
    if (badEndpoint !== undefined)
        problems.add(
            `\`backupS3Endpoint\` is ${show(endpoint)}: ${badEndpoint}; e.g. "https://minio.example:9000", or unset it for AWS S3.`,
        );
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(region))
        problems.add(`\`backupS3Region\` is ${show(region)}: use a region name such as "us-east-1" (lower-case letters, digits and '-').`);
    if (secret === null) {
        problems.add(
            "`backupS3Bucket` is set but `backupS3CredentialsSecret` is not: create a Secret in the cluster's namespace with the keys " +
                "`access-key-id` and `secret-access-key` (`kubectl create secret generic mysql-backup-s3 --from-literal=access-key-id=… " +
                "--from-literal=secret-access-key=…`) and set `backupS3CredentialsSecret` to its name.",
        );
    } else if (!DNS1123_SUBDOMAIN.test(secret) || secret.length > MAX_SUBDOMAIN) {
        problems.add(
            `\`backupS3CredentialsSecret\` is ${show(secret)}: give the name of a Secret (a DNS subdomain such as ` +
                `"mysql-backup-s3"), not its value; the Secret holds the keys \`access-key-id\` and \`secret-access-key\`.`,
        );
    }
    const interval = checkBinlogShipInterval(problems, s.binlogShipIntervalSeconds, s.flavor);
    if (problems.list.length > found || secret === null || interval === undefined) {
        return undefined;
    }
    return {
        bucket,
        prefix: prefix ?? defaultPrefix,
        endpoint: endpoint ?? undefined,
        region,
        credentialsSecret: secret,
        binlogShipIntervalSeconds: interval ?? undefined,
    };
}

/**
 * `binlogShipIntervalSeconds` with a bucket: whole seconds within the bounds, and only for a flavor whose
 * binlogs are shipped. Unset: the default for those flavors, null (no shipping) for the others.
 */
function checkBinlogShipInterval(
    problems: Problems,
    interval: number | null | undefined,
    flavor: string | undefined,
): number | null | undefined {
    if (interval === undefined || flavor === undefined) {
        return undefined;
    }
    const ships = BINLOG_SHIPPING_FLAVORS.includes(flavor);
    if (interval === null) {
        return ships ? DEFAULT_BINLOG_SHIP_INTERVAL : null;
    }
    const { min, max } = BINLOG_SHIP_INTERVAL_BOUNDS;
    if (!Number.isInteger(interval) || interval < min || interval > max) {
        return problems.add(
            `\`binlogShipIntervalSeconds\` is ${show(interval)}: use a whole number of seconds from ${min} to ${max} ` +
                `(how often mysql-0's binlogs go to the bucket), or unset it for ${DEFAULT_BINLOG_SHIP_INTERVAL}.`,
        );
    }
    if (!ships) {
        return problems.add(
            `\`binlogShipIntervalSeconds\` is set but \`flavor\` is ${show(flavor)}: binlog shipping and restores to a time ` +
                `are built for flavor ${BINLOG_SHIPPING_FLAVORS.map((f) => `"${f}"`).join(" and ")} only; unset it.`,
        );
    }
    return interval;
}

/** `rcloneImage`: an image reference, as the kubelet would pull it. */
export function checkRcloneImage(problems: Problems, image: string | undefined): string | undefined {
    if (image === undefined || parseImageReference(image) !== undefined) {
        return image;
    }
    return problems.add(`\`rcloneImage\` is ${show(image)}: use an image reference such as "rclone/rclone:1.76.0".`);
}
