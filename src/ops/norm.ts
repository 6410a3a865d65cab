// Normalisation: batch norm (statistics per channel over the batch and the
// spatial dims, PyTorch's F.batch_norm) and layer norm (statistics per row
// over the last dims, F.layer_norm). Each is a fused kernel family
// (assembly/norm.ts): composed of mean, sub and mul they would take several
// passes and hold several activation-sized temporaries.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { overItems } from "../backend/parallel.js";
import { fmtShape, sizeOf } from "../shape.js";
import { checkTensor } from "./util.js";

export interface BatchNormOptions {
  /** Batch statistics (and running-statistics updates) when true; the running statistics when false. */
  training?: boolean;
  /** Weight of the batch in the running statistics (PyTorch's 0.1); null for a cumulative average over `step` batches. */
  momentum?: number | null;
  eps?: number;
  /** The 1-based count of batches seen, for momentum null (the module passes num_batches_tracked). */
  step?: number;
}

/** Zeros of t's shape (no tape). */
function zerosLike(t: Tensor): Tensor {
  const z = Tensor._empty(t.shape.slice());
  z._k.fill(z._ptr, z.size, 0);
  return z;
}

/** A C-sized float tensor with these values (no tape). */
function small(values: ArrayLike<number>): Tensor {
  const t = Tensor._empty([values.length]);
  t._view().set(values);
  return t;
}

function checkChannels(op: string, name: string, t: Tensor | null, C: number): void {
  if (t !== null && (t.shape.length !== 1 || t.shape[0] !== C)) {
    throw new Error(`${op}: ${name} ${fmtShape(t.shape)} must be [${C}], one value per channel`);
  }
}

