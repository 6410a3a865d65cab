// The demo's dev server and static build. The page imports "wasmgrad", the
// package as built in ../dist (what `npm install wasmgrad` gives a user).
// Both send the cross-origin-isolation headers, so the training worker can
// run threads. Data (data-server.ts): the dev server serves the MNIST-family
// files the library's own lookup finds (WASMGRAD_DATA, ~/.cache/wasmgrad,
// ...); a static build carries only the 10k offline sample.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { dataMiddleware, entries, manifest, urlOf } from "./data-server.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const sampleDir = join(root, "sample", "mnist");
const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

function datasets(): Plugin {
  return {
    name: "wasmgrad-demo-data",
    configureServer(server) {
      server.middlewares.use(dataMiddleware(() => entries(sampleDir, true)));
    },
    async generateBundle() {
      const all = await entries(sampleDir, false);
      this.emitFile({ type: "asset", fileName: "data/manifest.json", source: manifest(all) });
      for (const [name, e] of all)
        for (const [f, path] of e.files) this.emitFile({ type: "asset", fileName: urlOf(name, f, path), source: readFileSync(path) });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  resolve: { alias: [{ find: /^wasmgrad$/, replacement: join(root, "dist", "index.js") }] },
  plugins: [datasets()],
  worker: { format: "es" },
  server: { headers: isolation },
  preview: { headers: isolation },
  // Vega (the bar charts) is a chunk of its own, loaded on demand: 800 KB
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 900 },
});
