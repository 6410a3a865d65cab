// Dropout: zero each element with probability p and scale the rest by
// 1 / (1 - p), from the seeded generator; the identity when not training.
import { traced } from "./trace.js";
import { Tensor } from "../tensor.js";
import { nextFloat } from "../random.js";
import { checkTensor } from "./util.js";
import { mul } from "./binary.js";
import { reshape } from "./layout.js";

export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return traced("dropout", [x], { p, training }, () => {
    checkTensor("dropout", x);
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new TypeError(`dropout: p must be in [0, 1], got ${String(p)}`);
    if (!training || p === 0) return reshape(x, x.shape.slice());
    const mask = Tensor._empty(x.shape.slice());
    const v = mask._view();
    const keep = p === 1 ? 0 : 1 / (1 - p);
    for (let i = 0; i < v.length; i++) v[i] = nextFloat() < p ? 0 : keep;
    const out = mul(x, mask); // backward: g * mask
    mask.dispose();
    return out;
  });
}
