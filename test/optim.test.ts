// Optimizers against hand-computed updates (float64 formulas), schedulers,
// and zeroGrad.
import { beforeAll, describe, expect, it } from "vitest";
import { optim, tensor, tidy, type Tensor } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";

/** Steps `opt` with gradient grads[t] (loss = sum(p * g)); returns p after each step. */
function run(p: Tensor, opt: optim.Optimizer, grads: number[][]): number[][] {
  return grads.map((g) => {
    tidy(() => {
      opt.zeroGrad();
      p.mul(tensor(g)).sum().backward();
      opt.step();
    });
    return Array.from(p.data());
  });
}

function expectSteps(actual: number[][], expected: number[][]): void {
  actual.forEach((row, t) => row.forEach((v, i) => expect(v, `step ${t + 1}, element ${i}`).toBeCloseTo(expected[t][i], 5)));
}

const P0 = [1, -2, 0.5];
const G = [
  [0.5, -1, 2],
  [0.1, 0.3, -0.4],
  [-0.2, 0.2, 1],
  [1, 1, 1],
];

/** PyTorch's update rules, step by step, in float64. */
const reference = {
  sgd(lr: number, momentum: number, wd: number, nesterov: boolean, dampening = 0): number[][] {
    const p = P0.slice(),
      buf = [0, 0, 0];
    return G.map((g, t) =>
      p.map((_, i) => {
        let d = g[i] + wd * p[i];
        if (momentum) {
          buf[i] = t === 0 ? d : momentum * buf[i] + (1 - dampening) * d;
          d = nesterov ? d + momentum * buf[i] : buf[i];
        }
        return (p[i] -= lr * d);
      }),
    );
  },
  adam(lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): number[][] {
    const p = P0.slice(),
      m = [0, 0, 0],
      v = [0, 0, 0];
    return G.map((g, t) =>
      p.map((_, i) => {
        let d = g[i];
        if (decoupled) p[i] *= 1 - lr * wd;
        else d += wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * d;
        v[i] = b2 * v[i] + (1 - b2) * d * d;
        const mh = m[i] / (1 - b1 ** (t + 1)),
          vh = v[i] / (1 - b2 ** (t + 1));
        return (p[i] -= (lr * mh) / (Math.sqrt(vh) + eps));
      }),
    );
  },
  rmsprop(lr: number, alpha: number, eps: number, momentum: number): number[][] {
    const p = P0.slice(),
      sq = [0, 0, 0],
      buf = [0, 0, 0];
    return G.map((g) =>
      p.map((_, i) => {
        sq[i] = alpha * sq[i] + (1 - alpha) * g[i] * g[i];
        let d = g[i] / (Math.sqrt(sq[i]) + eps);
        if (momentum) d = buf[i] = momentum * buf[i] + d;
        return (p[i] -= lr * d);
      }),
    );
  },
};

describe.each(BACKENDS)("optimizers on $name", (backend) => {
  beforeAll(() => use(backend));
  const param = () => tensor(P0, { requiresGrad: true });

  it("plain SGD: p -= lr g", () => {
    const p = param();
    expectSteps(run(p, new optim.SGD([p], { lr: 0.1 }), G), reference.sgd(0.1, 0, 0, false));
  });

  it("SGD with momentum: the buffer starts as the first gradient", () => {
    const p = param();
    const steps = run(p, new optim.SGD([p], { lr: 0.1, momentum: 0.9 }), G);
    // by hand, element 0: 1 - 0.1*0.5 = 0.95; buf 0.9*0.5 + 0.1 = 0.55 -> 0.95 - 0.055 = 0.895
    expect(steps[0][0]).toBeCloseTo(0.95, 6);
    expect(steps[1][0]).toBeCloseTo(0.895, 6);
    expectSteps(steps, reference.sgd(0.1, 0.9, 0, false));
  });

  it("SGD with Nesterov momentum and weight decay", () => {
    const p = param();
    expectSteps(
      run(p, new optim.SGD([p], { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }), G),
      reference.sgd(0.05, 0.9, 0.01, true),
    );
    const q = param();
    expectSteps(run(q, new optim.SGD([q], { lr: 0.05, momentum: 0.5, dampening: 0.3 }), G), reference.sgd(0.05, 0.5, 0, false, 0.3));
  });

  it("Adam with bias correction: the first step moves each weight by about lr", () => {
    const p = param();
    const steps = run(p, new optim.Adam([p], { lr: 0.01 }), G);
    expect(steps[0][0]).toBeCloseTo(1 - 0.01, 6);
    expect(steps[0][1]).toBeCloseTo(-2 + 0.01, 6);
    expectSteps(steps, reference.adam(0.01, 0.9, 0.999, 1e-8, 0, false));
    const q = param();
    expectSteps(
      run(q, new optim.Adam([q], { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0.1 }), G),
      reference.adam(0.02, 0.8, 0.99, 1e-8, 0.1, false),
    );
  });

  it("AdamW decouples weight decay", () => {
    const p = param();
    expectSteps(run(p, new optim.AdamW([p], { lr: 0.01, weightDecay: 0.1 }), G), reference.adam(0.01, 0.9, 0.999, 1e-8, 0.1, true));
  });

  it("RMSprop, with and without momentum", () => {
    const p = param();
    expectSteps(run(p, new optim.RMSprop([p], { lr: 0.01 }), G), reference.rmsprop(0.01, 0.99, 1e-8, 0));
    const q = param();
    expectSteps(run(q, new optim.RMSprop([q], { lr: 0.01, alpha: 0.9, momentum: 0.5 }), G), reference.rmsprop(0.01, 0.9, 1e-8, 0.5));
  });

  it("zeroGrad clears gradients and step skips parameters without one", () => {
    const p = param(),
      q = tensor([5], { requiresGrad: true });
    const opt = new optim.SGD([p, q], { lr: 1 });
    p.sum().backward();
    opt.step();
    expect(q.toArray()).toEqual([5]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it("schedules the learning rate", () => {
    const p = param();
    const mk = () => new optim.SGD([p], { lr: 0.1 });
    const lrs = (s: optim.LRScheduler, n: number) => Array.from({ length: n }, () => (s.step(), s.getLastLr()));
    const step = lrs(new optim.StepLR(mk(), 2, 0.5), 5);
    [0.1, 0.05, 0.05, 0.025, 0.025].forEach((v, i) => expect(step[i]).toBeCloseTo(v, 12));
    const exp = lrs(new optim.ExponentialLR(mk(), 0.9), 3);
    [0.09, 0.081, 0.0729].forEach((v, i) => expect(exp[i]).toBeCloseTo(v, 12));
    const cos = lrs(new optim.CosineAnnealingLR(mk(), 4, 0.01), 4);
    [0.01 + (0.09 * (1 + Math.cos(Math.PI / 4))) / 2, 0.055, 0.01 + (0.09 * (1 + Math.cos((3 * Math.PI) / 4))) / 2, 0.01].forEach((v, i) =>
      expect(cos[i]).toBeCloseTo(v, 12),
    );
  });

  it("rejects bad hyperparameters", () => {
    const p = param();
    expect(() => new optim.SGD([p], { lr: -1 })).toThrow(TypeError);
    expect(() => new optim.SGD([p], { nesterov: true })).toThrow(/Nesterov/);
    expect(() => new optim.Adam([p], { betas: [1.5, 0.9] })).toThrow(TypeError);
    expect(() => new optim.SGD([])).toThrow(/empty parameter list/);
  });
});
