// Selection by integer indices: indexSelect (whole slices along a dim, the
// lookup of an embedding) and gather (one element per index). Tensors hold
// float32, so indices come as nested arrays, an Int32Array or a tensor of
// integer values; they are checked here, then handed to the kernels as i32
// in a Block that the tape keeps for the scatter-add of the gradient.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor, isTensor, type NestedArray } from "../tensor.js";
import { Block } from "../backend/block.js";
import { describe, fmtShape, normDim, sizeOf, stridesOf } from "../shape.js";
import { checkTensor, writeMeta } from "./util.js";

/** What an index argument may be. */
export type IndexLike = NestedArray | Int32Array | Tensor;

export interface Index {
  shape: number[];
  values: Int32Array;
}

/** An index argument as i32 values and a shape, each value an integer in [0, bound). */
export function toIndex(op: string, index: unknown, bound: number, what = "index"): Index {
  let shape: number[], values: Int32Array;
  if (isTensor(index)) {
    checkTensor(op, index, what);
    shape = index.shape.slice();
    const data = index.data();
    values = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isInteger(data[i])) throw new TypeError(`${op}: ${what} holds ${data[i]} at ${i}: indices must be integers`);
      inRange(op, what, data[i], i, bound);
      values[i] = data[i];
    }
  } else if (index instanceof Int32Array) {
    shape = [index.length];
    values = index;
  } else if (typeof index === "number" || Array.isArray(index)) {
    shape = [];
    for (let a: unknown = index; Array.isArray(a); a = a[0]) shape.push(a.length);
    values = new Int32Array(sizeOf(shape));
    let at = 0;
    const walk = (a: unknown, depth: number): void => {
      if (depth === shape.length) {
        if (typeof a !== "number" || !Number.isInteger(a))
          throw new TypeError(`${op}: ${what} holds ${describe(a)}: indices must be integers`);
        inRange(op, what, a, at, bound);
        values[at++] = a;
        return;
      }
      if (!Array.isArray(a) || a.length !== shape[depth])
        throw new Error(`${op}: ${what} is a ragged nested array (shape ${fmtShape(shape)})`);
      for (const v of a) walk(v, depth + 1);
    };
    walk(index, 0);
  } else {
    throw new TypeError(
      `${op}: ${what} must be nested arrays of integers, an Int32Array or a Tensor of integer values, got ${describe(index)}`,
    );
  }
  // an Int32Array's values are checked here; the others before they were stored (2^32 would wrap to 0)
  for (let i = 0; i < values.length; i++) inRange(op, what, values[i], i, bound);
  return { shape, values };
}

function inRange(op: string, what: string, v: number, at: number, bound: number): void {
  if (v < 0 || v >= bound) throw new RangeError(`${op}: ${what} ${v} (at ${at}) is out of range for a dim of size ${bound}`);
}

/** The indices in a Block of i32, for the kernels. */
function indexBlock(values: Int32Array): Block {
  const b = Block.alloc(Math.max(4, values.length * 4));
  b.i32().set(values);
  return b;
}

/** [outer, n, inner] around dim d. */
function around(shape: readonly number[], d: number): [number, number] {
  return [sizeOf(shape.slice(0, d)), sizeOf(shape.slice(d + 1))];
}

/** The slices of x at `index` (1-D or a number) along dim: shape as x's, with dim's size the index's length. */
export function indexSelect(x: Tensor, dim: number, index: IndexLike): Tensor {
  return traced("indexSelect", [x], { dim, index }, () => {
    checkTensor("indexSelect", x);
    const d = x.shape.length === 0 ? 0 : normDim("indexSelect", dim, x.shape);
    const n = x.shape.length === 0 ? 1 : x.shape[d];
    const idx = toIndex("indexSelect", index, n);
    if (idx.shape.length > 1) throw new Error(`indexSelect: index must be 1-D, got shape ${fmtShape(idx.shape)}`);
    // a 0-d input gives a 0-d result however many indices (all 0) pick it, as PyTorch
    const m = x.shape.length === 0 ? Math.min(1, idx.values.length) : idx.values.length;
    if (x.shape.length === 0 && m === 0) throw new Error("indexSelect: a 0-d input needs an index with at least one value");
    const shape = x.shape.length === 0 ? [] : x.shape.map((s, i) => (i === d ? m : s));
    const [outer, inner] = around(x.shape, d);
    const block = indexBlock(idx.values);
    const out = Tensor._empty(shape);
    out._k.indexSelect(x._ptr, block.ptr, out._ptr, outer, n, m, inner);
    if (!needsGrad(x)) {
      block.free();
      return out;
    }
    return record(
      out,
      "indexSelect",
      [x],
      [],
      (g) => {
        const dx = Tensor._empty(x.shape.slice());
        dx._k.fill(dx._ptr, dx.size, 0);
        dx._k.indexAdd(g._ptr, block.ptr, dx._ptr, outer, n, m, inner);
        return [dx];
      },
      [block],
    );
  });
}

