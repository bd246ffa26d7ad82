// The policy pack: `pulumi preview --policy-pack policy` runs these rules (see policies.ts and the README).
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("mysql-statefulset", { policies: POLICIES });
