// The change guard: a fingerprint of the settings whose change on a live stack would lose data, take every
// pod down, or do nothing while seeming to, kept in the stack's state by a dynamic resource. Its `check`
// compares the new fingerprint with the one in the state and fails on a guarded change the user has not
// allowed (`allowDestructiveChanges`). The engine runs `check` in `pulumi preview` and before any step of
// `pulumi up`, and every Kubernetes object of the cluster depends on the guard: a refused change stops the
// run before anything is touched.
//
// Two providers serve it, one per way the component is used:
// - a TypeScript/JavaScript program that imports the component runs it in its own process: the guard is a
//   `pulumi-nodejs:dynamic:` resource (GUARD_TYPE), whose provider the engine starts from the program's own
//   node_modules. Its code is this module's `changeFailures` as source text (see GUARD_PROVIDER):
//   self-contained, so Pulumi's closure serialization (which loads the TypeScript compiler, ~0.3 s a run) is
//   not needed. A custom type of this package would instead need the package's plugin installed where the
//   engine looks for plugins (plugin cache or $PATH; not node_modules/.bin): an extra install step for
//   every TypeScript user, for nothing the dynamic provider does not already do.
// - a program in another language (Python, Go, .NET, Java, YAML) has no node_modules, so the dynamic provider
//   cannot start there (pulumi/pulumi#5455). The component then runs inside this package's own provider
//   (provider.ts), which serves the guard as a custom type of its own, GUARD_RESOURCE_TYPE, with the same
//   `changeFailures` as its check: the engine already runs that plugin for the component.

import * as pulumi from "@pulumi/pulumi";
import { ResolvedArgs } from "./args";
import { SERIES_UPGRADES } from "./flavors";
import { parseImageReference } from "./imageReference";
import { GUARDED_SETTINGS, GuardedSetting } from "./guardedSettings";
import { ClusterNames } from "./names";

/** One guarded value in the fingerprint. */
export interface GuardedValue {
    /** The setting a user changes, named in the message and in `allowDestructiveChanges`. */
    readonly setting: string;
    /** What the value is, for the message: "the volume of ordinal 2". */
    readonly label: string;
    /** The value as text. */
    readonly value: string;
    /** Earlier values this one may follow without an opt-in (a supported upgrade). */
    readonly upgradeFrom?: readonly string[];
    /**
     * The value a deployed cluster has when its guard's state predates this entry (the state holds other values
     * but not this one): the setting's behaviour before it existed. Without it, a new entry is only recorded.
     */
    readonly untrackedValue?: string;
    /** The setting to name, and why, when the value disappears (a volume: fewer `nfsPaths`, a lower `maxReplicas`). */
    readonly removedBy?: { readonly setting: string; readonly why: string };
    /**
     * The entry this one belongs to (a volume's server goes with its path): its removal tells this one's too, and
     * `untrackedValue` stands in only where that entry was deployed (a volume added now is new, not changed).
     */
    readonly partOf?: string;
    /** The entry in an older state whose value stands in for this one where the state predates it (before `untrackedValue`). */
    readonly untrackedFrom?: string;
    /** The volume the value belongs to, an ordinal or a name ("the backup volume"): a change of several is one message. */
    readonly volume?: number | string;
    /** What of the volume the value is, for that message: "the NFS server". */
    readonly subject?: string;
    /** What the change would do, and the safe way instead. */
    readonly why: string;
}

/** The guard's inputs: the fingerprint and the settings this run may change. */
export interface GuardInputs {
    readonly values: Record<string, GuardedValue>;
    readonly allowed: readonly string[];
}

/** A check failure, as Pulumi's dynamic providers report them. */
export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

/**
 * The guarded changes from `olds` (the inputs in the state; none on the first deploy) to `news` that are not
 * allowed, one failure per setting and reason: the volumes one change moves are named in one message. Pure and
 * self-contained: it runs as source text in the dynamic provider, so it may use nothing but its arguments and
 * JavaScript's built-ins.
 */