/**
 * torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for dim 1, and alike
 * for any dim. index has x's number of dims, and no dim but `dim` larger than
 * x's; the result has index's shape.
 */
export function gather(x: Tensor, dim: number, index: IndexLike): Tensor {
  return traced("gather", [x], { dim, index }, () => {
    checkTensor("gather", x);
    if (x.shape.length === 0) throw new Error("gather: cannot gather from a 0-d tensor");
    const d = normDim("gather", dim, x.shape);
    const idx = toIndex("gather", index, x.shape[d]);
    if (idx.shape.length !== x.shape.length || idx.shape.some((s, i) => i !== d && s > x.shape[i])) {
      throw new Error(
        `gather: index of shape ${fmtShape(idx.shape)} does not fit input ${fmtShape(x.shape)} along dim ${dim} ` +
          "(same number of dims, no larger size except in dim)",
      );
    }
    // the part of x the index can reach: x itself, or a copy of its leading window
    const srcShape = idx.shape.map((s, i) => (i === d ? x.shape[d] : s));
    const whole = srcShape.every((s, i) => s === x.shape[i]);
    const src = whole ? x : window(x, srcShape);
    const [outer, inner] = around(srcShape, d);
    const n = x.shape[d],
      m = idx.shape[d];
    const block = indexBlock(idx.values);
    const out = Tensor._empty(idx.shape.slice());
    if (out.size > 0) out._k.gatherDim(src._ptr, block.ptr, out._ptr, outer, n, m, inner);
    if (!whole) src.dispose();
    if (!needsGrad(x)) {
      block.free();
      return out;
    }
    return record(
      out,
      "gather",
      [x],
      [],
      (g) => {
        const ds = Tensor._empty(srcShape.slice());
        ds._k.fill(ds._ptr, ds.size, 0);
        if (g.size > 0) ds._k.scatterAddDim(g._ptr, block.ptr, ds._ptr, outer, n, m, inner);
        if (whole) return [ds];
        const dx = Tensor._empty(x.shape.slice());
        dx._k.fill(dx._ptr, dx.size, 0);
        place(ds, dx);
        ds.dispose();
        return [dx];
      },
      [block],
    );
  });
}

/** A copy of x's leading window of `shape` (every dim starting at 0). */
function window(x: Tensor, shape: readonly number[]): Tensor {
  const out = Tensor._empty(shape.slice());
  if (out.size === 0) return out;
  const b = out._backend;
  writeMeta("gather", b, shape, stridesOf(x.shape), stridesOf(shape));
  b.k.copyStrided(x._ptr, out._ptr, b.meta);
  return out;
}

/** Writes small into big's leading window. */
function place(small: Tensor, big: Tensor): void {
  if (small.size === 0) return;
  const b = big._backend;
  writeMeta("gather", b, small.shape, stridesOf(small.shape), stridesOf(big.shape));
  b.k.copyStrided(small._ptr, big._ptr, b.meta);
}

/**
 * Looks up rows of weight [n, dim] at integer indices of any shape: the
 * result is [...index shape, dim] (F.embedding). The row at paddingIdx, when
 * given, gets no gradient.
 */
export function embedding(input: IndexLike, weight: Tensor, paddingIdx: number | null = null): Tensor {
  return traced("embedding", [weight], { input, paddingIdx }, () => {
    checkTensor("embedding", weight, "weight");
    if (weight.shape.length !== 2) throw new Error(`embedding: weight must be 2-D [num, dim], got ${fmtShape(weight.shape)}`);
    const [n, dim] = weight.shape;
    if (paddingIdx !== null) {
      if (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n) {
        throw new RangeError(`embedding: paddingIdx ${paddingIdx} must be within the ${n} embeddings (from -${n} to ${n - 1})`);
      }
      if (paddingIdx < 0) paddingIdx += n;
    }
    const idx = toIndex("embedding", input, n, "input");
    const m = idx.values.length;
    const block = indexBlock(idx.values);
    const out = Tensor._empty([...idx.shape, dim]);
    out._k.indexSelect(weight._ptr, block.ptr, out._ptr, 1, n, m, dim);
    if (!needsGrad(weight)) {
      block.free();
      return out;
    }
    return record(
      out,
      "embedding",
      [weight],
      [],
      (g) => {
        const dw = Tensor._empty([n, dim]);
        dw._k.fill(dw._ptr, dw.size, 0);
        dw._k.indexAdd(g._ptr, block.ptr, dw._ptr, 1, n, m, dim);
        if (paddingIdx !== null) dw._k.fill(dw._ptr + paddingIdx * dim * 4, dim, 0);
        return [dw];
      },
      [block],
    );
  });
}
