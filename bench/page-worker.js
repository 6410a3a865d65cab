// A module Worker for bench/lib/browser.ts: runs a function's source on the
// built library (threads need a thread that may block, which a page's main
// thread is not) and posts back what it returns.
self.onmessage = async ({ data: { source, args } }) => {
  try {
    const lib = await import("../dist/index.js");
    // tsx names functions through a helper of its own (__name), which a worker lacks
    const run = new Function("__name", `return (${source})`)((f) => f);
    self.postMessage({ result: await run(lib, ...args) });
  } catch (e) {
    self.postMessage({ error: String(e?.stack ?? e) });
  }
};
