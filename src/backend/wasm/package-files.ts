// The package's own .wasm files, located from this module's URL. One literal
// `new URL("...", import.meta.url)` per build: the pattern Vite and webpack 5
// (tested) and Parcel recognise, so a bundle gets the files copied and these
// URLs rewritten with no configuration. src/backend/wasm/ and
// dist/backend/wasm/ both sit three levels below the package root.
import type { WasmFile } from "./features.js";
import { setDefaultWasmSource } from "./loader.js";

export function packageFile(file: WasmFile): URL {
  switch (file) {
    case "relaxed-simd-threads":
      return new URL("../../../build/wasmgrad-relaxed-simd-threads.wasm", import.meta.url);
    case "simd-threads":
      return new URL("../../../build/wasmgrad-simd-threads.wasm", import.meta.url);
    case "relaxed-simd":
      return new URL("../../../build/wasmgrad-relaxed-simd.wasm", import.meta.url);
    case "simd":
      return new URL("../../../build/wasmgrad-simd.wasm", import.meta.url);
    default:
      return new URL("../../../build/wasmgrad-scalar.wasm", import.meta.url);
  }
}

setDefaultWasmSource(packageFile);
