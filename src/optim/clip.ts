// Gradient clipping, in place (PyTorch's nn.utils.clip_grad_norm_ and
// clip_grad_value_), over every parameter that has a gradient.
import type { Tensor } from "../tensor.js";
import { isTensor } from "../tensor.js";
import { noGrad } from "../autograd/grad-mode.js";
import { overElements } from "../backend/parallel.js";
import { squaredNorm } from "./norms.js";

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = isTensor(params) ? [params] : [...params];
  for (const p of list) if (!isTensor(p)) throw new TypeError(`${op}: every parameter must be a Tensor`);
  return list.flatMap((p) => (p.grad !== null && !p.grad.isDisposed ? [p.grad] : []));
}

/**
 * Scales the gradients so that their total norm (the norm of all of them as
 * one vector; normType 2 by default, Infinity for the largest magnitude) is
 * at most maxNorm, and returns that total norm before clipping.
 */
export function clipGradNorm_(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2): number {
  if (typeof maxNorm !== "number" || !(maxNorm >= 0))
    throw new TypeError(`clipGradNorm_: maxNorm must be a non-negative number, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0))
    throw new TypeError(`clipGradNorm_: normType must be positive (or Infinity), got ${String(normType)}`);
  const grads = gradsOf("clipGradNorm_", params);
  if (grads.length === 0) return 0;
  let total: number;
  if (normType === 2) total = Math.sqrt(squaredNorm(grads));
  else if (normType === Infinity) total = Math.max(...grads.map((g) => g.data().reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  else total = grads.reduce((s, g) => s + g.data().reduce((a, v) => a + Math.abs(v) ** normType, 0), 0) ** (1 / normType);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) noGrad(() => grads.forEach((g) => g.mul_(coef)));
  return total;
}

/** Clamps every gradient element to [-clipValue, clipValue]. */
export function clipGradValue_(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (typeof clipValue !== "number" || !(clipValue >= 0))
    throw new TypeError(`clipGradValue_: clipValue must be a non-negative number, got ${String(clipValue)}`);
  for (const g of gradsOf("clipGradValue_", params)) {
    g._written();
    overElements(
      g._backend,
      "clamp",
      g.size,
      [
        [g._ptr, 4],
        [g._ptr, 4],
      ],
      [-clipValue, clipValue],
    );
  }
}
