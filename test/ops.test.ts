// Worked examples: known values for every op, on every backend.
import { beforeAll, describe, expect, it } from "vitest";
import * as wg from "../src/index.js";
import { tensor, randn, sub, div, pow, manualSeed } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";

const close = (a: unknown, b: unknown, digits = 5) => {
  const fa = [a].flat(Infinity) as number[],
    fb = [b].flat(Infinity) as number[];
  expect(fa.length).toBe(fb.length);
  fa.forEach((v, i) => expect(v).toBeCloseTo(fb[i], digits));
};

describe.each(BACKENDS)("ops on $name", (backend) => {
  beforeAll(() => use(backend));

  it("computes the README example", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const w = tensor(
      [
        [1, -1, 0.5],
        [0.5, 1, -2],
      ],
      { requiresGrad: true },
    );
    const loss = x.matmul(w).relu().sum();
    // x w = [[2, 1, -3.5], [5, 1, -6.5]]; relu keeps the first two columns.
    expect(loss.item()).toBe(9);
    loss.backward();
    expect(w.grad!.toArray()).toEqual([
      [4, 4, 0],
      [6, 6, 0],
    ]);
  });

  it("adds, subtracts, multiplies and divides with broadcasting", () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const col = tensor([[10], [20]]);
    const row = tensor([1, 2, 4]);
    expect(a.add(col).toArray()).toEqual([
      [11, 12, 13],
      [24, 25, 26],
    ]);
    expect(a.sub(row).toArray()).toEqual([
      [0, 0, -1],
      [3, 3, 2],
    ]);
    expect(a.mul(row).toArray()).toEqual([
      [1, 4, 12],
      [4, 10, 24],
    ]);
    expect(a.div(row).toArray()).toEqual([
      [1, 1, 0.75],
      [4, 2.5, 1.5],
    ]);
    expect(col.add(row).toArray()).toEqual([
      [11, 12, 14],
      [21, 22, 24],
    ]);
    expect(a.add(tensor(1)).toArray()).toEqual([
      [2, 3, 4],
      [5, 6, 7],
    ]);
  });

  it("takes plain numbers on either side", () => {
    const a = tensor([1, 2, 4]);
    expect(a.add(1).toArray()).toEqual([2, 3, 5]);
    expect(a.sub(1).toArray()).toEqual([0, 1, 3]);
    expect(sub(1, a).toArray()).toEqual([0, -1, -3]);
    expect(a.mul(3).toArray()).toEqual([3, 6, 12]);
    expect(a.div(2).toArray()).toEqual([0.5, 1, 2]);
    expect(div(8, a).toArray()).toEqual([8, 4, 2]);
    expect(a.pow(2).toArray()).toEqual([1, 4, 16]);
    expect(pow(2, a).toArray()).toEqual([2, 4, 16]);
    expect(a.pow(tensor([0.5, 3, 0])).toArray()).toEqual([1, 8, 1]);
  });

  it("computes unary functions", () => {
    const x = tensor([-1, 0, 1, 4]);
    expect(x.neg().toArray()).toEqual([1, -0, -1, -4]);
    close(x.exp().toArray(), [Math.exp(-1), 1, Math.E, Math.exp(4)]);
    close(tensor([1, Math.E, 10]).log().toArray(), [0, 1, Math.log(10)]);
    expect(tensor([0, 1, 4, 9]).sqrt().toArray()).toEqual([0, 1, 2, 3]);
    expect(x.relu().toArray()).toEqual([0, 0, 1, 4]);
    close(x.sigmoid().toArray(), [1 / (1 + Math.E), 0.5, 1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(-4))]);
    close(x.tanh().toArray(), [Math.tanh(-1), 0, Math.tanh(1), Math.tanh(4)]);
  });

  it("keeps sigmoid finite at the extremes", () => {
    expect(tensor([-1000, 1000]).sigmoid().toArray()).toEqual([0, 1]);
  });

  it("reduces over everything or one dim", () => {
    const a = tensor([
      [1, 5, 3],
      [4, 2, 6],
    ]);
    expect(a.sum().shape).toEqual([]);
    expect(a.sum().item()).toBe(21);
    expect(a.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(a.sum(1).toArray()).toEqual([9, 12]);
    expect(a.sum(1, true).toArray()).toEqual([[9], [12]]);
    expect(a.sum(undefined, true).toArray()).toEqual([[21]]);
    expect(a.mean().item()).toBe(3.5);
    expect(a.mean(0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(a.max().item()).toBe(6);
    expect(a.max(1).toArray()).toEqual([5, 6]);
    expect(a.max(0, true).toArray()).toEqual([[4, 5, 6]]);
    expect(a.argmax().item()).toBe(5);
    expect(a.argmax(1).toArray()).toEqual([1, 2]);
    expect(a.argmax(0).toArray()).toEqual([1, 0, 1]);
  });

  it("sums long vectors without losing digits", () => {
    const n = 1_000_003;
    const ones = tensor(new Float32Array(n).fill(0.1));
    expect(ones.sum().item()).toBeCloseTo(n * Math.fround(0.1), -1);
  });

  it("breaks ties as PyTorch does: argmax and max(dim) take the first index, max() over everything shares the gradient", () => {
    expect(tensor([3, 7, 7, 1]).argmax().item()).toBe(1);
    const x = tensor([2, 5, 5], { requiresGrad: true });
    x.max(0).backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 0]);
    x.grad = null;
    x.max().backward(); // torch.tensor([2., 5., 5.]).max().backward() gives [0, 0.5, 0.5]
    expect(x.grad!.toArray()).toEqual([0, 0.5, 0.5]);
  });

  it("computes softmax and a stable logSoftmax", () => {
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0] + e[1] + e[2];
    close(
      tensor([1, 2, 3]).softmax().toArray(),
      e.map((v) => v / s),
    );
    close(
      tensor([[1, 2, 3]])
        .logSoftmax(1)
        .toArray(),
      [e.map((v) => Math.log(v / s))],
    );
    expect(tensor([1000, 0]).logSoftmax().toArray()).toEqual([0, -1000]);
    expect(tensor([1000, 1000]).softmax().toArray()).toEqual([0.5, 0.5]);
    close(
      tensor([
        [1, 3],
        [2, 3],
      ])
        .softmax(0)
        .toArray(),
      [
        [1 / (1 + Math.E), 0.5],
        [Math.E / (1 + Math.E), 0.5],
      ],
    );
  });

  it("multiplies matrices", () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .matmul(
          tensor([
            [5, 6],
            [7, 8],
          ]),
        )
        .toArray(),
    ).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(
      tensor([[1, 2, 3]])
        .matmul(tensor([[1], [1], [1]]))
        .toArray(),
    ).toEqual([[6]]);
  });

  it("matmul agrees with a float64 product on odd sizes", () => {
    manualSeed(3);
    for (const [M, K, N] of [
      [1, 1, 1],
      [3, 17, 5],
      [17, 63, 65],
      [65, 33, 7],
      [33, 257, 9],
    ]) {
      const a = randn([M, K]),
        b = randn([K, N]);
      const c = a.matmul(b).data(),
        A = a.data(),
        B = b.data();
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let p = 0; p < K; p++) s += A[i * K + p] * B[p * N + j];
          expect(Math.abs(c[i * N + j] - s)).toBeLessThan(1e-5 * K);
        }
    }
  });

  it("compares with broadcasting and numbers: 1 where true, 0 where false, NaN false (ne true); where takes numbers", () => {
    const a = wg.tensor([1, 2, NaN, 4]);
    expect(Array.from(a.eq(2).data())).toEqual([0, 1, 0, 0]);
    expect(Array.from(a.ne(2).data())).toEqual([1, 0, 1, 1]);
    expect(Array.from(a.gt(1.5).data())).toEqual([0, 1, 0, 1]);
    expect(Array.from(a.ge(2).data())).toEqual([0, 1, 0, 1]);
    expect(Array.from(wg.lt(2, a).data())).toEqual([0, 0, 0, 1]);
    expect(Array.from(a.le(wg.tensor([[1], [2]])).data())).toEqual([1, 0, 0, 0, 1, 1, 0, 0]);
    expect(wg.where(a.gt(1.5), a, -1).toArray()).toEqual([-1, 2, -1, 4]);
    expect(wg.where(wg.tensor([1, 0]), 5, 7).toArray()).toEqual([5, 7]);
    expect(() => wg.gt(1, 2)).toThrow(/gt: at least one operand must be a Tensor/);
  });
});