/**
 * Batch normalisation of x [N, C, ...]: (x - mean) / sqrt(var + eps) * weight
 * + bias per channel. In training (or without running statistics) the batch's
 * biased variance normalises and the running statistics, when given, move
 * towards the batch's (unbiased variance), as PyTorch's; in eval the running
 * statistics normalise and are constants of the gradient.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  return traced("batchNorm", [x, runningMean, runningVar, weight, bias], { options }, () => {
    checkTensor("batchNorm", x);
    if (x.shape.length < 2) throw new Error(`batchNorm: input must be [N, C, ...], got ${fmtShape(x.shape)}`);
    const [N, C] = x.shape;
    const inner = sizeOf(x.shape.slice(2));
    const eps = options.eps ?? 1e-5;
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    for (const [name, t] of [
      ["runningMean", runningMean],
      ["runningVar", runningVar],
      ["weight", weight],
      ["bias", bias],
    ] as const) {
      if (t !== null && t !== undefined) checkTensor("batchNorm", t, name);
      checkChannels("batchNorm", name, t ?? null, C);
    }
    if ((runningMean === null) !== (runningVar === null)) throw new Error("batchNorm: give both running statistics or neither");
    const batchStats = options.training === true || runningMean === null;
    const M = N * inner;
    const be = x._backend;
    const perChannel = (name: Parameters<typeof overItems>[1], ptrs: [number, number][], items = C) =>
      overItems(be, name, items, x.size, ptrs, [N, C, inner]);

    let mean: Float32Array, invstd: Float32Array;
    if (batchStats) {
      if (M <= 1 && options.training)
        throw new Error(`batchNorm: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
      const stats = Tensor._empty([2, C]);
      perChannel("batchNormStats", [
        [x._ptr, inner * 4],
        [stats._ptr, 4],
        [stats._ptr + C * 4, 4],
      ]);
      const v = stats.data();
      stats.dispose();
      mean = v.subarray(0, C);
      const variance = v.subarray(C);
      invstd = variance.map((s) => 1 / Math.sqrt(s + eps));
      if (runningMean !== null && runningVar !== null && options.training) {
        const m = momentum ?? 1 / Math.max(1, options.step ?? 1);
        const rm = runningMean._view(),
          rv = runningVar._view();
        for (let c = 0; c < C; c++) {
          rm[c] = (1 - m) * rm[c] + m * mean[c];
          rv[c] = (1 - m) * rv[c] + (m * variance[c] * M) / Math.max(1, M - 1);
        }
        runningMean._written();
        runningVar._written();
      }
    } else {
      mean = runningMean!.data();
      invstd = runningVar!.data().map((s) => 1 / Math.sqrt(s + eps));
    }
    const w = weight?.data() ?? null,
      b = bias?.data() ?? null;
    const scale = invstd.map((s, c) => s * (w === null ? 1 : w[c]));
    const shift = scale.map((s, c) => (b === null ? 0 : b[c]) - mean[c] * s);
    const out = Tensor._empty(x.shape.slice());
    const coef = small([...scale, ...shift]);
    perChannel("channelAffine", [
      [x._ptr, inner * 4],
      [out._ptr, inner * 4],
      [coef._ptr, 4],
      [coef._ptr + C * 4, 4],
    ]);
    coef.dispose();

    const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null && t !== undefined);
    if (!needsGrad(...inputs)) return out;
    const saved = small([...mean, ...invstd]);
    record(out, "batchNorm", inputs, [x, saved], (g, [xs, st]) => {
      const sums = Tensor._empty([2, C]);
      overItems(
        be,
        "batchNormBackwardSums",
        C,
        x.size,
        [
          [g._ptr, inner * 4],
          [xs._ptr, inner * 4],
          [st._ptr, 4],
          [sums._ptr, 4],
          [sums._ptr + C * 4, 4],
        ],
        [N, C, inner],
      );
      const s = sums.data();
      sums.dispose();
      const sumG = s.subarray(0, C),
        sumGX = s.subarray(C);
      const grads: (Tensor | null)[] = [];
      if (x.requiresGrad) {
        // dx = scale g + B x + D: in training B and D carry the batch statistics' own gradient
        const B = scale.map((sc, c) => (batchStats ? (-sc * invstd[c] * invstd[c] * sumGX[c]) / M : 0));
        const D = scale.map((sc, c) => (batchStats ? (-sc * sumG[c]) / M - B[c] * mean[c] : 0));
        const k = small([...scale, ...B, ...D]);
        const dx = Tensor._empty(x.shape.slice());
        overItems(
          be,
          "channelAffine2",
          C,
          x.size,
          [
            [g._ptr, inner * 4],
            [xs._ptr, inner * 4],
            [dx._ptr, inner * 4],
            [k._ptr, 4],
            [k._ptr + C * 4, 4],
            [k._ptr + 2 * C * 4, 4],
          ],
          [N, C, inner],
        );
        k.dispose();
        grads.push(dx);
      } else grads.push(null);
      if (weight !== null && weight !== undefined) grads.push(weight.requiresGrad ? small(sumGX.map((v, c) => v * invstd[c])) : null);
      if (bias !== null && bias !== undefined) grads.push(bias.requiresGrad ? small(sumG) : null);
      return grads;
    });
    saved.dispose();
    return out;
  });
}

/**
 * Layer normalisation over the last dims of x, which must equal
 * `normalizedShape`: (x - mean) / sqrt(var + eps) per row, times weight plus
 * bias (both of normalizedShape) where given.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return traced("layerNorm", [x, weight, bias], { normalizedShape, eps }, () => {
    checkTensor("layerNorm", x);
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    const k = shape.length;
    if (k === 0 || k > x.shape.length || shape.some((n, i) => n !== x.shape[x.shape.length - k + i])) {
      throw new Error(`layerNorm: normalizedShape ${fmtShape(shape)} must be the last dims of input ${fmtShape(x.shape)}`);
    }
    for (const [name, t] of [
      ["weight", weight],
      ["bias", bias],
    ] as const) {
      if (t === null || t === undefined) continue;
      checkTensor("layerNorm", t, name);
      if (t.shape.length !== k || t.shape.some((n, i) => n !== shape[i])) {
        throw new Error(`layerNorm: ${name} ${fmtShape(t.shape)} must have normalizedShape ${fmtShape(shape)}`);
      }
    }
    const D = sizeOf(shape);
    const rows = sizeOf(x.shape.slice(0, x.shape.length - k));
    if (x.size === 0) {
      // nothing to normalise: an empty result, and gradients of zeros
      const out = Tensor._empty(x.shape.slice());
      const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null && t !== undefined);
      if (needsGrad(...inputs)) record(out, "layerNorm", inputs, [], () => inputs.map((t) => zerosLike(t)));
      return out;
    }
    const be = x._backend;
    const out = Tensor._empty(x.shape.slice());
    const stats = Tensor._empty([2, rows]);
    const wp = weight?._ptr ?? 0,
      bp = bias?._ptr ?? 0;
    overItems(
      be,
      "layerNorm",
      rows,
      x.size,
      [
        [x._ptr, D * 4],
        [out._ptr, D * 4],
        [stats._ptr, 4],
        [stats._ptr + rows * 4, 4],
        [wp, 0],
        [bp, 0],
      ],
      [D, eps],
    );
    const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null && t !== undefined);
    if (needsGrad(...inputs)) {
      const savedAll = weight ? [x, stats, weight] : [x, stats];
      record(out, "layerNorm", inputs, savedAll, (g, [xs, st, ws]) => {
        const grads: (Tensor | null)[] = [];
        if (x.requiresGrad) {
          const dx = Tensor._empty(x.shape.slice());
          overItems(
            be,
            "layerNormBackward",
            rows,
            x.size,
            [
              [g._ptr, D * 4],
              [xs._ptr, D * 4],
              [st._ptr, 4],
              [st._ptr + rows * 4, 4],
              [ws?._ptr ?? 0, 0],
              [dx._ptr, D * 4],
            ],
            [D],
          );
          grads.push(dx);
        } else grads.push(null);
        const wantW = weight !== null && weight !== undefined && weight.requiresGrad;
        const wantB = bias !== null && bias !== undefined && bias.requiresGrad;
        if (wantW || wantB) {
          const dw = Tensor._empty(shape.slice()),
            db = Tensor._empty(shape.slice());
          dw._k.fill(dw._ptr, D, 0);
          db._k.fill(db._ptr, D, 0);
          dw._k.layerNormParamGrads(g._ptr, xs._ptr, st._ptr, st._ptr + rows * 4, dw._ptr, db._ptr, rows, D);
          if (weight) grads.push(wantW ? dw : (dw.dispose(), null));
          else dw.dispose();
          if (bias) grads.push(wantB ? db : (db.dispose(), null));
          else db.dispose();
        } else {
          if (weight) grads.push(null);
          if (bias) grads.push(null);
        }
        return grads;
      });
    }
    stats.dispose();
    return out;
  });
}
