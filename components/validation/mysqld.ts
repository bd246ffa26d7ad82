// `mysqldOptions`: lines of a my.cnf `[mysqld]` section, parsed as the server parses option files
// (`name`, `name=value`, spaces around `=`, `-` and `_` alike, the `loose-`, `skip-`, `disable-`,
// `enable-` and `maximum-` prefixes), so an option the component relies on is refused however it is spelt.
// @see https://dev.mysql.com/doc/refman/8.4/en/option-files.html
// @see https://dev.mysql.com/doc/refman/8.4/en/option-modifiers.html

import { Problems, show } from "./problems";

const OPTION = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*(.*?))?\s*$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const PREFIXES = ["skip-", "disable-", "enable-", "maximum-"];

const PER_POD = "is set per pod by the component (primary or replica)";
/**
 * Options the component or its contract owns, by canonical name, with why. `socket` is not here: the pod
 * scripts reach the server over TCP on 127.0.0.1 and the images' entrypoints read the socket from the config.
 */
const MANAGED: Readonly<Record<string, string>> = {
    "server-id": PER_POD,
    "log-bin": PER_POD,
    "read-only": PER_POD,
    "super-read-only": PER_POD,
    "gtid-mode": "is chosen by the flavor, and the pod scripts find a replica's position by it",
    "enforce-gtid-consistency": "is chosen by the flavor, and the pod scripts find a replica's position by it",
    port: "is the port the Services, probes and pod scripts use (3306)",
    datadir: "is the pod's volume, where the clone and backup steps read and write",
    networking: "must stay on: replicas, the backup sidecar and clients connect over TCP",
    "grant-tables": "must stay on: without them anyone connects without a password (and MySQL 8 turns networking off)",
};
/** Addresses that listen on every interface, so peers reach the server at the pod's IP. */
const ANY_ADDRESS = ["0.0.0.0", "::", "*"];

/** The option a name sets, as the server resolves it: `loose_skip_log_bin` → `log-bin`. */
export function canonicalOption(name: string): string {
    let canonical = name.toLowerCase().replace(/_/g, "-");
    if (canonical.startsWith("loose-")) {
        canonical = canonical.slice("loose-".length);
    }
    const prefix = PREFIXES.find((p) => canonical.startsWith(p) && canonical.length > p.length);
    return prefix === undefined ? canonical : canonical.slice(prefix.length);
}

export function checkMysqldOptions(problems: Problems, options: readonly string[] | undefined): readonly string[] | undefined {
    if (options === undefined) {
        return undefined;
    }
    const count = problems.list.length;
    for (const option of options) {
        const match = CONTROL.test(option) ? null : OPTION.exec(option);
        if (!match) {
            problems.add(
                `\`mysqldOptions\` has ${show(option)}: write one \`option\` or \`option=value\` per item, ` +
                    `e.g. "max_connections=500".`,
            );
            continue;
        }
        const [, name, value] = match;
        const canonical = canonicalOption(name);
        const spelt = name.toLowerCase().replace(/_/g, "-") === canonical ? `\`${name}\`` : `\`${name}\` sets \`${canonical}\`, which`;
        if (canonical === "bind-address") {
            if (value !== undefined && value.split(",").every((a) => ANY_ADDRESS.includes(a.trim()))) {
                continue;
            }
            problems.add(
                `\`mysqldOptions\` has ${show(option)}: the replicas, the backup sidecar and the Services reach the ` +
                    `server at the pod's address, so it must listen on all of them; use "bind-address=0.0.0.0" (or "::", "*"), or remove it.`,
            );
        } else if (MANAGED[canonical] !== undefined) {
            problems.add(`\`mysqldOptions\` has ${show(option)}: ${spelt} ${MANAGED[canonical]}; remove it.`);
        }
    }
    return problems.list.length === count ? options : undefined;
}
