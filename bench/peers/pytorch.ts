// Native PyTorch for scale, on the training workloads only, where the machine
// has it (bench/lib/native.ts): a native engine, not a JavaScript peer, so
// the report gives it a ratio of its own.
import { pytorchInfo, pytorchTrain } from "../lib/native.js";
import { MODEL_NAMES, type bench } from "../../src/index.js";

export function pytorchContenders(threadCounts: number[]): bench.Contender[] {
  const info = pytorchInfo();
  if (info === null) return [];
  // the reference BLAS makes PyTorch 10x slower: a column against it would flatter us
  const leftOut = info.optimizedBlas ? null : `left out: PyTorch runs the reference BLAS (${info.blas}), 10x slower than OpenBLAS`;
  return threadCounts.map((threads) => {
    // one Python process per round times every model (starting one costs seconds);
    // each result is handed out once, so the next round measures again
    const pending = new Map<string, number[] | string>();
    return {
      name: `pytorch x${threads}`,
      kind: "native" as const,
      threads,
      info: `PyTorch ${info.torch} (bench/native/pytorch.py; BLAS: ${info.blas}, held to the thread count)`,
      // bench/native/pytorch.py trains at batch 64
      covers: (w: bench.Workload) => w.spec.kind === "train" && w.spec.batch === 64,
      async start() {},
      async prepare() {
        return "runs in its own process";
      },
      async measure(w: bench.Workload, quick: boolean) {
        if (w.spec.kind !== "train") return "training only";
        if (leftOut !== null) return leftOut;
        if (!pending.has(w.spec.model)) {
          const all = pytorchTrain(MODEL_NAMES.join(","), threads, quick);
          for (const m of MODEL_NAMES) pending.set(m, typeof all === "string" ? all : all.runs[m]);
        }
        const runs = pending.get(w.spec.model)!;
        pending.delete(w.spec.model);
        const batch = w.spec.batch;
        return typeof runs === "string" ? runs : runs.map((sps) => (batch * 1000) / sps);
      },
    };
  });
}
