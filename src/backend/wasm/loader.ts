// Loads one Wasm build from where the entry point said its bytes are: the
// package's .wasm files (by URL: fetched in a browser, read in Node), bytes
// embedded in the bundle (wasmgrad/embedded), or init({ wasmBase }), a folder
// holding the three files.
import type { Kernels } from "../kernels.js";
import { WASM32_LIMIT, type HeapLimit } from "../heap.js";
import { fileOf, supportedBuilds, type WasmBuild, type WasmFile } from "./features.js";
import { isNode, nodeBuiltin } from "../../platform.js";

export interface LoadedWasm {
  build: WasmBuild;
  kernels: Kernels;
  memory: WebAssembly.Memory;
  /** The compiled module, which the threads' workers instantiate again over the same shared memory. */
  module: WebAssembly.Module;
  threaded: boolean;
  /** The most the memory may grow to, as the heap's out-of-memory error tells it. */
  limit: HeapLimit;
}

/** Where each file's bytes come from: a URL, or the bytes themselves. */
export type WasmSource = (file: WasmFile) => URL | Uint8Array;

const INITIAL_PAGES = 32; // 2 MiB; the heap grows on demand
const MAXIMUM_PAGES = 65536; // 4 GiB, the wasm32 limit
const MAXIMUM_SHARED_PAGES = 32768; // what the threaded builds declare (scripts/build-wasm.mjs)
const SHARED_LIMIT: HeapLimit = {
  bytes: MAXIMUM_SHARED_PAGES * 65536,
  by: "the shared memory of the threaded builds",
  hint: "call init({ threads: 1 }) for a heap of up to 4 GiB on one thread",
};
const BUILDS: readonly WasmBuild[] = ["relaxed-simd", "simd", "scalar"];

let defaultSource: WasmSource | null = null;

/** Set by the entry point (index.ts: the package's files; embedded.ts: the bytes). */
export function setDefaultWasmSource(source: WasmSource): void {
  defaultSource = source;
}

/** The file of `build` in the folder `base` (string or URL, with or without the trailing slash). */
function inFolder(base: string | URL, build: WasmFile): URL {
  let dir: URL;
  if (base instanceof URL) dir = base;
  else if (typeof base !== "string") throw new TypeError(`init: wasmBase must be a string or a URL, got ${typeof base}`);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(base)) dir = new URL(base);
  else if (isNode) {
    const url = nodeBuiltin<typeof import("node:url")>("node:url")!;
    const path = nodeBuiltin<typeof import("node:path")>("node:path")!;
    dir = url.pathToFileURL(path.resolve(base));
  } else dir = new URL(base, globalThis.location?.href);
  const href = dir.href.endsWith("/") ? dir.href : `${dir.href}/`;
  return new URL(`wasmgrad-${build}.wasm`, href);
}

let warnedMime = false;

async function instantiate(
  source: URL | Uint8Array,
  imports: WebAssembly.Imports,
  hint: string,
): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  if (source instanceof Uint8Array) return WebAssembly.instantiate(source as Uint8Array<ArrayBuffer>, imports);
  if (source.protocol === "file:") {
    const fs = nodeBuiltin<typeof import("node:fs")>("node:fs");
    const url = nodeBuiltin<typeof import("node:url")>("node:url");
    if (!fs || !url) throw new Error(`init: cannot read ${source.href} outside Node${hint}`);
    const path = url.fileURLToPath(source);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await fs.promises.readFile(path));
    } catch (e) {
      throw new Error(`init: cannot read ${path}; in a checkout of wasmgrad, run \`npm run build\`${hint}`, { cause: e });
    }
    return WebAssembly.instantiate(bytes, imports);
  }
  const r = await fetch(source);
  if (!r.ok) throw new Error(`init: cannot fetch ${source.href}: HTTP ${r.status}${hint}`);
  const type = r.headers.get("content-type") ?? "";
  if (typeof WebAssembly.instantiateStreaming === "function" && /^application\/wasm\b/i.test(type)) {
    return WebAssembly.instantiateStreaming(r, imports);
  }
  if (!warnedMime && typeof WebAssembly.instantiateStreaming === "function") {
    warnedMime = true;
    console.warn(
      `wasmgrad: ${source.href} is served as '${type || "no content type"}', not application/wasm: compiling it after the download ` +
        "instead of while it streams (configure the server to send .wasm as application/wasm)",
    );
  }
  return WebAssembly.instantiate(await r.arrayBuffer(), imports);
}

/** The source of each build, or an error that says what to do when the entry point's source cannot work here. */
function sourceFor(build: WasmFile, wasmBase: string | URL | undefined): { source: URL | Uint8Array; hint: string } {
  if (wasmBase !== undefined) return { source: inFolder(wasmBase, build), hint: " (from init({ wasmBase }))" };
  if (defaultSource === null) throw new Error("init: no Wasm source: import the library from 'wasmgrad' or 'wasmgrad/embedded'");
  let source: URL | Uint8Array;
  try {
    source = defaultSource(build);
  } catch (e) {
    // an iife or CommonJS bundle leaves import.meta empty, and the package's file URLs cannot be made
    throw new Error(
      "init: this bundle cannot locate the .wasm files (it has no import.meta.url): pass init({ wasmBase: '<folder holding wasmgrad-*.wasm>' }), " +
        "or import from 'wasmgrad/embedded', which carries them",
      { cause: e },
    );
  }
  const hint =
    source instanceof URL && source.protocol !== "file:"
      ? "; a bundler that does not copy the package's .wasm files (esbuild does not) needs init({ wasmBase }) or 'wasmgrad/embedded'"
      : "";
  return { source, hint };
}

/**
 * Instantiates the requested build, or the best one this runtime supports.
 * A build that fails to load or compile falls back to the next: never fail
 * where a lesser build would run.
 */
export async function loadWasm(options: { build?: WasmBuild; wasmBase?: string | URL; threaded?: boolean } = {}): Promise<LoadedWasm> {
  const supported = supportedBuilds();
  if (supported.length === 0) throw new Error("init: this runtime has no WebAssembly; use init({ backend: 'js' })");
  let candidates = supported;
  if (options.build !== undefined) {
    if (!BUILDS.includes(options.build)) {
      throw new TypeError(`init: unknown build '${options.build}' (expected 'relaxed-simd', 'simd' or 'scalar')`);
    }
    if (!supported.includes(options.build)) {
      const hint = options.build === "relaxed-simd" && isNode ? " (Node 20 needs --experimental-wasm-relaxed-simd)" : "";
      throw new Error(`init: this runtime does not support the '${options.build}' build${hint}; supported: ${supported.join(", ")}`);
    }
    candidates = [options.build];
  }
  const errors: Error[] = [];
  for (const build of candidates) {
    const threaded = options.threaded === true && build !== "scalar";
    const memory = threaded
      ? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_SHARED_PAGES, shared: true })
      : new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
    try {
      const { source, hint } = sourceFor(fileOf(build, threaded), options.wasmBase);
      const { module, instance } = await instantiate(source, { env: { memory } }, hint);
      return {
        build,
        kernels: instance.exports as unknown as Kernels,
        memory,
        module,
        threaded,
        limit: threaded ? SHARED_LIMIT : WASM32_LIMIT,
      };
    } catch (e) {
      errors.push(e as Error);
    }
  }
  if (errors.length === 1) throw errors[0];
  throw new Error(`init: no Wasm build could be loaded:\n  ${errors.map((e, i) => `${candidates[i]}: ${e.message}`).join("\n  ")}`, {
    cause: errors[0],
  });
}
