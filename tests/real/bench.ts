// Benchmark (not a test): `npm run bench`, as root for the cluster parts. Prints each figure as a ratio to
// its floor measured in the same run: the render (tests/real/benchRender.ts), then, on the rendered
// mariadb flavor in a fake cluster, the bootstrap (ordered, then parallel against the same floor) and the
// clone (tests/real/benchCluster.ts).
// Then the replicas' lag under a write load and the time to all Ready of 3 and 6 pods by bootstrap mode
// (tests/real/benchScaling.ts). BENCH_ONLY=render,bootstrap,clone,scaling picks parts (the clone needs the
// bootstrap's cluster).
import { benchBootstrap, benchClone, BootstrapFloor } from "./benchCluster";
import { benchRender } from "./benchRender";
import { benchBootstrap as benchBootstrapModes, benchWriteLoad } from "./benchScaling";
import { createRealCluster } from "./setup";

const parts = (process.env.BENCH_ONLY ?? "render,bootstrap,clone,scaling").split(",");

async function main(): Promise<void> {
    if (parts.includes("render")) {
        await benchRender();
    }
    if (parts.includes("bootstrap") || parts.includes("clone")) {
        await benchCluster();
    }
    if (parts.includes("scaling")) {
        await benchWriteLoad();
        await benchBootstrapModes();
    }
}

async function benchCluster(): Promise<void> {
    const cluster = await createRealCluster("bench");
    let floor: BootstrapFloor | undefined;
    try {
        if (parts.includes("bootstrap")) {
            floor = await benchBootstrap(cluster, "ordered (the default)");
        } else {
            await cluster.scaleTo(3);
        }
        if (parts.includes("clone")) {
            await benchClone(cluster);
        }
    } finally {
        await cluster.destroy();
    }
    if (floor) {
        // The same 3 pods started all at once, against the ordered cluster's floor.
        const parallel = await createRealCluster("bench-par", { render: ["--config", "bootstrap=parallel"] });
        try {
            await benchBootstrap(parallel, "parallel", floor);
        } finally {
            await parallel.destroy();
        }
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
