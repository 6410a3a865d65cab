// reshape, flatten (views: new handles on the same storage), transpose (a
// strided copy), detach and clone.
import { BIN_COPY_A } from "../backend/kernels.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { fmtShape, normDim, sizeOf, stridesOf } from "../shape.js";
import { checkTensor, writeMeta } from "./util.js";

export function reshape(x: Tensor, shape: number[]): Tensor {
  checkTensor("reshape", x);
  if (!Array.isArray(shape)) throw new TypeError(`reshape: shape must be an array, got ${String(shape)}`);
  const s = shape.slice();
  let infer = -1;
  for (let i = 0; i < s.length; i++) {
    const d = s[i];
    if (d === -1 && infer < 0) infer = i;
    else if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new TypeError(`reshape: ${fmtShape(x.shape)} -> ${JSON.stringify(shape)}: sizes must be non-negative integers (one may be -1)`);
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
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor("flatten", x);
  if (x.shape.length === 0) return reshape(x, [1]);
  const a = normDim("flatten", startDim, x.shape);
  const b = normDim("flatten", endDim, x.shape);
  if (a > b) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmtShape(x.shape)}`);
  const merged = sizeOf(x.shape.slice(a, b + 1));
  return reshape(x, [...x.shape.slice(0, a), merged, ...x.shape.slice(b + 1)]);
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
  checkTensor("transpose", x);
  const d0 = normDim("transpose", dim0, x.shape);
  const d1 = normDim("transpose", dim1, x.shape);
  if (d0 === d1) return reshape(x, x.shape.slice());
  const out = swapped(x, d0, d1);
  if (needsGrad(x)) record(out, "transpose", [x], [], (g) => [swapped(g, d0, d1)]);
  return out;
}

/** The same data, cut from the tape. */
export function detach(x: Tensor): Tensor {
  checkTensor("detach", x);
  return x._share();
}

/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  checkTensor("clone", x);
  const out = Tensor._empty(x.shape.slice());
  out._k.copy(out._ptr, x._ptr, x.size);
  if (needsGrad(x)) record(out, "clone", [x], [], (g) => [g._share()]);
  return out;
}
