// The demo's data: the MNIST-family files the library's own lookup finds
// (WASMGRAD_DATA, ~/.cache/wasmgrad, ...) plus the offline sample, as a
// manifest and the files it lists. The dev server answers /data/ from a table
// of exact URLs built from the manifest: a URL is a key, never a path, so
// nothing a request says reaches the file system, and every other URL (a
// prototype's property name, `..`, an encoded slash, a missing part) is a 404.
import { existsSync, readFile } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { data } from "wasmgrad"; // the package itself (Node resolves its own name from inside it)

export interface Entry {
  source: string;
  /** IDX file name → its path on disk. */
  files: Map<string, string>;
}

/** The four files in a folder, gzipped or not. */
function filesIn(dir: string): Map<string, string> | null {
  const found = new Map<string, string>();
  for (const f of data.FILES) {
    const path = [join(dir, `${f}.gz`), join(dir, f)].find(existsSync);
    if (!path) return null;
    found.set(f, path);
  }
  return found;
}

/** The datasets to offer: those the lookup finds (when `withFound`) and the sample in `sampleDir`. */
export async function entries(sampleDir: string, withFound: boolean): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  if (withFound) {
    for (const name of ["mnist", "fashion-mnist"] as const) {
      const dir = await data.findMnist({ name });
      const files = dir && filesIn(dir);
      if (files) out.set(name, { source: dir!, files });
    }
  }
  const sample = filesIn(sampleDir);
  if (sample) out.set("mnist-sample", { source: "the 10,000-digit offline sample shipped with wasmgrad", files: sample });
  return out;
}

/** A file's URL, relative to the page. */
export function urlOf(dataset: string, file: string, path: string): string {
  return `data/${dataset}/${file}${path.endsWith(".gz") ? ".gz" : ""}`;
}

/** Every file's URL and its path on disk. */
function fileUrls(all: Map<string, Entry>): Map<string, string> {
  const urls = new Map<string, string>();
  for (const [name, e] of all) for (const [f, path] of e.files) urls.set(urlOf(name, f, path), path);
  return urls;
}

/** The manifest the page reads: each dataset's source and the URLs of its four files. */
export function manifest(all: Map<string, Entry>): string {
  const datasets = Object.fromEntries(
    [...all].map(([name, e]) => [
      name,
      { source: e.source, urls: Object.fromEntries([...e.files].map(([f, path]) => [f, urlOf(name, f, path)])) },
    ]),
  );
  return JSON.stringify({ datasets }, null, 2);
}

/** Longer request targets than this get 414 (the manifest's are under 80 characters). */
const MAX_URL = 2048;

/**
 * The dev server's middleware for /data/: GET or HEAD of the manifest or of a
 * file it lists; 405, 414 or 404 for anything else. It never throws: a
 * failed read is a 500 for that request, not the end of the server.
 */
export function dataMiddleware(found: () => Promise<Map<string, Entry>>) {
  let table: Promise<{ manifest: string; files: Map<string, string> }> | null = null;
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const target = req.url ?? "";
    if (!target.startsWith("/data/") && target !== "/data") return next();
    const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return answer(405, "the demo's data is read-only\n", { Allow: "GET, HEAD" });
    if (target.length > MAX_URL) return answer(414, "URL too long\n");
    const key = target.split("?")[0].slice(1); // exactly as sent: no decoding, no normalising
    table ??= found().then((all) => ({ manifest: manifest(all), files: fileUrls(all) }));
    table.then(
      (t) => {
        if (key === "data/manifest.json") {
          res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(t.manifest) });
          return res.end(req.method === "HEAD" ? undefined : t.manifest);
        }
        const path = t.files.get(key);
        if (path === undefined) return answer(404, "no such data file\n");
        readFile(path, (err, bytes) => {
          if (err) return answer(500, `cannot read the data file: ${err.code ?? err.message}\n`);
          res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": bytes.length });
          res.end(req.method === "HEAD" ? undefined : bytes);
        });
      },
      (err: Error) => answer(500, `cannot list the datasets: ${err.message}\n`),
    );
  };
}
