import * as ort from "onnxruntime-web";
import { init, io, referenceModel, randn, noGrad, tidy, manualSeed, nn } from "../src/index.js";
ort.env.wasm.numThreads = 1;
await init({ threads: 1 });
manualSeed(1);
const bn = new nn.Sequential(new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.BatchNorm2d(8), new nn.Conv2d(8, 8, 5, { stride: 2, padding: 2 }), new nn.ReLU(), new nn.BatchNorm2d(8), new nn.Flatten(), new nn.Dropout(0.4), new nn.Linear(8 * 13 * 13, 10));
const models: [string, nn.Module][] = [...["mlp-s", "mlp-l", "lenet5", "cnn-m", "mlp-ciresan"].map((n) => [n, referenceModel(n as "mlp-s")] as [string, nn.Module]), ["bn-cnn", bn]];
for (const [name, m] of models) {
  const flat = name.startsWith("mlp");
  const x = randn(flat ? [3, 784] : [3, 1, 28, 28]);
  // BatchNorm with running statistics that are not 0 and 1
  if (name === "bn-cnn") { m.train(); noGrad(() => { for (let i = 0; i < 3; i++) tidy(() => void m.forward(randn([16, 1, 28, 28]).mul(2).add(0.5))); }); }
  m.eval();
  const ours = noGrad(() => tidy(() => m.forward(x).data()));
  for (const opset of [13, 17, 20]) {
    try {
      const bytes = io.toOnnx(m, x, { opset, metadata: { model: name } });
      const s = await ort.InferenceSession.create(bytes);
      for (const batch of [3, 5]) {
        const xb = batch === 3 ? x : randn(flat ? [5, 784] : [5, 1, 28, 28]);
        const want = batch === 3 ? ours : noGrad(() => tidy(() => m.forward(xb).data()));
        const r = await s.run({ input: new ort.Tensor("float32", xb.data(), xb.shape) });
        const got = r.output.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
        console.log(name, "opset", opset, "batch", batch, "bytes", bytes.length, "worst", worst.toExponential(2), got.length === want.length);
      }
    } catch (e) { console.log(name, opset, "ERROR", (e as Error).message.slice(0, 300)); }
  }
}
