// conv2d as im2col + GEMM, one image (and group) at a time, with backward for
// input, weight and bias; and its adjoint, convTranspose2d, from the same two
// kernels with the roles swapped. For image n and group gr of conv2d: Y
// [Og, P] = W_g [Og, Cg*kh*kw] * col [Cg*kh*kw, P] (P = OH*OW), written
// straight into the NCHW output. Backward recomputes the columns (cheap next
// to the GEMMs) instead of keeping the whole batch's, which for CNN-M's
// second layer would hold 14 MB per step: dW_g += dY col^T, and dx =
// col2im(W_g^T dY). Groups (depthwise when groups = C) are runs of channels
// with weights of their own.
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { fmtShape } from "../shape.js";
import { BIN_COPY_A } from "../backend/kernels.js";
import { checkTensor, writeMeta } from "./util.js";
import { check4d, outSize, pair } from "./window.js";
import { sumTo } from "./broadcast.js";
import { Block } from "../backend/block.js";
import { perThread, runPrograms } from "../backend/parallel.js";
import type { Backend } from "../backend/backend.js";
import type { Call } from "../backend/threads/protocol.js";

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  /** Channels split into this many groups, each convolved with its own filters (groups = C: depthwise). */
  groups?: number;
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  /** Extra rows and columns on one side of the output (less than the stride or the dilation). */
  outputPadding?: number | [number, number];
}

function groupsOf(op: string, v: unknown, C: number, O: number, x: readonly number[], w: readonly number[]): number {
  const g = v ?? 1;
  if (typeof g !== "number" || !Number.isInteger(g) || g < 1)
    throw new TypeError(`${op}: groups must be a positive integer, got ${String(v)}`);
  if (C % g !== 0 || O % g !== 0) {
    throw new Error(
      `${op}: groups ${g} must divide the input channels ${C} and output channels ${O} (input ${fmtShape(x)}, weight ${fmtShape(w)})`,
    );
  }
  return g;
}

function checkBias(op: string, b: Tensor | null, O: number, w: Tensor): void {
  if (b !== null && (b.shape.length !== 1 || b.shape[0] !== O))
    throw new Error(`${op}: bias ${fmtShape(b.shape)} must be [${O}] for weight ${fmtShape(w.shape)}`);
}

/**
 * Thread t's programs over its run of images, with a column block of its own:
 * `image(n, t, col)` gives image n's calls.
 */
function overImages(be: Backend, N: number, colFloats: number, image: (n: number, t: number, col: number) => Call[]): void {
  const parts = perThread(be, N);
  const cols = parts.map(() => Block.alloc(colFloats * 4));
  runPrograms(
    be,
    parts.map(([n0, count], t) => {
      const program: Call[] = [];
      for (let n = n0; n < n0 + count; n++) program.push(...image(n, t, cols[t].ptr));
      return program;
    }),
  );
  for (const c of cols) c.free();
}

/**
 * A weight gradient summed over images split by threads: thread t sums its
 * images into its own block (thread 0 straight into dW), and the blocks are
 * added in thread order. `image(n, t, col, into, first)` gives image n's calls.
 */
function weightGradOverImages(
  be: Backend,
  N: number,
  colFloats: number,
  dW: Tensor | null,
  image: (n: number, t: number, col: number, into: number | undefined, first: boolean) => Call[],
): void {
  const parts = perThread(be, N);
  const cols = parts.map(() => Block.alloc(colFloats * 4));
  const partials = dW === null ? [] : parts.map((_, t) => (t === 0 ? null : Block.alloc(dW.size * 4)));
  runPrograms(
    be,
    parts.map(([n0, count], t) => {
      const program: Call[] = [];
      const into = t === 0 ? dW?._ptr : partials[t]?.ptr;
      for (let n = n0; n < n0 + count; n++) program.push(...image(n, t, cols[t].ptr, into, n === n0));
      return program;
    }),
  );
  for (const c of cols) c.free();
  for (const p of partials) {
    if (p === null) continue;
    be.k.add(dW!._ptr, p.ptr, dW!._ptr, dW!.size);
    p.free();
  }
}

/** The bias gradient: g [N, C, H, W] summed over all but C. */
function biasGrad(g: Tensor, C: number): Tensor {
  const s = sumTo(g, [C, 1, 1]);
  const db = s._share([C]);
  s.dispose();
  return db;
}

/** Preloads each image's [O, P] output with the bias (the caller's meta block for thread t). */
function biasCall(be: Backend, b: Tensor, out: number, t: number): Call {
  return ["binaryBroadcast", BIN_COPY_A, b._ptr, b._ptr, out, be.metas[t]];
}

