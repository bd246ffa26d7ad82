// The checks behind `resolveArgs`, one module per group of settings, all reporting into one `Problems`.
export * from "./images";
export * from "./mysqld";
export * from "./names";
export * from "./nfs";
export * from "./problems";
export * from "./replicas";
export * from "./resources";
export * from "./types";
export * from "./security";
export * from "./availability";
export * from "./backup";
export * from "./changes";
export * from "./dependencies";
export * from "./objectStore";
export * from "./metrics";
