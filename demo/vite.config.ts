// The demo's dev server and static build. The page imports "wasmgrad", the
// package as built in ../dist (what `npm install wasmgrad` gives a user).
// Both send the cross-origin-isolation headers, so the training worker can
// run threads. Data: the dev server serves the MNIST-family files the
// library's own lookup finds (WASMGRAD_DATA, ~/.cache/wasmgrad, ...); a
// static build carries only the 10k offline sample.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { data } from "wasmgrad"; // the package itself (Node resolves its own name from inside it)

const root = fileURLToPath(new URL("..", import.meta.url));
const sampleDir = join(root, "sample", "mnist");
const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

interface Entry {
  source: string;
  /** IDX file name → its path on disk, served at data/<dataset>/<file name>. */
  files: Record<string, string>;
}

/** The four files in a folder, gzipped or not. */
function filesIn(dir: string): Record<string, string> | null {
  const found: Record<string, string> = {};
  for (const f of data.FILES) {
    const path = [join(dir, `${f}.gz`), join(dir, f)].find(existsSync);
    if (!path) return null;
    found[f] = path;
  }
  return found;
}

async function entries(withFound: boolean): Promise<Record<string, Entry>> {
  const out: Record<string, Entry> = {};
  if (withFound) {
    for (const name of ["mnist", "fashion-mnist"] as const) {
      const dir = await data.findMnist({ name });
      const files = dir && filesIn(dir);
      if (files) out[name] = { source: dir!, files };
    }
  }
  const sample = filesIn(sampleDir);
  if (sample) out["mnist-sample"] = { source: "the 10,000-digit offline sample shipped with wasmgrad", files: sample };
  return out;
}

/** The manifest the page reads: each dataset's source and the URLs of its four files. */
function manifest(all: Record<string, Entry>): string {
  const datasets = Object.fromEntries(
    Object.entries(all).map(([name, e]) => [
      name,
      {
        source: e.source,
        urls: Object.fromEntries(Object.keys(e.files).map((f) => [f, `data/${name}/${f}${e.files[f].endsWith(".gz") ? ".gz" : ""}`])),
      },
    ]),
  );
  return JSON.stringify({ datasets }, null, 2);
}

function datasets(): Plugin {
  let found: Promise<Record<string, Entry>> | null = null;
  return {
    name: "wasmgrad-demo-data",
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const url = (req.url ?? "").split("?")[0];
        if (!url.startsWith("/data/")) return next();
        const all = await (found ??= entries(true));
        if (url === "/data/manifest.json") {
          res.setHeader("Content-Type", "application/json");
          return res.end(manifest(all));
        }
        const [, , name, file] = url.split("/");
        const path = all[name]?.files[file.replace(/\.gz$/, "")];
        if (!path) {
          res.statusCode = 404;
          return res.end(`no such data file: ${url}`);
        }
        res.setHeader("Content-Type", "application/octet-stream");
        res.end(readFileSync(path));
      });
    },
    async generateBundle() {
      const all = await entries(false);
      this.emitFile({ type: "asset", fileName: "data/manifest.json", source: manifest(all) });
      for (const [name, e] of Object.entries(all))
        for (const [f, path] of Object.entries(e.files))
          this.emitFile({ type: "asset", fileName: `data/${name}/${f}${path.endsWith(".gz") ? ".gz" : ""}`, source: readFileSync(path) });
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
