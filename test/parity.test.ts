// Parity: every Wasm build gives the js backend's results (float32
// tolerance) for every op, forward and backward, on sizes that exercise the
// SIMD loops and their scalar tails.
import { describe, expect, it } from "vitest";
import * as wg from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { expectClose } from "./helpers/gradcheck.js";

type Case = [string, number[][], (xs: wg.Tensor[]) => wg.Tensor];

const CASES: Case[] = [
  [
    "add",
    [
      [37, 65],
      [37, 65],
    ],
    ([a, b]) => a.add(b),
  ],
  ["add broadcast row", [[37, 65], [65]], ([a, b]) => a.add(b)],
  [
    "add broadcast col",
    [
      [37, 65],
      [37, 1],
    ],
    ([a, b]) => a.add(b),
  ],
  [
    "sub broadcast 3-d",
    [
      [5, 7, 9],
      [7, 1],
    ],
    ([a, b]) => a.sub(b),
  ],
  ["mul", [[1031], [1031]], ([a, b]) => a.mul(b)],
  ["mul scalar-first broadcast", [[1], [33, 17]], ([a, b]) => a.mul(b)],
  [
    "div",
    [
      [257, 3],
      [257, 3],
    ],
    ([a, b]) => a.div(b.exp()),
  ],
  ["pow", [[61], [61]], ([a, b]) => a.exp().pow(b)],
  ["scalar ops", [[1023]], ([a]) => a.add(2).mul(-0.5).sub(1).div(3)],
  ["neg exp log sqrt", [[1029]], ([a]) => a.neg().exp().add(1).log().sqrt()],
  ["pow scalar", [[515]], ([a]) => a.pow(3).add(a.exp().pow(-0.5))],
  ["relu", [[1027]], ([a]) => a.relu()],
  ["sigmoid", [[1027]], ([a]) => a.mul(3).sigmoid()],
  ["tanh", [[1027]], ([a]) => a.tanh()],
  ["sum all", [[2049]], ([a]) => a.sum()],
  ["sum dim 0", [[31, 67]], ([a]) => a.sum(0)],
  ["sum dim 1", [[31, 67]], ([a]) => a.sum(1, true)],
  ["mean dim", [[9, 13, 7]], ([a]) => a.mean(1)],
  ["max dim", [[9, 13, 7]], ([a]) => a.max(2)],
  ["max all", [[333]], ([a]) => a.max()],
  ["softmax", [[19, 10]], ([a]) => a.mul(3).softmax(1)],
  ["logSoftmax dim 0", [[19, 10]], ([a]) => a.mul(3).logSoftmax(0)],
  [
    "matmul",
    [
      [33, 70],
      [70, 19],
    ],
    ([a, b]) => a.matmul(b),
  ],
  ["transpose 3-d", [[6, 7, 8]], ([a]) => a.transpose(0, 2).mul(a.transpose(0, 2))],
  ["linear", [[37, 70], [19, 70], [19]], ([x, w, b]) => wg.nn.functional.linear(x, w, b)],
  ["conv2d", [[4, 3, 13, 11], [8, 3, 3, 3], [8]], ([x, w, b]) => wg.nn.functional.conv2d(x, w, b, { padding: 1 })],
  [
    "conv2d strided dilated",
    [
      [2, 5, 17, 15],
      [6, 5, 3, 3],
    ],
    ([x, w]) => wg.nn.functional.conv2d(x, w, null, { stride: 2, dilation: 2, padding: 2 }),
  ],
  // the Kaggle CNN's 5x5 stride-2 convolution; an odd width ends rows mid-vector
  ["conv2d stride 2", [[3, 4, 24, 23], [5, 4, 5, 5], [5]], ([x, w, b]) => F.conv2d(x, w, b, { stride: 2, padding: 2 })],
  ["maxPool2d", [[3, 4, 14, 14]], ([x]) => wg.nn.functional.maxPool2d(x, 2)],
  // 11 classes: a SIMD run of 8 and a scalar tail in crossEntropyBackward
  ...(["mean", "sum", "none"] as const).map((reduction): Case => [
    `crossEntropy ${reduction}`,
    [[37, 11]],
    ([x]) =>
      wg.nn.functional.crossEntropy(
        x.mul(3),
        Array.from({ length: 37 }, (_, i) => (i * 7) % 11),
        { reduction },
      ),
  ]),
  ["avgPool2d", [[3, 4, 13, 13]], ([x]) => wg.nn.functional.avgPool2d(x, 3, { stride: 2, padding: 1 })],
  ["abs clamp", [[1027]], ([a]) => a.abs().add(a.clamp(-0.5, 0.5))],
  ["leakyRelu elu", [[1027]], ([a]) => F.leakyRelu(a, 0.1).add(F.elu(a))],
  ["gelu silu softplus erf", [[1027]], ([a]) => F.gelu(a).add(F.gelu(a, "tanh")).add(F.silu(a)).add(F.softplus(a)).add(a.erf())],
  ["maximum minimum", [[37, 65], [65]], ([a, b]) => wg.maximum(a, b).add(wg.minimum(a, b.mul(0.5)))],
  [
    "where",
    [
      [37, 65],
      [37, 1],
    ],
    ([a, b]) => wg.where(a.detach(), a, b),
  ],
  ["var logsumexp min", [[19, 33]], ([a]) => a.var(1).add(a.logsumexp(1)).add(a.min(1))],
  [
    "batched matmul",
    [
      [3, 5, 17, 9],
      [3, 5, 9, 13],
    ],
    ([a, b]) => a.matmul(b),
  ],
  ["linear 3-d", [[4, 9, 70], [19, 70], [19]], ([x, w, b]) => F.linear(x, w, b)],
  ["layout", [[6, 7, 8]], ([a]) => wg.cat([a.permute(2, 0, 1).narrow(0, 1, 5), F.pad(a.permute(2, 0, 1), [0, 0, 0, 0, -3, 0])], 1)],
  ["gather indexSelect", [[9, 13]], ([a]) => a.indexSelect(0, [8, 1, 1, 0]).add(a.gather(0, [[1, 2, 8, 0, 3, 4, 5, 6, 7, 8, 0, 1, 2]]))],
  ["batchNorm2d", [[6, 5, 9, 7], [5], [5]], ([x, w, b]) => F.batchNorm(x, null, null, w, b, { training: true })],
  ["layerNorm", [[9, 37], [37], [37]], ([x, w, b]) => F.layerNorm(x, 37, w, b)],
  ["conv2d groups", [[2, 6, 11, 9], [9, 2, 3, 3], [9]], ([x, w, b]) => F.conv2d(x, w, b, { padding: 1, groups: 3 })],
  [
    "convTranspose2d",
    [[2, 4, 6, 5], [4, 3, 3, 3], [3]],
    ([x, w, b]) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
  ],
];

