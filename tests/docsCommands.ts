// The commands README.md and docs/*.md show: their fenced shell blocks (sh, bash, shell) and the `$ ` lines
// of their text blocks, parsed by shfmt (the formatter lint.sh already needs) into simple commands.
// tests/unit/docsCommands.test.ts runs or checks each; tests/engine/docsConfig.test.ts runs the `pulumi
// config` ones on the built CLI.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..");
export const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** README.md and every page of docs/. */
export const PAGES = [
    "README.md",
    ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`),
];

/** A shell statement of a page: where it is, its text as written, and, for a `$ ` line, the output shown under it. */
export interface Statement {
    readonly where: string;
    readonly text: string;
    readonly shown?: string[];
}

/** The statements of a page's fenced blocks: shell blocks whole, text blocks by their `$ ` lines. */
export function statements(page: string, markdown: string): Statement[] {
    const found: Statement[] = [];
    const lines = markdown.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
        if (!open) {
            continue;
        }
        const [indent, lang] = [open[1].length, open[2]];
        const start = i + 1;
        let end = start;
        while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) {
            end++;
        }
        const body = lines.slice(start, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
        if (["sh", "bash", "shell"].includes(lang)) {
            found.push({ where: `${page}:${start + 1}`, text: body.join("\n") });
        } else if (lang === "text") {
            body.forEach((line, k) => {
                if (line.startsWith("$ ")) {
                    const next = body.findIndex((l, j) => j > k && l.startsWith("$ "));
                    found.push({
                        where: `${page}:${start + k + 1}`,
                        text: line.slice(2),
                        shown: body.slice(k + 1, next < 0 ? undefined : next),
                    });
                }
            });
        }
        i = end;
    }
    return found;
}

type Node = Record<string, any>;

/** A word as text: literals and quotes as the shell reads them, `$NAME` and `$(...)` kept as written. */
function wordText(word: Node, source: string): string {
    return ((word.Parts ?? []) as Node[])
        .map((part) => {
            switch (part.Type) {
                case "Lit":
                case "SglQuoted":
                    return part.Value;
                case "DblQuoted":
                    return wordText(part, source);
                default:
                    return source.slice(part.Pos.Offset, part.End.Offset);
            }
        })
        .join("");
}

/** A command of a statement: its words, the top-level statement it is part of, and its line. */
export interface Command {
    readonly argv: string[];
    readonly statement: string;
    readonly where: string;
}

/** Every simple command of a shell text (in pipelines, lists, subshells and `$(...)` too), by shfmt's syntax tree. */
export function commands(where: string, text: string): Command[] {
    const tree = JSON.parse(execFileSync("shfmt", ["--tojson"], { input: text }).toString());
    const [page, line] = [where.replace(/:\d+$/, ""), Number(/:(\d+)$/.exec(where)![1])];
    const found: Command[] = [];
    for (const top of tree.Stmts as Node[]) {
        const statement = text.slice(top.Pos.Offset, top.End.Offset);
        const walk = (node: unknown): void => {
            if (Array.isArray(node)) {
                node.forEach(walk);
            } else if (node && typeof node === "object") {
                const n = node as Node;
                if (n.Type === "CallExpr" && n.Args) {
                    found.push({
                        argv: (n.Args as Node[]).map((w) => wordText(w, text)),
                        statement,
                        where: `${page}:${line + n.Pos.Line - 1}`,
                    });
                }
                Object.values(n).forEach(walk);
            }
        };
        walk(top);
    }
    return found;
}
