// Creating and reading tensors, on every backend.
import { beforeAll, describe, expect, it } from "vitest";
import { arange, full, manualSeed, ones, rand, randn, tensor, zeros } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";

describe.each(BACKENDS)("tensors on $name", (backend) => {
  beforeAll(() => use(backend));

  it("builds from nested arrays", () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.size).toBe(6);
    expect(x.ndim).toBe(2);
    expect(x.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(x.data())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("builds from typed arrays and flat arrays with a shape", () => {
    const x = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(x.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(tensor(new Int32Array([7, 8])).toArray()).toEqual([7, 8]);
  });

  it("has 0-d tensors: a number in, a number out", () => {
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(3.5);
    expect(s.toArray()).toBe(3.5);
  });

  it("stores float32", () => {
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
  });

  it("fills constants", () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(full([2, 1], -7).toArray()).toEqual([[-7], [-7]]);
    expect(zeros([0, 3]).size).toBe(0);
  });

  it("makes ranges as PyTorch does", () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(2, 8, 2).toArray()).toEqual([2, 4, 6]);
    expect(arange(1, 0, -0.25).toArray()).toEqual([1, 0.75, 0.5, 0.25]);
    expect(arange(3, 3).size).toBe(0);
  });

  it("repeats random draws under the same seed", () => {
    manualSeed(42);
    const a = randn([100]).data();
    const u = rand([100]).data();
    manualSeed(42);
    expect(randn([100]).data()).toEqual(a);
    expect(rand([100]).data()).toEqual(u);
    manualSeed(43);
    expect(randn([100]).data()).not.toEqual(a);
  });

  it("draws uniform and normal values with the right statistics", () => {
    manualSeed(1);
    const u = rand([20000]).data();
    const n = randn([20000]).data();
    const mean = (v: Float32Array) => v.reduce((a, b) => a + b, 0) / v.length;
    const std = (v: Float32Array) => {
      const m = mean(v);
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(u)).toBeCloseTo(0.5, 1);
    expect(std(u)).toBeCloseTo(Math.sqrt(1 / 12), 1);
    expect(Math.abs(mean(n))).toBeLessThan(0.03);
    expect(Math.abs(std(n) - 1)).toBeLessThan(0.03);
  });

  it("takes requiresGrad in every creator", () => {
    for (const t of [tensor([1]), zeros([1]), ones([1]), full([1], 2), rand([1]), randn([1]), arange(1)]) {
      expect(t.requiresGrad).toBe(false);
    }
    const made = [
      tensor([1], { requiresGrad: true }),
      zeros([1], { requiresGrad: true }),
      ones([1], { requiresGrad: true }),
      full([1], 2, { requiresGrad: true }),
      rand([1], { requiresGrad: true }),
      randn([1], { requiresGrad: true }),
      arange(0, 1, 1, { requiresGrad: true }),
    ];
    for (const t of made) expect(t.requiresGrad).toBe(true);
  });

  it("reshapes, flattens and transposes", () => {
    const x = arange(24).reshape([2, 3, 4]);
    expect(x.reshape([4, -1]).shape).toEqual([4, 6]);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ])
        .transpose(0, 1)
        .toArray(),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const t = x.transpose(0, 2);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(t.toArray()).toEqual([
      [
        [0, 12],
        [4, 16],
        [8, 20],
      ],
      [
        [1, 13],
        [5, 17],
        [9, 21],
      ],
      [
        [2, 14],
        [6, 18],
        [10, 22],
      ],
      [
        [3, 15],
        [7, 19],
        [11, 23],
      ],
    ]);
  });

  it("transposes large matrices (the tiled kernel, ragged edges)", () => {
    const rows = 45,
      cols = 70;
    const x = arange(rows * cols).reshape([rows, cols]);
    const t = x.transpose(0, 1).data();
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(t[c * rows + r]).toBe(r * cols + c);
  });

  it("detaches without copying, clones with a copy", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.toArray()).toEqual([1, 2, 3]);
    const c = x.clone();
    expect(c.toArray()).toEqual([1, 2, 3]);
    expect(c.requiresGrad).toBe(true);
  });

  it("updates in place under noGrad only, when it requires grad", async () => {
    const { noGrad } = await import("../src/index.js");
    const w = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(/requires grad.*noGrad/);
    noGrad(() => {
      w.add_(tensor([1, 1, 1]), -0.5).mul_(2);
    });
    expect(w.toArray()).toEqual([1, 3, 5]);
    const v = tensor([
      [1, 2],
      [3, 4],
    ]);
    v.add_(tensor([10, 20])).sub_(1);
    expect(v.toArray()).toEqual([
      [10, 21],
      [12, 23],
    ]);
    v.copy_(
      tensor([
        [0, 0],
        [0, 1],
      ]),
    );
    expect(v.toArray()).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(v.fill_(3).toArray()).toEqual([
      [3, 3],
      [3, 3],
    ]);
    expect(v.zero_().toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});
