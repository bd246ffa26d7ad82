// Re-exports the pure builders: each takes resolved args and returns the spec of one kind of object.
export * from "./availability";
export * from "./backup";
export * from "./config";
export * from "./engine";
export * from "./metrics";
export * from "./networkPolicy";
export * from "./secret";
export * from "./services";
export * from "./statefulSet";
export * from "./storage";
export * from "./tls";
