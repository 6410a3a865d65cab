// Networks that train: modules and their names, least squares by gradient
// descent with each stopping rule, XOR, dropout, and flat memory over 1,000
// CNN-M steps.
import { beforeAll, describe, expect, it } from "vitest";
import { fit, manualSeed, memory, nn, noGrad, optim, rand, randn, tensor, tidy, zeros, type Tensor } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";

const F = nn.functional;

class TwoLayer extends nn.Module {
  fc1: nn.Linear;
  fc2: nn.Linear;
  constructor() {
    super();
    this.fc1 = this.registerModule("fc1", new nn.Linear(2, 8));
    this.fc2 = this.registerModule("fc2", new nn.Linear(8, 1));
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.fc2.forward(this.fc1.forward(x).tanh()).sigmoid());
  }
}

describe.each(BACKENDS)("training on $name", (backend) => {
  beforeAll(() => use(backend));

  it("counts 795,010 parameters in 784-1000-10", () => {
    const net = new nn.Sequential(new nn.Linear(784, 1000), new nn.ReLU(), new nn.Linear(1000, 10));
    expect(net.numParameters()).toBe(795_010);
    for (const p of net.parameters()) p.dispose();
  });

  it("names parameters as PyTorch's state_dict", () => {
    const net = new TwoLayer();
    expect(net.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([
      ["fc1.weight", [8, 2]],
      ["fc1.bias", [8]],
      ["fc2.weight", [1, 8]],
      ["fc2.bias", [1]],
    ]);
    expect(Object.keys(net.stateDict())).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
  });

  it("loads a state dict by name with shape checks", () => {
    manualSeed(1);
    const a = new TwoLayer(),
      b = new TwoLayer();
    const x = randn([5, 2]);
    b.loadStateDict(a.stateDict());
    expect(b.forward(x).data()).toEqual(a.forward(x).data());
    b.loadStateDict(new Map(Object.entries(a.stateDict())));
    const { ["fc2.bias"]: _, ...missing } = a.stateDict();
    expect(() => b.loadStateDict(missing)).toThrow("loadStateDict: missing fc2.bias");
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: zeros([1]) })).toThrow("loadStateDict: unexpected extra");
    expect(() => b.loadStateDict({ ...a.stateDict(), "fc1.bias": zeros([9]) })).toThrow(
      "loadStateDict: 'fc1.bias' has shape [9], the model expects [8]",
    );
  });

  describe("least squares by gradient descent", () => {
    // y = 3 x + 2 + noise: one feature and a bias, full-batch w_t = w_{t-1} - eta grad Q(w_{t-1})
    const n = 50;
    const setup = () => {
      manualSeed(7);
      const x = rand([n, 1]).mul(4).sub(2);
      const y = x
        .mul(3)
        .add(2)
        .add(randn([n, 1]).mul(0.3));
      const X = Array.from(x.data()),
        Y = Array.from(y.data());
      const mx = X.reduce((a, b) => a + b) / n,
        my = Y.reduce((a, b) => a + b) / n;
      const slope = X.reduce((s, v, i) => s + (v - mx) * (Y[i] - my), 0) / X.reduce((s, v) => s + (v - mx) ** 2, 0);
      const model = new nn.Linear(1, 1);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const options = {
        optimizer: opt,
        batches: () => [[x, y]] as [Tensor, Tensor][],
        loss: (m: nn.Module, [bx, by]: [Tensor, Tensor]) => F.mseLoss(m.forward(bx), by),
      };
      return { x, y, model, options, slope, intercept: my - slope * mx };
    };

    it("converges to the least-squares solution", () => {
      const s = setup();
      const r = fit(s.model, { ...s.options, epochs: 400 });
      expect(r.stoppedBy).toBe("epochs");
      expect(s.model.weight.item()).toBeCloseTo(s.slope, 4);
      expect(s.model.bias!.item()).toBeCloseTo(s.intercept, 4);
      expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
    });

    it("stops when the step is small", () => {
      const s = setup();
      const r = fit(s.model, { ...s.options, epochs: 10_000, stepTolerance: 1e-5 });
      expect(r.stoppedBy).toBe("step");
      expect(r.epochs).toBeLessThan(10_000);
      expect(s.model.weight.item()).toBeCloseTo(s.slope, 3);
    });

    it("stops when the gradient is small", () => {
      const s = setup();
      const r = fit(s.model, { ...s.options, epochs: 10_000, gradTolerance: 1e-4 });
      expect(r.stoppedBy).toBe("gradient");
      expect(r.epochs).toBeLessThan(10_000);
      expect(s.model.weight.item()).toBeCloseTo(s.slope, 3);
    });

    it("stops when the validation loss stops improving, restoring the best weights", () => {
      const s = setup();
      const vx = tensor([[-1], [0], [1.5]]),
        vy = tensor([[-1.05], [2.1], [6.4]]);
      const seen: { w: number; val: number }[] = [];
      const r = fit(s.model, {
        ...s.options,
        epochs: 10_000,
        patience: 5,
        minDelta: 1e-7,
        validate: (m) => F.mseLoss(m.forward(vx), vy).item(),
        onEpoch: ({ valLoss }) => seen.push({ w: s.model.weight.item(), val: valLoss! }),
      });
      expect(r.stoppedBy).toBe("validation");
      expect(r.epochs).toBeLessThan(10_000);
      const best = seen[r.bestEpoch! - 1];
      const later = seen.slice(r.bestEpoch!);
      expect(later.length).toBe(5); // patience epochs without a better loss
      for (const e of later) expect(e.val).toBeGreaterThan(best.val - 1e-7);
      expect(s.model.weight.item()).toBe(best.w);
    });
  });

  it("learns XOR with a two-layer MLP", () => {
    manualSeed(3);
    const net = new TwoLayer();
    const x = tensor([
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]),
      y = tensor([[0], [1], [1], [0]]);
    const opt = new optim.Adam(net.parameters(), { lr: 0.05 });
    for (let i = 0; i < 400; i++) {
      tidy(() => {
        opt.zeroGrad();
        F.binaryCrossEntropy(net.forward(x), y).backward();
        opt.step();
      });
    }
    const p = noGrad(() => net.forward(x)).data();
    expect(Array.from(p, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(Math.max(Math.abs(p[0]), Math.abs(1 - p[1]), Math.abs(1 - p[2]), Math.abs(p[3]))).toBeLessThan(0.1);
  });

  it("drops out with probability p, seeded, and is the identity in eval mode", () => {
    const d = new nn.Dropout(0.25);
    const x = zeros([100, 100]).add(1);
    manualSeed(5);
    const a = d.forward(x).data();
    manualSeed(5);
    expect(d.forward(x).data()).toEqual(a);
    const zerosFrac = a.filter((v) => v === 0).length / a.length;
    expect(zerosFrac).toBeGreaterThan(0.23);
    expect(zerosFrac).toBeLessThan(0.27);
    expect(a.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    d.eval();
    expect(d.forward(x).data()).toEqual(x.data());
  });

  it("keeps memory flat over 1,000 CNN-M training steps on random data", () => {
    manualSeed(0);
    const cnnM = new nn.Sequential(
      new nn.Conv2d(1, 32, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(32, 64, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(3136, 128),
      new nn.ReLU(),
      new nn.Linear(128, 10),
    );
    const opt = new optim.SGD(cnnM.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = randn([1, 1, 28, 28]);
    const step = (i: number) =>
      tidy(() => {
        opt.zeroGrad();
        F.crossEntropy(cnnM.forward(x), [i % 10]).backward();
        opt.step();
      });
    const steps = backend.name === "js" || backend.name === "wasm-relaxed-simd" ? 1000 : 100;
    for (let i = 0; i < 5; i++) step(i);
    const warm = memory();
    for (let i = 0; i < steps; i++) step(i);
    expect(memory()).toEqual(warm);
  });
});
