// The package's public surface: the component, its arguments, the flavors and the pure builders.
export * from "./args";
export * from "./constants";
export * from "./flavors";
export * from "./mysqlCluster";
export * from "./labels";
export * from "./names";
export * from "./settings";
export * from "./podScripts";
export * as builders from "./builders";
export * from "./changeGuard";
export * from "./guardedSettings";
