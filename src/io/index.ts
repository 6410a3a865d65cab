// The io namespace.
export { saveSafetensors, loadSafetensors, safetensorsMetadata } from "./safetensors.js";
