// `wasmgrad export`: saved weights as an ONNX model, for ONNX Runtime and the
// other serving runtimes. The reference model the file's metadata names is
// rebuilt, loaded and traced (io.toOnnx); its dataset and input scaling go
// into the ONNX file's metadata, where `wasmgrad eval --onnx` finds them.
import { readFileSync } from "node:fs";
import { init, io, zeros } from "../index.js";
import { referenceModel, takesImages, ALL_MODEL_NAMES } from "../models/reference.js";
import { checkWritable, writeFileAtomic } from "../node/files.js";
import { thousands } from "../format.js";
import { fail } from "./common.js";
import type { Args } from "./options.js";

export async function exportCommand(a: Args): Promise<void> {
  if (!a.weights) fail("export needs --weights FILE (written by train --save)");
  if (!a.onnx) fail("export needs --onnx FILE: the ONNX model to write");
  try {
    checkWritable(a.onnx);
  } catch (e) {
    fail(`--onnx ${a.onnx}: ${(e as Error).message}`);
  }
  let bytes: Uint8Array, meta: Record<string, string>;
  try {
    bytes = new Uint8Array(readFileSync(a.weights));
    meta = io.safetensorsMetadata(bytes);
  } catch (e) {
    fail(`cannot read ${a.weights}: ${(e as Error).message}`);
  }
  const name = ALL_MODEL_NAMES.find((m) => m === meta.model);
  if (!name) fail(`${a.weights} does not name one of ${ALL_MODEL_NAMES.join(", ")} in its metadata (files of wasmgrad train --save do)`);
  await init();
  const model = referenceModel(name);
  try {
    model.loadStateDict(io.loadSafetensors(bytes));
  } catch (e) {
    fail(`${a.weights} does not hold ${name} weights: ${(e as Error).message}`);
  }
  const example = zeros(takesImages(name) ? [1, 1, 28, 28] : [1, 784]);
  const metadata: Record<string, string> = { model: name, inputs: meta.inputs === "symmetric" ? "symmetric" : "standardized" };
  if (meta.dataset) metadata.dataset = meta.dataset;
  const onnx = io.toOnnx(model, example, { opset: a.opset, metadata });
  try {
    writeFileAtomic(a.onnx, onnx);
  } catch (e) {
    fail(`cannot write ${a.onnx}: ${(e as Error).message}`, 1);
  }
  const shape = example.shape.slice(1).join(", ");
  process.stdout.write(
    `wrote ${a.onnx}: ${name}, opset ${a.opset}, ${thousands(onnx.length)} bytes; input [batch, ${shape}], output [batch, 10]\n`,
  );
}
