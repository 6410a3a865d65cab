// io.toOnnx: the reference models, a BatchNorm CNN and a small ViT export,
// and ONNX Runtime (onnxruntime-web, in Node) reproduces our outputs within
// 1e-5 x (1 + |value|) at the example's batch and another (the batch stays
// free), for opsets 13, 17 and 20; a trained model predicts the same class
// as ours on every test image; the file reads back with io.fromOnnx; ops
// without an ONNX form are refused by name.
import { beforeAll, describe, expect, it } from "vitest";
import * as ort from "onnxruntime-web";
import {
  cat,
  data,
  fit,
  init,
  io,
  manualSeed,
  maximum,
  nn,
  noGrad,
  optim,
  randn,
  referenceModel,
  tidy,
  where,
  type Tensor,
} from "../src/index.js";
import { decodeModel } from "../src/io/onnx/model.js";
import { datasetDir } from "./helpers/datasets.js";

ort.env.wasm.numThreads = 1;

/** A small SimpleViT as examples/simple-vit.mjs builds it: patches by reshape and permute, LayerNorm, attention, GELU, a mean over the tokens. */
class TinyViT extends nn.Module {
  readonly patchNorm = this.registerModule("patch_norm", new nn.LayerNorm(49));
  readonly embed = this.registerModule("embed", new nn.Linear(49, 16));
  readonly norm = this.registerModule("norm", new nn.LayerNorm(16));
  readonly qkv = this.registerModule("qkv", new nn.Linear(16, 48, { bias: false }));
  readonly ff = this.registerModule(
    "ff",
    new nn.Sequential(new nn.LayerNorm(16), new nn.Linear(16, 32), new nn.GELU(), new nn.Linear(32, 16)),
  );
  readonly head = this.registerModule("head", new nn.Linear(16, 10));

  forward(img: Tensor): Tensor {
    const b = img.shape[0];
    const patches = img.reshape([b, 1, 4, 7, 4, 7]).permute(0, 2, 4, 3, 5, 1).reshape([b, 16, 49]);
    let x = this.embed.forward(this.patchNorm.forward(patches));
    const [q, k, v] = this.qkv.forward(this.norm.forward(x)).chunk(3, -1);
    const attention = q.matmul(k.transpose(-1, -2)).mul(0.25).softmax(-1);
    x = attention.matmul(v).add(x);
    x = this.ff.forward(x).add(x);
    return this.head.forward(x.mean(1));
  }
}

/** The other ops the exporter writes: transposed and grouped convolution, average pooling with padding, pad, cat, narrow, split, more activations, comparisons, where, maximum, reductions. */
class OpZoo extends nn.Module {
  readonly conv = this.registerModule("conv", new nn.Conv2d(1, 4, 3, { stride: 2, padding: 1 }));
  readonly up = this.registerModule("up", new nn.ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }));
  readonly grouped = this.registerModule("grouped", new nn.Conv2d(4, 4, 3, { padding: 1, groups: 2 }));
  readonly fc = this.registerModule("fc", new nn.Linear(12, 10));

  forward(x: Tensor): Tensor {
    const F = nn.functional;
    const h = F.leakyRelu(this.conv.forward(x), 0.2); // [N, 4, 14, 14]
    const u = F.elu(this.up.forward(h)); // [N, 2, 28, 28]
    const p = F.avgPool2d(u.sigmoid(), 3, { stride: 1, padding: 1 });
    const q = F.pad(p.narrow(2, 1, 27).tanh(), [0, 0, 0, 1]);
    const g = this.grouped.forward(cat([p, q], 1));
    const v = F.globalAvgPool2d(g).flatten(1); // [N, 4]
    const [v1, v2] = v.split(2, 1);
    const w = maximum(v1.clamp(-0.5, 0.5), v2).mul(2).sub(v.abs().mean(1, true));
    const z = cat([w, F.silu(v), F.softplus(v, 2), where(v.gt(0), v, v.mul(0.1)).sum(1, true).expand(-1, 2)], 1);
    return F.logSoftmax(this.fc.forward(z), -1);
  }
}

function bnCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3),
    new nn.ReLU(),
    new nn.BatchNorm2d(8),
    new nn.Conv2d(8, 8, 5, { stride: 2, padding: 2 }),
    new nn.ReLU(),
    new nn.BatchNorm2d(8),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(0.4),
    new nn.Linear(8 * 6 * 6, 10),
  );
}

async function runOrt(bytes: Uint8Array, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor("float32", x.data(), x.shape) });
  return out.output.data as Float32Array;
}

