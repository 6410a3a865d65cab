// Element-wise functions of one tensor, each forward beside its backward.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { Block } from "../backend/block.js";
import { overElements } from "../backend/parallel.js";
import type { KernelName } from "../backend/kernels.js";
import { checkTensor } from "./util.js";

/** A new tensor of kernel(x, out, n, ...params), split over threads where large. */
export function apply(kernel: KernelName, x: Tensor, params: readonly number[] = []): Tensor {
  const out = Tensor._empty(x.shape.slice());
  overElements(
    out._backend,
    kernel,
    x.size,
    [
      [x._ptr, 4],
      [out._ptr, 4],
    ],
    params,
  );
  return out;
}

/**
 * g * f'(saved), for backward rules that read g once. Rules run only inside
 * backward(), which disposes g right after: where that walk holds the only
 * handle on g's storage, the result is written over g (the kernels are
 * element-wise), which keeps one activation-sized block fewer alive at the
 * peak of a convolutional network's backward pass.
 */
export function gradOf(kernel: KernelName, g: Tensor, saved: Tensor | Block, params: readonly number[] = []): Tensor {
  const mine = !g._shared;
  const out = mine ? g._share() : Tensor._empty(g.shape.slice());
  if (mine) out._written();
  // a Block is relu's byte mask, a byte per element; a saved tensor a float
  const s: [number, number] = saved instanceof Block ? [saved.ptr, 1] : [saved._ptr, 4];
  overElements(out._backend, kernel, g.size, [[g._ptr, 4], s, [out._ptr, 4]], params);
  return out;
}

export function neg(x: Tensor): Tensor {
  return traced("neg", [x], {}, () => {
    checkTensor("neg", x);
    const out = Tensor._empty(x.shape.slice());
    out._k.affine(x._ptr, out._ptr, x.size, -1, -0); // + -0 keeps neg(0) = -0
    if (needsGrad(x)) record(out, "neg", [x], [], (g) => [neg(g)]);
    return out;
  });
}

// d exp(x) = g * exp(x)
export function exp(x: Tensor): Tensor {
  return traced("exp", [x], {}, () => {
    checkTensor("exp", x);
    const out = apply("exp", x);
    if (needsGrad(x)) record(out, "exp", [x], [out], (g, [y]) => [gradOf("mul", g, y)]);
    return out;
  });
}

// d log(x) = g / x
export function log(x: Tensor): Tensor {
  return traced("log", [x], {}, () => {
    checkTensor("log", x);
    const out = apply("log", x);
    if (needsGrad(x)) {
      record(out, "log", [x], [x], (g, [xs]) => {
        const r = Tensor._empty(g.shape.slice());
        r._k.div(g._ptr, xs._ptr, r._ptr, g.size);
        return [r];
      });
    }
    return out;
  });
}

// d sqrt(x) = g / (2 sqrt(x))
export function sqrt(x: Tensor): Tensor {
  return traced("sqrt", [x], {}, () => {
    checkTensor("sqrt", x);
    const out = apply("sqrt", x);
    if (needsGrad(x)) record(out, "sqrt", [x], [out], (g, [y]) => [gradOf("sqrtBackward", g, y)]);
    return out;
  });
}

// d x^p = g * p * x^(p-1)
export function powScalar(x: Tensor, p: number): Tensor {
  checkTensor("pow", x);
  if (!Number.isFinite(p)) throw new TypeError(`pow: exponent must be a finite number, got ${p}`);
  const out = Tensor._empty(x.shape.slice());
  out._k.powScalar(x._ptr, out._ptr, x.size, p);
  if (needsGrad(x)) {
    record(out, "pow", [x], [x], (g, [xs]) => {
      const r = Tensor._empty(g.shape.slice());
      r._k.powScalarBackward(g._ptr, xs._ptr, r._ptr, g.size, p);
      return [r];
    });
  }
  return out;
}

// d relu(x) = g where relu(x) > 0. What backward needs of the output is one
// bit per element: it saves a byte mask (a quarter of the output's memory,
// which in a CNN is the largest block alive through the backward pass).
export function relu(x: Tensor): Tensor {
  return traced("relu", [x], {}, () => {
    checkTensor("relu", x);
    if (!needsGrad(x)) return apply("relu", x);
    const out = Tensor._empty(x.shape.slice());
    const mask = Block.alloc(x.size); // one byte per element
    overElements(out._backend, "reluMask", x.size, [
      [x._ptr, 4],
      [out._ptr, 4],
      [mask.ptr, 1],
    ]);
    return record(out, "relu", [x], [], (g) => [gradOf("reluBackwardMask", g, mask)], [mask]);
  });
}

// d sigmoid(x) = g * y (1 - y)
export function sigmoid(x: Tensor): Tensor {
  return traced("sigmoid", [x], {}, () => {
    checkTensor("sigmoid", x);
    const out = apply("sigmoid", x);
    if (needsGrad(x)) record(out, "sigmoid", [x], [out], (g, [y]) => [gradOf("sigmoidBackward", g, y)]);
    return out;
  });
}

// d tanh(x) = g * (1 - y^2)
export function tanh(x: Tensor): Tensor {
  return traced("tanh", [x], {}, () => {
    checkTensor("tanh", x);
    const out = apply("tanh", x);
    if (needsGrad(x)) record(out, "tanh", [x], [out], (g, [y]) => [gradOf("tanhBackward", g, y)]);
    return out;
  });
}
