// The bench namespace: the benchmark suites, runnable in Node (npm run bench,
// wasmgrad bench) and in a page or Worker (the demo's Benchmark tab).
export { runBench, type RunOptions } from "./run.js";
export {
  workloads,
  kernelWorkloads,
  trainingWorkloads,
  inferenceWorkloads,
  areaWorkloads,
  targets,
  SUITES,
  AREAS,
  type Area,
} from "./workloads.js";
export { ourContenders } from "./ours.js";
export { toMarkdown, ratios, valueOf, unitOf, index, scaling, scalingTable, type Ratios, type Unit, type ScalingRow } from "./report.js";
export { speedupChart, trainingChart, samplesPerSecondChart, scalingChart, gflopsChart, type VegaLiteSpec } from "./charts.js";
export { timeCalls, median, QUICK, FULL, type TimingOptions } from "./measure.js";
export type { BenchReport, Contender, Prepared, ResultRow, Suite, Workload, WorkloadSpec } from "./types.js";
