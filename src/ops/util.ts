// Helpers every op family uses: argument checks and the broadcast meta block.
import type { Backend } from "../backend/backend.js";
import { META_MAX_DIMS } from "../backend/kernels.js";
import { isTensor, Tensor } from "../tensor.js";
import { collapse, describe, fmtShape } from "../shape.js";

export function checkTensor(op: string, x: unknown, what = "input"): Tensor {
  if (!isTensor(x)) throw new TypeError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  try {
    x._check();
  } catch (e) {
    throw new Error(`${op}: ${what} ${(e as Error).message}`, { cause: e }); // "add: input tensor of shape [2] was disposed"
  }
  return x;
}

export function checkOperand(op: string, x: unknown): Tensor | number {
  if (typeof x === "number") return x;
  return checkTensor(op, x, "operand");
}

/**
 * Collapses a broadcast (shape + one stride array per operand) and writes it
 * into a meta block (the caller's: the backend's; a thread's: one of
 * Backend.metas) for binaryBroadcast / sumToShape, which also keep their
 * dimension counters there.
 */
export function writeMeta(
  op: string,
  b: Backend,
  shape: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
  meta = b.meta,
): void {
  const c = collapse(shape, [sa, sb]);
  const nd = c.shape.length;
  if (nd > META_MAX_DIMS) {
    throw new Error(`${op}: shape ${fmtShape(shape)} needs ${nd} dims after merging; at most ${META_MAX_DIMS} are supported`);
  }
  const m = b.heap.i32;
  const base = meta >>> 2;
  m[base] = nd;
  for (let d = 0; d < nd; d++) {
    m[base + 1 + d] = c.shape[d];
    m[base + 9 + d] = c.strides[0][d];
    m[base + 17 + d] = c.strides[1][d];
  }
}
