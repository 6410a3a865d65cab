// How training and the GEMM scale with threads: the cost of a pool round
// (the caller's wake-up and join of the workers, back to back and after the
// workers have gone to sleep), then each reference model's training step at
// batch 64 (MLP-L also at 256) and the 1024 GEMM at every thread count asked
// for, our default build and, with --pytorch, native PyTorch at the same
// counts, interleaved round by round in one process (src/bench's runner).
// Prints the table of samples/s (GFLOP/s for the GEMM) with the speedup over
// one thread, and writes bench/results/scaling.{md,json,svg}.
//
//   npm run bench:scaling [-- --threads 1,2,4,8,16] [-- --pytorch] [-- --quick]
// The 16-core figures are for a 16-core machine: on fewer cores, counts above
// the core count only show what oversubscription costs.
import { parseArgs } from "node:util";
import { bench, init, supportedBuilds } from "../src/index.js";
import { activeBackend } from "../src/backend/backend.js";
import { Block } from "../src/backend/block.js";
import { cores } from "../src/backend/index.js";
import type { Call } from "../src/backend/threads/protocol.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { pytorchContenders } from "./peers/pytorch.js";
import { describeMachine, machine, markdownTable, save } from "./lib/report.js";
import { renderSvg } from "./charts/render.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "1,2,4,8,16" },
    pytorch: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
  },
});
const counts = values.threads.split(",").map(Number);
if (!counts.every((t) => Number.isInteger(t) && t >= 1)) throw new Error(`--threads takes positive integers, got ${values.threads}`);
if (!counts.includes(1)) counts.unshift(1); // the speedups are over one thread
const quick = values.quick;
const build = supportedBuilds().find((b) => b !== "scalar")!;

/** Median microseconds of a round whose programs each fill one float, back to back or after `gapMs` of idling. */
async function roundTrip(threads: number, gapMs: number, reps: number): Promise<number> {
  await init({ build, threads });
  const be = activeBackend();
  const block = Block.alloc(64 * threads);
  const programs = Array.from({ length: threads }, (_, t): Call[] => [["fill", block.ptr + 64 * t, 1, 0]]);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const t0 = performance.now();
    be.pool!.run(programs);
    times.push((performance.now() - t0) * 1000);
  }
  block.free();
  return bench.median(times);
}

const rounds = counts.filter((t) => t > 1);
const trip = [];
for (const t of rounds)
  trip.push({ threads: t, backToBackUs: await roundTrip(t, 0, 2000), afterSleepUs: await roundTrip(t, 5, quick ? 20 : 100) });

const workloads: bench.Workload[] = [
  ...bench.trainingWorkloads(),
  {
    id: "train mlp-l batch 256",
    suite: "training",
    group: "train",
    size: "large",
    samples: 256,
    spec: { kind: "train", model: "mlp-l", batch: 256 },
  },
  ...bench.kernelWorkloads(false).filter((w) => w.id === "gemm square 1024"),
];
const ours = bench.ourContenders(counts).filter((c) => c.name === `wasm-${build}` || c.name.startsWith(`wasm-${build} x`));
const contenders = [...ours, ...(values.pytorch ? pytorchContenders(counts) : [])];
console.error(`${workloads.length} workloads x ${contenders.map((c) => c.name).join(", ")}`);
const report = await bench.runBench({ contenders, workloads, quick, onProgress: (line) => console.error(line) });

const m = machine();
const table = bench.scalingTable(bench.scaling(report));
const tripTable = markdownTable(
  ["threads", "round back to back (us)", "round after the workers slept (us)"],
  trip.map((r) => [r.threads, r.backToBackUs.toFixed(1), r.afterSleepUs.toFixed(1)]),
);
const markdown =
  `Threads scaling (samples/s; GFLOP/s for the GEMM), ${describeMachine(m)}, ${cores()} cores seen; median of ${report.rounds} interleaved rounds ` +
  `(\`npm run bench:scaling -- --threads ${counts.join(",")}${values.pytorch ? " --pytorch" : ""}\`).\n\n${table}\n\n` +
  `A pool round of one tiny kernel per thread:\n\n${tripTable}`;
console.log(markdown);
save("scaling", markdown, { machine: m, build, counts, roundTrip: trip, report });
await renderSvg(bench.scalingChart(report), "scaling.svg");
process.exit(0); // PyTorch's and our pools would keep the process alive
