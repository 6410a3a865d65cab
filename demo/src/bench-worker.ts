// The Benchmark tab's Worker: where the suites can run threads (a page's
// main thread may not block, which the thread pool needs).
import { runSuites, type BenchRequest } from "./bench-run.js";

self.onmessage = async (e: MessageEvent<BenchRequest>) => {
  const post = (m: unknown) => (self as unknown as Worker).postMessage(m);
  try {
    const report = await runSuites(e.data, (line) => post({ type: "progress", line }));
    post({ type: "report", report });
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
