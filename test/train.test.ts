// Networks that train: modules and their names, least squares by gradient
// descent with each stopping rule, XOR, dropout, and flat memory over 1,000
// CNN-M steps.
import { beforeAll, describe, expect, it } from "vitest";
import {
  data,
  fit,
  manualSeed,
  memory,
  nn,
  noGrad,
  optim,
  rand,
  randn,
  referenceModel,
  tensor,
  tidy,
  zeros,
  type BatchInfo,
  type EpochInfo,
  type Tensor,
} from "../src/index.js";
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
        data: [{ x, y }],
        loss: (out: Tensor, b: { y: Tensor }) => F.mseLoss(out, b.y),
      };
      return { x, y, model, options, slope, intercept: my - slope * mx };
    };

    it("converges to the least-squares solution", async () => {
      const s = setup();
      const r = await fit(s.model, { ...s.options, epochs: 400 });
      expect(r.stoppedBy).toBe("epochs");
      expect(s.model.weight.item()).toBeCloseTo(s.slope, 4);
      expect(s.model.bias!.item()).toBeCloseTo(s.intercept, 4);
      expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
    });

    it("stops when the step is small", async () => {
      const s = setup();
      const r = await fit(s.model, { ...s.options, epochs: 10_000, stepTolerance: 1e-5 });
      expect(r.stoppedBy).toBe("step");
      expect(r.epochs).toBeLessThan(10_000);
      expect(s.model.weight.item()).toBeCloseTo(s.slope, 3);
    });

    it("leaves memory as it found it, whichever rule stops it", async () => {
      const s = setup();
      const vx = tensor([[-1], [0], [1.5]]),
        vy = tensor([[-1.05], [2.1], [6.4]]);
      const before = memory();
      await fit(s.model, { ...s.options, epochs: 3 });
      await fit(s.model, { ...s.options, epochs: 10_000, stepTolerance: 1e-5 });
      await fit(s.model, { ...s.options, epochs: 10_000, gradTolerance: 1e-4 });
      await fit(s.model, { ...s.options, epochs: 50, patience: 2, validate: (m) => F.mseLoss(m.forward(vx), vy).item() });
      for (const p of s.model.parameters()) {
        p.grad?.dispose();
        p.grad = null;
      }
      expect(memory()).toEqual(before);
    });

    it("refuses an epoch with no batches, and says why a second one is empty", async () => {
      const s = setup();
      await expect(fit(s.model, { ...s.options, epochs: 2, data: [] })).rejects.toThrow(/fit: epoch 1 had no batches$/);
      const once = (function* () {
        yield { x: s.x, y: s.y };
      })();
      await expect(fit(s.model, { ...s.options, epochs: 2, data: once })).rejects.toThrow(
        /fit: epoch 2 had no batches \(an iterator or generator is used up/,
      );
      await expect(fit(s.model, { ...s.options, epochs: 1, accuracy: true })).rejects.toThrow(
        /counting correct predictions needs batch.y as class indices/,
      );
    });

    it("stops when the gradient is small", async () => {
      const s = setup();
      const r = await fit(s.model, { ...s.options, epochs: 10_000, gradTolerance: 1e-4 });
      expect(r.stoppedBy).toBe("gradient");
      expect(r.epochs).toBeLessThan(10_000);
      expect(s.model.weight.item()).toBeCloseTo(s.slope, 3);
    });

    it("stops when the validation loss stops improving, restoring the best weights", async () => {
      const s = setup();
      const vx = tensor([[-1], [0], [1.5]]),
        vy = tensor([[-1.05], [2.1], [6.4]]);
      const seen: { w: number; val: number }[] = [];
      const r = await fit(s.model, {
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

  describe("fit on classification batches", () => {
    /** 400 images whose class (0-9) is the pair of columns lit: learnable in one epoch. */
    const stripes = (count: number): data.ImageDataset => {
      const images = new Uint8Array(count * 784),
        labels = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        labels[i] = (i * 7) % 10;
        for (let r = 0; r < 28; r++) for (const c of [4 + 2 * labels[i], 5 + 2 * labels[i]]) images[i * 784 + r * 28 + c] = 200 + (i % 50);
      }
      return { images, labels, count, rows: 28, cols: 28 };
    };
    const setup = () => {
      manualSeed(11);
      const model = referenceModel("mlp-s");
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const train = new data.DataLoader(stripes(400), { batchSize: 32, flat: true });
      const test = new data.DataLoader(stripes(100), { batchSize: 50, flat: true, shuffle: false });
      return { model, optimizer, train, test };
    };

    it("is a loop of trainStep: the same losses as the step written by hand, running loss and accuracy, a test evaluation per epoch", async () => {
      const a = setup();
      const batches: BatchInfo[] = [],
        epochs: EpochInfo[] = [];
      const r = await fit(a.model, {
        optimizer: a.optimizer,
        epochs: 2,
        data: a.train,
        test: a.test,
        onBatch: (b) => batches.push(b),
        onEpoch: (e) => void epochs.push(e),
      });
      expect([r.stoppedBy, r.epochs, r.steps]).toEqual(["epochs", 2, 26]);
      expect(batches.map((b) => [b.epoch, b.batch, b.batches])).toEqual(
        [1, 2].flatMap((e) => Array.from({ length: 13 }, (_, i) => [e, i + 1, 13])),
      );
      expect(batches[12].seen).toBe(400);
      expect(epochs[0].loss).toBeCloseTo(batches[12].meanLoss, 12);
      expect(epochs[1].accuracy).toBeGreaterThan(0.9);
      expect(epochs[1].test!.count).toBe(100);
      expect(r.testAccuracies).toEqual(epochs.map((e) => e.test!.accuracy));
      expect(r.testAccuracies[1]).toBeGreaterThan(0.9);
      // the same two epochs written out by hand
      const b = setup();
      const losses: number[] = [];
      for (let e = 0; e < 2; e++) {
        for (const { x, y } of b.train) {
          losses.push(
            tidy(() => {
              b.optimizer.zeroGrad();
              const loss = F.crossEntropy(b.model.forward(x), y);
              loss.backward();
              b.optimizer.step();
              return loss.item();
            }),
          );
        }
      }
      expect(batches.map((x) => x.loss)).toEqual(losses);
      for (const t of [a, b]) for (const l of [t.train, t.test]) l.dispose();
    });

    it("stops after the current batch when its signal is aborted, and still reports that epoch", async () => {
      const s = setup();
      const stop = new AbortController();
      const epochs: EpochInfo[] = [];
      const r = await fit(s.model, {
        optimizer: s.optimizer,
        epochs: 5,
        data: s.train,
        test: s.test,
        signal: stop.signal,
        onBatch: (b) => b.batch === 3 && stop.abort(),
        onEpoch: (e) => void epochs.push(e),
      });
      expect([r.stoppedBy, r.epochs, r.steps]).toEqual(["signal", 1, 3]);
      expect(epochs.map((e) => e.epoch)).toEqual([1]);
      expect(epochs[0].test!.count).toBe(100);
      s.train.dispose();
      s.test.dispose();
    });

    it("stops at a loss that is not finite", async () => {
      const s = setup();
      let epochsSeen = 0;
      const r = await fit(s.model, {
        optimizer: s.optimizer,
        epochs: 3,
        data: s.train,
        loss: (out, b) => F.crossEntropy(out, b.y as Int32Array).mul(b.x.size > 0 ? NaN : 1),
        onEpoch: () => void epochsSeen++,
      });
      expect([r.stoppedBy, r.steps, epochsSeen]).toEqual(["nonfinite", 1, 0]);
      s.train.dispose();
      s.test.dispose();
    });

    it("steps the scheduler after every optimizer step (or epoch), and lets the event loop run", async () => {
      const s = setup();
      const lrs: number[] = [];
      let ticks = 0;
      const timer = setInterval(() => ticks++, 0);
      const r = await fit(s.model, {
        optimizer: s.optimizer,
        epochs: 2,
        data: s.train,
        scheduler: new optim.CosineAnnealingLR(s.optimizer, 2 * s.train.length),
        yieldEvery: 0,
        onBatch: (b) => lrs.push(b.lr),
      });
      clearInterval(timer);
      expect(r.steps).toBe(26);
      expect(lrs[lrs.length - 1]).toBeCloseTo(0, 12);
      expect(lrs.every((lr, i) => i === 0 || lr < lrs[i - 1])).toBe(true);
      expect(ticks).toBeGreaterThan(0);
      const e = setup();
      const perEpoch: number[] = [];
      await fit(e.model, {
        optimizer: e.optimizer,
        epochs: 3,
        data: e.train,
        scheduler: new optim.StepLR(e.optimizer, 1, 0.5),
        schedulerEvery: "epoch",
        onEpoch: () => void perEpoch.push(e.optimizer.lr),
      });
      expect(perEpoch).toEqual([0.025, 0.0125, 0.00625]);
      for (const t of [s, e]) for (const l of [t.train, t.test]) l.dispose();
    });

    it("refuses bad options with a clear message", async () => {
      const s = setup();
      await expect(fit(s.model, { optimizer: s.optimizer, epochs: 0, data: s.train })).rejects.toThrow(
        /fit: epochs must be a positive integer, got 0/,
      );
      await expect(fit(s.model, { optimizer: s.optimizer, epochs: 1, data: 5 as never })).rejects.toThrow(/fit: data must be an iterable/);
      await expect(fit(s.model, { optimizer: s.optimizer, epochs: 1, data: [{ x: s.test.dataset.images as never }] })).rejects.toThrow();
      await expect(fit(s.model, { optimizer: s.optimizer, epochs: 1, data: [{ x: zeros([2, 784]) }] })).rejects.toThrow(
        /trainStep: the default loss \(cross-entropy\) needs batch.y as class indices/,
      );
      s.train.dispose();
      s.test.dispose();
    });
  });

  it("trains on a TensorDataset of the user's own features and labels through the DataLoader and fit()", async () => {
    manualSeed(2);
    // three Gaussian blobs in 5 dims, labels by blob
    const N = 300;
    const labels = Int32Array.from({ length: N }, (_, i) => i % 3);
    const centers = randn([3, 5]).mul(3);
    const x = randn([N, 5]).add(centers.indexSelect(0, labels));
    const ds = new data.TensorDataset(x, labels);
    const loader = new data.DataLoader(ds, { batchSize: 32 });
    expect(loader.length).toBe(10);
    const seen = new Set<number>();
    for (const b of loader) {
      expect(b.x.shape[1]).toBe(5);
      // each batch row is the dataset row of its label's sample
      b.y.forEach((v) => seen.add(v));
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
    const model = new nn.Sequential(new nn.Linear(5, 16), new nn.ReLU(), new nn.Linear(16, 3));
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });
    const r = await fit(model, { optimizer, epochs: 5, data: loader, test: new data.DataLoader(ds, { batchSize: 100, shuffle: false }) });
    expect(r.testAccuracies.at(-1)).toBeGreaterThan(0.9);
    expect(() => new data.DataLoader(ds, { mean: 0.5, augment: true })).toThrow(/DataLoader: mean, augment apply to image datasets/);
    expect(() => new data.TensorDataset(x, [0, 1])).toThrow(/TensorDataset: 2 labels for 300 samples of x \[300,5\]/);
    expect(() => new data.TensorDataset(x, tensor([1, 2]))).toThrow(/TensorDataset: targets \[2\] must have one row per sample/);
    loader.dispose();
    optimizer.dispose();
  });

  it("a TensorDataset of target tensors: the batches carry the targets' rows, for a regression loss", async () => {
    manualSeed(3);
    const x = randn([64, 3]);
    const w = tensor([[1], [-2], [0.5]]);
    const y = x.matmul(w).add(0.25); // targets [64, 1]
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 16 });
    for (const b of loader) {
      // the gathered rows still satisfy y = x w + 0.25: rows of x and y travel together
      expect(Array.from(b.x.matmul(w).add(0.25).data()).map((v) => v.toFixed(4))).toEqual(Array.from(b.y.data()).map((v) => v.toFixed(4)));
    }
    const model = new nn.Linear(3, 1);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const r = await fit(model, { optimizer, epochs: 30, data: loader, loss: (out, b) => F.mseLoss(out, b.y) });
    expect(r.losses.at(-1)!).toBeLessThan(1e-4);
    loader.dispose();
  });

  it("fit() steps ReduceLROnPlateau with the validation loss", async () => {
    const p = zeros([1], { requiresGrad: true });
    const model = new (class extends nn.Module {
      constructor() {
        super();
        this.registerParameter("p", p);
      }
      forward(x: Tensor): Tensor {
        return x.mul(p);
      }
    })();
    const optimizer = new optim.SGD([p], { lr: 0.1 });
    const scheduler = new optim.ReduceLROnPlateau(optimizer, { patience: 1, factor: 0.5 });
    const batch = { x: tensor([[1]]), y: tensor([[0]]) };
    let epoch = 0;
    const flat = [3, 2, 2, 2, 2, 2]; // improves once, then stalls
    const lrs: number[] = [];
    await fit(model, {
      optimizer,
      epochs: 6,
      data: [batch],
      loss: (out, b) => F.mseLoss(out, b.y as Tensor),
      accuracy: false,
      scheduler,
      validate: () => flat[epoch++],
      onEpoch: () => void lrs.push(optimizer.lr),
    });
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
    await expect(fit(model, { optimizer, epochs: 1, data: [batch], scheduler })).rejects.toThrow(
      /fit: ReduceLROnPlateau needs a validate function/,
    );
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
