// The io namespace.
export { saveSafetensors, loadSafetensors } from "./safetensors.js";
