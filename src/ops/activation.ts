// Activations beyond relu, sigmoid and tanh, and abs and clamp: each a
// forward kernel and a backward kernel that reads the input x, side by side
// (parameters such as the slope follow the element count). NaN propagates
// through every forward, as in PyTorch.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import type { Tensor } from "../tensor.js";
import type { KernelName } from "../backend/kernels.js";
import { apply, gradOf } from "./unary.js";
import { checkTensor } from "./util.js";

/** f(x) by `forward`, with g * f'(x) by `backward` recorded; x is saved. */
function activation(op: string, x: Tensor, forward: KernelName, backward: KernelName, params: number[] = []): Tensor {
  checkTensor(op, x);
  const out = apply(forward, x, params);
  if (needsGrad(x)) record(out, op, [x], [x], (g, [xs]) => [gradOf(backward, g, xs, params)]);
  return out;
}

function finiteNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

// d|x| = g sign(x)
export function abs(x: Tensor): Tensor {
  return traced("abs", [x], {}, () => {
    return activation("abs", x, "abs", "absBackward");
  });
}

/** min(max(x, min), max); either bound may be left out (null or undefined). Gradient: g where min <= x <= max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  return traced("clamp", [x], { min, max }, () => {
    const lo = min ?? -Infinity,
      hi = max ?? Infinity;
    if ((min === undefined || min === null) && (max === undefined || max === null)) {
      throw new TypeError("clamp: at least one of min and max must be a number");
    }
    for (const [name, v] of [
      ["min", lo],
      ["max", hi],
    ] as const) {
      if (typeof v !== "number" || Number.isNaN(v)) throw new TypeError(`clamp: ${name} must be a number, got ${String(v)}`);
    }
    return activation("clamp", x, "clamp", "clampBackward", [lo, hi]);
  });
}

/** x for x > 0, slope x below (PyTorch's default slope 0.01). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return traced("leakyRelu", [x], { negativeSlope }, () => {
    return activation("leakyRelu", x, "leakyRelu", "leakyReluBackward", [finiteNumber("leakyRelu", "negativeSlope", negativeSlope)]);
  });
}

/** x for x > 0, alpha (e^x - 1) below. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return traced("elu", [x], { alpha }, () => {
    return activation("elu", x, "elu", "eluBackward", [finiteNumber("elu", "alpha", alpha)]);
  });
}

/** x Phi(x) (approximate "none", the default, with erf) or its tanh approximation ("tanh"). */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  return traced("gelu", [x], { approximate }, () => {
    if (approximate === "none") return activation("gelu", x, "gelu", "geluBackward");
    if (approximate === "tanh") return activation("gelu", x, "geluTanh", "geluTanhBackward");
    throw new TypeError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  });
}

/** The Gauss error function, 2 / sqrt(pi) times the integral of e^(-t^2) from 0 to x. */
export function erf(x: Tensor): Tensor {
  return traced("erf", [x], {}, () => {
    return activation("erf", x, "erf", "erfBackward");
  });
}

/** x sigmoid(x) (also called swish). */
export function silu(x: Tensor): Tensor {
  return traced("silu", [x], {}, () => {
    return activation("silu", x, "silu", "siluBackward");
  });
}

/** log(1 + e^(beta x)) / beta, and x where beta x > threshold (PyTorch's defaults: beta 1, threshold 20). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return traced("softplus", [x], { beta, threshold }, () => {
    finiteNumber("softplus", "beta", beta);
    if (beta === 0) throw new TypeError("softplus: beta must not be 0");
    return activation("softplus", x, "softplus", "softplusBackward", [beta, finiteNumber("softplus", "threshold", threshold)]);
  });
}
