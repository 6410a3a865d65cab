// Parameter initialisers (PyTorch's torch.nn.init), writing in place from the
// seeded generator.
import type { Tensor } from "../tensor.js";
import { nextFloat, nextNormal } from "../random.js";
import { fmtShape } from "../shape.js";

function fill(t: Tensor, draw: () => number): Tensor {
  t._written();
  const v = t._view();
  for (let i = 0; i < v.length; i++) v[i] = draw();
  return t;
}

/** fan_in and fan_out as PyTorch computes them: [out, in, ...kernel]. */
export function fans(t: Tensor): [number, number] {
  if (t.shape.length < 2) throw new Error(`init: fan in and fan out need at least 2 dims, got ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return fill(t, () => a + (b - a) * nextFloat());
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, () => mean + std * nextNormal());
}

export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

function gain(nonlinearity: string, a: number): number {
  switch (nonlinearity) {
    case "linear":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu":
      return Math.sqrt(2 / (1 + a * a));
    default:
      throw new TypeError(`init: unknown nonlinearity '${nonlinearity}'`);
  }
}

export interface KaimingOptions {
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: "relu" | "leaky_relu" | "linear" | "sigmoid" | "tanh";
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fi, fo] = fans(t);
  return gain(o.nonlinearity ?? "leaky_relu", o.a ?? 0) / Math.sqrt(o.mode === "fan_out" ? fo : fi);
}

export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, -bound, bound);
}

export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options));
}

export function xavierUniform_(t: Tensor, g = 1): Tensor {
  const [fi, fo] = fans(t);
  const bound = g * Math.sqrt(6 / (fi + fo));
  return uniform_(t, -bound, bound);
}

export function xavierNormal_(t: Tensor, g = 1): Tensor {
  const [fi, fo] = fans(t);
  return normal_(t, 0, g * Math.sqrt(2 / (fi + fo)));
}
