// Window geometry shared by convolution and pooling: (h, w) pairs from a
// number or a pair, and PyTorch's output size rule.
import { fmtShape } from "../shape.js";

export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const p = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min)) {
    throw new TypeError(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

/** floor((size + 2 pad - dilation (k - 1) - 1) / stride) + 1, or an error if the window does not fit. */
export function outSize(
  op: string,
  shape: readonly number[],
  size: number,
  k: number,
  stride: number,
  pad: number,
  dilation: number,
): number {
  const n = Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  if (n < 1) {
    throw new Error(`${op}: input ${fmtShape(shape)} is too small for a window of ${k} (padding ${pad}, dilation ${dilation})`);
  }
  return n;
}

export function check4d(op: string, shape: readonly number[], what = "input"): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`${op}: ${what} must be 4-D [N, C, H, W], got ${fmtShape(shape)}`);
  return shape as [number, number, number, number];
}
