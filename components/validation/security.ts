// The security settings: the passwords (each checked as soon as it is known), the optional application
// database and user, and the label selectors of the clients the NetworkPolicy lets in.

import * as pulumi from "@pulumi/pulumi";
import { Flavor } from "../flavors";
import { Problems, show } from "./problems";

/** Longest replication password each server accepts (MySQL error 3056; MariaDB ERROR 1470). */
const MAX_REPLICATION_PASSWORD = { mysql: 32, mariadb: 96 };

/** Accounts the component or the images manage; the application user must be another. */
const RESERVED_USERS = ["root", "replication", "backup", "healthcheck", "mysql.sys", "mysql.session", "mysql.infoschema", "mariadb.sys"];

/** A label key (optional DNS-subdomain prefix, a name of at most 63 characters) and a label value. */
const LABEL_KEY = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * What is wrong with a password, if anything. `flavor` is given for the replication password, whose
 * length the server limits.
 */
export function passwordProblem(key: string, password: string, flavor?: Flavor): string | undefined {
    if (password === "") {
        return `\`${key}\` is empty: set a non-empty secret, or unset it to have one generated.`;
    }
    if (/[\r\n]/.test(password)) {
        return `\`${key}\` contains a line break, which no MySQL client can read from an option file: choose another.`;
    }
    if (flavor !== undefined) {
        const max = flavor.name === "mariadb" ? MAX_REPLICATION_PASSWORD.mariadb : MAX_REPLICATION_PASSWORD.mysql;
        const length = [...password].length;
        if (length > max) {
            return (
                `\`${key}\` has ${length} characters: \`flavor\` ${show(flavor.name)} accepts at most ${max} in a ` +
                `replication password; choose a shorter one, or unset it to have one of 32 generated.`
            );
        }
    }
    return undefined;
}

/** A plain password is checked with the other settings; an Output once it is known ({@link requirePassword}). */
export function checkPassword<T extends pulumi.Input<string> | null | undefined>(
    problems: Problems,
    key: string,
    password: T,
    flavor?: Flavor,
): T | undefined {
    const problem = typeof password === "string" ? passwordProblem(key, password, flavor) : undefined;
    return problem === undefined ? password : problems.add(problem);
}

interface AppAccount {
    appDatabase: string | null | undefined;
    appUser: string | null | undefined;
    appPassword: pulumi.Input<string> | null | undefined;
}

/** The application database and user: both or neither, names MySQL takes unquoted, not a managed account. */
export function checkAppAccount(problems: Problems, account: AppAccount): AppAccount | undefined {
    const { appDatabase, appUser, appPassword } = account;
    const before = problems.list.length;
    if (typeof appDatabase === "string" && !/^[A-Za-z0-9_$]{1,64}$/.test(appDatabase)) {
        problems.add(`\`appDatabase\` is ${show(appDatabase)}: use 1 to 64 letters, digits, '_' or '$', e.g. "orders".`);
    }
    if (typeof appUser === "string" && (!/^[A-Za-z0-9_$.-]{1,32}$/.test(appUser) || RESERVED_USERS.includes(appUser.toLowerCase()))) {
        problems.add(
            `\`appUser\` is ${show(appUser)}: use 1 to 32 letters, digits, '_', '$', '.' or '-', other than ` +
                `${RESERVED_USERS.map((u) => show(u)).join(", ")}, e.g. "orders".`,
        );
    }
    if ((appDatabase === null) !== (appUser === null) && appDatabase !== undefined && appUser !== undefined) {
        problems.add(
            `\`appDatabase\` and \`appUser\` go together (${appDatabase === null ? "`appUser`" : "`appDatabase`"} is set ` +
                `alone): set both for an application database and its user, or neither.`,
        );
    }
    if (appPassword !== null && appPassword !== undefined && appUser === null) {
        problems.add("`appPassword` is set without `appUser`: set `appUser` (and `appDatabase`), or remove `appPassword`.");
    }
    return problems.list.length === before && appDatabase !== undefined && appUser !== undefined && appPassword !== undefined
        ? account
        : undefined;
}

/** Label selectors written `key=value[,key=value]`, as `matchLabels`. */
export function checkLabelSelectors(
    problems: Problems,
    key: string,
    items: readonly string[] | undefined,
): ReadonlyArray<Readonly<Record<string, string>>> | undefined {
    if (items === undefined) {
        return undefined;
    }
    const selectors: Array<Record<string, string>> = [];
    for (const item of items) {
        const pairs = item.split(",").map((pair) => pair.trim().split("="));
        if (!pairs.every((pair) => pair.length === 2 && LABEL_KEY.test(pair[0]) && LABEL_VALUE.test(pair[1]))) {
            return problems.add(
                `\`${key}\` has ${show(item)}: write one label selector per item as key=value[,key=value], e.g. ` +
                    `"app=web" or "kubernetes.io/metadata.name=shop".`,
            );
        }
        selectors.push(Object.fromEntries(pairs));
    }
    return selectors;
}
