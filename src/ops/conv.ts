// conv2d as im2col + GEMM, one image (and group) at a time, with backward for
// input, weight and bias; and its adjoint, convTranspose2d, from the same two
// kernels with the roles swapped. For image n and group gr of conv2d: Y
// [Og, P] = W_g [Og, Cg*kh*kw] * col [Cg*kh*kw, P] (P = OH*OW), written
// straight into the NCHW output. Backward recomputes the columns (cheap next
// to the GEMMs) instead of keeping the whole batch's, which for CNN-M's
// second layer would hold 14 MB per step: dW_g += dY col^T, and dx =
// col2im(W_g^T dY). Groups (depthwise when groups = C) are runs of channels
// with weights of their own.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { fmtShape } from "../shape.js";
import { BIN_ADD, BIN_COPY_A, META_BYTES } from "../backend/kernels.js";
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

/** Columns a product should have at least: below it, images are batched into one product. */
const MIN_COLUMNS = 256;
/** Bytes of one thread's column block at most, when images are batched. */
const MAX_COLUMN_BYTES = 4 << 20;

/**
 * Images per product: one where an image alone has MIN_COLUMNS output pixels
 * (the product writes the NCHW output directly), else enough images that the
 * product has that many columns (small late layers: an image of 4x4 or 1x1
 * pixels alone makes a thin product that packs the whole weight matrix for
 * a few columns). A pure function of the sizes.
 */
function imagesPerProduct(P: number, CKK: number, perThreadImages: number): number {
  if (P >= MIN_COLUMNS) return 1;
  const fit = Math.max(1, Math.floor(MAX_COLUMN_BYTES / (4 * CKK * P)));
  return Math.max(1, Math.min(Math.ceil(MIN_COLUMNS / P), fit, perThreadImages));
}

interface Chunk {
  /** The first image and how many. */
  n: number;
  count: number;
  t: number;
  /** The first chunk of its thread (a weight gradient starts there with beta 0). */
  first: boolean;
  /** A meta block of the chunk's own (a thread's chunks may differ in size). */
  meta: number;
  /** The thread's scratch: the column block, and the batched product's block. */
  col: number;
  z: number;
  /** Where this thread sums its weight gradient, if one is wanted. */
  into: number | undefined;
}

/**
 * Runs `chunk`'s calls for every run of `per` images of every thread's share
 * of the batch (`parts`, from perThread), with scratch per thread (colFloats and zFloats per image)
 * and a meta block per chunk. With `dW`, thread t sums its weight gradient
 * into a block of its own (thread 0 straight into dW), and the blocks are
 * added in thread order. On an error (an allocation refused, a fault in the
 * pool) the scratch and the `owned` outputs are freed before it propagates.
 */
function overChunks(
  be: Backend,
  parts: [start: number, count: number][],
  per: number,
  colFloats: number,
  zFloats: number,
  dW: Tensor | null,
  owned: (Tensor | null)[],
  chunk: (c: Chunk) => Call[],
): void {
  if (dW !== null && parts.length === 0) be.k.fill(dW._ptr, dW.size, 0); // no images: a zero gradient
  const blocks: Block[] = [];
  const alloc = (bytes: number) => {
    const b = Block.alloc(Math.max(4, bytes));
    blocks.push(b);
    return b.ptr;
  };
  // an allocation refused (out of memory) or a fault in the pool frees the scratch before it propagates
  try {
    const cols = parts.map(() => alloc(colFloats * per * 4));
    const zs = parts.map(() => (zFloats > 0 ? alloc(zFloats * per * 4) : 0));
    const partials = dW === null ? [] : parts.map((_, t) => (t === 0 ? dW._ptr : alloc(dW.size * 4)));
    runPrograms(
      be,
      parts.map(([n0, count], t) => {
        const program: Call[] = [];
        for (let n = n0; n < n0 + count; n += per) {
          const c: Chunk = {
            n,
            count: Math.min(per, n0 + count - n),
            t,
            first: n === n0,
            meta: alloc(META_BYTES),
            col: cols[t],
            z: zs[t],
            into: partials[t],
          };
          program.push(...chunk(c));
        }
        return program;
      }),
    );
    for (let t = 1; t < partials.length; t++) be.k.add(dW!._ptr, partials[t], dW!._ptr, dW!.size);
  } catch (e) {
    for (const t of owned) t?.dispose(); // the op's outputs, which its caller will never see
    throw e;
  } finally {
    for (const b of blocks) b.free();
  }
}

