// The package's schema for other languages (Python, Go, C#, Java, YAML), built from the one declaration of
// the settings and outputs (components/settings.ts) with no SDK internals: integers, closed sets of values
// as enums, the required setting, defaults, secrets and descriptions, as the declaration says. Pulumi's
// code generators make each language's SDK from it; a secret input is then encrypted in the state of the
// caller's stack, whatever language it is written in.
// @see https://www.pulumi.com/docs/iac/extending-pulumi/schema/

import * as fs from "fs";
import * as path from "path";
import { COMPONENT_TYPE } from "./constants";
import { OUTPUTS, OutputDeclaration, SETTINGS, SettingDeclaration } from "./settings";

/** The package's name: the first part of every type token, and the name of the generated SDKs. */
export const PACKAGE_NAME = COMPONENT_TYPE.split(":")[0];

/** What the schema says of the component itself (the class's own summary). */
export const COMPONENT_DESCRIPTION =
    "A replicated MySQL or MariaDB cluster on Kubernetes: a StatefulSet whose pod 0 is the primary and whose other pods " +
    "clone the previous pod and replicate from the primary, each on its own NFS PersistentVolume.";

/** A property of the schema (the parts this package uses). */
export interface PropertySpec {
    readonly type?: "string" | "integer" | "boolean" | "array";
    readonly $ref?: string;
    readonly items?: { readonly type: "string"; readonly plain?: boolean };
    readonly plain?: boolean;
    readonly default?: string | number | boolean;
    readonly secret?: boolean;
    readonly description: string;
}

/** An enum type of the schema. */
export interface EnumTypeSpec {
    readonly type: "string";
    readonly description: string;
    readonly enum: readonly { readonly value: string }[];
}

/** The package schema (the parts this package uses). */
export interface PackageSpec {
    readonly name: string;
    readonly version: string;
    readonly description: string;
    readonly keywords?: readonly string[];
    readonly homepage?: string;
    readonly license?: string;
    readonly repository?: string;
    readonly language: Record<string, Record<string, unknown>>;
    readonly types: Record<string, EnumTypeSpec>;
    readonly resources: Record<
        string,
        {
            readonly isComponent: true;
            readonly type: "object";
            readonly description: string;
            readonly inputProperties: Record<string, PropertySpec>;
            readonly requiredInputs: readonly string[];
            readonly properties: Record<string, PropertySpec>;
            readonly required: readonly string[];
        }
    >;
}

/** The token of a setting's enum type: `mysql-statefulset:index:Flavor` for `flavor`. */
export function enumToken(key: string): string {
    return `${PACKAGE_NAME}:index:${key[0].toUpperCase()}${key.slice(1)}`;
}

/**
 * A setting as a schema input. Every setting is plain (it decides which objects exist, so it cannot wait
 * for an Output) except the secret ones, which may come from another resource.
 */
export function inputProperty(key: string, s: SettingDeclaration): PropertySpec {
    const type =
        s.enum !== undefined
            ? { $ref: `#/types/${enumToken(key)}` }
            : s.type === "string[]"
              ? { type: "array" as const, items: { type: "string" as const, plain: true } }
              : { type: s.type };
    // A schema default is a string, number or boolean; a list's default stays in the description.
    const value = Array.isArray(s.default) ? undefined : (s.default as string | number | boolean | undefined);
    return {
        ...type,
        ...(s.secret ? {} : { plain: true }),
        ...(value !== undefined ? { default: value } : {}),
        ...(s.secret ? { secret: true } : {}),
        description: s.description,
    };
}

/** An output as a schema property. */
export function outputProperty(o: OutputDeclaration): PropertySpec {
    return { type: o.type, ...(o.secret ? { secret: true } : {}), description: o.description };
}

/** The package.json fields the schema repeats. */
interface Manifest {
    readonly version: string;
    readonly description: string;
    readonly keywords?: readonly string[];
    readonly homepage?: string;
    readonly license?: string;
    readonly repository?: string | { readonly url: string };
}

/** The schema of the package whose package.json is in `root`, from the declaration (by default the package's own). */
export function packageSchema(
    root: string,
    settings: Readonly<Record<string, SettingDeclaration>> = SETTINGS,
    outputs: Readonly<Record<string, OutputDeclaration>> = OUTPUTS,
): PackageSpec {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Manifest;
    const entries = Object.entries(settings);
    return {
        name: PACKAGE_NAME,
        version: manifest.version,
        description: manifest.description,
        ...(manifest.keywords ? { keywords: manifest.keywords } : {}),
        ...(manifest.homepage ? { homepage: manifest.homepage } : {}),
        ...(manifest.license ? { license: manifest.license } : {}),
        ...(manifest.repository
            ? { repository: typeof manifest.repository === "string" ? manifest.repository : manifest.repository.url }
            : {}),
        // The generated SDKs carry the package's version, not the generator's.
        language: Object.fromEntries(["nodejs", "python", "csharp", "java", "go"].map((l) => [l, { respectSchemaVersion: true }])),
        types: Object.fromEntries(
            entries.flatMap(([key, s]) =>
                s.enum === undefined
                    ? []
                    : [[enumToken(key), { type: "string" as const, description: s.description, enum: s.enum.map((value) => ({ value })) }]],
            ),
        ),
        resources: {
            [COMPONENT_TYPE]: {
                isComponent: true,
                type: "object",
                description: COMPONENT_DESCRIPTION,
                inputProperties: Object.fromEntries(entries.map(([key, s]) => [key, inputProperty(key, s)])),
                requiredInputs: entries.filter(([, s]) => s.required).map(([key]) => key),
                properties: Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, outputProperty(o)])),
                required: Object.keys(outputs).filter((key) => !outputs[key].optional),
            },
        },
    };
}
