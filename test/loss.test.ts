// Losses: known values, gradient checks against float64, and bad targets.
import { beforeAll, describe, expect, it } from "vitest";
import { nn, tensor, zeros } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ref.js";

const F = nn.functional;
const TARGETS = [2, 0, 4, 1, 4, 3];

function rowsRef(x: ref.Arr, fn: (row: number[], i: number) => number): number[] {
  const [N, C] = x.shape;
  return Array.from({ length: N }, (_, i) => fn(Array.from(x.data.subarray(i * C, (i + 1) * C)), i));
}
const reduceRef = (rows: number[], r: string): ref.Arr =>
  r === "none" ? ref.arr([rows.length], rows) : ref.arr([], [rows.reduce((a, b) => a + b, 0) / (r === "mean" ? rows.length : 1)]);

describe.each(BACKENDS)("losses on $name", (backend) => {
  beforeAll(() => use(backend));

  it("computes cross-entropy as -log softmax of the target", () => {
    const loss = F.crossEntropy(
      tensor([
        [1, 2, 3],
        [1, 1, 1],
      ]),
      [2, 0],
    );
    const lse = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo((lse - 3 + Math.log(3)) / 2, 5);
    expect(F.crossEntropy(tensor([[1000, 0]]), new Int32Array([0])).item()).toBe(0);
  });

  it("agrees with logSoftmax + nllLoss", () => {
    const x = tensor([
      [0.5, -1, 2],
      [3, 0, 0],
    ]);
    expect(F.crossEntropy(x, [1, 0]).item()).toBeCloseTo(F.nllLoss(x.logSoftmax(1), [1, 0]).item(), 6);
  });

  it.each(["mean", "sum", "none"] as const)("cross-entropy and NLL gradients, reduction %s", (reduction) => {
    gradcheck({
      inputs: [{ shape: [6, 5], lo: -3, hi: 3 }],
      lib: ([x]) => F.crossEntropy(x, TARGETS, { reduction }),
      ref: ([x]) =>
        reduceRef(
          rowsRef(x, (r, i) => -ref.logSoftmax(r)[TARGETS[i]]),
          reduction,
        ),
    });
    gradcheck({
      inputs: [{ shape: [6, 5] }],
      lib: ([x]) => F.nllLoss(x, TARGETS, { reduction }),
      ref: ([x]) =>
        reduceRef(
          rowsRef(x, (r, i) => -r[TARGETS[i]]),
          reduction,
        ),
    });
  });

  it.each(["mean", "sum", "none"] as const)("MSE and binary cross-entropy gradients, reduction %s", (reduction) => {
    const y = [0, 1, 1, 0, 0.3, 1, 0, 1];
    gradcheck({
      inputs: [{ shape: [2, 4] }, { shape: [2, 4] }],
      lib: ([a, b]) => F.mseLoss(a, b, { reduction }),
      ref: ([a, b]) => {
        const sq = ref.binary(a, b, (p, q) => (p - q) ** 2);
        return reduction === "none" ? sq : reduceRef(Array.from(sq.data), reduction);
      },
    });
    gradcheck({
      inputs: [{ shape: [2, 4], lo: 0.05, hi: 0.95 }],
      lib: ([p]) => F.binaryCrossEntropy(p, tensor(y, { shape: [2, 4] }), { reduction }),
      ref: ([p]) => {
        const rows = Array.from(p.data, (v, i) => -(y[i] * Math.log(v) + (1 - y[i]) * Math.log(1 - v)));
        return reduction === "none" ? ref.arr([2, 4], rows) : reduceRef(rows, reduction);
      },
    });
  });

  it("clamps binary cross-entropy's logs at -100, as PyTorch", () => {
    expect(F.binaryCrossEntropy(tensor([0, 1]), tensor([1, 0])).item()).toBe(100);
  });

  it("refuses bad targets clearly", () => {
    const x = zeros([3, 4]);
    expect(() => F.crossEntropy(x, [0, 1, 4])).toThrow("crossEntropy: target 2 is class 4, out of range for 4 classes");
    expect(() => F.crossEntropy(x, [0, -1, 2])).toThrow(/target 1 is class -1, out of range/);
    expect(() => F.crossEntropy(x, [0, 1])).toThrow("crossEntropy: 2 targets for a batch of 3");
    expect(() => F.crossEntropy(x, [0, 1.5, 2])).toThrow(TypeError);
    expect(() => F.crossEntropy(x, new Float32Array([0, 1, 2]) as never)).toThrow(/Int32Array or number\[\], got Float32Array/);
    expect(() => F.crossEntropy(x, tensor([0, 1, 2]) as never)).toThrow(TypeError);
    expect(() => F.crossEntropy(zeros([3]), [0, 1, 2])).toThrow("crossEntropy: input must be 2-D [batch, classes], got [3]");
    expect(() => F.nllLoss(x, [9, 0, 0])).toThrow(/nllLoss: target 0 is class 9/);
    expect(() => F.mseLoss(x, zeros([4, 3]))).toThrow("mseLoss: input [3,4] and target [4,3] differ");
    expect(() => F.crossEntropy(x, [0, 1, 2], { reduction: "avg" as never })).toThrow(TypeError);
  });
});
