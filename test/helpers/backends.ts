// Every backend the tests run on: the js twin, each Wasm build this runtime
// supports on one thread (all three under vitest: helpers/setup.ts turns
// relaxed SIMD on), and the SIMD builds again on two threads where threads
// can run (Node; not a page's main thread, where the browser suite runs).
import { init, supportedBuilds, type InitOptions } from "../../src/index.js";
import { threadsUnavailable } from "../../src/backend/wasm/features.js";

export interface BackendCase {
  name: string;
  options: InitOptions;
}

export const BACKENDS: BackendCase[] = [
  { name: "js", options: { backend: "js" } },
  ...supportedBuilds().map((build) => ({ name: `wasm-${build}`, options: { backend: "wasm" as const, build, threads: 1 } })),
  ...(threadsUnavailable() === null ? supportedBuilds().filter((b) => b !== "scalar") : []).map((build) => ({
    name: `wasm-${build} x2`,
    options: { backend: "wasm" as const, build, threads: 2 },
  })),
];

export async function use(b: BackendCase): Promise<void> {
  await init(b.options);
}
