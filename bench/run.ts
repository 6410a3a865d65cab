// The benchmark report: every suite (kernels, training, inference), every
// contender (our Wasm builds and js backend at one thread and at the
// machine's thread count; TensorFlow.js on Wasm and CPU; jax-js; native
// PyTorch for scale where the machine has it), interleaved round by round in
// one process. Writes bench/results/latest.json (every sample), REPORT.md,
// speedup.svg and training.svg; with more than one thread count the report
// has a table of each thread count's speedup over one thread.
//
//   npm run bench [-- --quick] [-- --threads 1,2] [-- --suites kernels,training,inference] [-- --engines wasm,js,tfjs]
//
// With --area gemm|conv|train it times one area in more detail instead (every
// product of the MLPs' layers, every layer of the CNNs, every model's training
// step): npm run bench:gemm, bench:conv and bench:train, which write
// bench/results/gemm.*, conv.* and train-step.* (JSON, Markdown, SVG).
import { bench } from "../src/index.js";
import { cores } from "../src/backend/index.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { writeFileAtomic } from "../src/node/files.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tfjsContenders } from "./peers/tfjs.js";
import { jaxContender } from "./peers/jax.js";
import { pytorchContenders } from "./peers/pytorch.js";
import { RESULTS, renderReportCharts, renderSvg } from "./charts/render.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes("--quick");
const threads = option("--threads")?.split(",").map(Number) ?? [...new Set([1, cores()])];
if (!threads.every((t) => Number.isInteger(t) && t >= 1)) throw new Error(`--threads takes positive integers, got ${option("--threads")}`);
const suites = option("--suites")?.split(",") as bench.Suite[] | undefined;
for (const s of suites ?? []) if (!bench.SUITES.includes(s)) throw new Error(`unknown suite '${s}' (suites: ${bench.SUITES.join(", ")})`);
const area = option("--area") as bench.Area | undefined;
if (area !== undefined && !bench.AREAS.includes(area)) throw new Error(`unknown area '${area}' (areas: ${bench.AREAS.join(", ")})`);

/** Whether `--engines a,b` (names, or the start of names: "wasm-relaxed", "pytorch") takes this contender; all without it. */
const engines = option("--engines")?.split(",");
const selected = (name: string) => engines === undefined || engines.some((e) => name === e || name.startsWith(e));
// --quick leaves out tfjs-cpu (the slowest peer by far) unless --engines names it
const wanted = quick && !engines ? (name: string) => name !== "tfjs-cpu" : selected;
// its package.json is not in its exports: found beside its entry point
const jaxVersion = (JSON.parse(readFileSync(new URL("../package.json", import.meta.resolve("@jax-js/jax")), "utf8")) as { version: string })
  .version;
const candidates = [
  ...bench.ourContenders(threads),
  ...tfjsContenders(quick),
  jaxContender(quick, jaxVersion),
  ...pytorchContenders(threads),
].filter((c) => wanted(c.name));
const workloads = area ? bench.areaWorkloads(area, quick) : bench.workloads({ quick, suites });
// a contender with nothing to time here (PyTorch on kernels) stays out of the report
const contenders = candidates.filter((c) => !c.covers || workloads.some((w) => c.covers!(w)));
console.log(
  `${workloads.length} workloads x ${contenders.length} contenders (${contenders.map((c) => c.name).join(", ")})${quick ? ", --quick" : ""}`,
);
const t0 = performance.now();
const report = await bench.runBench({ contenders, workloads, quick, onProgress: (line) => console.log(line) });
const rest = argv.filter((a, i) => a !== "--area" && argv[i - 1] !== "--area");
const command = area
  ? `npm run bench:${area}${rest.length ? ` -- ${rest.join(" ")}` : ""}`
  : `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`;
const markdown = bench.toMarkdown(report, command);
const name = area === undefined ? null : area === "train" ? "train-step" : area;
writeFileAtomic(join(RESULTS, `${name ?? "latest"}.json`), JSON.stringify(report, null, 1) + "\n");
writeFileAtomic(join(RESULTS, `${name ?? "REPORT"}.md`), markdown);
console.log("\n" + markdown);
console.log(`wrote bench/results/${name ?? "latest"}.json and ${name ?? "REPORT"}.md (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
if (name === null) await renderReportCharts(report);
else await renderSvg(area === "train" ? bench.trainingChart(report) : bench.gflopsChart(report), `${name}.svg`);
process.exit(0); // the peers' thread pools and jax-js's workers would keep the process alive
