// The backup and restore settings: a cron schedule, a retention count, the NFS export of the backup volume,
// and the backup a new cluster's mysql-0 starts from. Restoring needs the old cluster's passwords, which the
// restored data's accounts still carry.
// @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax

import * as pulumi from "@pulumi/pulumi";
import { overlaps, pathProblem } from "./nfs";
import { BINLOG_SHIPPING_FLAVORS, ObjectStore } from "./objectStore";
import { Problems, show } from "./problems";

/** Kubernetes limits a CronJob's name to 52 characters (its Jobs add 11). */
const MAX_CRONJOB_NAME = 52;
const BACKUP_SUFFIX = "-backup";
export const MAX_BACKUP_RETENTION = 1000;
const CRON_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/**
 * The five fields, with the bounds and names the API server's parser accepts (robfig/cron v3
 * `ParseStandard`, which Kubernetes' CronJob validation calls): days of the week 0-6, no 7.
 */
const CRON_FIELDS = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: MONTHS },
    { name: "day of week", min: 0, max: 6, names: DAYS },
] as const;

/**
 * What is wrong with one field of a schedule, as the API server's parser would refuse it, or undefined. Each
 * comma-separated part is `*` or `?`, a number or name, or a range `a-b`, with an optional `/step`; `a/step`
 * means `a-max/step`.
 */
function cronFieldProblem(text: string, field: (typeof CRON_FIELDS)[number]): string | undefined {
    const value = (token: string): number | undefined => {
        // A name counts from the field's first value: JAN is 1, SUN is 0.
        const named = "names" in field ? field.names.indexOf(token.toLowerCase() as never) : -1;
        if (named >= 0) return named + field.min;
        return /^[0-9]+$/.test(token) ? Number(token) : undefined;
    };
    for (const part of text.split(",")) {
        const [range, step, ...extra] = part.split("/");
        if (extra.length > 0 || (step !== undefined && !/^[0-9]+$/.test(step))) return `"${part}" has a bad step`;
        if (step !== undefined && Number(step) === 0) return `"${part}" has a step of 0`;
        if (range === "*" || range === "?") continue;
        const ends = range.split("-");
        if (ends.length > 2) return `"${part}" has too many hyphens`;
        const [low, high] = ends.map(value);
        if (low === undefined || (ends.length === 2 && high === undefined))
            return `"${part}" is not a number${"names" in field ? " or name" : ""}`;
        const end = high ?? low;
        if (low < field.min || end > field.max) return `"${part}" is outside ${field.min}-${field.max}`;
        if (low > end) return `"${part}" starts after it ends`;
    }
    return undefined;
}

/** A backup's directory name under the backup volume, as backup.sh makes them (20250101T030000Z). */
const BACKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface BackupSettings {
    backupSchedule: string | null | undefined;
    backupRetention: number | undefined;
    backupNfsPath: string | null | undefined;
    restoreFrom: string | null | undefined;
    /** Whether `backupS3Bucket` is set: backups and a restore can do without the backup volume. */
    objectStore: boolean;
}

export function checkBackupSchedule(problems: Problems, schedule: string | null | undefined): string | null | undefined {
    if (schedule === undefined || schedule === null) {
        return schedule;
    }
    const fields = schedule.trim().split(/\s+/);
    if (CRON_MACROS.includes(schedule.trim())) {
        return schedule.trim();
    }
    if (fields.length !== 5) {
        return problems.add(
            `\`backupSchedule\` is ${show(schedule)}: use a cron schedule of five fields (minute hour day-of-month ` +
                `month day-of-week), e.g. "0 3 * * *" for 03:00 every day, or a macro such as "@daily"; unset it for no backups.`,
        );
    }
    const wrong = fields.flatMap((text, i) => {
        const problem = cronFieldProblem(text, CRON_FIELDS[i]);
        return problem === undefined ? [] : [`the ${CRON_FIELDS[i].name} ${problem}`];
    });
    return wrong.length === 0
        ? schedule.trim()
        : problems.add(
              `\`backupSchedule\` is ${show(schedule)}: ${wrong.join("; ")}, and the API server would refuse the CronJob in ` +
                  `the middle of \`pulumi up\`. Fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, ` +
                  `day of week 0-6 or SUN-SAT (Sunday is 0, not 7).`,
          );
}

export function checkBackupRetention(problems: Problems, retention: number | undefined): number | undefined {
    if (retention === undefined || (Number.isInteger(retention) && retention >= 1 && retention <= MAX_BACKUP_RETENTION)) {
        return retention;
    }
    return problems.add(
        `\`backupRetention\` is ${show(retention)}: use a whole number from 1 to ${MAX_BACKUP_RETENTION}, the number of good backups kept.`,
    );
}

/** The backup volume's path: needed by backups and by a restore, never one pod's data directory. */
export function checkBackupNfsPath(
    problems: Problems,
    settings: BackupSettings,
    nfsPaths: readonly string[] | undefined,
): string | null | undefined {
    const { backupNfsPath, backupSchedule, restoreFrom, objectStore } = settings;
    if (backupNfsPath === undefined) {
        return undefined;
    }
    if (backupNfsPath === null) {
        const needers = [backupSchedule ? "`backupSchedule`" : "", restoreFrom ? "`restoreFrom`" : ""].filter((x) => x !== "");
        return needers.length === 0 || objectStore
            ? null
            : problems.add(
                  `${needers.join(" and ")} ${needers.length > 1 ? "need" : "needs"} \`backupNfsPath\` or \`backupS3Bucket\`: give ` +
                      `the NFS export (on \`nfsServer\`) that holds the backups, e.g. "/data/backups/mysql", or an S3-compatible bucket.`,
              );
    }
    const problem = pathProblem(backupNfsPath);
    if (problem !== undefined) {
        return problems.add(`\`backupNfsPath\` is ${show(backupNfsPath)}: ${problem}, e.g. "/data/backups/mysql".`);
    }
    const shared = nfsPaths === undefined ? [] : overlaps([backupNfsPath, ...nfsPaths]).filter((o) => o.startsWith(show(backupNfsPath)));
    if (shared.length > 0) {
        return problems.add(
            `\`backupNfsPath\` and a data path: ${shared[0]}: keep the backups in a directory of their own, outside ` +
                `every pod's data directory, e.g. "/data/backups/mysql".`,
        );
    }
    return backupNfsPath;
}

