// sum mean max argmax, over everything (a 0-d result) or one dim (keepDim
// keeps it as size 1). Backward: sum and mean expand the gradient back; max
// routes it to the first arg-max. min, var, std and logsumexp are composed
// of those and the element-wise ops.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { Block } from "../backend/block.js";
import { normDim } from "../shape.js";
import { expandTo } from "./broadcast.js";
import { checkTensor } from "./util.js";
import { tidy } from "../tidy.js";
import { noGrad } from "../autograd/grad-mode.js";
import { add, div, mul, sub } from "./binary.js";
import { eq } from "./compare.js";
import { exp, log, neg, sqrt } from "./unary.js";
import { reshape } from "./layout.js";

interface Plan {
  outer: number;
  n: number;
  inner: number;
  /** Result shape, and the same with the reduced dim kept as 1 (for expanding). */
  shape: number[];
  keptShape: number[];
}

function plan(op: string, x: Tensor, dim: number | undefined, keepDim: boolean): Plan {
  if (dim === undefined || dim === null) {
    const kept = x.shape.map(() => 1);
    return { outer: 1, n: x.size, inner: 1, shape: keepDim ? kept : [], keptShape: kept };
  }
  if (x.shape.length === 0) {
    if (dim !== 0 && dim !== -1) normDim(op, dim, x.shape);
    return { outer: 1, n: 1, inner: 1, shape: [], keptShape: [] };
  }
  const d = normDim(op, dim, x.shape);
  let outer = 1,
    inner = 1;
  for (let i = 0; i < d; i++) outer *= x.shape[i];
  for (let i = d + 1; i < x.shape.length; i++) inner *= x.shape[i];
  const kept = x.shape.slice();
  kept[d] = 1;
  const shape = keepDim ? kept : x.shape.filter((_, i) => i !== d);
  return { outer, n: x.shape[d], inner, shape, keptShape: kept };
}

/** g (shaped as the result) broadcast back to the input's shape. */
function expandBack(g: Tensor, p: Plan, shape: number[]): Tensor {
  const view = g._share(p.keptShape);
  try {
    return expandTo(view, shape);
  } finally {
    view.dispose();
  }
}

export function sum(x: Tensor, dim?: number, keepDim = false): Tensor {
  return traced("sum", [x], { dim, keepDim }, () => {
    checkTensor("sum", x);
    const p = plan("sum", x, dim, keepDim);
    const out = Tensor._empty(p.shape);
    const k = out._k;
    if (p.outer === 1 && p.inner === 1) k.sumAll(x._ptr, out._ptr, p.n);
    else k.sumDim(x._ptr, out._ptr, p.outer, p.n, p.inner);
    if (needsGrad(x)) record(out, "sum", [x], [], (g) => [expandBack(g, p, x.shape)]);
    return out;
  });
}

export function mean(x: Tensor, dim?: number, keepDim = false): Tensor {
  return traced("mean", [x], { dim, keepDim }, () => {
    checkTensor("mean", x);
    const p = plan("mean", x, dim, keepDim);
    if (p.n === 0) throw new Error(`mean: cannot average over an empty dim of shape [${x.shape.join(",")}]`);
    const out = Tensor._empty(p.shape);
    const k = out._k;
    if (p.outer === 1 && p.inner === 1) k.sumAll(x._ptr, out._ptr, p.n);
    else k.sumDim(x._ptr, out._ptr, p.outer, p.n, p.inner);
    k.affine(out._ptr, out._ptr, out.size, 1 / p.n, 0);
    if (needsGrad(x)) {
      record(out, "mean", [x], [], (g) => {
        const e = expandBack(g, p, x.shape);
        e._k.affine(e._ptr, e._ptr, e.size, 1 / p.n, 0);
        return [e];
      });
    }
    return out;
  });
}

