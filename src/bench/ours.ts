// Our engines as contenders: each Wasm build and the js backend on one thread,
// and the SIMD builds again on each thread count above one. Kernels are timed
// through the same layers the ops use (GEMM through the kernel-call layer,
// which splits it over threads); the rest through the public API.
import { init, supportedBuilds } from "../backend/index.js";
import { threadsUnavailable } from "../backend/wasm/features.js";
import { activeBackend } from "../backend/backend.js";
import { sgemm } from "../backend/parallel.js";
import { randn, zeros } from "../creation.js";
import { tidy } from "../tidy.js";
import { noGrad } from "../autograd/grad-mode.js";
import { add } from "../ops/binary.js";
import { relu } from "../ops/unary.js";
import { conv2d } from "../ops/conv.js";
import { maxPool2d } from "../ops/pool.js";
import { crossEntropy } from "../ops/loss.js";
import { SGD } from "../optim/sgd.js";
import { referenceModel, takesImages, type ModelName } from "../models/reference.js";
import { trainStep } from "../train/step.js";
import { manualSeed } from "../random.js";
import type { Tensor } from "../tensor.js";
import { targets } from "./workloads.js";
import type { Contender, Prepared, Workload } from "./types.js";

function dropGrads(ts: Tensor[]): void {
  for (const t of ts) {
    t.grad?.dispose();
    t.grad = null;
  }
}

function prepare(w: Workload): Prepared {
  const s = w.spec;
  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(t: T) => (owned.push(t), t);
  const done = () => owned.forEach((t) => t.dispose());
  manualSeed(0);
  switch (s.kind) {
    case "gemm": {
      const a = keep(randn(s.tA ? [s.K, s.M] : [s.M, s.K]));
      const b = keep(randn(s.tB ? [s.N, s.K] : [s.K, s.N]));
      const c = keep(zeros([s.M, s.N]));
      const be = activeBackend();
      const [lda, ldb] = [a.shape[1], b.shape[1]];
      return { run: () => sgemm(be, +s.tA, +s.tB, s.M, s.N, s.K, 1, a._ptr, lda, b._ptr, ldb, 0, c._ptr, s.N), dispose: done };
    }
    case "conv2d": {
      const x = keep(randn(s.input, { requiresGrad: !s.first }));
      const wt = keep(randn([s.out, s.input[1], s.k, s.k], { requiresGrad: true }));
      const bias = keep(randn([s.out], { requiresGrad: true }));
      const fwd = () => conv2d(x, wt, bias, { padding: s.pad });
      if (!s.backward) return { run: () => tidy(() => noGrad(fwd)).dispose(), dispose: done };
      const g = keep(noGrad(() => tidy(() => randn(fwd().shape))));
      return {
        run: () =>
          tidy(() => {
            fwd().backward(g);
            dropGrads([x, wt, bias]);
          }),
        dispose: done,
      };
    }
    case "maxpool": {
      const x = keep(randn(s.input));
      return { run: () => tidy(() => noGrad(() => maxPool2d(x, s.k))).dispose(), dispose: done };
    }
    case "softmax-ce": {
      const logits = keep(randn([s.rows, s.classes], { requiresGrad: true }));
      const labels = targets(s.rows, s.classes);
      return {
        run: () =>
          tidy(() => {
            crossEntropy(logits, labels).backward();
            dropGrads([logits]);
          }),
        dispose: done,
      };
    }
    case "sgd": {
      const p = keep(randn([s.params], { requiresGrad: true }));
      p.grad = randn([s.params]);
      const opt = new SGD([p], { lr: 1e-3, momentum: 0.9 });
      return { run: () => opt.step(), dispose: () => (dropGrads([p]), done()) };
    }
    case "add":
    case "relu": {
      const a = keep(randn([s.n])),
        b = keep(randn([s.n]));
      const op = s.kind === "add" ? () => add(a, b) : () => relu(a);
      return { run: () => tidy(() => noGrad(op)).dispose(), dispose: done };
    }
    case "train":
    case "infer": {
      const name = s.model as ModelName;
      const model = referenceModel(name);
      const x = keep(randn(takesImages(name) ? [s.batch, 1, 28, 28] : [s.batch, 784]));
      const params = model.parameters();
      const dispose = () => (params.forEach((p) => p.dispose()), done());
      if (s.kind === "infer") return { run: () => tidy(() => noGrad(() => model.forward(x))).dispose(), dispose };
      const opt = new SGD(params, { lr: 0.01, momentum: 0.9 });
      const y = targets(s.batch);
      return { run: () => void trainStep(model, opt, { x, y }), dispose };
    }
  }
}

/** Our engines for these thread counts (counts above one only where threads can run). */
export function ourContenders(threadCounts: number[] = [1]): Contender[] {
  const make = (name: string, threads: number, start: () => Promise<void>): Contender => ({
    name,
    kind: "ours",
    threads,
    start,
    prepare: async (w) => prepare(w),
  });
  const builds = supportedBuilds();
  const many = threadsUnavailable() === null ? threadCounts.filter((t) => t > 1) : [];
  return [
    ...builds.map((build) => make(`wasm-${build}`, 1, () => init({ build, threads: 1 }))),
    make("js", 1, () => init({ backend: "js" })),
    ...many.flatMap((threads) =>
      builds.filter((b) => b !== "scalar").map((build) => make(`wasm-${build} x${threads}`, threads, () => init({ build, threads }))),
    ),
  ];
}