export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  checkTensor("conv2d", x);
  checkTensor("conv2d", w, "weight");
  if (b !== null && b !== undefined) checkTensor("conv2d", b, "bias");
  else b = null;
  const [N, C, H, W] = check4d("conv2d", x.shape);
  const [O, Cg, kh, kw] = check4d("conv2d", w.shape, "weight");
  const G = groupsOf("conv2d", options.groups, C, O, x.shape, w.shape);
  if (C !== Cg * G) {
    throw new Error(
      `conv2d: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(w.shape)} expects ${Cg * G}` +
        (G > 1 ? ` (${Cg} per group, ${G} groups)` : ""),
    );
  }
  checkBias("conv2d", b, O, w);
  const [sh, sw] = pair("conv2d", "stride", options.stride ?? 1, 1);
  const [ph, pw] = pair("conv2d", "padding", options.padding ?? 0, 0);
  const [dh, dw] = pair("conv2d", "dilation", options.dilation ?? 1, 1);
  const OH = outSize("conv2d", x.shape, H, kh, sh, ph, dh);
  const OW = outSize("conv2d", x.shape, W, kw, sw, pw, dw);
  const P = OH * OW,
    Og = O / G,
    CKK = Cg * kh * kw,
    HW = H * W,
    OP = O * P;
  const geometry = [Cg, H, W, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW] as const;
  const groups = Array.from({ length: G }, (_, gr) => gr);

  const out = Tensor._empty([N, O, OH, OW]);
  const be = out._backend;
  // the bias is preloaded into each image's output by the broadcast kernel, as
  // linear does, and the GEMMs add onto it (beta = 1); each thread has a meta
  // block of its own (the kernel counts in it)
  if (b !== null) perThread(be, N).forEach((_, t) => writeMeta("conv2d", be, [O, P], [1, 0], [1, 0], be.metas[t]));
  overImages(be, N, CKK * P, (n, t, col) => [
    ...(b === null ? [] : [biasCall(be, b, out._ptr + n * OP * 4, t)]),
    ...groups.flatMap((gr): Call[] => [
      ["im2col", x._ptr + (n * C + gr * Cg) * HW * 4, col, P, ...geometry],
      [
        "sgemm",
        0,
        0,
        Og,
        P,
        CKK,
        1,
        w._ptr + gr * Og * CKK * 4,
        CKK,
        col,
        P,
        b === null ? 0 : 1,
        out._ptr + (n * O + gr * Og) * P * 4,
        P,
        be.gemmWorks[t],
      ],
    ]),
  ]);

  const inputs = b === null ? [x, w] : [x, w, b];
  if (needsGrad(...inputs)) {
    record(out, "conv2d", inputs, [x, w], (g, [xs, ws]) => {
      const dW = w.requiresGrad ? Tensor._empty(w.shape.slice()) : null;
      const dx = x.requiresGrad ? Tensor._empty(x.shape.slice()) : null; // zero-filled image by image below (col2im adds)
      weightGradOverImages(be, N, CKK * P, dW, (n, t, col, into, first) =>
        groups.flatMap((gr): Call[] => {
          const gy = g._ptr + (n * O + gr * Og) * P * 4;
          const xin = (n * C + gr * Cg) * HW * 4;
          const program: Call[] = [];
          if (into !== undefined) {
            program.push(["im2col", xs._ptr + xin, col, P, ...geometry]);
            program.push(["sgemm", 0, 1, Og, CKK, P, 1, gy, P, col, P, first ? 0 : 1, into + gr * Og * CKK * 4, CKK, be.gemmWorks[t]]);
          }
          if (dx !== null) {
            program.push(["fill", dx._ptr + xin, Cg * HW, 0]);
            program.push(["sgemm", 1, 0, CKK, P, Og, 1, ws._ptr + gr * Og * CKK * 4, CKK, gy, P, 0, col, P, be.gemmWorks[t]]);
            program.push(["col2im", col, P, dx._ptr + xin, ...geometry]);
          }
          return program;
        }),
      );
      return b === null ? [dx, dW] : [dx, dW, b.requiresGrad ? biasGrad(g, O) : null];
    });
  }
  return out;
}