export function changeFailures(olds: Partial<GuardInputs> | undefined, news: GuardInputs): CheckFailure[] {
    const before = (olds && olds.values) || {};
    const after = news.values || {};
    const allowed = news.allowed || [];
    // A state written before an entry existed stands for that entry's `untrackedFrom` entry's value in the state,
    // or its `untrackedValue` (a deployed cluster).
    const deployed = Object.keys(before).length > 0;
    const compared: Record<string, GuardedValue> = { ...before };
    for (const key of Object.keys(after)) {
        const now = after[key];
        if (!deployed || key in before || (now.partOf !== undefined && !(now.partOf in before))) {
            continue;
        }
        const from = now.untrackedFrom !== undefined ? before[now.untrackedFrom] : undefined;
        const value = from !== undefined ? from.value : now.untrackedValue;
        if (value !== undefined) {
            compared[key] = { ...now, value };
        }
    }
    interface Refused {
        readonly setting: string;
        readonly why: string;
        readonly old: GuardedValue;
        readonly now: GuardedValue | undefined;
    }
    const refused: Refused[] = [];
    for (const key of Object.keys(compared).sort()) {
        const old = compared[key];
        const now = after[key];
        if (now !== undefined && (now.value === old.value || (now.upgradeFrom || []).includes(old.value))) {
            continue;
        }
        // An entry that belongs to one made or removed now (a volume's server, the backup volume's server) is told by it.
        const partOf = now !== undefined && now.partOf !== undefined ? now.partOf : old.partOf;
        if (partOf !== undefined && (!(partOf in before) || !(partOf in after))) {
            continue;
        }
        const setting = now ? now.setting : old.removedBy ? old.removedBy.setting : old.setting;
        const why = now ? now.why : old.removedBy ? old.removedBy.why : old.why;
        if (!allowed.includes(setting)) {
            refused.push({ setting, why, old, now });
        }
    }
    const show = (value: string) => JSON.stringify(value);
    /** "ordinal 2", "ordinals 1 and 3", "ordinals 0, 1 and 2, and the backup volume". */
    const items = (group: readonly Refused[]) => {
        const list = (words: string[]) =>
            words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
        const volumes = group.map((r) => (r.now || r.old).volume as number | string);
        const ordinals = volumes.filter((v): v is number => typeof v === "number").sort((a, b) => a - b);
        const named = volumes.filter((v): v is string => typeof v === "string");
        const parts = [
            ...(ordinals.length > 0 ? [`ordinal${ordinals.length > 1 ? "s" : ""} ${list(ordinals.map(String))}`] : []),
            ...named,
        ];
        return parts.length > 1 && ordinals.length > 1 ? `${parts.slice(0, -1).join(", ")}, and ${parts[parts.length - 1]}` : list(parts);
    };
    /** What one refused change, or several of one setting on volumes, would do. */
    const describe = (group: readonly Refused[]): string[] => {
        const first = group[0];
        const subject = (first.now || first.old).subject;
        if (group.length === 1 || subject === undefined || group.some((r) => (r.now || r.old).volume === undefined)) {
            return group.map((r) =>
                r.now === undefined
                    ? `would remove ${r.old.label} (${show(r.old.value)})`
                    : `would change ${r.old.label} from ${show(r.old.value)} to ${show(r.now.value)}`,
            );
        }
        const count = `${group.length} volumes`;
        // By ordinal (the state's keys sort as text: 10 before 2), named volumes last.
        const rank = (r: Refused) => {
            const volume = (r.now || r.old).volume;
            return typeof volume === "number" ? volume : Number.MAX_SAFE_INTEGER;
        };
        group = [...group].sort((a, b) => rank(a) - rank(b));
        if (first.now === undefined) {
            return [`would remove ${subject} of ${count}: ${group.map((r) => `${items([r])} (${show(r.old.value)})`).join(", ")}`];
        }
        // The volumes that move from one server (or path) to the same other one, together.
        const moves: Refused[][] = [];
        for (const r of group) {
            const same = moves.find((m) => m[0].old.value === r.old.value && (m[0].now as GuardedValue).value === r.now?.value);
            if (same) {
                same.push(r);
            } else {
                moves.push([r]);
            }
        }
        const move = (m: readonly Refused[]) => `from ${show(m[0].old.value)} to ${show((m[0].now as GuardedValue).value)}`;
        return [
            moves.length === 1
                ? `would change ${subject} of ${count} (${items(group)}) ${move(group)}`
                : `would change ${subject} of ${count}: ${moves.map((m) => `${items(m)} ${move(m)}`).join(", ")}`,
        ];
    };
    // One message per setting, reason and kind of change (a volume removed or changed).
    const groups: Refused[][] = [];
    for (const r of refused) {
        const same = groups.find(
            (g) => g[0].setting === r.setting && g[0].why === r.why && (g[0].now === undefined) === (r.now === undefined),
        );
        if (same) {
            same.push(r);
        } else {
            groups.push([r]);
        }
    }
    return groups.flatMap((group) =>
        describe(group).map((change) => ({
            property: group[0].setting,
            reason:
                `\`${group[0].setting}\` ${change} on the deployed cluster: ${group[0].why} ` +
                `To make this change anyway, add "${group[0].setting}" to \`allowDestructiveChanges\` for this run.`,
        })),
    );
}

