// The builds carried inside the JavaScript (base64, written by
// scripts/build-wasm.mjs into builds.generated.ts), for setups where serving
// the .wasm files is awkward: an esbuild bundle, a CDN single file, a Worker
// built on its own. Costs more bytes than the files (see the README's size
// table); decoded on first use of each build.
import type { WasmFile } from "./features.js";
import { setDefaultWasmSource } from "./loader.js";
import { BUILDS_BASE64 } from "./builds.generated.js";

const decoded = new Map<WasmFile, Uint8Array>();

function bytes(build: WasmFile): Uint8Array {
  let b = decoded.get(build);
  if (b === undefined) {
    const text = atob(BUILDS_BASE64[build]);
    b = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
    decoded.set(build, b);
  }
  return b;
}

setDefaultWasmSource(bytes);
