// The render's floor for `npm run bench` (tests/real/benchRender.ts): node, the same Pulumi SDKs, the same
// resources registered under mocks (read from a JSON file the bench writes: [{type, name, inputs}]), and
// the Kubernetes ones printed as YAML. No config, no validation, no component: what any render must pay.
//   node tests/real/renderFloor.cjs REGISTRATIONS.json [--defer]
// --defer first applies the render's own deferral of unused SDK modules (scripts/render/deferSdk.cjs).
"use strict";

const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
if (process.argv.includes("--defer")) {
    require("../../scripts/render/deferSdk.cjs").deferUnusedSdkModules(ROOT);
}
const pulumi = require("@pulumi/pulumi");
const yaml = require("js-yaml");
const sdks = { kubernetes: require("@pulumi/kubernetes"), random: require("@pulumi/random"), tls: require("@pulumi/tls") };

const objects = [];
// Patch resources (the passwords' SecretPatch), applied to their objects before printing, as the render does.
const patches = [];
pulumi.runtime.setMocks(
    {
        newResource(args) {
            if (args.type.startsWith("kubernetes:")) {
                (args.type.endsWith("Patch") ? patches : objects).push(args.inputs);
            }
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
    },
    "floor",
    "dev",
    true,
);
for (const { type, name, inputs } of JSON.parse(fs.readFileSync(process.argv[2], "utf8"))) {
    // A nodejs dynamic resource (the change guard): its provider is source text among its inputs.
    if (type.startsWith("pulumi-nodejs:dynamic:")) {
        new pulumi.CustomResource(type, name, inputs);
        continue;
    }
    // kubernetes:networking.k8s.io/v1:NetworkPolicy -> k8s.networking.v1.NetworkPolicy; random:index/x:X -> random.X
    const [sdk, module, kind] = type.split(":");
    const [group, version] = module.split("/");
    const scope = group === "index" ? sdks[sdk] : sdks[sdk][group.split(".")[0]][version];
    new scope[kind](name, inputs);
}
require("@pulumi/pulumi/runtime/settings")
    .waitForRPCs()
    .then(() => {
        const key = (o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
        for (const { metadata, ...fields } of patches) {
            const i = objects.findIndex((o) => key(o) === key({ kind: fields.kind, metadata }));
            objects[i] = { ...objects[i], ...fields, metadata: { ...objects[i].metadata, ...metadata } };
        }
    })
    .then(() => process.stdout.write(objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 })).join("---\n")));
