// The change table (docs/operations.md, "Changing a live stack") against what the program does: a row for every
// declared setting (components/settings.ts), in order, and each row's kind computed from two renders (see tests/changeImpact.ts).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { SETTINGS } from "../../components";
import { BASE, impactOf, SAMPLES } from "../changeImpact";
import { buildCluster } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");
const PASSWORDS = ["rootPassword", "replicationPassword", "backupPassword", "appPassword"];

function tableRows(): { setting: string; impact: string; what: string }[] {
    const operations = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
    const table = /<!-- change-table:start -->\n([\s\S]*?)<!-- change-table:end -->/.exec(operations);
    assert.ok(table, "docs/operations.md has the change table between its markers");
    return table[1]
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) => {
            const [setting, impact, what] = line
                .slice(1, -1)
                .split(" | ")
                .map((cell) => cell.trim());
            return { setting: setting.replace(/`/g, ""), impact, what };
        });
}

const declared = Object.keys(SETTINGS);

describe("the change table (docs/operations.md)", function () {
    this.timeout(120_000);
    const rows = tableRows();

    it("replaces the StatefulSet, when it must, with an orphaning delete: its pods stay", async () => {
        const { registered } = await buildCluster(BASE);
        const statefulSet = registered.find((r) => r.type === "kubernetes:apps/v1:StatefulSet");
        assert.strictEqual(statefulSet?.inputs.metadata.annotations["pulumi.com/deletionPropagationPolicy"], "orphan");
    });

    it("has a row for every declared setting, in order, and a sample change for each", () => {
        assert.deepStrictEqual(
            rows.map((r) => r.setting),
            declared,
        );
        assert.deepStrictEqual(Object.keys(SAMPLES), declared);
        for (const row of rows) {
            assert.ok(["none", "in place", "rolling restart", "guarded"].includes(row.impact), `${row.setting}: ${row.impact}`);
            assert.ok(row.what.length > 10, row.setting);
        }
    });

    for (const row of rows) {
        it(`${row.setting}: ${row.impact}`, async () => {
            const [before, after] = SAMPLES[row.setting];
            const { impact, changes, refusals } = await impactOf({ ...BASE, ...before }, { ...BASE, ...before, ...after });
            assert.strictEqual(impact, row.impact, JSON.stringify({ changes, refusals }, null, 1));
            if (impact === "guarded") {
                assert.ok(
                    refusals.some((reason) => reason.startsWith(`\`${row.setting}\``)),
                    `the guard names ${row.setting}: ${refusals.join(" | ")}`,
                );
            } else {
                // No gap: nothing the change allows is deleted and re-created under its own name (pulumi-kubernetes
                // deletes first then); what is replaced has a new name, so its successor exists first.
                // Two exceptions. A password: the credentials Secret is re-created under its name (running pods keep
                // their files and rotate the password; a pod that starts in that moment waits for it). The
                // StatefulSet: it is deleted with `orphan` propagation (checked below), so no pod goes.
                const sameName = changes.filter(
                    (c) =>
                        c.change === "replace" &&
                        !c.fields.includes(".metadata.name") &&
                        !(PASSWORDS.includes(row.setting) && c.object.endsWith("-credentials")) &&
                        !c.object.startsWith("kubernetes:apps/v1:StatefulSet::"),
                );
                assert.deepStrictEqual(sameName, [], `${row.setting} replaces an object under its own name`);
            }
        });
    }
});
