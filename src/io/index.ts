// The io namespace.
export { saveSafetensors, loadSafetensors, safetensorsMetadata } from "./safetensors.js";
export { saveCheckpoint, loadCheckpoint, type Checkpoint } from "./checkpoint.js";
export { fromOnnx, OnnxModule, OPSET_RANGE } from "./onnx/import.js";
export { toOnnx, type ToOnnxOptions } from "./onnx/export.js";
