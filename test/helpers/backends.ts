// Every backend the tests run on: the js twin and each Wasm build this
// runtime supports (all three under vitest: helpers/setup.ts turns relaxed SIMD on).
import { init, supportedBuilds, type InitOptions } from "../../src/index.js";

export interface BackendCase {
  name: string;
  options: InitOptions;
}

export const BACKENDS: BackendCase[] = [
  { name: "js", options: { backend: "js" } },
  ...supportedBuilds().map((build) => ({ name: `wasm-${build}`, options: { backend: "wasm" as const, build } })),
];

export async function use(b: BackendCase): Promise<void> {
  await init(b.options);
}
