// The commands a rendered container runs, read from its pod scripts' syntax trees (shfmt --tojson, the
// formatter lint.sh already needs), so that the images test and the scripts' sandbox check the binaries the
// scripts really call instead of a list kept by hand.
//
// From a container's command, args and exec probes it follows: the pod scripts they name and the scripts
// those source or run (`$(dirname ...)/x.sh`), the functions called from a script's top level (not those
// merely defined), commands named by a variable (looked up in the container's environment: one the
// container does not set is an error), `exec X`, `find ... -exec X`, `"$@"` (the script's arguments), the
// command string socat's `SYSTEM:` and ncat's `-c` run, and a `case` on a variable the container sets, or on
// `${NAME:-}` of one it does not set (the matching branch only: the one for "" when unset). Bash builtins
// are not binaries and are left out. Every branch of an `if` counts:
// this is what a container may run, not what one start did.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PATHS } from "../components/constants";

const SCRIPTS = path.resolve(__dirname, "..", "pod");

/** Bash builtins and keywords: never looked up on the PATH. */
const BUILTINS = new Set(
    (
        ". : [ [[ alias bg bind break builtin caller cd command compgen complete continue declare dirs disown echo enable eval " +
        "exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read " +
        "readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait"
    ).split(" "),
);

/** A rendered container, as far as the commands it runs go. */
export interface ContainerSpec {
    name: string;
    image?: string;
    command?: string[];
    args?: string[];
    env?: { name: string; value?: unknown }[];
    livenessProbe?: { exec?: { command?: string[] } };
    readinessProbe?: { exec?: { command?: string[] } };
    startupProbe?: { exec?: { command?: string[] } };
}

