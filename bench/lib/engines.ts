// Our engines in a benchmark: each Wasm build this runtime supports and the js
// backend, on one thread, and the SIMD builds again on each thread count of
// `--threads 1,2` (default: 1 only). An engine's name says its threads:
// "wasm-relaxed-simd" is one thread, "wasm-relaxed-simd x2" two.
import { init, supportedBuilds, type InitOptions } from "../../src/index.js";

export interface OurEngine {
  name: string;
  options: InitOptions;
}

const arg = process.argv.indexOf("--threads");
export const THREADS: number[] = arg > 0 ? process.argv[arg + 1].split(",").map(Number) : [1];
if (!THREADS.every((t) => Number.isInteger(t) && t >= 1))
  throw new Error(`--threads takes a list of positive integers, got ${process.argv[arg + 1]}`);

export const OURS: OurEngine[] = [
  ...supportedBuilds().map((build) => ({ name: `wasm-${build}`, options: { build, threads: 1 } })),
  { name: "js", options: { backend: "js" as const } },
  ...THREADS.filter((t) => t > 1).flatMap((threads) =>
    supportedBuilds()
      .filter((b) => b !== "scalar")
      .map((build) => ({ name: `wasm-${build} x${threads}`, options: { build, threads } })),
  ),
];

export async function useEngine(name: string): Promise<void> {
  const e = OURS.find((o) => o.name === name);
  if (!e) throw new Error(`unknown engine ${name}`);
  await init(e.options);
}
