// The policy pack: `pulumi preview --policy-pack policy` runs these rules (see policies.ts and docs/pipelines.md).
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("mysql-statefulset", { policies: POLICIES });