/** Every binary the container may run, sorted; the image's own ENTRYPOINT is not followed. */
export function containerCommands(container: ContainerSpec): string[] {
    const env = new Map((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
    const found = new Set<string>();
    const runner = new Runner(env, found, container.name);
    runner.argv([...(container.command ?? []), ...(container.args ?? [])]);
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        if (probe?.exec?.command) {
            runner.argv(probe.exec.command);
        }
    }
    return [...found].sort();
}

type Node = Record<string, any>;

/** A pod script's syntax tree (a file name in pod/, or a path), parsed once per process. */
const trees = new Map<string, Node>();
export function tree(file: string): Node {
    if (!trees.has(file)) {
        trees.set(
            file,
            JSON.parse(
                execFileSync("shfmt", ["--tojson"], {
                    input: fs.readFileSync(path.resolve(SCRIPTS, file)),
                    // A long script's tree is several MiB of JSON (restore-mysql.sh).
                    maxBuffer: 256 * 1024 * 1024,
                }).toString(),
            ),
        );
    }
    return trees.get(file)!;
}

/** A word as text: literals, quotes, `$NAME` for a parameter, `$(...)` for a command substitution. */
function wordText(word: Node): string {
    return ((word.Parts ?? []) as Node[]).map(partText).join("");
}
function partText(part: Node): string {
    switch (part.Type) {
        case "Lit":
        case "SglQuoted":
            return part.Value;
        case "DblQuoted":
            return ((part.Parts ?? []) as Node[]).map(partText).join("");
        case "ParamExp":
            return `$${part.Param.Value}`;
        case "CmdSubst":
            return "$(...)";
        default:
            return `<${part.Type}>`;
    }
}

/** shfmt's operator code of `${NAME:-word}`. */
const DEFAULT_IF_UNSET_OR_NULL = 71;

/** Whether a word is `${NAME:-}`: empty when the container leaves NAME unset. */
function emptyWhenUnset(word: Node): boolean {
    const parts = (word.Parts ?? []) as Node[];
    return parts.length === 1 && parts[0].Type === "ParamExp" && parts[0].Exp?.Op === DEFAULT_IF_UNSET_OR_NULL && !parts[0].Exp.Word;
}

class Runner {
    private readonly functions = new Map<string, Node>();
    private readonly walkedFunctions = new Set<string>();
    private readonly ranScripts = new Set<string>();
    /** The command strings assigned to a script's variables (`backup="$BACKUP_TOOL ..."`). */
    private readonly assigned = new Map<string, string>();
    private scriptArgs: string[] = [];

    constructor(
        private readonly env: Map<string, string>,
        private readonly found: Set<string>,
        private readonly where: string,
    ) {}

    /** An argv as a container or probe gives it: a pod script, or a binary. */
    argv(words: string[]): void {
        const [first, ...rest] = words;
        if (first === undefined) {
            return;
        }
        if (first.startsWith(`${PATHS.scriptsDir}/`)) {
            this.script(path.basename(first), rest);
        } else if (!BUILTINS.has(first)) {
            this.found.add(first);
        }
    }

    private script(file: string, args: string[]): void {
        if (this.ranScripts.has(file)) {
            return;
        }
        this.ranScripts.add(file);
        // The interpreter line: `#!/usr/bin/env bash` needs env at that path, then bash on the PATH.
        const shebang = /^#!(\S+)(?: (\S+))?/.exec(fs.readFileSync(path.join(SCRIPTS, file), "utf8"));
        if (!shebang) {
            throw new Error(`${file} has no #! line`);
        }
        for (const word of [shebang[1], shebang[2]].filter((w) => w !== undefined)) {
            this.found.add(path.basename(word));
        }
        const saved = this.scriptArgs;
        this.scriptArgs = args;
        const root = tree(file);
        this.collectFunctions(root);
        this.walk(root);
        this.scriptArgs = saved;
    }

    private collectFunctions(node: Node): void {
        for (const stmt of node.Stmts as Node[]) {
            if (stmt.Cmd?.Type === "FuncDecl") {
                this.functions.set(stmt.Cmd.Name.Value, stmt.Cmd.Body);
            }
        }
    }

    private walk(node: unknown): void {
        if (Array.isArray(node)) {
            node.forEach((n) => this.walk(n));
            return;
        }
        if (node === null || typeof node !== "object") {
            return;
        }
        const n = node as Node;
        switch (n.Type) {
            case "FuncDecl":
                return; // walked when called
            case "CallExpr":
                for (const assign of (n.Assigns ?? []) as Node[]) {
                    if (assign.Value && !assign.Append) {
                        this.assigned.set(assign.Name.Value, wordText(assign.Value));
                    }
                }
                if (n.Args?.length) {
                    this.call((n.Args as Node[]).map(wordText));
                }
                break;
            case "CaseClause": {
                const subject = wordText(n.Word);
                const known = /^\$(\w+)$/.exec(subject);
                if (known && (this.env.has(known[1]) || emptyWhenUnset(n.Word))) {
                    const value = this.env.get(known[1]) ?? "";
                    const item = (n.Items as Node[]).find((i) => (i.Patterns as Node[]).some((p) => ["*", value].includes(wordText(p))));
                    this.walk(item?.Stmts ?? []);
                    return;
                }
                break;
            }
        }
        for (const [key, value] of Object.entries(n)) {
            if (key !== "Pos" && key !== "End" && key !== "Comments") {
                this.walk(value);
            }
        }
    }

    /** One simple command, its words as text. */
    private call(words: string[]): void {
        const [name, ...rest] = words;
        if (name === "source" || name === ".") {
            const file = path.basename(rest[0]);
            const root = tree(file);
            this.collectFunctions(root);
            if (!this.ranScripts.has(file)) {
                this.ranScripts.add(file);
                this.walk(root);
            }
            return;
        }
        if (name === "exec") {
            this.call(rest);
            return;
        }
        if (name === "trap") {
            // The handler is a command string: its words, as far as they name functions.
            for (const word of rest[0]?.split(/[;\s]+/) ?? []) {
                this.callFunction(word);
            }
            return;
        }
        if (name === "$@") {
            // probe-wait.sh shifts its MILLISECONDS away first; mysql-run.sh passes its arguments on whole.
            const args = /^\d+$/.test(this.scriptArgs[0] ?? "") ? this.scriptArgs.slice(1) : this.scriptArgs;
            this.argv(args);
            return;
        }
        if (name === undefined || this.callFunction(name)) {
            return;
        }
        if (name.startsWith("$(...)/")) {
            this.script(name.slice("$(...)/".length), rest);
            return;
        }
        if (name === "$BASH_SOURCE") {
            return; // the script runs itself again: already walked
        }
        const variable = /^\$(\w+)$/.exec(name);
        if (variable) {
            const value = this.env.get(variable[1]);
            if (value === undefined) {
                throw new Error(`${this.where}: a script runs $${variable[1]}, which the container's environment does not set`);
            }
            this.call(value.split(" ").filter((w) => w !== ""));
            return;
        }
        if (!BUILTINS.has(name)) {
            this.found.add(name);
        }
        // Commands that run another command given as an argument.
        if (name === "find") {
            const exec = rest.indexOf("-exec");
            if (exec >= 0) {
                this.call(rest.slice(exec + 1));
            }
        }
        const commandString =
            name === "socat"
                ? rest.find((w) => w.startsWith("SYSTEM:"))?.slice("SYSTEM:".length)
                : name === "ncat" && rest.includes("-c")
                  ? rest[rest.indexOf("-c") + 1]
                  : undefined;
        if (commandString !== undefined) {
            const held = /^\$(\w+)$/.exec(commandString);
            const text = held ? this.assigned.get(held[1]) : commandString;
            if (text === undefined) {
                throw new Error(`${this.where}: ${name} runs $${held?.[1]}, which no assignment before it sets`);
            }
            this.call(text.split(" ").filter((w) => w !== ""));
        }
    }

    /** Walks a function's body the first time it is called; false when `name` is no function. */
    private callFunction(name: string): boolean {
        const body = this.functions.get(name);
        if (body === undefined) {
            return false;
        }
        if (!this.walkedFunctions.has(name)) {
            this.walkedFunctions.add(name);
            this.walk(body);
        }
        return true;
    }
}
