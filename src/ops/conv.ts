// conv2d as im2col + GEMM, one image at a time, with backward for input,
// weight and bias. For image n: Y_n [O, P] = W [O, C*kh*kw] * col_n (P =
// OH*OW), written straight into the NCHW output. Backward recomputes col_n
// (cheap next to the GEMMs) instead of keeping the whole batch's columns,
// which for CNN-M's second layer would hold 14 MB per step:
// dW += dY_n col_n^T, and dx_n = col2im(W^T dY_n).
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { fmtShape } from "../shape.js";
import { BIN_COPY_A } from "../backend/kernels.js";
import { checkTensor, writeMeta } from "./util.js";
import { check4d, outSize, pair } from "./window.js";
import { sumTo } from "./broadcast.js";

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
}

export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  checkTensor("conv2d", x);
  checkTensor("conv2d", w, "weight");
  if (b !== null && b !== undefined) checkTensor("conv2d", b, "bias");
  else b = null;
  const [N, C, H, W] = check4d("conv2d", x.shape);
  const [O, Cw, kh, kw] = check4d("conv2d", w.shape, "weight");
  if (C !== Cw) {
    throw new Error(`conv2d: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(w.shape)} expects ${Cw}`);
  }
  if (b !== null && (b.shape.length !== 1 || b.shape[0] !== O)) {
    throw new Error(`conv2d: bias ${fmtShape(b.shape)} must be [${O}] for weight ${fmtShape(w.shape)}`);
  }
  const [sh, sw] = pair("conv2d", "stride", options.stride ?? 1, 1);
  const [ph, pw] = pair("conv2d", "padding", options.padding ?? 0, 0);
  const [dh, dw] = pair("conv2d", "dilation", options.dilation ?? 1, 1);
  const OH = outSize("conv2d", x.shape, H, kh, sh, ph, dh);
  const OW = outSize("conv2d", x.shape, W, kw, sw, pw, dw);
  const P = OH * OW,
    CKK = C * kh * kw,
    CHW = C * H * W,
    OP = O * P;
  const geometry = [C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW] as const;

  const out = Tensor._empty([N, O, OH, OW]);
  const be = out._backend,
    k = be.k;
  // the bias is preloaded into the output by the broadcast kernel, as linear
  // does, and each image's GEMM adds onto it (beta = 1)
  if (b !== null) {
    writeMeta("conv2d", be, [N, O, P], [0, 1, 0], [0, 1, 0]);
    k.binaryBroadcast(BIN_COPY_A, b._ptr, b._ptr, out._ptr, be.meta);
  }
  const col = Tensor._empty([CKK, P]);
  for (let n = 0; n < N; n++) {
    const yn = out._ptr + n * OP * 4;
    k.im2col(x._ptr + n * CHW * 4, col._ptr, P, ...geometry);
    k.sgemm(0, 0, O, P, CKK, 1, w._ptr, CKK, col._ptr, P, b === null ? 0 : 1, yn, P, be.gemmWork);
  }
  col.dispose();

  const inputs = b === null ? [x, w] : [x, w, b];
  if (needsGrad(...inputs)) {
    record(out, "conv2d", inputs, [x, w], (g, [xs, ws]) => {
      let dx: Tensor | null = null,
        dW: Tensor | null = null,
        db: Tensor | null = null;
      const cols = Tensor._empty([CKK, P]);
      if (w.requiresGrad) dW = Tensor._empty(w.shape.slice());
      if (x.requiresGrad) {
        dx = Tensor._empty(x.shape.slice());
        k.fill(dx._ptr, dx.size, 0);
      }
      for (let n = 0; n < N; n++) {
        const gy = g._ptr + n * OP * 4;
        if (dW !== null) {
          k.im2col(xs._ptr + n * CHW * 4, cols._ptr, P, ...geometry);
          k.sgemm(0, 1, O, CKK, P, 1, gy, P, cols._ptr, P, n === 0 ? 0 : 1, dW._ptr, CKK, be.gemmWork);
        }
        if (dx !== null) {
          k.sgemm(1, 0, CKK, P, O, 1, ws._ptr, CKK, gy, P, 0, cols._ptr, P, be.gemmWork);
          k.col2im(cols._ptr, P, dx._ptr + n * CHW * 4, ...geometry);
        }
      }
      cols.dispose();
      if (b !== null && b.requiresGrad) {
        const s = sumTo(g, [O, 1, 1]);
        db = s._share([O]);
        s.dispose();
      }
      return b === null ? [dx, dW] : [dx, dW, db];
    });
  }
  return out;
}
