// conv2d as im2col + one batch-folded GEMM, with backward for input, weight
// and bias. Y [O, N*P] = W [O, C*kh*kw] * col [C*kh*kw, N*P] (P = OH*OW):
// the forward saves col for the weight gradient; the input gradient is
// col2im(W^T dY).
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { fmtShape } from "../shape.js";
import { checkTensor } from "./util.js";
import { check4d, outSize, pair } from "./window.js";

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
  const P = OH * OW, NP = N * P, CKK = C * kh * kw, CHW = C * H * W;
  const geometry = [C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW] as const;

  const col = Tensor._empty([CKK, NP]);
  const be = col._backend;
  const k = be.k;
  for (let n = 0; n < N; n++) k.im2col(x._ptr + n * CHW * 4, col._ptr + n * P * 4, NP, ...geometry);
  const y = Tensor._empty([O, NP]);
  k.sgemm(0, 0, O, NP, CKK, 1, w._ptr, CKK, col._ptr, NP, 0, y._ptr, NP, be.gemmWork);
  const out = Tensor._empty([N, O, OH, OW]);
  k.swapLeadingDims(y._ptr, out._ptr, O, N, P, b === null ? 0 : b._ptr);
  y.dispose();

  const inputs = b === null ? [x, w] : [x, w, b];
  if (needsGrad(...inputs)) {
    record(out, "conv2d", inputs, [col, w], (g, [cols, ws]) => {
      const gy = Tensor._empty([O, NP]);
      k.swapLeadingDims(g._ptr, gy._ptr, N, O, P, 0);
      let dx: Tensor | null = null, dW: Tensor | null = null, db: Tensor | null = null;
      if (w.requiresGrad) {
        dW = Tensor._empty(w.shape.slice());
        k.sgemm(0, 1, O, CKK, NP, 1, gy._ptr, NP, cols._ptr, NP, 0, dW._ptr, CKK, be.gemmWork);
      }
      if (b !== null && b.requiresGrad) {
        db = Tensor._empty([O]);
        k.sumDim(gy._ptr, db._ptr, O, NP, 1);
      }
      if (x.requiresGrad) {
        const dcol = Tensor._empty([CKK, NP]);
        k.sgemm(1, 0, CKK, NP, O, 1, ws._ptr, CKK, gy._ptr, NP, 0, dcol._ptr, NP, be.gemmWork);
        dx = Tensor._empty(x.shape.slice());
        k.fill(dx._ptr, dx.size, 0);
        for (let n = 0; n < N; n++) k.col2im(dcol._ptr + n * P * 4, NP, dx._ptr + n * CHW * 4, ...geometry);
        dcol.dispose();
      }
      gy.dispose();
      return b === null ? [dx, dW] : [dx, dW, db];
    });
  }
  col.dispose();
  return out;
}
