// Convolution and pooling: worked examples, gradient checks against float64
// references (stride, padding, dilation, channels), modules, errors; every
// backend.
import { beforeAll, describe, expect, it } from "vitest";
import { manualSeed, memory, nn, randn, tensor, tidy, zeros, type Tensor } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ref.js";

const F = nn.functional;

describe.each(BACKENDS)("convolution and pooling on $name", (backend) => {
  beforeAll(() => use(backend));

  it("reproduces the worked example", () => {
    const x = tensor([
      [
        [
          [3, 3, 2, 1, 0],
          [0, 0, 1, 3, 1],
          [3, 1, 2, 2, 3],
          [2, 0, 0, 2, 2],
          [2, 0, 0, 0, 1],
        ],
      ],
    ]);
    const w = tensor([
      [
        [
          [0, 1, 2],
          [2, 2, 0],
          [0, 1, 2],
        ],
      ],
    ]);
    expect(F.conv2d(x, w).toArray()).toEqual([
      [
        [
          [12, 12, 17],
          [10, 17, 19],
          [9, 6, 14],
        ],
      ],
    ]);
  });

  it("answers a vertical edge with the horizontal Sobel kernel, only along the edge", () => {
    const img = Array.from({ length: 8 }, () => Array.from({ length: 8 }, (_, c) => (c < 4 ? 0 : 1)));
    const sobel = tensor([
      [
        [
          [1, 0, -1],
          [2, 0, -2],
          [1, 0, -1],
        ],
      ],
    ]);
    const out = F.conv2d(tensor([[img]]), sobel).toArray() as number[][][][];
    for (const row of out[0][0]) {
      // output column ox sees input columns ox..ox+2: the edge (between 3 and 4) is in view for ox = 2, 3
      expect(row.map((v) => Math.abs(v))).toEqual([0, 0, 4, 4, 0, 0]);
    }
  });

  it("counts ((2d+1)^2 C + 1) T parameters in a conv layer", () => {
    for (const [d, C, T] of [
      [0, 1, 1],
      [1, 1, 32],
      [1, 32, 64],
      [2, 6, 16],
      [3, 3, 5],
    ]) {
      expect(new nn.Conv2d(C, T, 2 * d + 1).numParameters()).toBe(((2 * d + 1) ** 2 * C + 1) * T);
    }
  });

  it("gives the same global max when a pattern shifts inside the image", () => {
    manualSeed(4);
    const pattern = [
      [1, 2, 0],
      [0, 3, 1],
      [2, 0, 1],
    ];
    const place = (r: number, c: number) => {
      const img = Array.from({ length: 12 }, () => new Array(12).fill(0));
      pattern.forEach((row, i) => row.forEach((v, j) => (img[r + i][c + j] = v)));
      return tensor([[img]]);
    };
    const conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
    const globalMax = (x: Tensor) => F.maxPool2d(conv.forward(x), 12).data();
    const a = globalMax(place(1, 2)),
      b = globalMax(place(7, 6));
    for (let i = 0; i < 4; i++) expect(b[i]).toBeCloseTo(a[i], 5);
  });

  const CONV_CASES: [string, number[], number[], ref.Conv2dRef][] = [
    ["stride 1, no padding", [2, 3, 6, 5], [4, 3, 3, 3], {}],
    ["stride 2, padding 1", [2, 2, 7, 7], [3, 2, 3, 3], { stride: [2, 2], padding: [1, 1] }],
    ["padding 2, 5x5", [1, 1, 6, 6], [2, 1, 5, 5], { padding: [2, 2] }],
    ["dilation 2", [1, 2, 9, 8], [2, 2, 3, 3], { dilation: [2, 2], padding: [1, 1] }],
    ["stride 2, dilation 2, padding 2", [2, 1, 9, 9], [2, 1, 3, 3], { stride: [2, 2], dilation: [2, 2], padding: [2, 2] }],
    ["rectangular kernel and strides", [1, 3, 7, 6], [2, 3, 2, 3], { stride: [1, 2], padding: [1, 0] }],
    // stride 1, output rows of 9 and 7: vector runs that end in 1 or 3 leftover entries
    ["no padding, output width 9", [1, 2, 9, 11], [2, 2, 3, 3], {}],
    ["2x4 kernel, output width 7", [2, 1, 6, 10], [1, 1, 2, 4], {}],
    // stride 1 with output width = input width: the contiguous-run path of im2col/col2im
    ["3x3 padding 1 (same size)", [2, 3, 5, 6], [4, 3, 3, 3], { padding: [1, 1] }],
    ["3x3 dilation 2 padding 2 (same size)", [1, 2, 7, 6], [2, 2, 3, 3], { dilation: [2, 2], padding: [2, 2] }],
    ["3x1 kernel, padding 1,0 (same size)", [1, 2, 5, 4], [3, 2, 3, 1], { padding: [1, 0] }],
    ["5x5 padding 2 on a 2x1 image (padding wider than it)", [2, 1, 2, 1], [2, 1, 5, 5], { padding: [2, 2] }],
    ["1x1 kernel", [3, 4, 3, 3], [5, 4, 1, 1], {}],
  ];

  it.each(CONV_CASES)("conv2d gradients: %s", (_name, xs, ws, o) => {
    const opts = { stride: o.stride, padding: o.padding, dilation: o.dilation };
    gradcheck({
      inputs: [{ shape: xs }, { shape: ws }, { shape: [ws[0]] }],
      lib: ([x, w, b]) => F.conv2d(x, w, b, opts),
      ref: ([x, w, b]) => ref.conv2d(x, w, b, o),
    });
    gradcheck({
      inputs: [{ shape: xs }, { shape: ws }],
      lib: ([x, w]) => F.conv2d(x, w, null, opts),
      ref: ([x, w]) => ref.conv2d(x, w, null, o),
    });
  });

  const POOL_CASES: [string, number[], [number, number], [number, number], [number, number]][] = [
    ["2x2", [2, 3, 6, 6], [2, 2], [2, 2], [0, 0]],
    ["2x2, 7 windows a row (the last group of 4 overlaps)", [1, 2, 4, 14], [2, 2], [2, 2], [0, 0]],
    ["2x2, 2 windows a row", [1, 1, 2, 4], [2, 2], [2, 2], [0, 0]],
    ["2x2, odd height and width (last row and column unused)", [1, 2, 7, 11], [2, 2], [2, 2], [0, 0]],
    ["3x3 stride 2 padding 1", [1, 2, 7, 7], [3, 3], [2, 2], [1, 1]],
    ["overlapping 3x3 stride 1", [1, 2, 5, 5], [3, 3], [1, 1], [0, 0]],
    ["rectangular, odd size", [2, 1, 7, 5], [2, 3], [2, 1], [1, 1]],
  ];

  it.each(POOL_CASES)("maxPool2d and avgPool2d gradients: %s", (_name, xs, k, s, p) => {
    gradcheck({
      inputs: [{ shape: xs }],
      lib: ([x]) => F.maxPool2d(x, k, { stride: s, padding: p }),
      ref: ([x]) => ref.pool2d(x, "max", k, s, p),
    });
    gradcheck({
      inputs: [{ shape: xs }],
      lib: ([x]) => F.avgPool2d(x, k, { stride: s, padding: p }),
      ref: ([x]) => ref.pool2d(x, "avg", k, s, p),
    });
  });

  it("global average pooling and its gradient", () => {
    gradcheck({
      inputs: [{ shape: [2, 3, 4, 5] }],
      lib: ([x]) => F.globalAvgPool2d(x),
      ref: ([x]) => ({ ...ref.pool2d(x, "avg", [4, 5], [4, 5], [0, 0]), shape: [2, 3, 1, 1] }),
    });
  });

  it("routes max-pool gradients to the first maximum of a tie, as PyTorch", () => {
    const x = tensor(
      [
        [
          [
            [1, 5, 5, 2],
            [5, 0, 1, 1],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    const y = F.maxPool2d(x, 2);
    expect(y.toArray()).toEqual([[[[5, 5]]]]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [
        [
          [0, 1, 1, 0],
          [0, 0, 0, 0],
        ],
      ],
    ]);
  });

  it.each([8, 7])("keeps tie and NaN rules in the vectorised 2x2 path (%i windows a row)", (windows) => {
    // 8: two groups of 4; 7: the second group overlaps the first by one
    const row0 = [1, 1, 3, 2, 0, 5, 7, 7, NaN, 1, 2, 2, 4, 4, 0, 0].slice(0, 2 * windows);
    const row1 = [1, 0, 3, 9, 5, 1, 7, 7, 9, 9, 2, NaN, 4, 4, -1, -2].slice(0, 2 * windows);
    const x = tensor([[[row0, row1]]], { requiresGrad: true });
    const y = F.maxPool2d(x, 2);
    expect(y.toArray()).toEqual([[[[1, 9, 5, 7, NaN, NaN, 4, 0].slice(0, windows)]]]);
    y.sum().backward();
    const g = x.grad!.toArray() as number[][][][];
    expect(g[0][0][0]).toEqual([1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0].slice(0, 2 * windows));
    expect(g[0][0][1]).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0].slice(0, 2 * windows));
  });

  it("averages with the padding in the divisor", () => {
    const x = tensor([
      [
        [
          [4, 8],
          [12, 16],
        ],
      ],
    ]);
    expect(F.avgPool2d(x, 2, { stride: 2, padding: 1 }).toArray()).toEqual([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
  });

  it("initialises layers as PyTorch does", () => {
    manualSeed(0);
    const c = new nn.Conv2d(3, 8, 5);
    const bound = 1 / Math.sqrt(3 * 25);
    for (const p of [c.weight, c.bias!]) {
      const v = p.data();
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
      expect(Math.max(...v)).toBeGreaterThan(0.8 * bound);
    }
    expect(c.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([
      ["weight", [8, 3, 5, 5]],
      ["bias", [8]],
    ]);
  });

  it("chains conv, pool and flatten modules with the right shapes and no leaks", () => {
    manualSeed(1);
    const net = new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5),
      new nn.ReLU(),
      new nn.AvgPool2d(2),
      new nn.Flatten(),
      new nn.Linear(400, 10),
    );
    const x = randn([3, 1, 28, 28]);
    const before = memory().tensors;
    const out = tidy(() => {
      const y = net.forward(x);
      y.sum().backward();
      return y;
    });
    expect(out.shape).toEqual([3, 10]);
    for (const p of net.parameters()) expect(p.grad!.shape).toEqual(p.shape);
    expect(net.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"]);
    out.dispose();
    expect(memory().tensors).toBe(before + net.parameters().length); // only the new grads
  });

  it("names the op and the shapes on bad input", () => {
    const x = zeros([1, 3, 8, 8]);
    expect(() => F.conv2d(x, zeros([4, 2, 3, 3]))).toThrow("conv2d: input [1,3,8,8] has 3 channels but weight [4,2,3,3] expects 2");
    expect(() => F.conv2d(zeros([3, 8, 8]), zeros([4, 3, 3, 3]))).toThrow("conv2d: input must be 4-D [N, C, H, W], got [3,8,8]");
    expect(() => F.conv2d(x, zeros([4, 3, 9, 9]))).toThrow(/conv2d: input \[1,3,8,8\] is too small for a window of 9/);
    expect(() => F.conv2d(x, zeros([4, 3, 3, 3]), zeros([5]))).toThrow("conv2d: bias [5] must be [4] for weight [4,3,3,3]");
    expect(() => F.conv2d(x, zeros([4, 3, 3, 3]), null, { stride: 0 })).toThrow(TypeError);
    expect(() => F.conv2d(x, zeros([4, 3, 3, 3]), null, { padding: -1 })).toThrow(TypeError);
    expect(() => F.maxPool2d(x, 2, { padding: 2 })).toThrow(/padding 2,2 must be at most half the kernel 2x2/);
    expect(() => F.maxPool2d(x, 0)).toThrow(TypeError);
    expect(() => new nn.Conv2d(0, 3, 3)).toThrow(TypeError);
  });
});
