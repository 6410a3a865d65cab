// Modules beyond parameters: buffers (registerBuffer, in stateDict under
// PyTorch's names and order, saved and loaded, never trained), BatchNorm's
// running statistics as PyTorch keeps them, a PyTorch-trained BatchNorm model
// loaded from its safetensors (num_batches_tracked as I64) giving PyTorch's
// eval output, summary() with the lecture's formulas, and a model printed as
// PyTorch prints it.
import { beforeAll, describe, expect, it } from "vitest";
import * as wg from "../src/index.js";
import { nn, optim, tensor, type Tensor } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { expectClose } from "./helpers/gradcheck.js";
import bnModel from "./fixtures/torch/bn-model.json" with { type: "json" };

/** A user's module with a parameter, a buffer and a child. */
class Scaler extends nn.Module {
  readonly scale: Tensor;
  readonly calls: Tensor;
  readonly inner = this.registerModule("inner", new nn.Linear(3, 2));
  constructor() {
    super();
    this.scale = this.registerParameter("scale", wg.ones([2]));
    this.calls = this.registerBuffer("calls", wg.zeros([]));
  }
  forward(x: Tensor): Tensor {
    this.calls._view()[0] += 1;
    return this.inner.forward(x).mul(this.scale);
  }
}

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

describe.each(BACKENDS)("modules on $name", (backend) => {
  beforeAll(() => use(backend));

  it("registerBuffer: in stateDict (PyTorch's order), saved and loaded, but not a parameter", () => {
    const m = new Scaler();
    expect(Object.keys(m.stateDict())).toEqual(["scale", "calls", "inner.weight", "inner.bias"]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(["scale", "inner.weight", "inner.bias"]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["calls"]);
    expect(m.calls.requiresGrad).toBe(false);
    m.forward(wg.randn([4, 3]));
    m.forward(wg.randn([4, 3]));
    const bytes = wg.io.saveSafetensors(m.stateDict());
    const n = new Scaler();
    n.loadStateDict(wg.io.loadSafetensors(bytes));
    expect(n.calls.item()).toBe(2);
    expect(Array.from(n.inner.weight.data())).toEqual(Array.from(m.inner.weight.data()));
    expect(() => n.loadStateDict({ scale: wg.ones([2]) })).toThrow(/loadStateDict: missing calls, inner.weight, inner.bias/);
  });

  it("refuses a name taken twice or with a dot", () => {
    class Twice extends nn.Module {
      constructor() {
        super();
        this.registerParameter("w", wg.zeros([1]));
        this.registerBuffer("w", wg.zeros([1]));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Twice()).toThrow(/registerBuffer: 'w' is already registered on this module/);
    class Dotted extends nn.Module {
      constructor() {
        super();
        this.registerBuffer("a.b", wg.zeros([1]));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Dotted()).toThrow(/registerBuffer: name must be a non-empty string without '.'/);
  });

  it("BatchNorm2d: batch statistics in training moving the running ones (momentum 0.1, unbiased), running ones in eval", () => {
    wg.manualSeed(5);
    const bn = new nn.BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    const x = wg.randn([4, 3, 5, 5]).mul(2).add(1);
    const y = bn.forward(x);
    // every channel of the output has mean 0 and (biased) variance 1
    for (const c of [0, 1, 2]) {
      const ch = y.narrow(1, c, 1);
      expect(Math.abs(ch.mean().item())).toBeLessThan(1e-5);
      expect(ch.var(undefined, false, 0).item()).toBeCloseTo(1, 3);
    }
    const n = 4 * 25;
    const mean = x.mean(0).mean(-1).mean(-1).data(); // [3] by three reductions
    const unbiased = [0, 1, 2].map((c) => x.narrow(1, c, 1).var().item());
    expectClose(
      bn.runningMean!.data(),
      mean.map((m) => 0.1 * m),
      1e-4,
      1e-5,
      "running mean",
    );
    expectClose(
      bn.runningVar!.data(),
      Float32Array.from(unbiased, (v) => 0.9 + 0.1 * v),
      1e-4,
      1e-5,
      "running var",
    );
    expect(unbiased[0]).toBeCloseTo((x.narrow(1, 0, 1).var(undefined, false, 0).item() * n) / (n - 1), 4);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.eval();
    const z = bn.forward(x);
    expect(bn.numBatchesTracked!.item()).toBe(1); // eval counts nothing
    const rm = bn.runningMean!.data(),
      rv = bn.runningVar!.data();
    const xs = x.data(),
      zs = z.data();
    for (const i of [0, 30, 60, 99]) {
      const c = Math.floor(i / 25) % 3;
      expect(zs[i]).toBeCloseTo((xs[i] - rm[c]) / Math.sqrt(rv[c] + 1e-5), 4);
    }
    // momentum null: the running statistics are the plain average of the batches seen
    const avg = new nn.BatchNorm1d(2, { momentum: null });
    const a = tensor([
      [1, 2],
      [3, 6],
    ]);
    const b = tensor([
      [5, 0],
      [7, 0],
    ]);
    avg.forward(a);
    avg.forward(b);
    expect(Array.from(avg.runningMean!.data())).toEqual([4, 2]);
    expect(() => avg.forward(tensor([[1, 2]]))).toThrow(
      /batchNorm: expected more than 1 value per channel when training, got input \[1,2\]/,
    );
    expect(() => avg.forward(wg.zeros([2, 3]))).toThrow(/BatchNorm1d: input must be \[N, C\] or \[N, C, L\] with C = 2, got \[2,3\]/);
  });

  it("loads a PyTorch-trained BatchNorm model from PyTorch's safetensors (I64 num_batches_tracked) and gives PyTorch's eval output", () => {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(36, 8),
      new nn.BatchNorm1d(8),
      new nn.ReLU(),
      new nn.Linear(8, 3),
    );
    expect(Object.keys(model.stateDict())).toEqual(bnModel.keys);
    const state = wg.io.loadSafetensors(fromBase64(bnModel.safetensors));
    expect(state["1.num_batches_tracked"].item()).toBe(5);
    model.loadStateDict(state);
    model.eval();
    const x = tensor(bnModel.input.data, { shape: bnModel.input.shape });
    const y = wg.noGrad(() => model.forward(x));
    expect(y.shape).toEqual(bnModel.output.shape);
    expectClose(y.data(), bnModel.output.data, 2e-4, 2e-4, "eval output");
  });

  it("summary(): each layer's output shape and parameters, with the lecture's formulas and the totals", () => {
    const mlp = new nn.Sequential(new nn.Linear(784, 1000), new nn.Tanh(), new nn.Linear(1000, 500), new nn.Tanh(), new nn.Linear(500, 10));
    const s = mlp.summary([1, 784]);
    expect(s).toMatch(/0 \(Linear\) +\[1,1000\] +\(784 \+ 1\) \* 1000 = 785,000/);
    expect(s).toMatch(/2 \(Linear\) +\[1,500\] +\(1000 \+ 1\) \* 500 = 500,500/);
    expect(s).toContain("Total parameters: 1,290,510");
    const cnn = new nn.Sequential(
      new nn.Conv2d(1, 32, 3, { padding: 1 }),
      new nn.BatchNorm2d(32),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(6272, 10),
    );
    const t = cnn.summary([2, 1, 28, 28]);
    expect(t).toMatch(/0 \(Conv2d\) +\[2,32,28,28\] +\(3\^2 \* 1 \+ 1\) \* 32 = 320/);
    expect(t).toMatch(/1 \(BatchNorm2d\) +\[2,32,28,28\] +2 \* 32 = 64/);
    expect(t).toMatch(/4 \(Flatten\) +\[2,6272\] +0/);
    expect(t).toContain("Total parameters: 63,114");
    expect(t).toContain("Buffer values (not trained): 65");
    expect(cnn.training).toBe(true); // summary ran in eval mode and put the mode back
    expect((cnn.layers[1] as nn.BatchNorm2d).numBatchesTracked!.item()).toBe(0);
    expect(Object.prototype.hasOwnProperty.call(cnn.layers[0], "forward")).toBe(false);
  });

  it("summary() of a single layer lists the layer itself", () => {
    const s = new nn.Linear(3, 4).summary([1, 3]);
    expect(s).toMatch(/\(model\) \(Linear\) +\[1,4\] +\(3 \+ 1\) \* 4 = 16/);
  });

  it("prints a tensor's values for console.log, as PyTorch, and its shape alone when large", () => {
    const inspect = (t: Tensor) => (t as unknown as Record<symbol, () => string>)[Symbol.for("nodejs.util.inspect.custom")].call(t);
    expect(
      inspect(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe("tensor([[1., 2.],\n        [3., 4.]])");
    expect(inspect(tensor([0.5, -2], { requiresGrad: true }))).toBe("tensor([0.5, -2.], requiresGrad=true)");
    expect(inspect(tensor(3))).toBe("tensor(3.)");
    expect(inspect(wg.zeros([2000]))).toBe("Tensor([2000])");
  });

  it("prints a model as PyTorch does (toString and Node's inspect)", () => {
    const m = new nn.Sequential(
      new nn.Conv2d(1, 8, 5, { stride: 2, padding: 2 }),
      new nn.GELU(),
      new nn.Flatten(),
      new nn.Linear(8 * 14 * 14, 10),
      new Scaler(),
    );
    const text = m.toString();
    expect(text).toBe(
      [
        "Sequential(",
        "  (0): Conv2d(1, 8, kernelSize=(5, 5), stride=(2, 2), padding=(2, 2))",
        "  (1): GELU(approximate='none')",
        "  (2): Flatten(startDim=1, endDim=-1)",
        "  (3): Linear(inFeatures=1568, outFeatures=10, bias=true)",
        "  (4): Scaler(",
        "    (inner): Linear(inFeatures=3, outFeatures=2, bias=true)",
        "  )",
        ")",
      ].join("\n"),
    );
    const inspect = (m as unknown as Record<symbol, () => string>)[Symbol.for("nodejs.util.inspect.custom")];
    expect(inspect.call(m)).toBe(text);
  });

  it("an optimizer never sees a buffer", () => {
    const bn = new nn.BatchNorm1d(3);
    const opt = new optim.SGD(bn.parameters(), { lr: 0.1 });
    expect(opt.params).toHaveLength(2);
    opt.dispose();
  });
});