const F = wg.nn.functional;

interface Result {
  out: Float32Array;
  grads: Float32Array[];
  argmax?: Float32Array;
}

describe("wasm builds match the js backend", () => {
  const results = new Map<string, Map<string, Result>>();

  it("computes every case on every backend", async () => {
    for (const backend of BACKENDS) {
      await use(backend);
      const mine = new Map<string, Result>();
      for (const [name, shapes, f] of CASES) {
        wg.manualSeed(11);
        const xs = shapes.map((s) => wg.randn(s, { requiresGrad: true }));
        const out = wg.tidy(() => f(xs));
        wg.manualSeed(12);
        const g = wg.randn(out.shape);
        out.backward(g);
        mine.set(name, { out: out.data(), grads: xs.map((x) => x.grad!.data()) });
      }
      wg.manualSeed(13);
      const r = wg.randn([17, 29]);
      mine.set("argmax", { out: r.argmax(1).data(), grads: [] });
      results.set(backend.name, mine);
    }
    expect(results.size).toBe(BACKENDS.length);
  });

  for (const backend of BACKENDS.filter((b) => b.name !== "js")) {
    it(`${backend.name} matches js on every op`, () => {
      const js = results.get("js")!,
        mine = results.get(backend.name)!;
      for (const [name, r] of mine) {
        const j = js.get(name)!;
        expectClose(r.out, j.out, 1e-4, 1e-5, `${name} forward`);
        r.grads.forEach((g, i) => expectClose(g, j.grads[i], 1e-4, 1e-5, `${name} grad ${i}`));
      }
    });
  }
});
