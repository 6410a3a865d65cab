// Exports the reference models at opsets 13, 17 and 20 with their outputs on
// a random input, for scripts/onnx-crosscheck.py to check with ONNX's own
// checker and the native ONNX Runtime (neither is an npm package: run it
// where Python's onnx and onnxruntime are installed).
//   node --import tsx scripts/onnx-crosscheck.ts DIR && python3 scripts/onnx-crosscheck.py DIR
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { init, io, manualSeed, noGrad, randn, referenceModel, tidy, ALL_MODEL_NAMES, takesImages } from "../src/index.js";

const dir = process.argv[2] ?? "onnx-crosscheck";
mkdirSync(dir, { recursive: true });
await init();
manualSeed(1);
const cases: Record<string, { input: number[]; shape: number[]; output: number[] }> = {};
for (const name of ALL_MODEL_NAMES) {
  const model = referenceModel(name);
  model.eval();
  const x = randn(takesImages(name) ? [4, 1, 28, 28] : [4, 784]);
  const output = Array.from(noGrad(() => tidy(() => model.forward(x).data())));
  for (const opset of [13, 17, 20]) {
    const file = `${name}-opset${opset}.onnx`;
    writeFileSync(join(dir, file), io.toOnnx(model, randn([1, ...x.shape.slice(1)]), { opset, metadata: { model: name } }));
    cases[file] = { input: Array.from(x.data()), shape: x.shape, output };
  }
}
writeFileSync(join(dir, "cases.json"), JSON.stringify(cases));
console.log(`wrote ${Object.keys(cases).length} models to ${dir}`);
