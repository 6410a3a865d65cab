// What the suites time. Kernels: GEMM (squares, and the products the
// reference models compute forward and backward, transposed ones included),
// convolution forward and backward, max pool, softmax cross-entropy, an SGD
// step, element-wise ops, each small and large. Training: one step of each
// reference model at batch 64. Inference: each model at batch 1 and 1,000.
import { MODEL_NAMES } from "../models/reference.js";
import type { Suite, Workload, WorkloadSpec } from "./types.js";

const B = 64;

/** The class labels every contender trains and scores against: row i is class 7i mod classes (bench/native/pytorch.py too). */
export function targets(rows: number, classes = 10): Int32Array {
  return Int32Array.from({ length: rows }, (_, i) => (i * 7) % classes);
}

function kernel(id: string, group: string, size: "small" | "large", spec: WorkloadSpec, flops?: number): Workload {
  return { id, suite: "kernels", group, size, spec, ...(flops && { flops }) };
}

function gemm(id: string, M: number, N: number, K: number, tA = false, tB = false): Workload {
  return kernel(`gemm ${id}`, "gemm", M * N * K >= 1 << 24 ? "large" : "small", { kind: "gemm", M, N, K, tA, tB }, 2 * M * N * K);
}

function conv(
  id: string,
  size: "small" | "large",
  input: [number, number, number, number],
  out: number,
  k: number,
  pad: number,
  backward: boolean,
  first: boolean,
): Workload {
  const [n, c, h, w] = input;
  const fwd = 2 * n * out * (h + 2 * pad - k + 1) * (w + 2 * pad - k + 1) * c * k * k;
  // backward: the weight gradient costs a forward again, the input gradient another (none for a first layer)
  const flops = backward ? fwd * (first ? 2 : 3) : fwd;
  return kernel(
    `conv2d ${id} ${backward ? "fwd+bwd" : "fwd"}`,
    "conv2d",
    size,
    { kind: "conv2d", input, out, k, pad, backward, first },
    flops,
  );
}

export function kernelWorkloads(quick: boolean): Workload[] {
  const squares = quick ? [64, 256, 512] : [64, 128, 256, 512, 1024];
  return [
    ...squares.map((n) => gemm(`square ${n}`, n, n, n)),
    gemm("square 512 A^T B", 512, 512, 512, true, false),
    gemm("square 512 A B^T", 512, 512, 512, false, true),
    // MLP-L's first layer at batch 64 (weight [1000, 784] as PyTorch stores it): forward, input and weight gradients
    gemm("MLP-L 784-1000 fwd X W^T", B, 1000, 784, false, true),
    gemm("MLP-L 784-1000 dX = G W", B, 784, 1000),
    gemm("MLP-L 784-1000 dW = G^T X", 1000, 784, B, true, false),
    // CNN-M's second convolution as im2col makes it, one image: W [64, 288] times columns [288, 196]
    gemm("CNN-M conv2 per image", 64, 196, 288),
    conv("LeNet-5 conv1 1->6 5x5", "small", [B, 1, 28, 28], 6, 5, 2, false, true),
    conv("LeNet-5 conv1 1->6 5x5", "small", [B, 1, 28, 28], 6, 5, 2, true, true),
    conv("CNN-M conv2 32->64 3x3", "large", [B, 32, 14, 14], 64, 3, 1, false, false),
    conv("CNN-M conv2 32->64 3x3", "large", [B, 32, 14, 14], 64, 3, 1, true, false),
    kernel("maxpool 2x2 [64,16,10,10]", "maxpool", "small", { kind: "maxpool", input: [B, 16, 10, 10], k: 2 }),
    kernel("maxpool 2x2 [64,32,28,28]", "maxpool", "large", { kind: "maxpool", input: [B, 32, 28, 28], k: 2 }),
    kernel("softmax-ce fwd+bwd [64,10]", "softmax-ce", "small", { kind: "softmax-ce", rows: B, classes: 10 }),
    kernel("softmax-ce fwd+bwd [1024,1000]", "softmax-ce", "large", { kind: "softmax-ce", rows: 1024, classes: 1000 }),
    kernel("sgd momentum step 100K params", "sgd", "small", { kind: "sgd", params: 100_000 }),
    kernel("sgd momentum step 1M params", "sgd", "large", { kind: "sgd", params: 1 << 20 }),
    kernel("add 4K", "elementwise", "small", { kind: "add", n: 4096 }),
    kernel("add 1M", "elementwise", "large", { kind: "add", n: 1 << 20 }),
    kernel("relu 4K", "elementwise", "small", { kind: "relu", n: 4096 }),
    kernel("relu 1M", "elementwise", "large", { kind: "relu", n: 1 << 20 }),
  ];
}

