// The layout and indexing ops (permute, unsqueeze, squeeze, expand, narrow,
// split, chunk, cat, stack, pad, indexSelect, gather): worked examples with
// PyTorch's values, float64 gradient checks, random shapes and dims from
// fast-check against the float64 reference, and the errors they promise, on
// every backend.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as wg from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { expectClose, gradcheck } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ref.js";

const F = wg.nn.functional;
const { tensor, arange } = wg;
const range = (shape: number[]) => arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);

/** Shapes of 1 to 4 dims, sizes 1 to 4. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
const RUNS = { numRuns: 25, seed: 21 };

/** Forward against the reference and the gradient by finite differences, for inputs drawn from `shapes`. */
function check(shapes: number[][], lib: (xs: wg.Tensor[]) => wg.Tensor, r: (xs: ref.Arr[]) => ref.Arr): void {
  gradcheck({ inputs: shapes.map((shape) => ({ shape })), lib, ref: r });
}

describe.each(BACKENDS)("layout on $name", (backend) => {
  beforeAll(() => use(backend));

  it("PyTorch's values: permute, unsqueeze, squeeze, expand", () => {
    const x = range([2, 3, 4]);
    // torch.arange(24.).reshape(2, 3, 4).permute(2, 0, 1)[1]
    expect((x.permute(2, 0, 1).toArray() as number[][][])[1]).toEqual([
      [1, 5, 9],
      [13, 17, 21],
    ]);
    expect(x.permute([1, 0, -1]).shape).toEqual([3, 2, 4]);
    expect(x.unsqueeze(1).shape).toEqual([2, 1, 3, 4]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 4, 1]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3, 4]);
    expect(wg.zeros([1, 3, 1, 2]).squeeze().shape).toEqual([3, 2]);
    expect(wg.zeros([1, 3, 1, 2]).squeeze(2).shape).toEqual([1, 3, 2]);
    expect(wg.zeros([1, 3, 1, 2]).squeeze(1).shape).toEqual([1, 3, 1, 2]); // not size 1: unchanged
    expect(wg.zeros([1, 3, 1, 2]).squeeze([0, 2]).shape).toEqual([3, 2]);
    expect(wg.zeros([]).squeeze().shape).toEqual([]);
    expect(
      tensor([[1], [2]])
        .expand(2, 3)
        .toArray(),
    ).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(tensor([1, 2]).expand([3, -1]).toArray()).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
  });

  it("PyTorch's values: narrow, split, chunk, cat, stack", () => {
    const x = range([3, 4]);
    expect(x.narrow(1, 1, 2).toArray()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(x.narrow(0, -1, 1).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(x.split(3, 1).map((t) => t.shape)).toEqual([
      [3, 3],
      [3, 1],
    ]);
    expect(x.split([1, 3], -1)[1].toArray()).toEqual([
      [1, 2, 3],
      [5, 6, 7],
      [9, 10, 11],
    ]);
    // torch.arange(5.).chunk(3): sizes 2, 2, 1; torch.arange(6.).chunk(4): 2, 2, 2 (three chunks)
    expect(
      arange(5)
        .chunk(3)
        .map((t) => t.toArray()),
    ).toEqual([[0, 1], [2, 3], [4]]);
    expect(
      arange(6)
        .chunk(4)
        .map((t) => t.shape[0]),
    ).toEqual([2, 2, 2]);
    expect(
      wg
        .cat([
          tensor([[1, 2]]),
          tensor([
            [3, 4],
            [5, 6],
          ]),
        ])
        .toArray(),
    ).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(
      wg
        .cat(
          [
            tensor([[1], [2]]),
            tensor([
              [3, 4],
              [5, 6],
            ]),
          ],
          -1,
        )
        .toArray(),
    ).toEqual([
      [1, 3, 4],
      [2, 5, 6],
    ]);
    expect(wg.stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(wg.stack([tensor([1, 2]), tensor([3, 4])], -1).shape).toEqual([2, 2]);
  });

  it("PyTorch's values: pad, indexSelect, gather", () => {
    // F.pad(torch.tensor([[1., 2.], [3., 4.]]), (1, 0, 0, 1), value=9)
    expect(
      F.pad(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        [1, 0, 0, 1],
        9,
      ).toArray(),
    ).toEqual([
      [9, 1, 2],
      [9, 3, 4],
      [9, 9, 9],
    ]);
    // negative pads crop: F.pad(torch.arange(5.), (-1, -2)) = [1., 2.]
    expect(F.pad(arange(5), [-1, -2]).toArray()).toEqual([1, 2]);
    const x = range([3, 4]);
    expect(x.indexSelect(0, [2, 0, 2]).toArray()).toEqual([
      [8, 9, 10, 11],
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    expect(x.indexSelect(-1, Int32Array.of(3, 1)).toArray()).toEqual([
      [3, 1],
      [7, 5],
      [11, 9],
    ]);
    expect(x.indexSelect(1, tensor([0])).shape).toEqual([3, 1]);
    // torch.gather(torch.tensor([[1., 2.], [3., 4.]]), 1, torch.tensor([[0, 0], [1, 0]]))
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .gather(1, [
          [0, 0],
          [1, 0],
        ])
        .toArray(),
    ).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(x.gather(0, [[2, 1]]).toArray()).toEqual([[8, 5]]); // an index smaller than the input
  });

  it("gradients: permute, expand, narrow, cat, stack, pad, indexSelect with repeats, gather with repeats", () => {
    check(
      [[2, 3, 4]],
      ([a]) => a.permute(2, 0, 1).tanh(),
      ([a]) => ref.unary(ref.permute(a, [2, 0, 1]), Math.tanh),
    );
    check(
      [[3, 1]],
      ([a]) => a.expand(2, 3, 4).tanh(),
      ([a]) => ref.unary(ref.expand(a, [2, 3, 4]), Math.tanh),
    );
    check(
      [[3, 5]],
      ([a]) => a.narrow(1, 1, 3).exp(),
      ([a]) => ref.unary(ref.narrow(a, 1, 1, 3), Math.exp),
    );
    check(
      [
        [2, 3],
        [2, 1],
        [2, 2],
      ],
      (xs) => wg.cat(xs, 1).tanh(),
      (xs) => ref.unary(ref.cat(xs, 1), Math.tanh),
    );
    check(
      [
        [2, 3],
        [2, 3],
      ],
      (xs) => wg.stack(xs, 1).tanh(),
      ([a, b]) =>
        ref.unary(
          ref.cat(
            [a, b].map((x) => ({ shape: [2, 1, 3], data: x.data })),
            1,
          ),
          Math.tanh,
        ),
    );
    check(
      [[2, 3, 4]],
      ([a]) => F.pad(a, [1, 2, -1, 1], 0.5).tanh(),
      ([a]) => ref.unary(ref.pad(a, [1, 2, -1, 1], 0.5), Math.tanh),
    );
    check(
      [[4, 3]],
      ([a]) => a.indexSelect(0, [3, 0, 3, 1]).tanh(),
      ([a]) => ref.unary(ref.indexSelect(a, 0, [3, 0, 3, 1]), Math.tanh),
    );
    const index = [
      [2, 0],
      [1, 1],
    ];
    check(
      [[3, 4]],
      ([a]) => a.gather(0, index).tanh(),
      ([a]) => ref.unary(ref.gather(a, 0, { shape: [2, 2], data: Float64Array.from(index.flat()) }), Math.tanh),
    );
  });

  it("split and chunk: each piece's gradient lands in its window", () => {
    check(
      [[5, 3]],
      ([a]) => {
        const [p, q, r] = a.chunk(3);
        return wg.cat([r.mul(3), p.exp(), q.tanh()]);
      },
      ([a]) => {
        const [p, q, r] = [ref.narrow(a, 0, 0, 2), ref.narrow(a, 0, 2, 2), ref.narrow(a, 0, 4, 1)];
        return ref.cat([ref.unary(r, (v) => 3 * v), ref.unary(p, Math.exp), ref.unary(q, Math.tanh)], 0);
      },
    );
  });

  it("random shapes and dims (fast-check): permute, narrow, cat, pad, expand match the float64 reference", () => {
    const close = (t: wg.Tensor, r: ref.Arr) => {
      expect(t.shape).toEqual(r.shape);
      expectClose(t.data(), r.data, 0, 0, "values");
      t.dispose();
    };
    fc.assert(
      fc.property(shapeArb, fc.array(fc.nat(), { minLength: 32, maxLength: 32 }), (shape, choices) => {
        let c = 0;
        const next = (n: number) => choices[c++ % choices.length] % n;
        const x = wg.randn(shape);
        const a = ref.arr(shape, x.data());
        const nd = shape.length;
        // permute: a random permutation, dims given negative half the time
        const perm = shape.map((_, i) => i).sort(() => next(3) - 1);
        close(x.permute(perm.map((d) => (next(2) ? d - nd : d))), ref.permute(a, perm));
        // narrow
        const d = next(nd),
          start = next(shape[d]),
          length = next(shape[d] - start + 1);
        close(x.narrow(d - (next(2) ? nd : 0), start, length), ref.narrow(a, d, start, length));
        // cat with a second tensor that differs in dim d
        const other = shape.map((n, i) => (i === d ? 1 + next(3) : n));
        const y = wg.randn(other);
        close(wg.cat([x, y], d), ref.cat([a, ref.arr(other, y.data())], d));
        // pad: up to two trailing dims, pads in [-1, 2] that keep every size >= 0
        const pads: number[] = [];
        for (let i = 0; i < Math.min(nd, 2) * 2; i++) pads.push(next(4) - 1);
        const fits = shape.every((n, i) => {
          const k = nd - 1 - i;
          return k >= pads.length / 2 || n + pads[2 * k] + pads[2 * k + 1] >= 0;
        });
        if (fits) close(F.pad(x, pads, 0.25), ref.pad(a, pads, 0.25));
        // expand: size-1 dims to 3, one new leading dim
        const ones = wg.randn(shape.map((n) => (next(2) ? 1 : n)));
        const target = [2, ...shape];
        close(ones.expand(target), ref.expand(ref.arr(ones.shape, ones.data()), target));
        for (const t of [x, y, ones]) t.dispose();
      }),
      RUNS,
    );
  });

  it("edge cases as PyTorch: a 0-d input to indexSelect, chunks of an empty dim, indices of 2^32 refused (not wrapped)", () => {
    expect(tensor(5).indexSelect(0, [0, 0, 0]).toArray()).toBe(5); // a 0-d result, one element written
    expect(() => tensor(5).indexSelect(0, [])).toThrow(/indexSelect: a 0-d input needs an index with at least one value/);
    expect(
      wg
        .zeros([0, 2])
        .chunk(3)
        .map((t) => t.shape),
    ).toEqual([
      [0, 2],
      [0, 2],
      [0, 2],
    ]);
    expect(() => range([2, 2]).indexSelect(0, [2 ** 32])).toThrow(/index 4294967296 \(at 0\) is out of range for a dim of size 2/);
    expect(() => range([2, 2]).indexSelect(0, tensor([2 ** 32 + 1]))).toThrow(RangeError);
    expect(() => F.embedding([2 ** 32 + 2], wg.zeros([3, 4]))).toThrow(RangeError);
  });

  it("refuses bad dims, sizes and indices with errors naming the op and the shapes", () => {
    const x = range([2, 3]);
    expect(() => x.permute(0)).toThrow(/permute: 1 dims \[0\] for a 2-D tensor \[2,3\]/);
    expect(() => x.permute(0, 0)).toThrow(/permute: dims \[0,0\] repeat a dim of \[2,3\]/);
    expect(() => x.permute(0, 2)).toThrow(/permute: dim 2 is out of range for shape \[2,3\]/);
    expect(() => x.unsqueeze(3)).toThrow(/unsqueeze: dim 3 is out of range/);
    expect(() => x.expand(2, 4)).toThrow(/expand: cannot expand \[2,3\] to \[2,4\] \(dim 1: 3 is not 1\)/);
    expect(() => x.expand(3)).toThrow(/expand: 1 sizes/);
    expect(() => x.narrow(1, 2, 2)).toThrow(/narrow: start 2 and length 2 fall outside dim 1 of size 3 \(shape \[2,3\]\)/);
    expect(() => x.split([1, 1], 1)).toThrow(/split: sizes \[1,1\] must be non-negative and add up to 3/);
    expect(() => x.chunk(0)).toThrow(/chunk: chunks must be positive/);
    expect(() => wg.cat([x, range([3, 3])], 1)).toThrow(
      /cat: tensor 1 has shape \[3,3\], tensor 0 \[2,3\]: sizes must match except in dim 1/,
    );
    expect(() => wg.cat([])).toThrow(/cat: expected a non-empty array of tensors/);
    expect(() => wg.stack([x, range([3, 2])])).toThrow(/stack: tensor 1 has shape \[3,2\], tensor 0 \[2,3\]: all must be equal/);
    expect(() => F.pad(x, [1])).toThrow(/pad: pads must be an even-length array of integers/);
    expect(() => F.pad(x, [1, 1, 1, 1, 1, 1])).toThrow(/pad: 3 dims of padding for a 2-D tensor \[2,3\]/);
    expect(() => F.pad(x, [-2, -2])).toThrow(/pad: pads \[-2,-2\] crop \[2,3\] below size 0/);
    expect(() => x.indexSelect(1, [0, 3])).toThrow(/indexSelect: index 3 \(at 1\) is out of range for a dim of size 3/);
    expect(() => x.indexSelect(1, [-1])).toThrow(RangeError);
    expect(() => x.indexSelect(1, [[0]])).toThrow(/indexSelect: index must be 1-D, got shape \[1,1\]/);
    expect(() => x.indexSelect(1, [0.5])).toThrow(/indexSelect: index holds number 0.5: indices must be integers/);
    expect(() => x.indexSelect(1, tensor([1.5]))).toThrow(/indexSelect: index holds 1.5 at 0: indices must be integers/);
    expect(() => x.indexSelect(1, BigInt64Array.of(1n) as never)).toThrow(
      /indexSelect: index must be nested arrays of integers, an Int32Array or a Tensor of integer values, got BigInt64Array/,
    );
    expect(() => x.gather(1, [0, 1])).toThrow(/gather: index of shape \[2\] does not fit input \[2,3\] along dim 1/);
    expect(() => x.gather(1, [[0], [1], [2]])).toThrow(/gather: index of shape \[3,1\] does not fit/);
  });
});
