// Every op's backward against float64 finite differences, on random shapes
// (including size-1 and broadcast dims), on every backend.
import { beforeAll, describe, expect, it } from "vitest";
import * as wg from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { gradcheck, rng } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ref.js";

/** Pairs of broadcast-compatible shapes: fixed corner cases plus random ones. */
function shapePairs(seed: number, count: number): [number[], number[]][] {
  const pairs: [number[], number[]][] = [
    [
      [3, 4],
      [3, 4],
    ],
    [[3, 4], [4]],
    [
      [3, 1],
      [1, 4],
    ],
    [
      [2, 3, 4],
      [3, 1],
    ],
    [[1], [2, 3]],
    [[], [2, 3]],
    [
      [5, 1, 3],
      [1, 4, 1],
    ],
    [
      [1, 1],
      [1, 1],
    ],
    [[7], [7]],
  ];
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    const nd = 1 + Math.floor(r() * 4);
    const a = Array.from({ length: nd }, () => 1 + Math.floor(r() * 4));
    let b = a.map((d) => (r() < 0.35 ? 1 : d));
    b = b.slice(Math.floor(r() * b.length));
    pairs.push(r() < 0.5 ? [a, b] : [b, a]);
  }
  return pairs;
}

const BINARY: [string, (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, (x: number, y: number) => number, number, number][] = [
  ["add", (a, b) => a.add(b), (x, y) => x + y, -2, 2],
  ["sub", (a, b) => a.sub(b), (x, y) => x - y, -2, 2],
  ["mul", (a, b) => a.mul(b), (x, y) => x * y, -2, 2],
  ["div", (a, b) => a.div(b), (x, y) => x / y, 0.5, 2],
  ["pow", (a, b) => a.pow(b), (x, y) => Math.pow(x, y), 0.5, 2],
  ["maximum", (a, b) => wg.maximum(a, b), Math.max, -2, 2],
  ["minimum", (a, b) => wg.minimum(a, b), Math.min, -2, 2],
];

const F = wg.nn.functional;

const UNARY: [string, (a: wg.Tensor) => wg.Tensor, (x: number) => number, number, number][] = [
  ["neg", (a) => a.neg(), (x) => -x, -2, 2],
  ["exp", (a) => a.exp(), Math.exp, -2, 2],
  ["log", (a) => a.log(), Math.log, 0.2, 3],
  ["sqrt", (a) => a.sqrt(), Math.sqrt, 0.2, 3],
  ["pow 3", (a) => a.pow(3), (x) => x ** 3, -2, 2],
  ["pow 2", (a) => a.pow(2), (x) => x * x, -2, 2],
  ["pow -1.5", (a) => a.pow(-1.5), (x) => x ** -1.5, 0.5, 2],
  ["relu", (a) => a.relu(), (x) => Math.max(x, 0), -2, 2],
  ["sigmoid", (a) => a.sigmoid(), (x) => 1 / (1 + Math.exp(-x)), -4, 4],
  ["tanh", (a) => a.tanh(), Math.tanh, -3, 3],
  ["add scalar", (a) => a.add(1.5), (x) => x + 1.5, -2, 2],
  ["scalar sub", (a) => wg.sub(2, a), (x) => 2 - x, -2, 2],
  ["mul scalar", (a) => a.mul(-3), (x) => -3 * x, -2, 2],
  ["div scalar", (a) => a.div(4), (x) => x / 4, -2, 2],
  ["scalar div", (a) => wg.div(2, a), (x) => 2 / x, 0.5, 2],
  ["scalar pow", (a) => wg.pow(2, a), (x) => 2 ** x, -2, 2],
  ["abs", (a) => a.abs(), Math.abs, -2, 2],
  ["clamp", (a) => a.clamp(-0.5, 1), (x) => Math.min(Math.max(x, -0.5), 1), -2, 2],
  ["clamp min", (a) => a.clamp(0.3), (x) => Math.max(x, 0.3), -2, 2],
  ["clamp max", (a) => wg.clamp(a, null, -0.2), (x) => Math.min(x, -0.2), -2, 2],
  ["leakyRelu", (a) => F.leakyRelu(a, 0.2), (x) => (x > 0 ? x : 0.2 * x), -2, 2],
  ["elu", (a) => F.elu(a, 1.5), (x) => (x > 0 ? x : 1.5 * Math.expm1(x)), -2, 2],
  ["erf", (a) => a.erf(), (x) => ref.erf(x), -3, 3],
  ["gelu", (a) => F.gelu(a), (x) => 0.5 * x * (1 + ref.erf(x / Math.SQRT2)), -3, 3],
  ["gelu tanh", (a) => F.gelu(a, "tanh"), (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))), -3, 3],
  ["silu", (a) => F.silu(a), (x) => x / (1 + Math.exp(-x)), -4, 4],
  ["softplus", (a) => F.softplus(a), (x) => Math.log1p(Math.exp(x)), -4, 4],
  ["softplus beta 2", (a) => F.softplus(a, 2, 3), (x) => (2 * x > 3 ? x : Math.log1p(Math.exp(2 * x)) / 2), -3, 3],
];

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe.each(BACKENDS)("gradients on $name", (backend) => {
  beforeAll(() => use(backend));

  describe.each(BINARY)("%s", (_name, op, f, lo, hi) => {
    it.each(shapePairs(7, 8))("%j with %j", (sa, sb) => {
      gradcheck({
        inputs: [
          { shape: sa, lo, hi },
          { shape: sb, lo, hi },
        ],
        lib: ([a, b]) => op(a, b),
        ref: ([a, b]) => ref.binary(a, b, f),
      });
    });
  });

  describe.each(UNARY)("%s", (_name, op, f, lo, hi) => {
    it.each([[[]], [[1]], [[5]], [[3, 4]], [[2, 1, 3]], [[9, 3]]])("%j", (shape) => {
      gradcheck({ inputs: [{ shape, lo, hi }], lib: ([a]) => op(a), ref: ([a]) => ref.unary(a, f) });
    });
  });

  const REDUCE_CASES: [number[], number | undefined, boolean][] = [
    [[4], undefined, false],
    [[3, 4], undefined, true],
    [[3, 4], 0, false],
    [[3, 4], 1, true],
    [[2, 3, 4], 1, false],
    [[2, 3, 4], -1, true],
    [[2, 1, 3], 1, false],
    [[1, 5], 0, true],
  ];

  it.each(REDUCE_CASES)("sum %j dim %s keepDim %s", (shape, dim, keep) => {
    gradcheck({ inputs: [{ shape }], lib: ([a]) => a.sum(dim, keep), ref: ([a]) => ref.reduce(a, dim, keep, sumOf) });
  });

  it.each(REDUCE_CASES)("mean %j dim %s keepDim %s", (shape, dim, keep) => {
    gradcheck({
      inputs: [{ shape }],
      lib: ([a]) => a.mean(dim, keep),
      ref: ([a]) => ref.reduce(a, dim, keep, (xs) => sumOf(xs) / xs.length),
    });
  });

  const variance = (xs: number[], correction: number) => {
    const m = sumOf(xs) / xs.length;
    return sumOf(xs.map((x) => (x - m) ** 2)) / (xs.length - correction);
  };

  it.each(REDUCE_CASES.filter(([shape, dim]) => (dim === undefined ? shape.reduce((a, b) => a * b, 1) : shape.at(dim)!) > 1))(
    "var and std %j dim %s keepDim %s, correction 1 and 0",
    (shape, dim, keep) => {
      gradcheck({ inputs: [{ shape }], lib: ([a]) => a.var(dim, keep), ref: ([a]) => ref.reduce(a, dim, keep, (xs) => variance(xs, 1)) });
      gradcheck({
        inputs: [{ shape }],
        lib: ([a]) => a.std(dim, keep, 0),
        ref: ([a]) => ref.reduce(a, dim, keep, (xs) => Math.sqrt(variance(xs, 0))),
      });
    },
  );

  it.each(REDUCE_CASES.filter(([, dim]) => dim !== undefined))("logsumexp and min %j dim %s keepDim %s", (shape, dim, keep) => {
    gradcheck({
      inputs: [{ shape, lo: -3, hi: 3 }],
      lib: ([a]) => a.logsumexp(dim!, keep),
      ref: ([a]) => ref.reduce(a, dim, keep, (xs) => Math.log(sumOf(xs.map(Math.exp)))),
    });
    gradcheck({ inputs: [{ shape }], lib: ([a]) => a.min(dim, keep), ref: ([a]) => ref.reduce(a, dim, keep, (xs) => Math.min(...xs)) });
  });

  it("where: cond picks a (non-zero) or b, all three broadcast", () => {
    const cond = wg.tensor([1, 0, -2, 0]);
    gradcheck({
      inputs: [{ shape: [3, 4] }, { shape: [3, 1] }],
      lib: ([a, b]) => wg.where(cond, a, b),
      ref: ([a, b]) => ref.where(ref.arr([4], [1, 0, -2, 0]), a, b),
    });
    cond.dispose();
  });

  it.each(REDUCE_CASES)("max %j dim %s keepDim %s", (shape, dim, keep) => {
    gradcheck({ inputs: [{ shape }], lib: ([a]) => a.max(dim, keep), ref: ([a]) => ref.reduce(a, dim, keep, (xs) => Math.max(...xs)) });
  });

  it.each([
    [[5], -1],
    [[3, 4], 1],
    [[3, 4], 0],
    [[2, 3, 4], 1],
    [[1, 6], -1],
    [[4, 1], 1],
  ] as [number[], number][])("softmax and logSoftmax %j dim %s", (shape, dim) => {
    gradcheck({ inputs: [{ shape, lo: -3, hi: 3 }], lib: ([a]) => a.softmax(dim), ref: ([a]) => ref.alongDim(a, dim, ref.softmax) });
    gradcheck({ inputs: [{ shape, lo: -3, hi: 3 }], lib: ([a]) => a.logSoftmax(dim), ref: ([a]) => ref.alongDim(a, dim, ref.logSoftmax) });
  });

  it.each([
    [1, 1, 1],
    [2, 3, 4],
    [5, 1, 3],
    [1, 7, 2],
    [6, 9, 5],
    [4, 17, 3],
  ])("matmul [%i,%i] x [%i,..]", (M, K, N) => {
    gradcheck({ inputs: [{ shape: [M, K] }, { shape: [K, N] }], lib: ([a, b]) => a.matmul(b), ref: ([a, b]) => ref.matmul(a, b) });
  });

  it.each([
    [
      [2, 3, 4, 5],
      [2, 3, 5, 4],
    ], // attention's [B, H, T, d] @ [B, H, d, T]
    [
      [3, 4, 5],
      [5, 2],
    ], // [B, T, K] @ [K, N]: one product over all rows
    [
      [4, 5],
      [3, 5, 2],
    ], // a matrix broadcast over the batch on the left
    [
      [2, 1, 3, 4],
      [5, 4, 2],
    ], // batch dims that broadcast both ways
    [
      [1, 3, 2],
      [2, 2, 4],
    ],
    [[4], [4]], // dot product: a 0-d result
    [[3, 4], [4]], // matrix times vector
    [[4], [4, 3]],
    [[4], [2, 4, 3]],
    [[2, 3, 4], [4]],
  ])("matmul %j x %j", (sa, sb) => {
    const vec = (s: number[]) => s.length === 1;
    gradcheck({
      inputs: [{ shape: sa }, { shape: sb }],
      lib: ([a, b]) => a.matmul(b),
      ref: ([a, b]) => {
        const r = ref.bmm(vec(sa) ? { shape: [1, sa[0]], data: a.data } : a, vec(sb) ? { shape: [sb[0], 1], data: b.data } : b);
        const drop = r.shape.map((_, i) => (vec(sa) && i === r.shape.length - 2) || (vec(sb) && i === r.shape.length - 1));
        return { shape: r.shape.filter((_, i) => !drop[i]), data: r.data };
      },
    });
  });

  it.each([
    [[2, 3, 5], 4],
    [[2, 1, 3, 5], 2],
    [[5], 3],
  ] as [number[], number][])("linear on input %j -> %i features", (shape, N) => {
    const K = shape.at(-1)!;
    gradcheck({
      inputs: [{ shape }, { shape: [N, K] }, { shape: [N] }],
      lib: ([x, w, b]) => wg.nn.functional.linear(x, w, b),
      ref: ([x, w, b]) => {
        const rows = { shape: [x.data.length / K, K], data: x.data };
        const y = ref.binary(ref.matmul(rows, ref.transpose(w, 0, 1)), b, (p, q) => p + q);
        return { shape: [...shape.slice(0, -1), N], data: y.data };
      },
    });
  });

  it.each([
    [1, 1, 1],
    [5, 7, 3],
    [4, 17, 9],
  ])("linear [%i,%i] -> %i, with and without bias", (M, K, N) => {
    gradcheck({
      inputs: [{ shape: [M, K] }, { shape: [N, K] }, { shape: [N] }],
      lib: ([x, w, b]) => wg.nn.functional.linear(x, w, b),
      ref: ([x, w, b]) => ref.binary(ref.matmul(x, ref.transpose(w, 0, 1)), b, (p, q) => p + q),
    });
    gradcheck({
      inputs: [{ shape: [M, K] }, { shape: [N, K] }],
      lib: ([x, w]) => wg.nn.functional.linear(x, w),
      ref: ([x, w]) => ref.matmul(x, ref.transpose(w, 0, 1)),
    });
  });

  it("reshape, flatten and transpose", () => {
    gradcheck({
      inputs: [{ shape: [2, 3, 4] }],
      lib: ([a]) => a.reshape([4, -1]).mul(a.reshape([4, 6])),
      ref: ([a]) => ref.binary({ shape: [4, 6], data: a.data }, { shape: [4, 6], data: a.data }, (x, y) => x * y),
    });
    gradcheck({
      inputs: [{ shape: [2, 3, 4] }],
      lib: ([a]) => a.flatten(1).exp(),
      ref: ([a]) => ref.unary({ shape: [2, 12], data: a.data }, Math.exp),
    });
    gradcheck({
      inputs: [{ shape: [3, 5] }],
      lib: ([a]) => a.transpose(0, 1).exp(),
      ref: ([a]) => ref.unary(ref.transpose(a, 0, 1), Math.exp),
    });
    gradcheck({
      inputs: [{ shape: [2, 3, 4] }],
      lib: ([a]) => a.transpose(0, 2).exp(),
      ref: ([a]) => ref.unary(ref.transpose(a, 0, 2), Math.exp),
    });
    gradcheck({
      inputs: [{ shape: [2, 3, 4, 2] }],
      lib: ([a]) => a.transpose(1, -1).tanh(),
      ref: ([a]) => ref.unary(ref.transpose(a, 1, 3), Math.tanh),
    });
  });

  it("batch norm (batch statistics, with and without affine) and layer norm", () => {
    gradcheck({
      inputs: [{ shape: [3, 2, 4, 2] }, { shape: [2] }, { shape: [2] }],
      lib: ([x, w, b]) => F.batchNorm(x, null, null, w, b, { training: true }),
      ref: ([x, w, b]) => ref.batchNorm(x, w, b),
    });
    gradcheck({ inputs: [{ shape: [6, 3] }], lib: ([x]) => F.batchNorm(x, null, null), ref: ([x]) => ref.batchNorm(x, null, null) });
    gradcheck({
      inputs: [{ shape: [2, 3, 5] }, { shape: [5] }, { shape: [5] }],
      lib: ([x, w, b]) => F.layerNorm(x, 5, w, b),
      ref: ([x, w, b]) => ref.layerNorm(x, 5, w, b),
    });
    gradcheck({ inputs: [{ shape: [4, 2, 3] }], lib: ([x]) => F.layerNorm(x, [2, 3]), ref: ([x]) => ref.layerNorm(x, 6, null, null) });
  });

  it("grouped and depthwise conv2d, and convTranspose2d", () => {
    gradcheck({
      inputs: [{ shape: [2, 4, 5, 6] }, { shape: [6, 2, 3, 3] }, { shape: [6] }],
      lib: ([x, w, b]) => F.conv2d(x, w, b, { padding: 1, stride: 2, groups: 2 }),
      ref: ([x, w, b]) => ref.conv2dGroups(x, w, b, { padding: [1, 1], stride: [2, 2], groups: 2 }),
    });
    gradcheck({
      inputs: [{ shape: [1, 3, 5, 5] }, { shape: [3, 1, 3, 3] }],
      lib: ([x, w]) => F.conv2d(x, w, null, { padding: 1, groups: 3 }),
      ref: ([x, w]) => ref.conv2dGroups(x, w, null, { padding: [1, 1], groups: 3 }),
    });
    gradcheck({
      inputs: [{ shape: [2, 3, 3, 4] }, { shape: [3, 2, 3, 3] }, { shape: [2] }],
      lib: ([x, w, b]) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
      ref: ([x, w, b]) => ref.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
    });
    gradcheck({
      inputs: [{ shape: [1, 4, 3, 3] }, { shape: [4, 1, 2, 2] }],
      lib: ([x, w]) => F.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }),
      ref: ([x, w]) => ref.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }),
    });
  });

  it("embedding: repeated indices add up, the padding row gets nothing", () => {
    const idx = [
      [1, 3, 1],
      [0, 2, 3],
    ];
    gradcheck({
      inputs: [{ shape: [4, 3] }],
      lib: ([w]) => F.embedding(idx, w),
      ref: ([w]) => ({ ...ref.indexSelect(w, 0, idx.flat()), shape: [2, 3, 3] }),
    });
    const w = wg.tensor(
      Float32Array.from({ length: 12 }, (_, i) => i),
      { shape: [4, 3], requiresGrad: true },
    );
    F.embedding(idx, w, 3).sum().backward();
    expect(w.grad!.toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [1, 1, 1],
      [0, 0, 0],
    ]);
    w.dispose();
  });

  it("max() and min() over everything share the gradient evenly among ties, as PyTorch; along a dim the first takes it", () => {
    const x = wg.tensor([1, 3, 3, -2, -2], { requiresGrad: true });
    x.max().backward();
    expect(Array.from(x.grad!.data())).toEqual([0, 0.5, 0.5, 0, 0]);
    x.grad = null;
    x.min().mul(4).backward();
    expect(Array.from(x.grad!.data())).toEqual([0, 0, 0, 2, 2]);
    x.grad = null;
    x.max(0).backward();
    expect(Array.from(x.grad!.data())).toEqual([0, 1, 0, 0, 0]);
    x.dispose();
  });

  it("empty inputs: layerNorm of a size-0 shape, a 0-size inner dim in matmul and linear, conv2d of a batch of 0", () => {
    const before = wg.memory();
    const ln = F.layerNorm(wg.ones([2, 0]), [0]);
    expect(ln.shape).toEqual([2, 0]);
    expect(wg.memory().bytes).toBeGreaterThan(0); // the heap's count is still a number
    ln.dispose();
    expect(wg.tensor([1, 2, 3, 4]).std().item()).toBeCloseTo(1.2909944, 5);
    expect(
      wg
        .ones([2, 3, 0])
        .matmul(wg.ones([0, 4]))
        .toArray(),
    ).toEqual(wg.zeros([2, 3, 4]).toArray());
    expect(F.linear(wg.ones([2, 3, 0]), wg.ones([2, 0])).shape).toEqual([2, 3, 2]);
    const w = wg.randn([2, 3, 3, 3], { requiresGrad: true });
    F.conv2d(wg.zeros([0, 3, 5, 5]), w)
      .sum()
      .backward();
    expect(Array.from(w.grad!.data()).every((v) => v === 0)).toBe(true);
    w.dispose();
    void before;
  });

  it("a composite: two-layer MLP with softmax cross-entropy by hand", () => {
    gradcheck({
      inputs: [{ shape: [4, 5] }, { shape: [5, 6] }, { shape: [6] }, { shape: [6, 3] }],
      lib: ([x, w1, b1, w2]) => x.matmul(w1).add(b1).tanh().matmul(w2).logSoftmax(1).mean(),
      ref: ([x, w1, b1, w2]) => {
        const h = ref.unary(
          ref.binary(ref.matmul(x, w1), b1, (p, q) => p + q),
          Math.tanh,
        );
        const l = ref.alongDim(ref.matmul(h, w2), 1, ref.logSoftmax);
        return ref.reduce(l, undefined, false, (xs) => sumOf(xs) / xs.length);
      },
    });
  });
});
