// The entry `wasmgrad/embedded`: the same API, with the three Wasm builds
// carried inside the JavaScript, for bundlers that do not copy the .wasm
// files (esbuild) or pages that cannot serve them.
import "./backend/wasm/embedded.js";

export * from "./api.js";
