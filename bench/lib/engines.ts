// Our engines in a benchmark: each Wasm build this runtime supports and the js
// backend, on one thread, and the SIMD builds again on each thread count of
// `--threads 1,2` (default: 1 only); `--engines` picks some. An engine's name says its threads:
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

const only = process.argv.indexOf("--engines");
const wanted = only > 0 ? process.argv[only + 1].split(",") : null;

/** Whether `--engines a,b` (names, or the start of names: "wasm-relaxed", "pytorch") takes this engine; all without it. */
export function selected(name: string): boolean {
  return wanted === null || wanted.some((w) => name === w || name.startsWith(w));
}
