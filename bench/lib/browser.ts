// Runs a benchmark's function in headless Chromium: a module Worker of a
// cross-origin-isolated page on the repository's built dist/ (so the
// library's threads work there), given the library as its first argument.
import { join } from "node:path";
import { launchChromium, serve } from "../../test/helpers/chromium.js";

type Library = typeof import("../../src/index.js");

/** fn(lib, ...args) in Chromium; fn must refer to nothing outside itself (its source is what travels), args must be structured-cloneable. */
export async function runInChromium<A extends unknown[], R>(fn: (lib: Library, ...args: A) => Promise<R> | R, ...args: A): Promise<R> {
  const server = await serve(join(import.meta.dirname, "..", ".."), "application/wasm", true);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}bench/page-worker.js`);
    const reply = await page.evaluate(
      ({ source, args }) =>
        new Promise<{ result?: unknown; error?: string }>((resolve) => {
          const worker = new Worker("/bench/page-worker.js", { type: "module" });
          worker.onmessage = (e) => resolve(e.data);
          worker.onerror = (e) => resolve({ error: e.message });
          worker.postMessage({ source, args });
        }),
      { source: fn.toString(), args },
    );
    if (reply.error !== undefined) throw new Error(`in Chromium: ${reply.error}`);
    return reply.result as R;
  } finally {
    await browser.close();
    await server.close();
  }
}
