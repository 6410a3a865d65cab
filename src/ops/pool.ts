// Max and average pooling (NCHW), and global average pooling, each with its
// backward.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { Block } from "../backend/block.js";
import { overItems } from "../backend/parallel.js";
import { checkTensor } from "./util.js";
import { check4d, outSize, pair } from "./window.js";
import { reshape } from "./layout.js";
import { mean } from "./reduce.js";

export interface Pool2dOptions {
  /** Defaults to the kernel size. */
  stride?: number | [number, number];
  padding?: number | [number, number];
}

function geometry(op: string, x: Tensor, kernel: number | [number, number], options: Pool2dOptions) {
  checkTensor(op, x);
  const [N, C, H, W] = check4d(op, x.shape);
  const [kh, kw] = pair(op, "kernel", kernel, 1);
  const [sh, sw] = pair(op, "stride", options.stride ?? [kh, kw], 1);
  const [ph, pw] = pair(op, "padding", options.padding ?? 0, 0);
  if (2 * ph > kh || 2 * pw > kw) {
    throw new Error(`${op}: padding ${ph},${pw} must be at most half the kernel ${kh}x${kw}`);
  }
  const OH = outSize(op, x.shape, H, kh, sh, ph, 1);
  const OW = outSize(op, x.shape, W, kw, sw, pw, 1);
  return { N, C, H, W, OH, OW, args: [H, W, kh, kw, sh, sw, ph, pw, OH, OW] as const };
}

export function maxPool2d(x: Tensor, kernel: number | [number, number], options: Pool2dOptions = {}): Tensor {
  return traced("maxPool2d", [x], { kernel, options }, () => {
    const { N, C, H, W, OH, OW, args } = geometry("maxPool2d", x, kernel, options);
    const out = Tensor._empty([N, C, OH, OW]);
    const idx = Block.alloc(out.size * 4); // each window's arg-max, as float32 values
    const be = out._backend;
    const inPlane = H * W * 4,
      outPlane = OH * OW * 4;
    const forward: [number, number][] = [
      [x._ptr, inPlane],
      [out._ptr, outPlane],
      [idx.ptr, outPlane],
    ];
    overItems(be, "maxPool2d", N * C, x.size, forward, args);
    if (!needsGrad(x)) {
      idx.free();
      return out;
    }
    // d max = g routed to the arg-max of each window
    const rule = (g: Tensor) => {
      const dx = Tensor._empty(x.shape.slice());
      const backward: [number, number][] = [
        [g._ptr, outPlane],
        [idx.ptr, outPlane],
        [dx._ptr, inPlane],
      ];
      overItems(be, "maxPool2dBackward", N * C, x.size, backward, args);
      return [dx];
    };
    return record(out, "maxPool2d", [x], [], rule, [idx]);
  });
}

export function avgPool2d(x: Tensor, kernel: number | [number, number], options: Pool2dOptions = {}): Tensor {
  return traced("avgPool2d", [x], { kernel, options }, () => {
    const { N, C, H, W, OH, OW, args } = geometry("avgPool2d", x, kernel, options);
    const out = Tensor._empty([N, C, OH, OW]);
    const be = out._backend,
      k = be.k;
    const inPlane = H * W * 4,
      outPlane = OH * OW * 4;
    overItems(
      be,
      "avgPool2d",
      N * C,
      x.size,
      [
        [x._ptr, inPlane],
        [out._ptr, outPlane],
      ],
      args,
    );
    if (needsGrad(x)) {
      // d avg = g / (kh kw) spread over each window
      record(out, "avgPool2d", [x], [], (g) => {
        const dx = Tensor._empty(x.shape.slice());
        k.fill(dx._ptr, dx.size, 0);
        overItems(
          be,
          "avgPool2dBackward",
          N * C,
          x.size,
          [
            [g._ptr, outPlane],
            [dx._ptr, inPlane],
          ],
          args,
        );
        return [dx];
      });
    }
    return out;
  });
}

/** The mean of each channel plane: [N, C, H, W] -> [N, C, 1, 1] (PyTorch's adaptive_avg_pool2d(x, 1)). */
export function globalAvgPool2d(x: Tensor): Tensor {
  return traced("globalAvgPool2d", [x], {}, () => {
    checkTensor("globalAvgPool2d", x);
    const [N, C, H, W] = check4d("globalAvgPool2d", x.shape);
    const flat = reshape(x, [N, C, H * W]);
    const m = mean(flat, 2, true);
    const out = reshape(m, [N, C, 1, 1]);
    flat.dispose();
    m.dispose();
    return out;
  });
}
