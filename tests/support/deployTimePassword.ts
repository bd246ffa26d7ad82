// A cluster whose rootPassword is an Output known only at deploy time, built through the component under
// Pulumi's mocks, in a process of its own: a password the component refuses fails the registration of the
// Secret that carries it, which leaves the mock runtime's RPCs pending for good (a test process awaiting
// them would hang). Prints as JSON the errors the program fails with, or, once all registrations settle,
// the passwords SecretPatch's root password as registered.
//
//   node -r ts-node/register/transpile-only tests/support/deployTimePassword.ts PASSWORD
import * as pulumi from "@pulumi/pulumi";
import { installMocks, registrations, settle } from "../../scripts/render/mockRuntime";
import { unwrapSecrets } from "../../scripts/render/secrets";

installMocks("mysql-statefulset", "test");
// Loaded after the mocks, as the component must be (tests/unit/setup.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MySqlCluster } = require("../../components") as typeof import("../../components");

const errors = new Set<string>();
process.on("unhandledRejection", (error: Error) => {
    errors.add(error.message);
    process.stdout.write(JSON.stringify({ errors: [...errors] }));
    process.exit(1);
});
new MySqlCluster("db", { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/mysql-{ordinal}", rootPassword: pulumi.output(process.argv[2]) });
void settle().then(() => {
    const secret = registrations.find((r) => r.type === "kubernetes:core/v1:SecretPatch" && r.name === "db-credentials-data");
    process.stdout.write(JSON.stringify({ rootPassword: unwrapSecrets(secret?.inputs)?.stringData?.["root-password"] }));
});