/** The images of a chunk. */
function images(c: Chunk): number[] {
  return Array.from({ length: c.count }, (_, i) => c.n + i);
}

/** The bias gradient: g [N, C, H, W] summed over all but C. */
function biasGrad(g: Tensor, C: number): Tensor {
  const s = sumTo(g, [C, 1, 1]);
  const db = s._share([C]);
  s.dispose();
  return db;
}

/** Preloads an image's [O, P] output with the bias (`meta`: a block of the caller's for this call). */
function biasCall(op: string, be: Backend, b: Tensor, shape: [number, number], out: number, meta: number): Call {
  writeMeta(op, be, shape, [1, 0], [1, 0], meta);
  return ["binaryBroadcast", BIN_COPY_A, b._ptr, b._ptr, out, meta];
}

export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  return traced("conv2d", [x, w, b], { options }, () => {
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
    const parts = perThread(be, N, N * O * P * CKK);
    const per = G === 1 ? imagesPerProduct(P, CKK, parts[0]?.[1] ?? 1) : 1;
    overChunks(be, parts, per, CKK * P, per > 1 ? O * P : 0, null, [out], (c) => {
      if (per === 1) {
        // the bias is preloaded into the image's output by the broadcast kernel, as
        // linear does, and the GEMMs add onto it (beta = 1)
        return [
          ...(b === null ? [] : [biasCall("conv2d", be, b, [O, P], out._ptr + c.n * OP * 4, c.meta)]),
          ...groups.flatMap((gr): Call[] => [
            ["im2col", x._ptr + (c.n * C + gr * Cg) * HW * 4, c.col, P, ...geometry],
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
              c.col,
              P,
              b === null ? 0 : 1,
              out._ptr + (c.n * O + gr * Og) * P * 4,
              P,
              be.gemmWorks[c.t],
            ],
          ]),
        ];
      }
      // a run of images in one product Z [O, images * P], then Z (plus the bias) into the NCHW output
      const cols = c.count * P;
      writeMeta("conv2d", be, [c.count, O, P], [P, cols, 1], [0, 1, 0], c.meta);
      return [
        ...images(c).map((n, i): Call => ["im2col", x._ptr + n * C * HW * 4, c.col + i * P * 4, cols, ...geometry]),
        ["sgemm", 0, 0, O, cols, CKK, 1, w._ptr, CKK, c.col, cols, 0, c.z, cols, be.gemmWorks[c.t]],
        b === null
          ? ["binaryBroadcast", BIN_COPY_A, c.z, c.z, out._ptr + c.n * OP * 4, c.meta]
          : ["binaryBroadcast", BIN_ADD, c.z, b._ptr, out._ptr + c.n * OP * 4, c.meta],
      ];
    });

    const inputs = b === null ? [x, w] : [x, w, b];
    if (needsGrad(...inputs)) {
      record(out, "conv2d", inputs, [x, w], (g, [xs, ws]) => {
        const dW = w.requiresGrad ? Tensor._empty(w.shape.slice()) : null;
        const dx = x.requiresGrad ? Tensor._empty(x.shape.slice()) : null; // zero-filled image by image below (col2im adds)
        overChunks(be, parts, per, CKK * P, per > 1 ? O * P : 0, dW, [dW, dx], (c) => {
          const program: Call[] = [];
          if (per === 1) {
            for (const gr of groups) {
              const gy = g._ptr + (c.n * O + gr * Og) * P * 4;
              const xin = (c.n * C + gr * Cg) * HW * 4;
              if (c.into !== undefined) {
                program.push(["im2col", xs._ptr + xin, c.col, P, ...geometry]);
                program.push([
                  "sgemm",
                  0,
                  1,
                  Og,
                  CKK,
                  P,
                  1,
                  gy,
                  P,
                  c.col,
                  P,
                  c.first ? 0 : 1,
                  c.into + gr * Og * CKK * 4,
                  CKK,
                  be.gemmWorks[c.t],
                ]);
              }
              if (dx !== null) {
                program.push(["fill", dx._ptr + xin, Cg * HW, 0]);
                program.push(["sgemm", 1, 0, CKK, P, Og, 1, ws._ptr + gr * Og * CKK * 4, CKK, gy, P, 0, c.col, P, be.gemmWorks[c.t]]);
                program.push(["col2im", c.col, P, dx._ptr + xin, ...geometry]);
              }
            }
            return program;
          }
          // the run's output gradient as one [O, images * P] block, then one product each for dW and the columns
          const cols = c.count * P;
          writeMeta("conv2d", be, [O, c.count, P], [P, OP, 1], [P, OP, 1], c.meta);
          program.push(["binaryBroadcast", BIN_COPY_A, g._ptr + c.n * OP * 4, g._ptr, c.z, c.meta]);
          if (c.into !== undefined) {
            images(c).forEach((n, i) => program.push(["im2col", xs._ptr + n * C * HW * 4, c.col + i * P * 4, cols, ...geometry]));
            program.push(["sgemm", 0, 1, O, CKK, cols, 1, c.z, cols, c.col, cols, c.first ? 0 : 1, c.into, CKK, be.gemmWorks[c.t]]);
          }
          if (dx !== null) {
            program.push(["sgemm", 1, 0, CKK, cols, O, 1, ws._ptr, CKK, c.z, cols, 0, c.col, cols, be.gemmWorks[c.t]]);
            images(c).forEach((n, i) => {
              program.push(["fill", dx._ptr + n * C * HW * 4, C * HW, 0]);
              program.push(["col2im", c.col + i * P * 4, cols, dx._ptr + n * C * HW * 4, ...geometry]);
            });
          }
          return program;
        });
        return b === null ? [dx, dW] : [dx, dW, b.requiresGrad ? biasGrad(g, O) : null];
      });
    }
    return out;
  });
}

