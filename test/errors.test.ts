// Every documented error: a clear message naming the op and the shapes,
// TypeErrors for wrong argument types, and nothing allocated or corrupted.
import { beforeAll, describe, expect, it } from "vitest";
import * as wg from "../src/index.js";
import { init, memory, tensor, zeros } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";

describe.each(BACKENDS)("errors on $name", (backend) => {
  beforeAll(() => use(backend));

  it("names the op and both shapes on a shape mismatch", () => {
    const a = zeros([2, 3]),
      b = zeros([4, 5]);
    expect(() => a.matmul(b)).toThrow("matmul: [2,3] x [4,5]: inner sizes 3 and 4 differ");
    expect(() => a.matmul(zeros([2]))).toThrow("matmul: [2,3] x [2]: inner sizes 3 and 2 differ");
    expect(() => a.matmul(zeros([]))).toThrow("matmul: [2,3] x []: both operands need at least 1 dim");
    expect(() => zeros([4, 2, 3]).matmul(zeros([3, 3, 5]))).toThrow(
      "matmul: [4,2,3] x [3,3,5]: batch dims: shapes [4] and [3] cannot be broadcast (dim 0: 4 vs 3)",
    );
    expect(() => a.add(zeros([4]))).toThrow("add: shapes [2,3] and [4] cannot be broadcast");
    expect(() => a.mul(zeros([3, 3]))).toThrow(/^mul: shapes \[2,3\] and \[3,3\]/);
    expect(() => a.reshape([4, 2])).toThrow("reshape: cannot reshape [2,3] (6 elements) into [4,2]");
    expect(() => a.reshape([4, -1])).toThrow(/reshape: cannot reshape \[2,3\]/);
    expect(() => a.sum(2)).toThrow("sum: dim 2 is out of range for shape [2,3]");
    expect(() => a.softmax(-3)).toThrow("softmax: dim -3 is out of range for shape [2,3]");
    expect(() => a.transpose(0, 5)).toThrow(/transpose: dim 5 is out of range/);
    expect(() => a.item()).toThrow("item: tensor of shape [2,3] has 6 elements, not 1");
    expect(() => zeros([2]).add_(zeros([2, 2]))).toThrow(/add_: \[2,2\] cannot be added in place to \[2\]/);
  });

  it("refuses data of the wrong kind naming it, and float64 values that float32 cannot hold", () => {
    expect(() => tensor(BigInt64Array.of(1n, 2n) as never)).toThrow(/tensor: data must hold numbers .*got BigInt64Array/);
    expect(() => tensor(new DataView(new ArrayBuffer(8)) as never)).toThrow(/tensor: data must hold numbers .*got DataView/);
    expect(() => tensor([1, 1e40])).toThrow(/tensor: 1e\+40 \(element 1\) overflows float32/);
    expect(() => tensor(Float64Array.of(0, -1e39), { shape: [2] })).toThrow(RangeError);
    expect(() => tensor(-1e39)).toThrow(/tensor: -1e\+39 overflows float32/);
    expect(() => wg.full([2], 4e38)).toThrow(/full: 4e\+38 overflows float32/);
    // Infinity and NaN are float32 values: kept as given
    expect(Array.from(tensor([Infinity, -Infinity, 3.4e38]).data())).toEqual([Infinity, -Infinity, Math.fround(3.4e38)]);
    expect(Number.isNaN(tensor([NaN]).item())).toBe(true);
  });

  it("propagates NaN through relu and every activation, as PyTorch (SIMD lanes and scalar tails alike)", () => {
    const F = wg.nn.functional;
    const x = tensor(Float32Array.from({ length: 11 }, (_, i) => (i % 3 === 0 ? NaN : i - 5)));
    for (const [name, y] of [
      ["relu", x.relu()],
      ["relu (with a tape)", tensor(x.data(), { requiresGrad: true }).relu()],
      ["leakyRelu", F.leakyRelu(x)],
      ["elu", F.elu(x)],
      ["gelu", F.gelu(x)],
      ["silu", F.silu(x)],
      ["softplus", F.softplus(x)],
      ["abs", x.abs()],
      ["clamp", x.clamp(-1, 1)],
      ["maximum", wg.maximum(x, wg.zeros([11]))],
    ] as const) {
      const d = y.data();
      for (let i = 0; i < 11; i++) expect(Number.isNaN(d[i]), `${name}[${i}]`).toBe(i % 3 === 0);
    }
  });

  it("abs has gradient 0 at 0 and at NaN (PyTorch's sgn), and the heap refuses a size that is not a count", async () => {
    const x = tensor([NaN, 0, -2, 3], { requiresGrad: true });
    x.abs().sum().backward();
    expect(Array.from(x.grad!.data())).toEqual([0, 0, -1, 1]);
    const { activeBackend } = await import("../src/backend/backend.js");
    expect(() => activeBackend().heap.alloc(NaN)).toThrow(/heap: cannot allocate NaN bytes/);
    expect(() => activeBackend().heap.alloc(-4, [-1])).toThrow(/heap: cannot allocate -4 bytes for shape \[-1\]/);
  });

  it("throws TypeError for arguments of the wrong type", () => {
    const a = zeros([2]);
    expect(() => a.add("1" as never)).toThrow(TypeError);
    expect(() => a.add("1" as never)).toThrow(/add: operand must be a Tensor, got string 1/);
    expect(() => wg.add(1, 2)).toThrow(TypeError);
    expect(() => a.matmul([[1]] as never)).toThrow(TypeError);
    expect(() => tensor("abc" as never)).toThrow(TypeError);
    expect(() => tensor([1, "a"] as never)).toThrow(TypeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => zeros([2, -1])).toThrow(TypeError);
    expect(() => zeros([1.5])).toThrow(TypeError);
    expect(() => zeros("3" as never)).toThrow(TypeError);
    expect(() => a.reshape([1.5] as never)).toThrow(TypeError);
    expect(() => a.sum(0.5)).toThrow(TypeError);
    expect(() => a.pow(Infinity)).toThrow(TypeError);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values do not fill shape \[2,2\]/);
    expect(() => wg.tidy(5 as never)).toThrow(TypeError);
    expect(() => wg.manualSeed("x" as never)).toThrow(TypeError);
    expect(() => wg.arange(0, 5, 0)).toThrow(/step must not be 0/);
    expect(() => a.backward(5 as never)).toThrow();
  });

  it("refuses disposed tensors clearly", () => {
    const a = tensor([1, 2]);
    a.dispose();
    expect(() => a.add(1)).toThrow("add: operand tensor of shape [2] was disposed");
    expect(() => a.data()).toThrow(/disposed/);
    expect(() => a.toArray()).toThrow(/disposed/);
    expect(() => tensor([1, 2]).mul(a)).toThrow(/disposed/);
  });

  it("allocates nothing and corrupts nothing when an op throws", () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = zeros([4]);
    const m0 = memory();
    for (const bad of [() => a.matmul(a), () => a.add(b), () => a.reshape([5]), () => a.max(3), () => tensor([[1], [2, 3]])]) {
      expect(bad).toThrow();
    }
    expect(memory()).toEqual(m0);
    expect(a.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.matmul(a.transpose(0, 1)).toArray()).toEqual([
      [14, 32],
      [32, 77],
    ]);
  });

  it("refuses tensors of a backend that init() replaced", async () => {
    const old = tensor([1, 2]);
    await use(backend);
    expect(() => old.add(1)).toThrow(/belongs to backend .* a later init\(\) replaced/);
    old.dispose(); // still harmless
  });

  it("rejects unknown backends and builds", async () => {
    await expect(init({ backend: "gpu" as never })).rejects.toThrow(TypeError);
    await expect(init({ backend: "wasm", build: "avx" as never })).rejects.toThrow(/unknown build 'avx'/);
    await expect(init({ backend: "js", build: "simd" })).rejects.toThrow(/wasm backend only/);
    await use(backend);
  });
});
