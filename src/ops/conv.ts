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
import { Block } from "../backend/block.js";
import { perThread, runPrograms } from "../backend/parallel.js";
import type { Call } from "../backend/threads/protocol.js";

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
  // images are independent: each thread takes a run of them, with columns of its own
  const parts = perThread(be, N);
  // the bias is preloaded into each image's output by the broadcast kernel,
  // as linear does, and the image's GEMM adds onto it (beta = 1); each
  // thread has a meta block of its own (the kernel counts in it)
  if (b !== null) parts.forEach((_, t) => writeMeta("conv2d", be, [O, P], [1, 0], [1, 0], be.metas[t]));
  const cols = parts.map(() => Block.alloc(CKK * P * 4));
  runPrograms(
    be,
    parts.map(([n0, count], t) => {
      const program: Call[] = [];
      for (let n = n0; n < n0 + count; n++) {
        if (b !== null) program.push(["binaryBroadcast", BIN_COPY_A, b._ptr, b._ptr, out._ptr + n * OP * 4, be.metas[t]]);
        program.push(["im2col", x._ptr + n * CHW * 4, cols[t].ptr, P, ...geometry]);
        program.push([
          "sgemm",
          0,
          0,
          O,
          P,
          CKK,
          1,
          w._ptr,
          CKK,
          cols[t].ptr,
          P,
          b === null ? 0 : 1,
          out._ptr + n * OP * 4,
          P,
          be.gemmWorks[t],
        ]);
      }
      return program;
    }),
  );
  for (const c of cols) c.free();

  const inputs = b === null ? [x, w] : [x, w, b];
  if (needsGrad(...inputs)) {
    record(out, "conv2d", inputs, [x, w], (g, [xs, ws]) => {
      let dx: Tensor | null = null,
        dW: Tensor | null = null,
        db: Tensor | null = null;
      if (w.requiresGrad) dW = Tensor._empty(w.shape.slice());
      if (x.requiresGrad) dx = Tensor._empty(x.shape.slice()); // zero-filled image by image below (col2im adds)
      // thread t sums the weight gradient of its images into its own block
      // (thread 0 straight into dW); the blocks are then added in thread order
      const parts = perThread(be, N);
      const cols = parts.map(() => Block.alloc(CKK * P * 4));
      const partials = dW === null ? [] : parts.map((_, t) => (t === 0 ? null : Block.alloc(dW!.size * 4)));
      runPrograms(
        be,
        parts.map(([n0, count], t) => {
          const program: Call[] = [];
          const into = t === 0 ? dW?._ptr : partials[t]?.ptr;
          for (let n = n0; n < n0 + count; n++) {
            const gy = g._ptr + n * OP * 4;
            if (into !== undefined) {
              program.push(["im2col", xs._ptr + n * CHW * 4, cols[t].ptr, P, ...geometry]);
              program.push(["sgemm", 0, 1, O, CKK, P, 1, gy, P, cols[t].ptr, P, n === n0 ? 0 : 1, into, CKK, be.gemmWorks[t]]);
            }
            if (dx !== null) {
              program.push(["fill", dx._ptr + n * CHW * 4, CHW, 0]);
              program.push(["sgemm", 1, 0, CKK, P, O, 1, ws._ptr, CKK, gy, P, 0, cols[t].ptr, P, be.gemmWorks[t]]);
              program.push(["col2im", cols[t].ptr, P, dx._ptr + n * CHW * 4, ...geometry]);
            }
          }
          return program;
        }),
      );
      for (const c of cols) c.free();
      for (const p of partials) {
        if (p === null) continue;
        k.add(dW!._ptr, p.ptr, dW!._ptr, dW!.size);
        p.free();
      }
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
