// In-place updates: x += alpha * y, x *= s, fill, copy. Not differentiable;
// they bump the storage version so backward() notices a saved tensor that
// changed under it.
import { traced } from "./trace.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import type { Tensor } from "../tensor.js";
import { broadcastShapes, fmtShape, sameShape } from "../shape.js";
import { checkOperand, checkTensor } from "./util.js";
import { expandTo } from "./broadcast.js";

function target(op: string, x: Tensor): Tensor {
  checkTensor(op, x);
  if (x.requiresGrad && isGradEnabled()) {
    throw new Error(`${op}: tensor of shape ${fmtShape(x.shape)} requires grad; modify it in place only inside noGrad()`);
  }
  x._written();
  // reported, so that an exporter refuses a forward pass that writes in place
  return traced(op, [x], {}, () => x);
}

export function addInPlace(x: Tensor, other: Tensor | number, alpha: number): void {
  const y = checkOperand("add_", other);
  if (typeof alpha !== "number") throw new TypeError(`add_: alpha must be a number, got ${String(alpha)}`);
  if (typeof y === "number") {
    target("add_", x);
    x._k.affine(x._ptr, x._ptr, x.size, 1, alpha * y);
    return;
  }
  const shape = broadcastShapes("add_", x.shape, y.shape);
  if (!sameShape(shape, x.shape)) {
    throw new Error(`add_: ${fmtShape(y.shape)} cannot be added in place to ${fmtShape(x.shape)}`);
  }
  target("add_", x);
  const e = expandTo(y, x.shape);
  x._k.axpby(x._ptr, 1, e._ptr, alpha, x._ptr, x.size);
  e.dispose();
}

export function mulInPlace(x: Tensor, factor: number): void {
  if (typeof factor !== "number") throw new TypeError(`mul_: factor must be a number, got ${String(factor)}`);
  target("mul_", x);
  x._k.affine(x._ptr, x._ptr, x.size, factor, 0);
}

export function fillInPlace(x: Tensor, value: number): void {
  if (typeof value !== "number") throw new TypeError(`fill_: value must be a number, got ${String(value)}`);
  target("fill_", x);
  x._k.fill(x._ptr, x.size, value);
}

export function copyInPlace(x: Tensor, src: Tensor): void {
  checkTensor("copy_", src, "source");
  if (!sameShape(x.shape, src.shape)) throw new Error(`copy_: source ${fmtShape(src.shape)} does not match ${fmtShape(x.shape)}`);
  target("copy_", x);
  x._k.copy(x._ptr, src._ptr, x.size);
}
