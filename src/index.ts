// The package's main entry: the API, with the Wasm builds loaded from the
// package's .wasm files (backend/wasm/package-files.ts).
import "./backend/wasm/package-files.js";

export * from "./api.js";
