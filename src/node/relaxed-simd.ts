// Node 20's V8 has relaxed SIMD (the FMA build) behind a flag that Node 22+
// rejects as unknown (`bad option`, exit 9) because it is on by default
// there. Rather than pass the flag on a command line, which means knowing the
// runtime before starting it, the CLI, the tests and the benchmarks call this
// first thing: it sets the flag inside the running process, and only where
// the probe says relaxed SIMD is missing. V8 reads its Wasm feature flags at
// each compilation, so modules compiled afterwards may use the instructions.
import { supportedBuilds } from "../backend/wasm/features.js";
import { nodeBuiltin } from "../platform.js";

/**
 * Makes relaxed SIMD available to this Node process if its V8 has it behind
 * the flag; returns whether the relaxed-SIMD build can now run. A no-op where
 * it already runs (Node 22+, browsers) or where the runtime is not Node.
 */
export function enableRelaxedSimd(): boolean {
  if (supportedBuilds().includes("relaxed-simd")) return true;
  const v8 = nodeBuiltin<typeof import("node:v8")>("node:v8");
  if (v8 === undefined || !supportedBuilds().includes("simd")) return false;
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  return supportedBuilds().includes("relaxed-simd");
}
