// Median time of a function with tinybench, after a warm-up long enough for
// V8 to tier the code up.
import { Bench } from "tinybench";

export const quick = process.argv.includes("--quick");

/**
 * Suites time every engine in this many rounds and report each figure's
 * median: the machine drifts by 30% within minutes, and rounds spread every
 * engine over the same stretch of time.
 */
export const ROUNDS = quick ? 1 : 3;

export { median } from "../../src/bench/measure.js";

/**
 * Median milliseconds per call. Calls slower than a second get three runs in
 * all, slower than 20 s just one (a peer's training step can take a minute).
 */
export async function medianMs(fn: () => void, timeMs = quick ? 100 : 400): Promise<number> {
  const t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  if (first > 20_000) return first;
  if (first > 1000) {
    const runs = [first];
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      fn();
      runs.push(performance.now() - t);
    }
    return runs.sort((a, b) => a - b)[1];
  }
  const bench = new Bench({
    time: timeMs,
    iterations: quick ? 3 : 5,
    warmupTime: quick ? 50 : 200,
    warmupIterations: 2,
  });
  bench.add("x", fn);
  await bench.run();
  const r = bench.tasks[0].result;
  if (!r || !("latency" in r)) throw new Error(`benchmark failed: ${JSON.stringify(r)}`);
  return r.latency.p50;
}