/**
 * The transposed convolution (the adjoint of conv2d in its input, PyTorch's
 * conv_transpose2d): x [N, Cin, H, W], weight [Cin, Cout / groups, kh, kw],
 * output [N, Cout, (H - 1) stride - 2 padding + dilation (k - 1) +
 * outputPadding + 1, ...]. Per image and group: col = W_g^T x, then col2im
 * adds the columns into the output (preloaded with the bias).
 */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  const op = "convTranspose2d";
  checkTensor(op, x);
  checkTensor(op, w, "weight");
  if (b !== null && b !== undefined) checkTensor(op, b, "bias");
  else b = null;
  const [N, Cin, H, W] = check4d(op, x.shape);
  const [Cw, Cog, kh, kw] = check4d(op, w.shape, "weight");
  if (Cw !== Cin) throw new Error(`${op}: input ${fmtShape(x.shape)} has ${Cin} channels but weight ${fmtShape(w.shape)} expects ${Cw}`);
  const G = groupsOf(op, options.groups, Cin, Cog * (options.groups ?? 1), x.shape, w.shape);
  const Cout = Cog * G,
    Cig = Cin / G;
  checkBias(op, b, Cout, w);
  const [sh, sw] = pair(op, "stride", options.stride ?? 1, 1);
  const [ph, pw] = pair(op, "padding", options.padding ?? 0, 0);
  const [dh, dw] = pair(op, "dilation", options.dilation ?? 1, 1);
  const [oph, opw] = pair(op, "outputPadding", options.outputPadding ?? 0, 0);
  if ((oph >= sh && oph >= dh) || (opw >= sw && opw >= dw)) {
    throw new Error(`${op}: outputPadding ${JSON.stringify([oph, opw])} must be smaller than the stride or the dilation`);
  }
  const OH = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const OW = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (OH < 1 || OW < 1)
    throw new Error(`${op}: input ${fmtShape(x.shape)} gives an empty output (${OH} x ${OW}) with padding ${JSON.stringify([ph, pw])}`);
  const P = H * W,
    OP = OH * OW,
    CKK = Cog * kh * kw;
  // the columns of the conv2d whose input gradient this is: output [Cog, OH, OW] seen through windows that give H x W
  const geometry = [Cog, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw, H, W] as const;
  const groups = Array.from({ length: G }, (_, gr) => gr);

  const out = Tensor._empty([N, Cout, OH, OW]);
  const be = out._backend;
  if (b !== null) perThread(be, N).forEach((_, t) => writeMeta(op, be, [Cout, OP], [1, 0], [1, 0], be.metas[t]));
  overImages(be, N, CKK * P, (n, t, col) => [
    b === null ? (["fill", out._ptr + n * Cout * OP * 4, Cout * OP, 0] as Call) : biasCall(be, b, out._ptr + n * Cout * OP * 4, t),
    ...groups.flatMap((gr): Call[] => [
      [
        "sgemm",
        1,
        0,
        CKK,
        P,
        Cig,
        1,
        w._ptr + gr * Cig * CKK * 4,
        CKK,
        x._ptr + (n * Cin + gr * Cig) * P * 4,
        P,
        0,
        col,
        P,
        be.gemmWorks[t],
      ],
      ["col2im", col, P, out._ptr + (n * Cout + gr * Cog) * OP * 4, ...geometry],
    ]),
  ]);

  const inputs = b === null ? [x, w] : [x, w, b];
  if (needsGrad(...inputs)) {
    record(out, op, inputs, [x, w], (g, [xs, ws]) => {
      const dW = w.requiresGrad ? Tensor._empty(w.shape.slice()) : null;
      const dx = x.requiresGrad ? Tensor._empty(x.shape.slice()) : null;
      weightGradOverImages(be, N, CKK * P, dW, (n, t, col, into, first) =>
        groups.flatMap((gr): Call[] => {
          const xin = (n * Cin + gr * Cig) * P * 4;
          const program: Call[] = [["im2col", g._ptr + (n * Cout + gr * Cog) * OP * 4, col, P, ...geometry]];
          if (into !== undefined)
            program.push([
              "sgemm",
              0,
              1,
              Cig,
              CKK,
              P,
              1,
              xs._ptr + xin,
              P,
              col,
              P,
              first ? 0 : 1,
              into + gr * Cig * CKK * 4,
              CKK,
              be.gemmWorks[t],
            ]);
          if (dx !== null)
            program.push(["sgemm", 0, 0, Cig, P, CKK, 1, ws._ptr + gr * Cig * CKK * 4, CKK, col, P, 0, dx._ptr + xin, P, be.gemmWorks[t]]);
          return program;
        }),
      );
      return b === null ? [dx, dW] : [dx, dW, b.requiresGrad ? biasGrad(g, Cout) : null];
    });
  }
  return out;
}
