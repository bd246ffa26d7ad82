// Runs the offline render as users do (`npm run render -- ARGS` runs scripts/render.cjs: the compiled
// render), without npm's start-up, for the render tests and the real-server suite.
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

export interface RenderRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

export function runRender(...args: string[]): RenderRun {
    const run = spawnSync(process.execPath, ["scripts/render.cjs", ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
