// sum mean max argmax, over everything (a 0-d result) or one dim (keepDim
// keeps it as size 1). Backward: sum and mean expand the gradient back; max
// routes it to the first arg-max.
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { Block } from "../backend/block.js";
import { normDim } from "../shape.js";
import { expandTo } from "./broadcast.js";
import { checkTensor } from "./util.js";

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
  checkTensor("sum", x);
  const p = plan("sum", x, dim, keepDim);
  const out = Tensor._empty(p.shape);
  const k = out._k;
  if (p.outer === 1 && p.inner === 1) k.sumAll(x._ptr, out._ptr, p.n);
  else k.sumDim(x._ptr, out._ptr, p.outer, p.n, p.inner);
  if (needsGrad(x)) record(out, "sum", [x], [], (g) => [expandBack(g, p, x.shape)]);
  return out;
}

export function mean(x: Tensor, dim?: number, keepDim = false): Tensor {
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
}

export function max(x: Tensor, dim?: number, keepDim = false): Tensor {
  checkTensor("max", x);
  const p = plan("max", x, dim, keepDim);
  if (p.n === 0) throw new Error(`max: cannot reduce an empty dim of shape [${x.shape.join(",")}]`);
  const out = Tensor._empty(p.shape);
  if (!needsGrad(x)) {
    out._k.maxDim(x._ptr, out._ptr, 0, p.outer, p.n, p.inner);
    return out;
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
}

/** Index of the first maximum (float32 values), over everything or along dim. */
export function argmax(x: Tensor, dim?: number, keepDim = false): Tensor {
  checkTensor("argmax", x);
  const p = plan("argmax", x, dim, keepDim);
  if (p.n === 0) throw new Error(`argmax: cannot reduce an empty dim of shape [${x.shape.join(",")}]`);
  const out = Tensor._empty(p.shape);
  out._k.maxDim(x._ptr, 0, out._ptr, p.outer, p.n, p.inner);
  return out;
}
