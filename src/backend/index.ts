// init(): choose and start a backend.
import { Backend, setActiveBackend } from "./backend.js";
import { ArrayMemory } from "./heap.js";
import { loadWasm } from "./wasm/loader.js";
import { threadsUnavailable, type WasmBuild } from "./wasm/features.js";
import { ThreadPool } from "./threads/pool.js";
import { nodeBuiltin } from "../platform.js";

export { getBackend, getThreads, type BackendName } from "./backend.js";
export { supportedBuilds, type WasmBuild } from "./wasm/features.js";

export interface InitOptions {
  /** "wasm" (the default: the best build this runtime supports) or "js". */
  backend?: "wasm" | "js";
  /** Force one Wasm build (benchmarks compare them). */
  build?: WasmBuild;
  /** Where the .wasm files are served from, for pages that bundle the library. */
  wasmBase?: string | URL;
  /**
   * Threads to compute on (the SIMD builds; the caller is one of them).
   * Default: the cores the runtime reports where threads can run (Node, or
   * a Worker of a cross-origin-isolated page), else 1.
   */
  threads?: number;
}

/** The cores this runtime reports. */
export function cores(): number {
  const os = nodeBuiltin<typeof import("node:os")>("node:os");
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  return (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
}

/** The thread count to use: what was asked (refused with the reason where threads cannot run), or the default. */
function threadCount(options: InitOptions): number {
  const asked = options.threads;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1)) {
    throw new TypeError(`init: threads must be a positive integer, got ${String(asked)}`);
  }
  if (asked === 1) return 1;
  const why =
    options.backend === "js"
      ? "the js backend runs on one thread"
      : options.build === "scalar"
        ? "the scalar build has no threaded variant"
        : threadsUnavailable();
  if (why !== null) {
    if (asked !== undefined) throw new Error(`init: cannot run ${asked} threads: ${why}`);
    return 1;
  }
  return asked ?? cores();
}

/**
 * Starts a backend and makes it the active one. May be called again to
 * switch; tensors of the previous backend can no longer be used.
 */
export async function init(options: InitOptions = {}): Promise<void> {
  const kind = options.backend ?? "wasm";
  const threads = threadCount(options);
  if (kind === "js") {
    if (options.build !== undefined) throw new TypeError("init: `build` applies to the wasm backend only");
    const memory = new ArrayMemory(32);
    const views = { f32: new Float32Array(0), i32: new Int32Array(0), u8: new Uint8Array(0) };
    // loaded on demand, so a page that only uses Wasm does not download the js kernels
    const { createJsKernels } = await import("./js/index.js");
    const kernels = createJsKernels(views);
    const b = new Backend("js", kernels, memory, { bytes: 2 ** 32, by: "the js backend's buffer" });
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
  const loaded = await loadWasm({ build: options.build, wasmBase: options.wasmBase, threaded: threads > 1 });
  const backend = new Backend(`wasm-${loaded.build}`, loaded.kernels, loaded.memory, loaded.limit);
  if (loaded.threaded) {
    const base = backend.heap.alloc(ThreadPool.bytes(threads));
    const exports = loaded.kernels as unknown as Record<string, (...args: number[]) => unknown>;
    backend.attach(await ThreadPool.start(threads, loaded.module, loaded.memory, base, exports));
  }
  setActiveBackend(backend);
}
