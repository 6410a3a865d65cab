// softmax and logSoftmax along one dim (max-shifted: no overflow), each with
// its backward.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { normDim } from "../shape.js";
import { checkTensor } from "./util.js";

type Kind = "softmax" | "logSoftmax";

function along(op: Kind, x: Tensor, dim: number): [number, number, number] {
  if (x.shape.length === 0) return [1, 1, 1];
  const d = normDim(op, dim, x.shape);
  let outer = 1,
    inner = 1;
  for (let i = 0; i < d; i++) outer *= x.shape[i];
  for (let i = d + 1; i < x.shape.length; i++) inner *= x.shape[i];
  return [outer, x.shape[d], inner];
}

function run(op: Kind, x: Tensor, dim: number): Tensor {
  checkTensor(op, x);
  const [outer, n, inner] = along(op, x, dim);
  const out = Tensor._empty(x.shape.slice());
  out._k[op](x._ptr, out._ptr, outer, n, inner);
  if (needsGrad(x)) {
    const grad = op === "softmax" ? "softmaxBackward" : "logSoftmaxBackward";
    record(out, op, [x], [out], (g, [y]) => {
      const r = Tensor._empty(x.shape.slice());
      r._k[grad](g._ptr, y._ptr, r._ptr, outer, n, inner);
      return [r];
    });
  }
  return out;
}

// dx = y * (g - sum(g * y))
export function softmax(x: Tensor, dim = -1): Tensor {
  return traced("softmax", [x], { dim }, () => {
    return run("softmax", x, dim);
  });
}

// dx = g - softmax(x) * sum(g)
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return traced("logSoftmax", [x], { dim }, () => {
    return run("logSoftmax", x, dim);
  });
}
