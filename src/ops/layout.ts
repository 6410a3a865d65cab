// reshape, flatten, unsqueeze, squeeze (views: new handles on the same
// storage), transpose and permute (strided copies), expand (a broadcast copy
// whose gradient sums back), detach and clone.
import { traced } from "./trace.js";
import { BIN_COPY_A } from "../backend/kernels.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { fmtShape, normDim, sizeOf, stridesOf } from "../shape.js";
import { checkTensor, writeMeta } from "./util.js";
import { expandTo, sumTo } from "./broadcast.js";

export function reshape(x: Tensor, shape: number[]): Tensor {
  return traced("reshape", [x], { shape }, () => {
    checkTensor("reshape", x);
    if (!Array.isArray(shape)) throw new TypeError(`reshape: shape must be an array, got ${String(shape)}`);
    const s = shape.slice();
    let infer = -1;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      if (d === -1 && infer < 0) infer = i;
      else if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
        throw new TypeError(
          `reshape: ${fmtShape(x.shape)} -> ${JSON.stringify(shape)}: sizes must be non-negative integers (one may be -1)`,
        );
      }
    }
    if (infer >= 0) {
      const rest = sizeOf(s.filter((_, i) => i !== infer));
      if (rest === 0 || x.size % rest !== 0) {
        throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
      }
      s[infer] = x.size / rest;
    }
    if (sizeOf(s) !== x.size) {
      throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    const out = x._share(s);
    if (needsGrad(x)) record(out, "reshape", [x], [], (g) => [g._share(x.shape.slice())]);
    return out;
  });
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  return traced("flatten", [x], { startDim, endDim }, () => {
    checkTensor("flatten", x);
    if (x.shape.length === 0) return reshape(x, [1]);
    const a = normDim("flatten", startDim, x.shape);
    const b = normDim("flatten", endDim, x.shape);
    if (a > b) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmtShape(x.shape)}`);
    const merged = sizeOf(x.shape.slice(a, b + 1));
    return reshape(x, [...x.shape.slice(0, a), merged, ...x.shape.slice(b + 1)]);
  });
}

/** x with dims d0 and d1 swapped, as a new contiguous tensor; no tape. */
function swapped(x: Tensor, d0: number, d1: number): Tensor {
  const shape = x.shape.slice();
  [shape[d0], shape[d1]] = [shape[d1], shape[d0]];
  const out = Tensor._empty(shape);
  const b = out._backend;
  if (x.shape.length === 2) {
    b.k.transpose2d(x._ptr, out._ptr, x.shape[0], x.shape[1]);
    return out;
  }
  const st = stridesOf(x.shape);
  [st[d0], st[d1]] = [st[d1], st[d0]];
  writeMeta("transpose", b, shape, st, st);
  b.k.binaryBroadcast(BIN_COPY_A, x._ptr, x._ptr, out._ptr, b.meta);
  return out;
}

export function transpose(x: Tensor, dim0 = 0, dim1 = 1): Tensor {
  return traced("transpose", [x], { dim0, dim1 }, () => {
    checkTensor("transpose", x);
    const d0 = normDim("transpose", dim0, x.shape);
    const d1 = normDim("transpose", dim1, x.shape);
    if (d0 === d1) return reshape(x, x.shape.slice());
    const out = swapped(x, d0, d1);
    if (needsGrad(x)) record(out, "transpose", [x], [], (g) => [swapped(g, d0, d1)]);
    return out;
  });
}

/** The same data, cut from the tape. */
export function detach(x: Tensor): Tensor {
  return traced("detach", [x], {}, () => {
    checkTensor("detach", x);
    return x._share();
  });
}

/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  return traced("clone", [x], {}, () => {
    checkTensor("clone", x);
    const out = Tensor._empty(x.shape.slice());
    out._k.copy(out._ptr, x._ptr, x.size);
    if (needsGrad(x)) record(out, "clone", [x], [], (g) => [g._share()]);
    return out;
  });
}

/** The dims of a variadic call: f(0, 2, 1) or f([0, 2, 1]). */
export function dimsArg(op: string, args: readonly (number | readonly number[])[]): number[] {
  const dims = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
  for (const d of dims)
    if (typeof d !== "number" || !Number.isInteger(d)) throw new TypeError(`${op}: expected integers, got ${JSON.stringify(args)}`);
  return dims.slice();
}

/** x with its dims in the order `perm` (a new contiguous tensor; no tape). */
function permuted(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((d) => x.shape[d]);
  const out = Tensor._empty(shape);
  if (out.size === 0) return out;
  const b = out._backend;
  const st = stridesOf(x.shape);
  const sp = perm.map((d) => st[d]);
  writeMeta("permute", b, shape, sp, sp);
  b.k.binaryBroadcast(BIN_COPY_A, x._ptr, x._ptr, out._ptr, b.meta);
  return out;
}

/** x.permute(2, 0, 1): the dims in a new order (a copy, as contiguous() of PyTorch's view). */
export function permute(x: Tensor, ...dims: (number | readonly number[])[]): Tensor {
  return traced("permute", [x], { dims }, () => {
    checkTensor("permute", x);
    const given = dimsArg("permute", dims);
    if (given.length !== x.shape.length) {
      throw new Error(`permute: ${given.length} dims ${JSON.stringify(given)} for a ${x.shape.length}-D tensor ${fmtShape(x.shape)}`);
    }
    const perm = given.map((d) => normDim("permute", d, x.shape));
    if (new Set(perm).size !== perm.length) throw new Error(`permute: dims ${JSON.stringify(given)} repeat a dim of ${fmtShape(x.shape)}`);
    if (perm.every((d, i) => d === i)) return reshape(x, x.shape.slice());
    const out = permuted(x, perm);
    if (needsGrad(x)) {
      const inverse = perm.map((_, i) => perm.indexOf(i));
      record(out, "permute", [x], [], (g) => [permuted(g, inverse)]);
    }
    return out;
  });
}

/** A size-1 dim inserted at `dim` (from -ndim-1 to ndim): a view. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  return traced("unsqueeze", [x], { dim }, () => {
    checkTensor("unsqueeze", x);
    const d = normDim("unsqueeze", dim, x.shape, 1);
    return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
  });
}

/** Without dim, every size-1 dim removed; with dim (or dims), those of them that have size 1: a view. */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  return traced("squeeze", [x], { dim }, () => {
    checkTensor("squeeze", x);
    const drop =
      dim === undefined || dim === null
        ? x.shape.map((_, i) => i)
        : dimsArg("squeeze", [dim]).map((d) => (x.shape.length === 0 && (d === 0 || d === -1) ? -1 : normDim("squeeze", d, x.shape)));
    return reshape(
      x,
      x.shape.filter((n, i) => !(n === 1 && drop.includes(i))),
    );
  });
}

/**
 * x broadcast to `sizes` (-1 keeps a dim; new dims go in front), as a new
 * tensor (PyTorch returns a view; the values are the same). Its gradient is
 * summed back over the expanded dims.
 */
export function expand(x: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
  return traced("expand", [x], { sizes }, () => {
    checkTensor("expand", x);
    const want = dimsArg("expand", sizes);
    const lead = want.length - x.shape.length;
    if (lead < 0)
      throw new Error(`expand: ${want.length} sizes ${JSON.stringify(want)} for a ${x.shape.length}-D tensor ${fmtShape(x.shape)}`);
    const shape = want.map((n, i) => {
      const own = i < lead ? undefined : x.shape[i - lead];
      if (n === -1) {
        if (own === undefined) throw new Error(`expand: size -1 is not allowed for the new leading dim ${i} (${JSON.stringify(want)})`);
        return own;
      }
      if (n < 0) throw new Error(`expand: sizes must be non-negative or -1, got ${JSON.stringify(want)}`);
      if (own !== undefined && own !== 1 && own !== n) {
        throw new Error(`expand: cannot expand ${fmtShape(x.shape)} to ${JSON.stringify(want)} (dim ${i}: ${own} is not 1)`);
      }
      return n;
    });
    const out = expandTo(x, shape);
    if (needsGrad(x)) record(out, "expand", [x], [], (g) => [sumTo(g, x.shape)]);
    return out;
  });
}
