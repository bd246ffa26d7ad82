// Schedules on both sides of the API server's CronJob check (robfig/cron v3 ParseStandard): the component must
// take exactly the accepted ones (tests/unit/backup.test.ts), and tests/real/controlPlane.test.ts asks a real
// kube-apiserver about the same list (a server-side dry run of a CronJob each), so the two cannot drift apart.
export const CRON_SCHEDULES = {
    accepted: [
        "0 3 * * *",
        "*/15 * * * *",
        "0 0-23/6 * * *",
        "30 2 1,15 * *",
        "0 3 * JAN-MAR,dec SUN",
        "0 3 ? * mon-fri",
        "5/10 * * * *",
        "59 23 31 12 6",
        "@daily",
        "@hourly",
    ],
    refused: [
        "60 3 * * *",
        "0 24 * * *",
        "0 3 0 * *",
        "0 3 * 13 *",
        "0 3 * * 7",
        "0 3 * * MON-FOO",
        "*/0 * * * *",
        "5-1 * * * *",
        "1-2-3 * * * *",
        "0 3 MON * *",
        "0 3 * *",
    ],
} as const;
