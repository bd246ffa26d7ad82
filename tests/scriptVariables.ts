// The environment variables a pod script reads, from its syntax tree (shfmt --tojson, as scriptCommands.ts
// reads the commands), so that tests compare what the scripts really read with what
// components/scriptContract.ts declares and the builders set.
//
// A script's reads are those of its top level, of the files it sources (lib.sh) and of every function it
// calls, however deep (a function defined but never called reads nothing). A variable the script or its
// functions assign (`x=…`, `local x`, `for x in`, `read x`, `printf -v x`) is its own, not the environment's;
// so are bash's own variables and the positional parameters. A read is optional when every read of that
// variable has a default (`${X:-}`, `${X-}`, `${X:+…}`, `${X:=…}`): the script runs without it; any other
// read fails under `nounset`. Scripts run as child processes (`"$(dirname "${BASH_SOURCE[0]}")/x.sh"`) are
// listed apart: they inherit the environment and read their own.
import * as path from "path";
import { PATHS } from "../components/constants";
import { ENVIRONMENTS, EnvironmentReader, PodScript, ReadBy, ScriptEnvironment } from "../components/scriptContract";
import { tree } from "./scriptCommands";

type Node = Record<string, any>;

/** What a pod script reads from its environment, and the pod scripts it runs. */
export interface ScriptReads {
    readonly required: string[];
    readonly optional: string[];
    readonly runs: string[];
}

/**
 * Bash's own variables (set by bash, or only meaningful to it). HOSTNAME is among them: bash sets it from
 * the host name when the environment has none, and in a pod the host name is the pod's name.
 */
const SHELL_VARIABLES = new Set(
    (
        "BASH BASHPID BASH_REMATCH BASH_SOURCE BASH_LINENO BASH_VERSION EPOCHREALTIME EPOCHSECONDS FUNCNAME HOSTNAME IFS " +
        "LINENO OPTARG OPTIND PIPESTATUS PPID PWD RANDOM REPLY SECONDS UID EUID"
    ).split(" "),
);

/** `${X-…}`, `${X:-…}`, `${X+…}`, `${X:+…}`, `${X=…}`, `${X:=…}` (mvdan/sh's ParExpOperator numbers, shfmt 3.x). */
const DEFAULTED_OPERATORS = new Set([68, 69, 70, 71, 74, 75]);

