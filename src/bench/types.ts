// The shapes of a benchmark run: workloads (what is timed), contenders (who
// runs it), and the report (every sample, for others to plot).

export type Suite = "kernels" | "training" | "inference";

export type WorkloadSpec =
  | { kind: "gemm"; M: number; N: number; K: number; tA: boolean; tB: boolean }
  | { kind: "conv2d"; input: [number, number, number, number]; out: number; k: number; pad: number; backward: boolean; first: boolean }
  | { kind: "maxpool"; input: [number, number, number, number]; k: number }
  | { kind: "softmax-ce"; rows: number; classes: number }
  | { kind: "sgd"; params: number }
  | { kind: "add" | "relu"; n: number }
  | { kind: "train"; model: string; batch: number }
  | { kind: "infer"; model: string; batch: number };

export interface Workload {
  /** Stable across runs and runtimes, for comparing reports: "gemm square 512". */
  id: string;
  suite: Suite;
  /** The family a chart groups by: "gemm", "conv2d", ..., "train", "infer". */
  group: string;
  size: "small" | "large";
  /** Floating-point operations per call (GEMM and convolution), for GFLOP/s. */
  flops?: number;
  /** Samples per call (training and inference), for samples/s. */
  samples?: number;
  spec: WorkloadSpec;
}

/** One call of a workload, ready to time. */
export interface Prepared {
  run(): void;
  dispose(): void;
}

export interface Contender {
  /** "wasm-relaxed-simd", "wasm-simd x2" (two threads), "js", "tfjs-wasm", "jax-js", ... */
  name: string;
  /** Ours, a JavaScript peer, or a native engine shown for scale. */
  kind: "ours" | "peer" | "native";
  threads: number;
  /** Version and settings, for the report's header. */
  info?: string;
  /** Whether it takes part in this workload at all (default: every one; prepare may still say it cannot). */
  covers?(w: Workload): boolean;
  /** Makes this contender's engine the active one. */
  start(): Promise<void>;
  /** The workload ready to run, or why this contender cannot run it. */
  prepare(w: Workload): Promise<Prepared | string>;
  /** Instead of prepare: times the workload itself (another process), returning ms per call. */
  measure?(w: Workload, quick: boolean): Promise<number[] | string>;
}

export interface ResultRow {
  workload: string;
  contender: string;
  /** Milliseconds per call, every sample of every round. */
  samplesMs: number[];
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Why it could not run (then there are no samples). */
  error?: string;
}

export interface BenchReport {
  schema: "wasmgrad-bench/1";
  date: string;
  quick: boolean;
  rounds: number;
  environment: {
    /** "Node v24.21.0 (V8 13.6)" or the browser's user agent. */
    runtime: string;
    cpu?: string;
    cores: number;
    memoryGiB?: number;
    builds: string[];
    threads: number[];
    crossOriginIsolated?: boolean;
    /** Where it ran: "node", "page" or "worker". */
    where: string;
  };
  contenders: { name: string; kind: string; threads: number; info?: string }[];
  workloads: Workload[];
  results: ResultRow[];
}