/**
 * Whether the guard's state must be updated: the fingerprint or the allowed settings changed. Self-contained,
 * like `changeFailures`: both providers run it (the dynamic one as source text).
 */
export function guardChanged(olds: Partial<GuardInputs>, news: Partial<GuardInputs>): boolean {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    return !same(olds.values, news.values) || !same(olds.allowed, news.allowed);
}

/** The guard's id: one per cluster, and only the state holds it. */
export const GUARD_ID = "change-guard";

/**
 * The dynamic provider's module, as Pulumi's nodejs dynamic provider loads it (`exports.handler()` returns
 * the provider). `check` refuses; the rest only keeps the fingerprint in the state.
 */
export const GUARD_PROVIDER = `exports.handler = () => {
    const changeFailures = ${changeFailures.toString()};
    const guardChanged = ${guardChanged.toString()};
    return {
        check: async (olds, news) => ({ inputs: news, failures: changeFailures(olds, news) }),
        diff: async (id, olds, news) => ({ changes: guardChanged(olds, news) }),
        create: async (inputs) => ({ id: ${JSON.stringify(GUARD_ID)}, outs: inputs }),
        update: async (id, olds, news) => ({ outs: news }),
    };
};
`;

/** The Pulumi type of the guard in a TypeScript/JavaScript program (a nodejs dynamic resource). */
export const GUARD_TYPE = "pulumi-nodejs:dynamic:MySqlChangeGuard";

/** The Pulumi type of the guard when this package's provider serves it (programs in other languages). */
export const GUARD_RESOURCE_TYPE = "mysql-statefulset:index:ChangeGuard";

/** Which provider serves a guard made now; see `withGuardsFromPackageProvider`. */
let guardRoute: "dynamic" | "package" = "dynamic";

/**
 * Runs `make` (the component's constructor, which makes its guard synchronously) with every ChangeGuard made
 * meanwhile a GUARD_RESOURCE_TYPE, served by this package's provider. Used by the provider (provider.ts) when
 * it constructs a component; a program never calls it.
 */
export function withGuardsFromPackageProvider<T>(make: () => T): T {
    const previous = guardRoute;
    guardRoute = "package";
    try {
        return make();
    } finally {
        guardRoute = previous;
    }
}

/** The change guard of one cluster; every Kubernetes object of the cluster depends on it. */
export class ChangeGuard extends pulumi.CustomResource {
    constructor(name: string, inputs: GuardInputs, opts?: pulumi.CustomResourceOptions) {
        if (guardRoute === "package") {
            super(GUARD_RESOURCE_TYPE, name, { values: inputs.values, allowed: inputs.allowed }, opts);
        } else {
            super(GUARD_TYPE, name, { __provider: GUARD_PROVIDER, values: inputs.values, allowed: inputs.allowed }, opts);
        }
    }
}