function worst(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let w = 0;
  for (let i = 0; i < got.length; i++) w = Math.max(w, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return w;
}

const MODELS: [string, () => nn.Module, number[]][] = [
  ["mlp-s", () => referenceModel("mlp-s"), [784]],
  ["mlp-l", () => referenceModel("mlp-l"), [784]],
  ["lenet5", () => referenceModel("lenet5"), [1, 28, 28]],
  ["cnn-m", () => referenceModel("cnn-m"), [1, 28, 28]],
  ["mlp-ciresan", () => referenceModel("mlp-ciresan"), [784]],
  ["BatchNorm CNN", bnCnn, [1, 28, 28]],
  ["SimpleViT", () => new TinyViT(), [1, 28, 28]],
  ["op zoo", () => new OpZoo(), [1, 28, 28]],
];

describe("io.toOnnx", () => {
  beforeAll(() => init({ backend: "wasm" }));

  describe.each(MODELS)("%s", (_name, make, inputShape) => {
    it.each([13, 17, 20])("opset %i: ONNX Runtime gives our outputs at batch 3 and 5; fromOnnx reads it back", async (opset) => {
      manualSeed(opset);
      const model = make();
      // BatchNorm's running statistics away from 0 and 1, so eval mode is what is compared
      noGrad(() =>
        tidy(
          () =>
            void model.forward(
              randn([8, ...inputShape])
                .mul(2)
                .add(0.5),
            ),
        ),
      );
      model.eval();
      if (opset < 17 && model instanceof TinyViT) {
        expect(() => io.toOnnx(model, randn([3, ...inputShape]), { opset })).toThrow(
          /toOnnx: layerNorm is ONNX's LayerNormalization from opset 17/,
        );
        return;
      }
      const x = randn([3, ...inputShape]);
      const bytes = io.toOnnx(model, x, { opset, metadata: { model: _name } });
      const file = decodeModel(bytes);
      expect(file.opsetImports).toEqual([{ domain: "", version: opset }]);
      expect(file.metadata.get("model")).toBe(_name);
      expect(file.metadata.has("wasmgrad:batch")).toBe(false);
      expect(file.graph.inputs[0].shape).toEqual(["batch", ...inputShape]);
      // initializers under the state dict's names, every parameter and buffer the forward reads
      const names = new Set(file.graph.initializers.map((t) => t.name));
      for (const [name] of model.namedParameters()) expect(names).toContain(name);
      for (const x5 of [x, randn([5, ...inputShape])]) {
        const ours = noGrad(() => tidy(() => model.forward(x5).data()));
        expect(worst(await runOrt(bytes, x5), ours)).toBeLessThan(1e-5);
        const back = io.fromOnnx(bytes);
        back.eval();
        expect(
          worst(
            noGrad(() => tidy(() => back.forward(x5).data())),
            ours,
          ),
        ).toBeLessThan(1e-5);
        back.dispose();
      }
    });
  });

  it("a trained MLP predicts in ONNX Runtime the class it predicts here, on every test image", async () => {
    const dir = datasetDir("mnist");
    const mnist = await data.loadMnist(dir ? { dir, log: () => {} } : { download: false, log: () => {} });
    manualSeed(1);
    const model = referenceModel("mlp-s");
    const train = new data.DataLoader(data.subset(mnist.train, 5000), { batchSize: 64, flat: true });
    await fit(model, { optimizer: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }), epochs: 1, data: train });
    train.dispose();
    model.eval();
    const test = new data.DataLoader(mnist.test, { batchSize: 1000, flat: true, shuffle: false });
    const bytes = io.toOnnx(model, randn([2, 784]));
    let compared = 0,
      close = 0;
    for (const b of test) {
      const x = b.x.shape[0] === b.size ? b.x : b.x.narrow(0, 0, b.size);
      const ours = noGrad(() => tidy(() => model.forward(x).data()));
      const theirs = await runOrt(bytes, x);
      for (let i = 0; i < b.size; i++) {
        const row = ours.subarray(i * 10, i * 10 + 10),
          other = theirs.subarray(i * 10, i * 10 + 10);
        const sorted = [...row].sort((p, q) => q - p);
        if (sorted[0] - sorted[1] <= 1e-4) {
          close++;
          continue;
        }
        expect(other.indexOf(Math.max(...other))).toBe(row.indexOf(sorted[0]));
        compared++;
      }
    }
    test.dispose();
    expect(compared + close).toBe(mnist.test.count);
    expect(compared).toBeGreaterThan(mnist.test.count * 0.99);
  }, 120_000);

  it("writes a fixed batch where the forward mixes the batch into other dims, and says so", async () => {
    class Mixer extends nn.Module {
      readonly fc = this.registerModule("fc", new nn.Linear(12, 2));
      forward(x: Tensor): Tensor {
        return this.fc.forward(x.reshape([-1, 12])); // [4, 6] -> [2, 12]: pairs of rows
      }
    }
    const m = new Mixer();
    const x = randn([4, 6]);
    const bytes = io.toOnnx(m, x);
    const file = decodeModel(bytes);
    expect(file.metadata.get("wasmgrad:batch")).toMatch(/^fixed at 4: reshape to \[2, 12\] mixes the batch into other dims/);
    expect(file.graph.inputs[0].shape).toEqual([4, 6]);
    expect(
      worst(
        await runOrt(bytes, x),
        noGrad(() => tidy(() => m.forward(x).data())),
      ),
    ).toBeLessThan(1e-5);
  });

  it("refuses what has no ONNX form, by name, and bad arguments", () => {
    class Lossy extends nn.Module {
      forward(x: Tensor): Tensor {
        return nn.functional.crossEntropy(x, [0, 1]);
      }
    }
    class InPlace extends nn.Module {
      forward(x: Tensor): Tensor {
        const y = x.mul(2);
        y.add_(1);
        return y;
      }
    }
    expect(() => io.toOnnx(new Lossy(), randn([2, 3]))).toThrow(
      /toOnnx: crossEntropy is a loss: export the model, not its training objective/,
    );
    expect(() => io.toOnnx(new InPlace(), randn([2, 3]))).toThrow(/toOnnx: the forward pass modifies a tensor in place \(add_\)/);
    expect(() => io.toOnnx(referenceModel("mlp-s"), randn([2, 784]), { opset: 12 })).toThrow(/toOnnx: opset must be from 13 to 20, got 12/);
    expect(() => io.toOnnx({} as nn.Module, randn([2, 784]))).toThrow(/toOnnx: expected an nn.Module/);
  });
});
