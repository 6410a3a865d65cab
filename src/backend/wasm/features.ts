// Feature detection with tiny hand-assembled modules: WebAssembly.validate
// says whether this runtime accepts the instructions each build relies on.

export type WasmBuild = "relaxed-simd" | "simd" | "scalar";

// (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)
const SIMD = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

// (func (result v128) f32x4.relaxed_madd (f32x4.splat 0) (f32x4.splat 0) (f32x4.splat 0))
const RELAXED_SIMD = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 28, 1, 26, 0, 67, 0, 0, 0, 0, 253, 19, 67, 0, 0, 0, 0, 253, 19, 67,
  0, 0, 0, 0, 253, 19, 253, 133, 2, 11,
]);

/** The builds this runtime can run, best first. */
export function supportedBuilds(): WasmBuild[] {
  if (typeof WebAssembly !== "object") return [];
  const builds: WasmBuild[] = [];
  if (WebAssembly.validate(RELAXED_SIMD)) builds.push("relaxed-simd");
  if (WebAssembly.validate(SIMD)) builds.push("simd");
  builds.push("scalar");
  return builds;
}

/** The files the builds ship as: each build, and the SIMD builds again for threads. */
export type WasmFile = WasmBuild | "simd-threads" | "relaxed-simd-threads";

export function fileOf(build: WasmBuild, threaded: boolean): WasmFile {
  return threaded && build !== "scalar" ? `${build}-threads` : build;
}

/**
 * Why this thread cannot run the threaded builds, or null when it can: they
 * need SharedArrayBuffer (in a page, cross-origin isolation: COOP same-origin
 * and COEP require-corp), shared WebAssembly memory, and a thread allowed to
 * block in Atomics.wait (a Worker or Node; never a page's main thread).
 */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return isolated === false
      ? "this page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)"
      : "this runtime has no SharedArrayBuffer";
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return "this runtime has no shared WebAssembly memory";
  }
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return "this thread may not block (a page's main thread): run wasmgrad in a Worker to use threads";
  }
  return null;
}