export function trainingWorkloads(models: readonly string[] = MODEL_NAMES): Workload[] {
  return models.map((model) => ({
    id: `train ${model}`,
    suite: "training" as const,
    group: "train",
    size: model.startsWith("mlp-s") ? ("small" as const) : ("large" as const),
    samples: B,
    spec: { kind: "train" as const, model, batch: B },
  }));
}

export function inferenceWorkloads(models: readonly string[] = MODEL_NAMES): Workload[] {
  return [1, 1000].flatMap((batch) =>
    models.map((model) => ({
      id: `infer ${model} batch ${batch}`,
      suite: "inference" as const,
      group: `infer batch ${batch}`,
      size: batch === 1 ? ("small" as const) : ("large" as const),
      samples: batch,
      spec: { kind: "infer" as const, model, batch },
    })),
  );
}

/**
 * The areas the per-area tables cover, each in more detail than the report's
 * suites: every product of the MLPs' layers (forward, input and weight
 * gradients), every convolution and pooling layer of the CNNs, every model's
 * training step (npm run bench:gemm, bench:conv, bench:train).
 */
export const AREAS = ["gemm", "conv", "train"] as const;
export type Area = (typeof AREAS)[number];

export function areaWorkloads(area: Area, quick = false): Workload[] {
  if (area === "train") return trainingWorkloads();
  if (area === "gemm") {
    const squares = quick ? [64, 256, 512] : [64, 128, 256, 512, 1024];
    // linear layers as PyTorch stores them (weight [out, in]) at batch 64: forward X W^T, input gradient G W, weight gradient G^T X
    const layers: [string, number, number][] = [
      ["MLP-S 784-128", 784, 128],
      ["MLP-S 128-10", 128, 10],
      ["MLP-L 784-1000", 784, 1000],
      ["MLP-L 1000-500", 1000, 500],
      ["MLP-L 500-10", 500, 10],
    ];
    return [
      ...squares.map((n) => gemm(`square ${n}`, n, n, n)),
      gemm("square 512 A^T B", 512, 512, 512, true, false),
      gemm("square 512 A B^T", 512, 512, 512, false, true),
      ...layers.flatMap(([name, i, o]) => [
        gemm(`${name} fwd X W^T`, B, o, i, false, true),
        gemm(`${name} dX = G W`, B, i, o),
        gemm(`${name} dW = G^T X`, o, i, B, true, false),
      ]),
    ];
  }
  const pool = (name: string, input: [number, number, number, number]) =>
    kernel(`maxpool 2x2 ${name} [${input.join(",")}]`, "maxpool", "small", { kind: "maxpool", input, k: 2 });
  return [false, true].flatMap((backward) => [
    conv("LeNet-5 conv1 1->6 5x5", "small", [B, 1, 28, 28], 6, 5, 2, backward, true),
    conv("LeNet-5 conv2 6->16 5x5", "small", [B, 6, 14, 14], 16, 5, 0, backward, false),
    conv("CNN-M conv1 1->32 3x3", "large", [B, 1, 28, 28], 32, 3, 1, backward, true),
    conv("CNN-M conv2 32->64 3x3", "large", [B, 32, 14, 14], 64, 3, 1, backward, false),
    ...(backward
      ? []
      : [
          pool("LeNet-5", [B, 6, 28, 28]),
          pool("LeNet-5", [B, 16, 10, 10]),
          pool("CNN-M", [B, 32, 28, 28]),
          pool("CNN-M", [B, 64, 14, 14]),
        ]),
  ]);
}

export const SUITES: Suite[] = ["kernels", "training", "inference"];

/** The workloads of the suites asked for (all three by default). */
export function workloads(o: { quick?: boolean; suites?: Suite[]; models?: readonly string[] } = {}): Workload[] {
  const suites = o.suites ?? SUITES;
  return [
    ...(suites.includes("kernels") ? kernelWorkloads(o.quick ?? false) : []),
    ...(suites.includes("training") ? trainingWorkloads(o.models) : []),
    ...(suites.includes("inference") ? inferenceWorkloads(o.models) : []),
  ];
}