/**
 * The transposed convolution (the adjoint of conv2d in its input, PyTorch's
 * conv_transpose2d): x [N, Cin, H, W], weight [Cin, Cout / groups, kh, kw],
 * output [N, Cout, (H - 1) stride - 2 padding + dilation (k - 1) +
 * outputPadding + 1, ...]. Per image and group: col = W_g^T x, then col2im
 * adds the columns into the output (preloaded with the bias).
 */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  return traced("convTranspose2d", [x, w, b], { options }, () => {
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
    const parts = perThread(be, N, N * Cin * CKK * P);
    overChunks(be, parts, 1, CKK * P, 0, null, [out], ({ n, t, col, meta }) => [
      b === null
        ? (["fill", out._ptr + n * Cout * OP * 4, Cout * OP, 0] as Call)
        : biasCall(op, be, b, [Cout, OP], out._ptr + n * Cout * OP * 4, meta),
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
        overChunks(be, parts, 1, CKK * P, 0, dW, [dW, dx], ({ n, t, col, into, first }) =>
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
              program.push([
                "sgemm",
                0,
                0,
                Cig,
                P,
                CKK,
                1,
                ws._ptr + gr * Cig * CKK * 4,
                CKK,
                col,
                P,
                0,
                dx._ptr + xin,
                P,
                be.gemmWorks[t],
              ]);
            return program;
          }),
        );
        return b === null ? [dx, dW] : [dx, dW, b.requiresGrad ? biasGrad(g, Cout) : null];
      });
    }
    return out;
  });
}
