// `flavor`, `image` and `backupImage`: a known flavor, and images that are references by the registries'
// grammar and belong to the family of images that flavor runs.

import { Flavor, FLAVORS } from "../flavors";
import { ImageFamily, inImageFamily, parseImageReference } from "../imageReference";
import { Problems, show } from "./problems";

export function checkFlavor(problems: Problems, name: string | undefined): Flavor | undefined {
    if (name === undefined) {
        return undefined;
    }
    if (Object.prototype.hasOwnProperty.call(FLAVORS, name)) {
        return FLAVORS[name];
    }
    return problems.add(`\`flavor\` is ${show(name)}: use one of ${Object.keys(FLAVORS).map(show).join(", ")}.`);
}

/** The server and backup images: the flavor's defaults unless given; undefined after a problem. */
export function checkImages(
    problems: Problems,
    flavor: Flavor | undefined,
    images: { image: string | null | undefined; backupImage: string | null | undefined },
): { image: string; backupImage: string } | undefined {
    if (flavor === undefined || images.image === undefined || images.backupImage === undefined) {
        return undefined;
    }
    const count = problems.list.length;
    for (const [key, value, family, example] of [
        ["image", images.image, flavor.serverImages, flavor.image],
        ["backupImage", images.backupImage, flavor.backupImages, flavor.backupImage],
    ] as const) {
        if (value !== null) {
            const problem = imageProblem(key, value, flavor, family, example);
            if (problem !== undefined) {
                problems.add(problem);
            }
        }
    }
    if (problems.list.length > count) {
        return undefined;
    }
    return { image: images.image ?? flavor.image, backupImage: images.backupImage ?? flavor.backupImage };
}

/** Why an image cannot serve as `key` for this flavor, if it cannot. */
function imageProblem(key: string, value: string, flavor: Flavor, family: ImageFamily, example: string): string | undefined {
    const reference = parseImageReference(value);
    if (reference === undefined) {
        return (
            `\`${key}\` is ${show(value)}: not an image reference; write [registry/]repository[:tag][@digest] with a ` +
            `lower-case repository and at most one tag, e.g. ${show(example)}, or leave it unset for the flavor's default.`
        );
    }
    if (inImageFamily(reference, family)) {
        // Without a tag (or with `latest`) the kubelet pulls whatever `latest` is that day: another series
        // than the flavor's, changing under a running cluster. A digest pins it whatever the tag says.
        if (reference.digest === undefined && (reference.tag === undefined || reference.tag === "latest")) {
            return (
                `\`${key}\` is ${show(value)}: ${reference.tag === undefined ? "without a tag it" : "it"} floats to ` +
                `\`latest\`, which need not be the series \`flavor\` ${show(flavor.name)} runs and changes under a running ` +
                `cluster; give the series' tag, e.g. ${show(example)}, or pin a digest (@sha256:…).`
            );
        }
        return undefined;
    }
    const owners = Object.values(FLAVORS)
        .filter((other) => inImageFamily(reference, key === "image" ? other.serverImages : other.backupImages))
        .map((other) => show(other.name));
    return (
        `\`${key}\` is ${show(value)}, which is not ${family.description}, the kind \`flavor\` ${show(flavor.name)} runs` +
        (owners.length > 0 ? ` (it belongs to \`flavor\` ${owners.join(" or ")})` : "") +
        `: use ${family.description} such as ${show(example)} (any registry, same repository name), leave \`${key}\` ` +
        `unset for the flavor's default, or set \`flavor\` to match the image.`
    );
}
