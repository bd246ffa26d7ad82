// A stand-in for kubectl that answers the diagnosis's calls from a folder of recorded outputs
// (tests/fixtures/diagnose/<case>/, see its README), records every argv it is given, and refuses any
// call it does not know, so a test sees every command the diagnosis would run on a real cluster.
import * as fs from "fs";
import * as path from "path";
import { STATUS_FILE } from "../../components/podStatus";
import { KubectlRun, Runner } from "../../scripts/diagnose/kubectl";

export const FIXTURES = path.resolve(__dirname, "..", "fixtures", "diagnose");

const EMPTY_LIST = `${JSON.stringify({ apiVersion: "v1", items: [], kind: "List", metadata: { resourceVersion: "" } }, null, 4)}\n`;

export interface RecordingRunner extends Runner {
    readonly calls: string[][];
}

export function fixtureRunner(caseName: string): RecordingRunner {
    const dir = path.join(FIXTURES, caseName);
    const calls: string[][] = [];
    const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
    const exists = (file: string) => fs.existsSync(path.join(dir, file));
    const ok = (stdout: string): KubectlRun => ({ status: 0, stdout, stderr: "" });
    const answer = (args: string[]): KubectlRun => {
        const [verb, object] = args;
        if (verb === "get" && object === "pods") {
            return ok(read("pods.json"));
        }
        if (verb === "get" && object === "pvc,pv") {
            return ok(read("storage.json"));
        }
        if (verb === "get" && object === "nodes") {
            // Without nodes.json: as kubectl answers a namespace's user who may not read Nodes.
            return exists("nodes.json")
                ? ok(read("nodes.json"))
                : {
                      status: 1,
                      stdout: "",
                      stderr: 'Error from server (Forbidden): nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope\n',
                  };
        }
        if (verb === "get" && object === "events") {
            const pod = args[args.indexOf("--field-selector") + 1].replace(/^involvedObject\.name=/, "");
            return ok(exists(`events/${pod}.json`) ? read(`events/${pod}.json`) : EMPTY_LIST);
        }
        if (verb === "logs") {
            const container = args[args.indexOf("-c") + 1];
            const previous = args.includes("--previous");
            const file = `logs/${object}/${container}${previous ? ".previous" : ""}.log`;
            if (exists(file)) {
                return ok(read(file));
            }
            // As kubectl answers: a container that printed nothing, or no previous run to show.
            return previous
                ? {
                      status: 1,
                      stdout: "",
                      stderr: `Error from server (BadRequest): previous terminated container "${container}" in pod "${object}" not found\n`,
                  }
                : ok("");
        }
        if (verb === "exec") {
            const command = args.slice(args.indexOf("--") + 1);
            const container = args[args.indexOf("-c") + 1];
            if (command[0] === "cat" && command[1] === STATUS_FILE) {
                // A running container's status file: always there (kubelet creates it), maybe empty.
                const file = `exec/${object}/status.${container}.txt`;
                return ok(exists(file) ? read(file) : "");
            }
            const what = command[0] === "cat" ? "clone-pending" : command.at(-1)?.endsWith("STATUS\\G") ? "replica-status" : undefined;
            if (what !== undefined) {
                const file = `exec/${object}/${what}`;
                if (exists(`${file}.txt`)) {
                    return ok(read(`${file}.txt`));
                }
                if (exists(`${file}.err`)) {
                    return { status: 1, stdout: "", stderr: read(`${file}.err`) };
                }
                return what === "clone-pending"
                    ? {
                          status: 1,
                          stdout: "",
                          stderr: `cat: ${command[1]}: No such file or directory\ncommand terminated with exit code 1\n`,
                      }
                    : ok("");
            }
        }
        throw new Error(`the kubectl stand-in has no answer for: kubectl ${args.join(" ")}`);
    };
    const runner = ((args: string[]) => {
        calls.push([...args]);
        return answer(args);
    }) as RecordingRunner;
    (runner as { calls: string[][] }).calls = calls;
    return runner;
}
