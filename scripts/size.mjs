// What a page downloads: the README example's imports and the whole API,
// bundled and minified by esbuild (ES modules, code splitting, so the js
// kernels that `init()` loads only for `backend: "js"` are a chunk of their
// own), gzipped; and each .wasm, raw and gzipped.
//   npm run size        (after npm run build)
import { build } from "esbuild";
import { readFileSync, mkdtempSync, writeFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const root = resolve(import.meta.dirname, "..");
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function measure(label, source) {
  const dir = mkdtempSync(join(tmpdir(), "wasmgrad-size-"));
  try {
    return await bundle(dir, label, source);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bundle(dir, label, source) {
  writeFileSync(join(dir, "entry.js"), source);
  await build({
    entryPoints: [join(dir, "entry.js")],
    bundle: true,
    minify: true,
    format: "esm",
    splitting: true,
    outdir: join(dir, "out"),
    alias: { wasmgrad: join(root, "dist", "index.js"), "wasmgrad/embedded": join(root, "dist", "embedded.js") },
    loader: { ".wasm": "file" },
    nodePaths: [join(root, "node_modules")],
    platform: "browser",
    logLevel: "error",
  });
  const files = readdirSync(join(dir, "out")).filter((f) => f.endsWith(".js"));
  const entry = readFileSync(join(dir, "out", "entry.js"));
  const chunks = files.filter((f) => f !== "entry.js").map((f) => readFileSync(join(dir, "out", f)));
  const all = Buffer.concat([entry, ...chunks]);
  return { label, entry: gz(entry), total: gz(all), raw: all.length, chunks: chunks.length };
}

const rows = [
  await measure(
    "the README example (`init, tensor, randn`)",
    `import { init, tensor, randn } from "wasmgrad"; await init(); console.log(tensor([[1]]).matmul(randn([1, 1])).item());`,
  ),
  await measure("the whole API (`import * as wg`)", `import * as wg from "wasmgrad"; globalThis.wg = wg;`),
  await measure(
    "the whole API from `wasmgrad/embedded` (the five builds inside)",
    `import * as wg from "wasmgrad/embedded"; globalThis.wg = wg;`,
  ),
];
// the peer, for scale: TensorFlow.js core with its Wasm backend (and the .wasm a SIMD browser loads)
const tfjs = await measure(
  "TensorFlow.js 4.22: tfjs-core + tfjs-backend-wasm",
  `import * as tf from "@tensorflow/tfjs-core"; import "@tensorflow/tfjs-backend-wasm"; globalThis.tf = tf;`,
);
const tfjsWasm = readFileSync(join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist", "tfjs-backend-wasm-simd.wasm"));
rows.push(tfjs);
console.log("| what | JS, gzipped, loaded by the page | with the js-kernel chunk | minified, uncompressed |");
console.log("| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.label} | ${kb(r.entry)} | ${kb(r.total)} | ${kb(r.raw)} |`);
console.log("\n| build | raw | gzipped |\n| --- | --- | --- |");
for (const b of ["relaxed-simd", "simd", "scalar", "relaxed-simd-threads", "simd-threads"]) {
  const bytes = readFileSync(join(root, "build", `wasmgrad-${b}.wasm`));
  console.log(`| wasmgrad-${b}.wasm | ${kb(bytes.length)} | ${kb(gz(bytes))} |`);
}
console.log(`| tfjs-backend-wasm-simd.wasm (the peer) | ${kb(tfjsWasm.length)} | ${kb(gz(tfjsWasm))} |`);
