// Entrypoint stand-ins by name: what an ImageProfile's `entrypoint` refers to.

import { mariadbStandIn, StandIn } from "./mariadb";

export type { StandIn } from "./mariadb";

export function standIn(name: string): StandIn {
    switch (name) {
        case "mariadb":
            return mariadbStandIn();
        default:
            throw new Error(`unknown entrypoint stand-in ${JSON.stringify(name)} (known: mariadb)`);
    }
}