/** The server series an image tag names (`8.4`, `11.4`), or the default image's when the tag has none (a digest). */
export function imageSeries(image: string, defaultImage: string): string {
    const series = (reference: string) => /^(\d+\.\d+)/.exec(parseImageReference(reference)?.tag ?? "")?.[1];
    return series(image) ?? series(defaultImage) ?? "unknown";
}

/**
 * The fingerprint of the settings for the guard. No password: a changed one is rotated on the servers by the
 * pods themselves (pod/rotate-credentials.sh).
 */
export function guardInputs(args: ResolvedArgs, names: ClusterNames): GuardInputs {
    const plain = (setting: GuardedSetting, label: string, value: string, extra: Partial<GuardedValue> = {}): GuardedValue => ({
        setting,
        label,
        value,
        why: GUARDED_SETTINGS[setting],
        ...extra,
    });
    const removal = (setting: GuardedSetting) => ({ setting, why: GUARDED_SETTINGS[setting] });
    const series = imageSeries(args.image, args.flavor.image);
    const volumesFrom: GuardedSetting = args.nfsPathPattern === undefined ? "nfsPaths" : "nfsPathPattern";
    const values: Record<string, GuardedValue> = {
        name: plain("name", "the cluster's name", names.statefulSet),
        namespace: plain("namespace", "the cluster's namespace", args.namespace),
        clusterDomain: plain("clusterDomain", "the cluster domain", args.clusterDomain),
        flavor: plain("flavor", "the flavor", args.flavor.name),
        series: plain("image", "the server series", series, {
            // A patch release keeps the series; one step of the supported upgrade paths is allowed too.
            upgradeFrom: Object.values(SERIES_UPGRADES)
                .flat()
                .filter(([, to]) => to === series)
                .map(([from]) => from),
        }),
        appDatabase: plain("appDatabase", "the application's database", args.appDatabase ?? ""),
        appUser: plain("appUser", "the application's user", args.appUser ?? ""),
        storageRequest: plain("storageRequest", "the claims' storage request", args.storageRequest),
        storageClassName: plain("storageClassName", "the storage class", args.storageClassName),
        // A state from before this entry is a cluster with the legacy labels.
        selectorLabels: plain("selectorLabels", "the pods' labels and selectors", args.selectorLabels, { untrackedValue: "legacy" }),
        ...(args.backupNfsPath === undefined
            ? {}
            : {
                  backupVolume: plain("backupNfsPath", "the backup volume's path", args.backupNfsPath),
                  backupVolumeCapacity: plain("backupVolumeCapacity", "the backup volume's capacity", args.backupVolumeCapacity),
              }),
        // `nfsServer` places the backup volume, and the data volumes unless `nfsServers` does (their own entries
        // below): compared only while the backup volume exists, so with `nfsServers` and no backup volume it places
        // nothing and changes freely. A state from before had it for every volume: the volumes' entries read it.
        nfsServer: plain("nfsServer", "the backup volume's NFS server", args.nfsServer, {
            partOf: "backupVolume",
            volume: "the backup volume",
            subject: "the NFS server",
        }),
    };
    // A volume's server: named by `nfsServers` when it spreads the volumes, else by `nfsServer`. A state from
    // before this entry had every volume on the `nfsServer` it recorded: that value stands in.
    const serversFrom: GuardedSetting = args.nfsServers === undefined ? "nfsServer" : "nfsServers";
    args.nfsPaths.forEach((path, ordinal) => {
        const removedBy = volumesFrom === "nfsPaths" ? removal("nfsPaths") : removal("maxReplicas");
        values[`volume-${ordinal}`] = plain(volumesFrom, `the path of ordinal ${ordinal}'s volume`, path, {
            removedBy,
            volume: ordinal,
            subject: "the path",
        });
        values[`volumeServer-${ordinal}`] = plain(
            serversFrom,
            `the NFS server of ordinal ${ordinal}'s volume`,
            args.volumeServers[ordinal],
            {
                removedBy,
                partOf: `volume-${ordinal}`,
                untrackedFrom: "nfsServer",
                untrackedValue: args.nfsServer,
                volume: ordinal,
                subject: "the NFS server",
            },
        );
    });
    return { values, allowed: [...args.allowDestructiveChanges] };
}
