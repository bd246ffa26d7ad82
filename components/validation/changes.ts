// `allowDestructiveChanges`: the guarded settings (see ../guardedSettings.ts) this run may change.

import { GUARDED_SETTINGS } from "../guardedSettings";
import { Problems, show } from "./problems";

export function checkAllowedChanges(problems: Problems, allowed: readonly string[] | undefined): readonly string[] | undefined {
    if (allowed === undefined) {
        return undefined;
    }
    const known = Object.keys(GUARDED_SETTINGS);
    const unknown = allowed.filter((setting) => !known.includes(setting));
    if (unknown.length > 0) {
        return problems.add(
            `\`allowDestructiveChanges\` has ${unknown.map(show).join(", ")}: list only guarded settings (${known.join(", ")}); ` +
                `the other settings change without an opt-in.`,
        );
    }
    return allowed;
}
