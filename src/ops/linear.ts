// linear(x, W, b) = x W^T + b with PyTorch's weight layout [out, in]: one
// GEMM with the bias preloaded into C (beta = 1), so the bias costs no extra
// pass. Backward: dx = g W, dW = g^T x, db = column sums of g. An input of
// any other rank, [..., in], is one product over all its rows, as PyTorch.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { BIN_COPY_A } from "../backend/kernels.js";
import { Tensor } from "../tensor.js";
import { sgemm } from "../backend/parallel.js";
import { fmtShape, sizeOf } from "../shape.js";
import { checkTensor, writeMeta } from "./util.js";
import { reshape } from "./layout.js";

export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  return traced("linear", [x, w, b], {}, () => {
    checkTensor("linear", x);
    checkTensor("linear", w, "weight");
    if (b !== null && b !== undefined) checkTensor("linear", b, "bias");
    else b = null;
    if (w.shape.length !== 2) throw new Error(`linear: weight ${fmtShape(w.shape)} must be 2-D [out, in]`);
    if (x.shape.length === 0) throw new Error(`linear: input must have at least 1 dim [..., in], got ${fmtShape(x.shape)}`);
    if (x.shape.length !== 2) {
      if (x.shape.at(-1) !== w.shape[1]) {
        throw new Error(
          `linear: input ${fmtShape(x.shape)} has ${x.shape.at(-1)} features but weight ${fmtShape(w.shape)} expects ${w.shape[1]}`,
        );
      }
      const rows = reshape(x, [sizeOf(x.shape.slice(0, -1)), w.shape[1]]);
      const y = linear(rows, w, b);
      const out = reshape(y, [...x.shape.slice(0, -1), w.shape[0]]);
      rows.dispose();
      y.dispose();
      return out;
    }
    const [M, K] = x.shape;
    const [N, K2] = w.shape;
    if (K !== K2) throw new Error(`linear: input ${fmtShape(x.shape)} has ${K} features but weight ${fmtShape(w.shape)} expects ${K2}`);
    if (b !== null && (b.shape.length !== 1 || b.shape[0] !== N)) {
      throw new Error(`linear: bias ${fmtShape(b.shape)} must be [${N}] for weight ${fmtShape(w.shape)}`);
    }
    const out = Tensor._empty([M, N]);
    const be = out._backend;
    const k = be.k;
    if (b !== null) {
      writeMeta("linear", be, [M, N], [0, 1], [0, 1]);
      k.binaryBroadcast(BIN_COPY_A, b._ptr, b._ptr, out._ptr, be.meta);
    }
    sgemm(be, 0, 1, M, N, K, 1, x._ptr, K, w._ptr, K, b === null ? 0 : 1, out._ptr, N);
    const inputs = b === null ? [x, w] : [x, w, b];
    if (needsGrad(...inputs)) {
      record(out, "linear", inputs, [x, w], (g, [xs, ws]) => {
        let dx: Tensor | null = null,
          dW: Tensor | null = null,
          db: Tensor | null = null;
        if (x.requiresGrad) {
          dx = Tensor._empty([M, K]);
          sgemm(be, 0, 0, M, K, N, 1, g._ptr, N, ws._ptr, K, 0, dx._ptr, K);
        }
        if (w.requiresGrad) {
          dW = Tensor._empty([N, K]);
          sgemm(be, 1, 0, N, K, M, 1, g._ptr, N, xs._ptr, K, 0, dW._ptr, K);
        }
        if (b !== null && b.requiresGrad) {
          db = Tensor._empty([N]);
          k.sumDim(g._ptr, db._ptr, 1, M, N);
        }
        return b === null ? [dx, dW] : [dx, dW, db];
      });
    }
    return out;
  });
}
