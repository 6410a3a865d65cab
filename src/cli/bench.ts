// `wasmgrad bench`: the benchmark suites on our engines (the peers are in a
// clone's npm run bench).
import { bench } from "../index.js";
import { cores } from "../backend/index.js";
import { checkWritable, writeFileAtomic } from "../node/files.js";
import type { Args } from "./options.js";

export async function benchCommand(a: Args, argv: string[]): Promise<void> {
  if (a.out) checkWritable(a.out);
  // each build on one thread, the js backend, and the SIMD builds on every core (or --threads) where threads run
  const many = a.threads ?? cores();
  const report = await bench.runBench({
    contenders: bench.ourContenders([...new Set([1, many])]),
    workloads: bench.workloads({ quick: a.quick, suites: a.suite, models: a.model ? [a.model] : undefined }),
    quick: a.quick,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  const json = JSON.stringify(report, null, 1) + "\n";
  if (a.out) writeFileAtomic(a.out, json);
  process.stdout.write(a.json ? json : bench.toMarkdown(report, ["wasmgrad", ...argv].join(" ")));
}
