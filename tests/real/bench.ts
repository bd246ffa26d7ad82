// Benchmark (not a test): `npm run bench`, as root for the cluster parts. Prints each figure as a ratio to
// its floor measured in the same run: the render (tests/real/benchRender.ts), then, on the rendered
// mariadb flavor in a fake cluster, the bootstrap and the clone (tests/real/benchCluster.ts).
// BENCH_ONLY=render,bootstrap,clone picks parts (the clone needs the bootstrap's cluster).
import { benchBootstrap, benchClone } from "./benchCluster";
import { benchRender } from "./benchRender";
import { createRealCluster } from "./setup";

const parts = (process.env.BENCH_ONLY ?? "render,bootstrap,clone").split(",");

async function main(): Promise<void> {
    if (parts.includes("render")) {
        await benchRender();
    }
    if (!parts.includes("bootstrap") && !parts.includes("clone")) {
        return;
    }
    const cluster = await createRealCluster("bench");
    try {
        if (parts.includes("bootstrap")) {
            await benchBootstrap(cluster);
        } else {
            await cluster.scaleTo(3);
        }
        if (parts.includes("clone")) {
            await benchClone(cluster);
        }
    } finally {
        await cluster.destroy();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