/** A restore to a time: `restoreFrom` as UTC, to the second (2026-12-07T14:05:00Z). */
export const RESTORE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Whether `restoreFrom` names a time rather than a backup. */
export const isRestoreTime = (restoreFrom: string): boolean => RESTORE_TIME.test(restoreFrom);

/** What is wrong with a time that matches RESTORE_TIME's shape (a 31 February), or undefined. */
function restoreTimeProblem(text: string): string | undefined {
    const [, ...parts] = RESTORE_TIME.exec(text) ?? [];
    const [year, month, day, hour, minute, second] = parts.map(Number);
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    const same =
        date.getUTCFullYear() === year &&
        date.getUTCMonth() === month - 1 &&
        date.getUTCDate() === day &&
        date.getUTCHours() === hour &&
        date.getUTCMinutes() === minute &&
        date.getUTCSeconds() === second;
    return same ? undefined : "it is not a real date and time";
}

/**
 * `restoreFrom`: a backup's name, or a UTC time; restoring keeps the old cluster's accounts, so its
 * passwords must be given.
 */
export function checkRestoreFrom(
    problems: Problems,
    restoreFrom: string | null | undefined,
    passwords: Record<string, pulumi.Input<string> | null | undefined>,
): string | null | undefined {
    if (restoreFrom === undefined || restoreFrom === null) {
        return restoreFrom;
    }
    if (isRestoreTime(restoreFrom)) {
        const problem = restoreTimeProblem(restoreFrom);
        if (problem !== undefined) {
            return problems.add(`\`restoreFrom\` is ${show(restoreFrom)}: ${problem}; give a UTC time such as "2026-12-07T14:05:00Z".`);
        }
    } else if (!BACKUP_NAME.test(restoreFrom) || restoreFrom.endsWith(".partial")) {
        return problems.add(
            `\`restoreFrom\` is ${show(restoreFrom)}: give the name of a complete backup directory on the backup ` +
                `volume, as \`ls\` lists it there, e.g. "20250101T030000Z" (not a path, not a ".partial" one), or a UTC ` +
                `time to restore to, as YYYY-MM-DDTHH:MM:SSZ, e.g. "2026-12-07T14:05:00Z".`,
        );
    }
    const missing = Object.entries(passwords)
        .filter(([, value]) => value === null)
        .map(([key]) => `\`${key}\``);
    if (missing.length > 0) {
        return problems.add(
            `\`restoreFrom\` is set but ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not: the restored data ` +
                `keeps the old cluster's accounts, so set ${missing.length > 1 ? "them" : "it"} (with --secret) to the old ` +
                `cluster's values; generated ones would lock the cluster out of its own data.`,
        );
    }
    return restoreFrom;
}

/** The CronJob is named `<name>-backup`, at most 52 characters. */
export function checkBackupName(problems: Problems, name: string | undefined, backupSchedule: string | null | undefined): void {
    if (name !== undefined && backupSchedule && name.length + BACKUP_SUFFIX.length > MAX_CRONJOB_NAME) {
        problems.add(
            `\`name\` ${show(name)} has ${name.length} characters: with \`backupSchedule\` the CronJob ${show(name + BACKUP_SUFFIX)} ` +
                `would exceed Kubernetes' ${MAX_CRONJOB_NAME}; use at most ${MAX_CRONJOB_NAME - BACKUP_SUFFIX.length}.`,
        );
    }
}

/** The flavors a restore to a time is built for: every flavor whose binlogs are shipped (replay-binlogs replays them). */
export const RESTORE_TIME_FLAVORS: readonly string[] = BINLOG_SHIPPING_FLAVORS;

/**
 * A restore to a time replays the binlogs shipped to the bucket: it needs `backupS3Bucket` (`objectStore`: null
 * when unset, undefined when a bucket setting is not known yet or is invalid), and a flavor whose binlogs are
 * shipped and replayed (RESTORE_TIME_FLAVORS).
 */
export function checkRestoreTime(
    problems: Problems,
    restoreFrom: string | null | undefined,
    objectStore: ObjectStore | null | undefined,
    flavor: string | undefined,
): void {
    if (restoreFrom === undefined || restoreFrom === null || !isRestoreTime(restoreFrom) || objectStore === undefined) {
        return;
    }
    if (objectStore === null) {
        problems.add(
            `\`restoreFrom\` is ${show(restoreFrom)}, a time, but \`backupS3Bucket\` is not set: a restore to a time replays ` +
                `the binlogs shipped to the bucket; set the bucket settings of the cluster whose data you restore, or give a backup's name.`,
        );
    } else if (flavor !== undefined && !RESTORE_TIME_FLAVORS.includes(flavor)) {
        const flavors = RESTORE_TIME_FLAVORS.map((f) => `"${f}"`).join(", ");
        problems.add(
            `\`restoreFrom\` is ${show(restoreFrom)}, a time, but \`flavor\` is ${show(flavor)}, whose binlogs are not ` +
                `shipped: give a backup's name instead (restores to a time are built for flavor ${flavors}).`,
        );
    }
}
