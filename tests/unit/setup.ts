// Loaded by mocha before any test file: installs Pulumi's mock runtime once, before the component loads.
import { installMocks } from "../../scripts/render/mockRuntime";

installMocks("mysql-statefulset", "test");