/** Arithmetic assignments (`=`, `+=`, … `>>=`) and `++`/`--`: their operand is the script's own variable. */
const ARITHMETIC_ASSIGNMENTS = new Set([74, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53]);
const INCREMENTS = new Set([36, 37]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The literal text of a word, or undefined when it has other parts (expansions, quotes with expansions). */
function literal(word: Node | undefined): string | undefined {
    const parts = (word?.Parts ?? []) as Node[];
    if (parts.length === 0) {
        return undefined;
    }
    let text = "";
    for (const part of parts) {
        if (part.Type === "Lit" || part.Type === "SglQuoted") {
            text += part.Value;
        } else if (part.Type === "DblQuoted" && ((part.Parts ?? []) as Node[]).every((p) => p.Type === "Lit")) {
            text += ((part.Parts ?? []) as Node[]).map((p) => p.Value).join("");
        } else {
            return undefined;
        }
    }
    return text;
}

class Reader {
    private readonly functions = new Map<string, Node>();
    private readonly walkedFunctions = new Set<string>();
    private readonly sourced = new Set<string>();
    private readonly plainReads = new Set<string>();
    private readonly defaultedReads = new Set<string>();
    private readonly own = new Set<string>();
    private readonly runs = new Set<string>();

    read(file: string): ScriptReads {
        this.sourced.add(file);
        const root = tree(file);
        this.collectFunctions(root);
        this.walk(root.Stmts);
        const environment = (name: string) => !this.own.has(name) && !SHELL_VARIABLES.has(name) && IDENTIFIER.test(name);
        const required = [...this.plainReads].filter(environment).sort();
        const optional = [...this.defaultedReads].filter((name) => environment(name) && !this.plainReads.has(name)).sort();
        return { required, optional, runs: [...this.runs].sort() };
    }

    private collectFunctions(root: Node): void {
        for (const stmt of root.Stmts as Node[]) {
            if (stmt.Cmd?.Type === "FuncDecl") {
                this.functions.set(stmt.Cmd.Name.Value, stmt.Cmd.Body);
            }
        }
    }

    private walk(node: unknown, arithmetic = false): void {
        if (Array.isArray(node)) {
            node.forEach((n) => this.walk(n, arithmetic));
            return;
        }
        if (node === null || typeof node !== "object") {
            return;
        }
        const n = node as Node;
        switch (n.Type) {
            case "FuncDecl":
                return; // walked when called
            case "ParamExp": {
                const name = n.Param.Value as string;
                (n.Exp !== undefined && DEFAULTED_OPERATORS.has(n.Exp.Op) ? this.defaultedReads : this.plainReads).add(name);
                // An indexed array's subscript and a slice's bounds are arithmetic.
                this.walk(n.Index, true);
                this.walk(n.Slice, true);
                this.walk(n.Exp?.Word);
                this.walk(n.Repl);
                return;
            }
            case "ArithmCmd":
            case "ArithmExp":
                this.walk(n.X, true);
                return;
            case "CStyleLoop":
                this.walk([n.Init, n.Cond, n.Post], true);
                return;
            case "BinaryArithm":
            case "UnaryArithm":
                if (
                    (n.Type === "BinaryArithm" ? ARITHMETIC_ASSIGNMENTS : INCREMENTS).has(n.Op) &&
                    literal(n.X) !== undefined &&
                    IDENTIFIER.test(literal(n.X)!)
                ) {
                    this.own.add(literal(n.X)!);
                }
                break;
            case "Word":
                // A bare name in arithmetic, `((ordinal > 0))`, is a read.
                if (arithmetic) {
                    const name = literal(n);
                    if (name !== undefined && IDENTIFIER.test(name)) {
                        this.plainReads.add(name);
                    }
                }
                break;
            case "DeclClause":
                for (const arg of (n.Args ?? []) as Node[]) {
                    if (arg.Name) {
                        this.own.add(arg.Name.Value);
                    } else if (arg.Naked) {
                        const name = literal(arg.Value);
                        if (name !== undefined && IDENTIFIER.test(name)) {
                            this.own.add(name);
                        }
                    }
                }
                break;
            case "ForClause":
                if (n.Loop?.Type === "WordIter") {
                    this.own.add(n.Loop.Name.Value);
                }
                break;
            case "CallExpr":
                this.call(n);
                break;
        }
        for (const [key, value] of Object.entries(n)) {
            if (key !== "Pos" && key !== "End" && key !== "Comments") {
                this.walk(value, arithmetic && n.Type !== "CmdSubst");
            }
        }
    }

    /** One simple command: its assignments, the variables it names, and what it runs. */
    private call(n: Node): void {
        const args = (n.Args ?? []) as Node[];
        if (args.length === 0) {
            // `x=value` on its own assigns the script's variable; `X=value cmd` only sets it for cmd.
            for (const assign of (n.Assigns ?? []) as Node[]) {
                this.own.add(assign.Name.Value);
            }
            return;
        }
        const words = args.map(literal);
        const [name, ...rest] = words;
        if ((name === "source" || name === ".") && args[1] !== undefined) {
            this.source(args[1]);
            return;
        }
        if (name === "read" || name === "mapfile" || name === "readarray") {
            rest.filter((w): w is string => w !== undefined && IDENTIFIER.test(w)).forEach((w) => this.own.add(w));
        }
        if (name === "printf" && rest[0] === "-v" && rest[1] !== undefined) {
            this.own.add(rest[1]);
        }
        const script = scriptRun(name === "exec" ? args[1] : args[0]);
        if (script !== undefined) {
            this.runs.add(script);
        }
        // A function runs wherever its name is a word of a command: called, or handed to one (`trap f EXIT`,
        // `retry f`), its words in a trap's command string too.
        for (const word of words) {
            for (const part of word?.split(/[;\s]+/) ?? []) {
                this.callFunction(part);
            }
        }
    }

    private source(word: Node): void {
        const file = scriptRun(word);
        if (file === undefined) {
            throw new Error(`a pod script sources ${JSON.stringify(word)}, which is not a sibling script`);
        }
        if (!this.sourced.has(file)) {
            this.sourced.add(file);
            const root = tree(file);
            this.collectFunctions(root);
            this.walk(root.Stmts);
        }
    }

    private callFunction(name: string): void {
        const body = this.functions.get(name);
        if (body !== undefined && !this.walkedFunctions.has(name)) {
            this.walkedFunctions.add(name);
            this.walk(body);
        }
    }
}

/** `"$(dirname "${BASH_SOURCE[0]}")/x.sh"`: the sibling script x.sh; otherwise undefined. */
function scriptRun(word: Node | undefined): string | undefined {
    const parts = ((word?.Parts ?? []) as Node[]).flatMap((p) => (p.Type === "DblQuoted" ? ((p.Parts ?? []) as Node[]) : [p]));
    const [dir, rest] = parts;
    if (parts.length !== 2 || dir.Type !== "CmdSubst" || rest.Type !== "Lit") {
        return undefined;
    }
    const match = /^\/([\w.-]+\.sh)$/.exec(rest.Value);
    return match?.[1];
}

/** What pod/<file> reads from its environment and which pod scripts it runs. */
export function scriptReads(file: string): ScriptReads {
    return new Reader().read(file);
}

const CONTRACT = "components/scriptContract.ts";

/** Where a script and its declaration (SCRIPT_ENVIRONMENT) disagree, one sentence each naming the fix. */
export function declarationProblems(script: string, reads: ScriptReads, declared: ScriptEnvironment): string[] {
    const entry = `SCRIPT_ENVIRONMENT["${script}"]`;
    const required = new Set(declared.required ?? []);
    const optional = new Set(declared.optional ?? []);
    const guards = Object.keys(declared.ifSet ?? {});
    const guarded = new Set(Object.values(declared.ifSet ?? {}).flatMap((branch) => branch.required ?? []));
    const read = new Set([...reads.required, ...reads.optional]);
    const problems: string[] = [];
    for (const name of reads.required) {
        if (required.has(name) || guarded.has(name) || guards.includes(name)) {
            continue;
        }
        problems.push(
            optional.has(name)
                ? `${script} reads $${name} without a default (under nounset it fails when unset), but ${CONTRACT} declares it optional: ` +
                      `move it to ${entry}.required, or read it as \${${name}:-}.`
                : `${script} reads $${name}, which ${CONTRACT} does not declare: add it to ${entry}.required and set it in ` +
                      `every container that runs ${script} (components/builders), or stop reading it.`,
        );
    }
    for (const name of reads.optional) {
        if (optional.has(name)) {
            continue;
        }
        problems.push(
            required.has(name) || guarded.has(name)
                ? `${script} reads $${name} only with a default, but ${CONTRACT} declares it required: move it to ${entry}.optional.`
                : `${script} reads $${name} (with a default), which ${CONTRACT} does not declare: add it to ${entry}.optional, or stop reading it.`,
        );
    }
    for (const name of [...required, ...optional, ...guarded, ...guards]) {
        if (!read.has(name)) {
            problems.push(
                `${CONTRACT} declares $${name} for ${script}, which does not read it: remove it from ${entry} and from the builders.`,
            );
        }
    }
    for (const guard of guards.filter((name) => !optional.has(name))) {
        problems.push(
            `${entry}.ifSet names $${guard}, which is not among its optional variables: a guard may be unset; declare it optional.`,
        );
    }
    const runs = new Set([...(declared.runs ?? []), ...Object.values(declared.ifSet ?? {}).flatMap((branch) => branch.runs ?? [])]);
    for (const child of reads.runs.filter((file) => !runs.has(file as PodScript))) {
        problems.push(`${script} runs ${child}, which ${entry} does not list in runs: add it (or under ifSet when a variable decides it).`);
    }
    for (const child of [...runs].filter((file) => !reads.runs.includes(file))) {
        problems.push(`${entry} lists ${child} as run by ${script}, which does not run it: remove it.`);
    }
    return problems;
}

/** A rendered container, as far as its environment and the programs it runs go. */
export interface ContainerEnvironment {
    name: string;
    command?: string[];
    args?: string[];
    env?: { name: string; value?: unknown; valueFrom?: unknown }[];
    livenessProbe?: { exec?: { command?: string[] } };
    readinessProbe?: { exec?: { command?: string[] } };
    startupProbe?: { exec?: { command?: string[] } };
}

/** The declared programs a container runs: the pod scripts its command, args and probes name, and the image's entrypoint. */
export function containerPrograms(container: ContainerEnvironment): EnvironmentReader[] {
    const words = [
        ...(container.command ?? []),
        ...(container.args ?? []),
        ...[container.livenessProbe, container.readinessProbe, container.startupProbe].flatMap((probe) => probe?.exec?.command ?? []),
    ];
    const programs = words
        .map((word) => (word.startsWith(`${PATHS.scriptsDir}/`) ? path.basename(word) : word))
        .filter((word): word is EnvironmentReader => word in ENVIRONMENTS);
    return [...new Set(programs)];
}

/**
 * What programs need and may read: each variable a program, or a script it runs, reads without a default
 * (with the chain of scripts that reads it), given which variables are set (not empty); and every variable
 * any of them may read. With `children` false, only what the programs themselves need counts as needed.
 */
function environmentNeeds(
    programs: readonly EnvironmentReader[],
    isSet: (name: string) => boolean,
    children = true,
): { needed: Map<string, string>; readable: Set<string> } {
    const needed = new Map<string, string>();
    const readable = new Set<string>();
    const visit = (program: EnvironmentReader, through: string) => {
        const declared = ENVIRONMENTS[program];
        const chain = through === "" ? program : `${through} → ${program}`;
        const branches = Object.entries(declared.ifSet ?? {});
        for (const name of [
            ...(declared.required ?? []),
            ...branches.filter(([guard]) => isSet(guard)).flatMap(([, b]) => b.required ?? []),
        ]) {
            if (!needed.has(name)) {
                needed.set(name, chain);
            }
        }
        collectReadable(program, readable);
        if (!children) {
            return;
        }
        // A child run only when a variable is set: what it needs counts then.
        const run = [...(declared.runs ?? []), ...branches.filter(([guard]) => isSet(guard)).flatMap(([, b]) => b.runs ?? [])];
        run.forEach((child) => visit(child, chain));
    };
    programs.forEach((program) => visit(program, ""));
    return { needed, readable };
}

/**
 * Where a rendered container's environment and its programs' declarations disagree: a variable a program
 * (or a script it runs) needs and the container does not set, or one it sets that none of them reads.
 * A variable counts as set when the container gives it a value other than "" (or a valueFrom).
 */
export function containerProblems(container: ContainerEnvironment, where: string): string[] {
    const programs = containerPrograms(container);
    if (programs.length === 0) {
        return [];
    }
    const env = new Map((container.env ?? []).map((e) => [e.name, e.valueFrom !== undefined ? "(valueFrom)" : String(e.value ?? "")]));
    const { needed, readable } = environmentNeeds(programs, (name) => (env.get(name) ?? "") !== "");
    const problems: string[] = [];
    for (const [name, chain] of needed) {
        if (!env.has(name)) {
            problems.push(`${where}: container ${container.name} runs ${chain}, which reads $${name}: the builder does not set it.`);
        }
    }
    for (const name of env.keys()) {
        if (!readable.has(name)) {
            problems.push(
                `${where}: container ${container.name} sets $${name}, which none of the programs it runs (${programs.join(", ")}) reads: ` +
                    `remove it from the builder, or declare it in ${CONTRACT} for the script that reads it.`,
            );
        }
    }
    return problems;
}

function collectReadable(program: EnvironmentReader, readable: Set<string>): void {
    const declared = ENVIRONMENTS[program];
    const branches = Object.values(declared.ifSet ?? {});
    for (const name of [...(declared.required ?? []), ...(declared.optional ?? []), ...branches.flatMap((b) => b.required ?? [])]) {
        readable.add(name);
    }
    for (const child of [...(declared.runs ?? []), ...branches.flatMap((b) => b.runs ?? [])]) {
        collectReadable(child, readable);
    }
}

/**
 * The environment a script test gives `script`, from the declaration: `values` may name only variables the
 * script or the scripts it runs read (a compile-time check, and a run-time one for spread records), and must
 * give every one the script itself needs. The stand-ins' own variables (STUB_*) and HOSTNAME are the test's
 * to add beside it. What the scripts it runs need is the test's choice: a case that never reaches them may
 * leave them out, as a container may not (containerProblems).
 */
export function declaredEnv<S extends EnvironmentReader, V extends Record<string, string>>(
    script: S,
    values: V & Record<Exclude<keyof V, ReadBy<S>>, never>,
): V {
    const env: Record<string, string> = values;
    const { needed, readable } = environmentNeeds([script], (name) => (env[name] ?? "") !== "", false);
    const problems = [
        ...[...needed.keys()]
            .filter((name) => !(name in env))
            .map((name) => `${script} reads $${name}: the test's environment must set it.`),
        ...Object.keys(env)
            .filter((name) => !readable.has(name))
            .map((name) => `the test's environment sets $${name}, which neither ${script} nor a script it runs reads (${CONTRACT}).`),
    ];
    if (problems.length > 0) {
        throw new Error(problems.join("\n"));
    }
    return values;
}
