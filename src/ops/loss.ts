// Losses: crossEntropy (fused log-softmax + NLL: one kernel writes the row
// losses and softmax - onehot), nllLoss, mseLoss, binaryCrossEntropy.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { tidy } from "../tidy.js";
import { Tensor } from "../tensor.js";
import { Block } from "../backend/block.js";
import { describe, fmtShape, sameShape } from "../shape.js";
import { checkTensor } from "./util.js";
import { mul, sub } from "./binary.js";
import { mean, sum } from "./reduce.js";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

function reductionOf(op: string, o: LossOptions): Reduction {
  const r = o.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none")
    throw new TypeError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${String(r)}`);
  return r;
}

/** Class indices copied into a heap block as i32, after checking length, type and range. */
function targetIndices(op: string, targets: unknown, N: number, C: number): Block {
  if (!(targets instanceof Int32Array) && !Array.isArray(targets)) {
    throw new TypeError(`${op}: targets must be class indices as an Int32Array or number[], got ${describe(targets)}`);
  }
  if (targets.length !== N) throw new Error(`${op}: ${targets.length} targets for a batch of ${N}`);
  for (let i = 0; i < N; i++) {
    const t = targets[i];
    if (typeof t !== "number" || !Number.isInteger(t))
      throw new TypeError(`${op}: target ${i} is ${String(t)}, not an integer class index`);
    if (t < 0 || t >= C) throw new Error(`${op}: target ${i} is class ${t}, out of range for ${C} classes`);
  }
  const block = Block.alloc(4 * N);
  block.i32().set(targets);
  return block;
}

function check2d(op: string, x: Tensor): [number, number] {
  checkTensor(op, x);
  if (x.shape.length !== 2) throw new Error(`${op}: input must be 2-D [batch, classes], got ${fmtShape(x.shape)}`);
  return [x.shape[0], x.shape[1]];
}

/** Applies the reduction to per-row losses (taking ownership of rows). */
function reduce(rows: Tensor, r: Reduction): Tensor {
  if (r === "none") return rows;
  const out = r === "mean" ? mean(rows) : sum(rows);
  rows.dispose();
  return out;
}

/** The upstream gradient as a scale (mean/sum: one number) or per-row values (none). */
function upstream(g: Tensor, r: Reduction, N: number): { ptr: number; stride: number; scale: number } {
  return { ptr: g._ptr, stride: r === "none" ? 1 : 0, scale: r === "mean" ? 1 / N : 1 };
}

export function crossEntropy(logits: Tensor, targets: Int32Array | number[], options: LossOptions = {}): Tensor {
  return traced("crossEntropy", [logits], { options }, () => {
    const [N, C] = check2d("crossEntropy", logits);
    const r = reductionOf("crossEntropy", options);
    const t = targetIndices("crossEntropy", targets, N, C);
    const rows = Tensor._empty([N]);
    const grad = Tensor._empty([N, C]);
    const k = rows._k;
    k.crossEntropy(logits._ptr, t.ptr, rows._ptr, grad._ptr, N, C);
    t.free();
    const out = reduce(rows, r);
    if (needsGrad(logits)) {
      // d/dlogits = (softmax - onehot) * upstream
      record(out, "crossEntropy", [logits], [grad], (g, [sg]) => {
        const dx = Tensor._empty([N, C]);
        const u = upstream(g, r, N);
        k.crossEntropyBackward(u.ptr, u.stride, sg._ptr, dx._ptr, N, C, u.scale);
        return [dx];
      });
    }
    grad.dispose();
    return out;
  });
}

/** Negative log-likelihood of log-probabilities (pair it with logSoftmax). */
export function nllLoss(logProbs: Tensor, targets: Int32Array | number[], options: LossOptions = {}): Tensor {
  return traced("nllLoss", [logProbs], { options }, () => {
    const [N, C] = check2d("nllLoss", logProbs);
    const r = reductionOf("nllLoss", options);
    const t = targetIndices("nllLoss", targets, N, C);
    const rows = Tensor._empty([N]);
    const k = rows._k;
    k.nllLoss(logProbs._ptr, t.ptr, rows._ptr, N, C);
    const out = reduce(rows, r);
    if (!needsGrad(logProbs)) {
      t.free();
      return out;
    }
    // d/dx[i, t_i] = -upstream
    const rule = (g: Tensor) => {
      const dx = Tensor._empty([N, C]);
      const u = upstream(g, r, N);
      k.fill(dx._ptr, dx.size, 0);
      k.nllLossBackward(u.ptr, u.stride, t.ptr, dx._ptr, N, C, u.scale);
      return [dx];
    };
    return record(out, "nllLoss", [logProbs], [], rule, [t]);
  });
}

/** mean((a - b)^2), or its sum, or the squares. */
export function mseLoss(a: Tensor, b: Tensor, options: LossOptions = {}): Tensor {
  return traced("mseLoss", [a, b], { options }, () => {
    checkTensor("mseLoss", a);
    checkTensor("mseLoss", b, "target");
    if (!sameShape(a.shape, b.shape)) throw new Error(`mseLoss: input ${fmtShape(a.shape)} and target ${fmtShape(b.shape)} differ`);
    const r = reductionOf("mseLoss", options);
    return tidy(() => {
      const d = sub(a, b);
      const sq = mul(d, d);
      return r === "none" ? sq : r === "mean" ? mean(sq) : sum(sq);
    });
  });
}

/** -(y log p + (1 - y) log(1 - p)) for probabilities p; logs clamped at -100 as in PyTorch. */
export function binaryCrossEntropy(p: Tensor, y: Tensor, options: LossOptions = {}): Tensor {
  return traced("binaryCrossEntropy", [p, y], { options }, () => {
    checkTensor("binaryCrossEntropy", p);
    checkTensor("binaryCrossEntropy", y, "target");
    if (!sameShape(p.shape, y.shape))
      throw new Error(`binaryCrossEntropy: input ${fmtShape(p.shape)} and target ${fmtShape(y.shape)} differ`);
    const r = reductionOf("binaryCrossEntropy", options);
    const rows = Tensor._empty(p.shape.slice());
    const k = rows._k;
    k.binaryCrossEntropy(p._ptr, y._ptr, rows._ptr, p.size);
    const out = reduce(rows, r);
    if (needsGrad(p)) {
      // d/dp = upstream (p - y) / (p (1 - p))
      record(out, "binaryCrossEntropy", [p], [p, y], (g, [ps, ys]) => {
        const dp = Tensor._empty(p.shape.slice());
        const u = upstream(g, r, p.size);
        k.binaryCrossEntropyBackward(u.ptr, u.stride, ps._ptr, ys._ptr, dp._ptr, p.size, u.scale);
        return [dp];
      });
    }
    return out;
  });
}
