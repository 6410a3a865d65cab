// init(): choose and start a backend.
import { Backend, setActiveBackend } from "./backend.js";
import { ArrayMemory } from "./heap.js";
import { loadWasm } from "./wasm/loader.js";
import type { WasmBuild } from "./wasm/features.js";

export { getBackend, type BackendName } from "./backend.js";
export { supportedBuilds, type WasmBuild } from "./wasm/features.js";

export interface InitOptions {
  /** "wasm" (the default: the best build this runtime supports) or "js". */
  backend?: "wasm" | "js";
  /** Force one Wasm build (benchmarks compare them). */
  build?: WasmBuild;
  /** Where the .wasm files are served from, for pages that bundle the library. */
  wasmBase?: string | URL;
}

/**
 * Starts a backend and makes it the active one. May be called again to
 * switch; tensors of the previous backend can no longer be used.
 */
export async function init(options: InitOptions = {}): Promise<void> {
  const kind = options.backend ?? "wasm";
  if (kind === "js") {
    if (options.build !== undefined) throw new TypeError("init: `build` applies to the wasm backend only");
    const memory = new ArrayMemory(32);
    const views = { f32: new Float32Array(0), i32: new Int32Array(0), u8: new Uint8Array(0) };
    // loaded on demand, so a page that only uses Wasm does not download the js kernels
    const { createJsKernels } = await import("./js/index.js");
    const kernels = createJsKernels(views);
    const b = new Backend("js", kernels, memory);
    const sync = () => {
      kernels.f32 = b.heap.f32;
      kernels.i32 = b.heap.i32;
      kernels.u8 = b.heap.u8;
    };
    b.heap.onGrow = sync;
    sync();
    setActiveBackend(b);
    return;
  }
  if (kind !== "wasm") throw new TypeError(`init: unknown backend '${String(kind)}' (expected 'wasm' or 'js')`);
  const { build, kernels, memory } = await loadWasm({ build: options.build, wasmBase: options.wasmBase });
  setActiveBackend(new Backend(`wasm-${build}`, kernels, memory));
}
