// Render state (`render --state FILE`): what the resources that generate secrets (random passwords, tls keys
// and certificates) produced, kept between renders as Pulumi's state keeps them between `pulumi up`s. Each
// value is kept under its resource's type and name with the inputs it was made from, and reused while those
// inputs are unchanged; changed inputs make a new value, as Pulumi replaces such a resource. Resources the
// render no longer has are dropped, as Pulumi deletes them. The file holds the values in plain text, like
// `pulumi stack export --show-secrets`: it is written with mode 0600.

import * as fs from "fs";
import { isDeepStrictEqual } from "util";
import { RenderError } from "./stackConfig";

interface Entry {
    inputs: unknown;
    outputs: Record<string, string>;
}

export class RenderState {
    private readonly previous: Record<string, Entry>;
    private readonly current: Record<string, Entry> = {};

    constructor(readonly file: string) {
        if (!fs.existsSync(file)) {
            this.previous = {};
            return;
        }
        try {
            this.previous = JSON.parse(fs.readFileSync(file, "utf8")).resources;
        } catch (error) {
            throw new RenderError(
                `--state ${file} is not a state file of this render (${(error as Error).message}): give a new file name.`,
            );
        }
    }

    /** The outputs kept for the resource when its inputs are unchanged, else `make()`'s, kept for the next render. */
    outputs(type: string, name: string, inputs: unknown, make: () => Record<string, string>): Record<string, string> {
        const key = `${type}::${name}`;
        const kept = this.previous[key];
        const outputs = kept !== undefined && isDeepStrictEqual(kept.inputs, inputs) ? kept.outputs : make();
        if (Object.keys(outputs).length > 0) {
            this.current[key] = { inputs, outputs };
        }
        return outputs;
    }

    save(): void {
        fs.writeFileSync(this.file, JSON.stringify({ resources: this.current }, null, 1) + "\n", { mode: 0o600 });
    }
}
