// Loads one Wasm build, in Node (read from the package's build/ folder) or in
// a browser (instantiateStreaming from a URL beside the module, or from
// init({ wasmBase })).
import type { Kernels } from "../kernels.js";
import { supportedBuilds, type WasmBuild } from "./features.js";

export interface LoadedWasm {
  build: WasmBuild;
  kernels: Kernels;
  memory: WebAssembly.Memory;
}

const INITIAL_PAGES = 32; // 2 MiB; the heap grows on demand
const MAXIMUM_PAGES = 65536; // 4 GiB, the wasm32 limit

const isNode = typeof process === "object" && typeof process.versions?.node === "string";

function buildUrl(build: WasmBuild, base?: string | URL): URL {
  const file = `wasmgrad-${build}.wasm`;
  if (base !== undefined) {
    const b = String(base);
    return new URL(b.endsWith("/") ? file : `${b}/${file}`, isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  }
  // src/backend/wasm/ and dist/backend/wasm/ both sit three levels below the package root.
  return new URL(`../../../build/${file}`, import.meta.url);
}

async function instantiate(url: URL, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  if (url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    const { fileURLToPath } = await import("node:url");
    const path = fileURLToPath(url);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch {
      throw new Error(`init: cannot read ${path}; run \`npm run build\` to compile the Wasm kernels`);
    }
    return WebAssembly.instantiate(await WebAssembly.compile(bytes), imports);
  }
  const response = fetch(url);
  if (typeof WebAssembly.instantiateStreaming === "function") {
    try {
      return (await WebAssembly.instantiateStreaming(response, imports)).instance;
    } catch (e) {
      // A server sending the wrong MIME type breaks streaming; bytes still work.
      if (!(e instanceof TypeError)) throw e;
    }
  }
  const r = await fetch(url);
  if (!r.ok) throw new Error(`init: cannot fetch ${url}: HTTP ${r.status}`);
  return (await WebAssembly.instantiate(await r.arrayBuffer(), imports)).instance;
}

/**
 * Instantiates the requested build, or the best one this runtime supports.
 * A build that fails to compile falls back to the next: never fail where a
 * lesser build would run.
 */
export async function loadWasm(options: { build?: WasmBuild; wasmBase?: string | URL } = {}): Promise<LoadedWasm> {
  const supported = supportedBuilds();
  if (supported.length === 0) throw new Error("init: this runtime has no WebAssembly; use init({ backend: 'js' })");
  let candidates = supported;
  if (options.build !== undefined) {
    if (!["relaxed-simd", "simd", "scalar"].includes(options.build)) {
      throw new TypeError(`init: unknown build '${options.build}' (expected 'relaxed-simd', 'simd' or 'scalar')`);
    }
    if (!supported.includes(options.build)) {
      const hint = options.build === "relaxed-simd" && isNode ? " (Node 20 needs --experimental-wasm-relaxed-simd)" : "";
      throw new Error(`init: this runtime does not support the '${options.build}' build${hint}; supported: ${supported.join(", ")}`);
    }
    candidates = [options.build];
  }
  let lastError: unknown;
  for (const build of candidates) {
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
    try {
      const instance = await instantiate(buildUrl(build, options.wasmBase), { env: { memory } });
      return { build, kernels: instance.exports as unknown as Kernels, memory };
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}
