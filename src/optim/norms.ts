// Norms of parameter lists for fit()'s stopping rules, by the optim family's
// kernels: float32 values summed in float64, nothing allocated, no tape.
import type { Tensor } from "../tensor.js";

/** sum over the tensors of sum(x^2). */
export function squaredNorm(ts: readonly Tensor[]): number {
  let s = 0;
  for (const t of ts) s += t._k.sumSquares(t._ptr, t.size);
  return s;
}

/** sum over the pairs of sum((a - b)^2); the pairs have equal sizes. */
export function squaredDistance(a: readonly Tensor[], b: readonly Tensor[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]._k.sumSquaredDiff(a[i]._ptr, b[i]._ptr, a[i].size);
  return s;
}
