// Pulumi's mock runtime, shared by the offline render and the unit tests: it answers every registration
// with the inputs as outputs (what the program asks for, not what a cluster would do) and records each
// registration with the options the engine would see (parent, retainOnDelete, dependencies).

/* eslint-disable @typescript-eslint/no-explicit-any -- registrations hold the engine's inputs: untyped JSON of any resource */

import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as real from "./realSecrets";
import { unwrapSecrets } from "./secrets";

/** What the generated password resolves to under mocks. */
export const MOCK_PASSWORD = "mock-generated-password";
/** What the generated cluster UID resolves to under mocks. */
export const MOCK_UUID = "00000000-0000-4000-8000-000000000000";

export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly custom: boolean;
    /** URN of the parent resource ("" for none). */
    readonly parent: string;
    readonly retainOnDelete: boolean;
    /** URNs of explicit and implicit dependencies. */
    readonly dependencies: readonly string[];
    /** The `ignoreChanges` option's property paths. */
    readonly ignoreChanges: readonly string[];
    /** The `customTimeouts` option ("" where unset). */
    readonly customTimeouts: { readonly create: string; readonly update: string; readonly delete: string };
}

/** Every registration since the last {@link clearRegistrations}, in order. */
export const registrations: Registration[] = [];

export function clearRegistrations(): void {
    registrations.length = 0;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getRetainondelete(): boolean;
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}

/** Where generated values are kept between renders (scripts/render/state.ts). */
export interface GeneratedState {
    outputs(type: string, name: string, inputs: unknown, make: () => Record<string, string>): Record<string, string>;
}

/** What the resources that generate secrets answer: fixed stand-ins, or real values. */
function generated(type: string, inputs: Record<string, any>, realSecrets: boolean): Record<string, string> {
    const plain = unwrapSecrets(inputs);
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { result: realSecrets ? real.randomPassword(plain.length) : MOCK_PASSWORD };
        case "random:index/randomUuid:RandomUuid":
            return { result: realSecrets ? crypto.randomUUID() : MOCK_UUID };
        case "tls:index/privateKey:PrivateKey":
            return realSecrets
                ? real.privateKey(plain)
                : {
                      privateKeyPem: "mock-private-key-pem",
                      privateKeyPemPkcs8: "mock-private-key-pkcs8",
                      publicKeyPem: "mock-public-key-pem",
                  };
        case "tls:index/selfSignedCert:SelfSignedCert":
            return realSecrets ? real.selfSignedCert(plain) : { certPem: "mock-ca-cert-pem" };
        case "tls:index/certRequest:CertRequest":
            return realSecrets ? real.certRequest(plain) : { certRequestPem: "mock-cert-request-pem" };
        case "tls:index/locallySignedCert:LocallySignedCert":
            return realSecrets ? real.locallySignedCert(plain) : { certPem: "mock-cert-pem" };
        default:
            return {};
    }
}

/**
 * Installs the mocks; call before loading any code that creates resources. With `realSecrets`, generated
 * passwords, keys and certificates are real (see realSecrets.ts), else fixed stand-ins. With `state`
 * (render --state), they are kept between renders as Pulumi's state keeps them.
 */
export function installMocks(
    project: string,
    stack: string,
    config: Record<string, string> = {},
    secretKeys: string[] = [],
    realSecrets = false,
    state?: GeneratedState,
): void {
    pulumi.runtime.setAllConfig(config, secretKeys);
    const pending = new Map<string, RegisterRequest>();
    // `async` in signature only: its body runs to the end before it returns, so the mocks are in place now.
    void pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
                const request = pending.get(`${args.type}::${args.name}`);
                registrations.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    custom: args.custom ?? false,
                    parent: request?.getParent() ?? "",
                    retainOnDelete: request?.getRetainondelete() ?? false,
                    dependencies: request?.getDependenciesList() ?? [],
                    ignoreChanges: request?.getIgnorechangesList() ?? [],
                    customTimeouts: {
                        create: request?.getCustomtimeouts()?.getCreate() ?? "",
                        update: request?.getCustomtimeouts()?.getUpdate() ?? "",
                        delete: request?.getCustomtimeouts()?.getDelete() ?? "",
                    },
                });
                const make = () => generated(args.type, args.inputs, realSecrets);
                const outputs = state ? state.outputs(args.type, args.name, unwrapSecrets(args.inputs), make) : make();
                return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs } };
            },
            call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
                return args.inputs;
            },
        },
        project,
        stack,
        true,
    );
    // The mock monitor hands newResource only type, name and inputs; the options come from the request.
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): void };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, cb: unknown) => {
        pending.set(`${req.getType()}::${req.getName()}`, req);
        register(req, cb);
    };
}

/**
 * Waits until every registration the program started has reached the mocks. Unlike `disconnect`, the
 * runtime stays usable, so one test process can construct many components.
 */
export function settle(): Promise<void> {
    // Internal to the SDK (not in its typings), and exactly what `disconnect` awaits before tearing down.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module without typings: typed here
    const settings: { waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");
    return settings.waitForRPCs();
}