export function max(x: Tensor, dim?: number, keepDim = false): Tensor {
  return traced("max", [x], { dim, keepDim }, () => {
    checkTensor("max", x);
    const p = plan("max", x, dim, keepDim);
    if (p.n === 0) throw new Error(`max: cannot reduce an empty dim of shape [${x.shape.join(",")}]`);
    const out = Tensor._empty(p.shape);
    if (!needsGrad(x)) {
      out._k.maxDim(x._ptr, out._ptr, 0, p.outer, p.n, p.inner);
      return out;
    }
    if (dim === undefined || dim === null) {
      // over everything, ties share the gradient evenly (as PyTorch's max()); along a dim it goes to the first
      out._k.maxDim(x._ptr, out._ptr, 0, p.outer, p.n, p.inner);
      return record(out, "max", [x], [x, out], (g, [xs, m]) =>
        tidy(() => {
          const hit = eq(xs, m._share([]));
          return [mul(hit, div(g._share([]), sum(hit)))];
        }),
      );
    }
    const idx = Block.alloc(out.size * 4); // the arg-max of each row, as float32 values
    out._k.maxDim(x._ptr, out._ptr, idx.ptr, p.outer, p.n, p.inner);
    const rule = (g: Tensor) => {
      const r = Tensor._empty(x.shape.slice());
      const k = r._k;
      k.fill(r._ptr, r.size, 0);
      k.maxDimBackward(g._ptr, idx.ptr, r._ptr, p.outer, p.n, p.inner);
      return [r];
    };
    return record(out, "max", [x], [], rule, [idx]);
  });
}

/** Index of the first maximum (float32 values), over everything or along dim. */
export function argmax(x: Tensor, dim?: number, keepDim = false): Tensor {
  return traced("argmax", [x], { dim, keepDim }, () => {
    checkTensor("argmax", x);
    const p = plan("argmax", x, dim, keepDim);
    if (p.n === 0) throw new Error(`argmax: cannot reduce an empty dim of shape [${x.shape.join(",")}]`);
    const out = Tensor._empty(p.shape);
    out._k.maxDim(x._ptr, 0, out._ptr, p.outer, p.n, p.inner);
    return out;
  });
}

/** The smallest value, over everything or along dim: -max(-x). */
export function min(x: Tensor, dim?: number, keepDim = false): Tensor {
  return traced("min", [x], { dim, keepDim }, () => {
    checkTensor("min", x);
    const n = neg(x);
    const m = max(n, dim, keepDim);
    n.dispose();
    const out = neg(m);
    m.dispose();
    return out;
  });
}

/**
 * The variance sum((x - mean)^2) / (n - correction), over everything or
 * along dim (correction 1, Bessel's, by default; 0 for the population's).
 * Composed of mean, sub, mul and sum, so its gradient is theirs.
 */
export function variance(x: Tensor, dim?: number, keepDim = false, correction = 1): Tensor {
  return traced("var", [x], { dim, keepDim, correction }, () => {
    checkTensor("var", x);
    if (typeof correction !== "number" || !Number.isFinite(correction)) {
      throw new TypeError(`var: correction must be a finite number, got ${String(correction)}`);
    }
    const p = plan("var", x, dim, keepDim);
    return tidy(() => {
      const d = sub(x, mean(x, dim, true));
      return div(sum(mul(d, d), dim, keepDim), Math.max(0, p.n - correction));
    });
  });
}

/** The standard deviation: sqrt of var. */
export function std(x: Tensor, dim?: number, keepDim = false, correction = 1): Tensor {
  return traced("std", [x], { dim, keepDim, correction }, () => {
    checkTensor("std", x);
    return tidy(() => sqrt(variance(x, dim, keepDim, correction)));
  });
}

/**
 * log(sum(exp(x))) along dim, computed as m + log(sum(exp(x - m))) with m the
 * (constant) maximum, so that it neither overflows nor underflows; its
 * gradient is softmax(x). A slice whose maximum is infinite uses m = 0.
 */
export function logsumexp(x: Tensor, dim: number, keepDim = false): Tensor {
  return traced("logsumexp", [x], { dim, keepDim }, () => {
    checkTensor("logsumexp", x);
    if (dim === undefined || dim === null) throw new TypeError("logsumexp: dim is required, as in PyTorch");
    return tidy(() => {
      const m = noGrad(() => max(x, dim, true));
      const v = m._view();
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) v[i] = 0;
      const r = add(log(sum(exp(sub(x, m)), dim, true)), m);
      return keepDim ? r : reshape(r, plan("logsumexp", x, dim, false).shape);
    });
  });
}
