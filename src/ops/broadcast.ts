// Broadcasting as a pair of ops: expandTo (the forward) and sumTo (its
// adjoint, which reduces a gradient back to an input's shape).
import { BIN_COPY_A } from "../backend/kernels.js";
import { Tensor } from "../tensor.js";
import { broadcastStrides, fmtShape, sameShape, sizeOf, stridesOf } from "../shape.js";
import { writeMeta } from "./util.js";

/** x broadcast to `shape` (a new contiguous tensor; no tape). */
export function expandTo(x: Tensor, shape: number[]): Tensor {
  if (sameShape(x.shape, shape)) return x._share();
  const out = Tensor._empty(shape);
  if (out.size === 0) return out;
  const b = out._backend;
  const sx = broadcastStrides(x.shape, shape);
  writeMeta("expand", b, shape, sx, sx);
  b.k.binaryBroadcast(BIN_COPY_A, x._ptr, x._ptr, out._ptr, b.meta);
  return out;
}

/** g summed over the dims along which `shape` was broadcast to g's shape (no tape). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g._share();
  if (sizeOf(shape) === 0 || g.size === 0) {
    const z = Tensor._empty(shape.slice());
    z._k.fill(z._ptr, z.size, 0);
    return z;
  }
  const out = Tensor._empty(shape.slice());
  const b = out._backend;
  const own = stridesOf(shape);
  const off = g.shape.length - shape.length;
  if (off < 0) throw new Error(`sumTo: ${fmtShape(g.shape)} cannot reduce to ${fmtShape(shape)}`);
  const so = g.shape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : own[i - off]));
  writeMeta("sumTo", b, g.shape, so, so);
  b.k.fill(out._ptr, out.size, 0);
  b.k.sumToShape(g._ptr, out._ptr, b.meta);
  return out;
}
