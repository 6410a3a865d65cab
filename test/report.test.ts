// The benchmark report's tables from known timings: contenders that "measure"
// fixed milliseconds per call, so every cell and ratio is known, with and
// without peers and a native engine (wasmgrad bench and the demo run ours
// alone), and every row as wide as its header.
import { describe, expect, it } from "vitest";
import { bench } from "../src/index.js";

/** A contender whose every call takes `ms` (no engine runs). */
function fixed(name: string, kind: "ours" | "peer" | "native", ms: number): bench.Contender {
  return {
    name,
    kind,
    threads: 1,
    start: async () => {},
    prepare: async () => "measured",
    measure: async () => [ms, ms],
  };
}

/** The Markdown tables as rows of cells. */
function tables(md: string): string[][][] {
  return md
    .split("\n\n")
    .filter((block) => block.startsWith("|"))
    .map((t) =>
      t
        .trim()
        .split("\n")
        .map((line) => line.slice(2, -2).split(" | ")),
    );
}

describe("the benchmark report", () => {
  const workloads = bench.workloads({ suites: ["training"], models: ["mlp-s"] });

  it("gives each engine's figure and the ratios, with peers and a native engine", async () => {
    const contenders = [
      fixed("wasm-simd", "ours", 1),
      fixed("js", "ours", 10),
      fixed("tfjs-wasm", "peer", 4),
      fixed("pytorch x1", "native", 2),
    ];
    const report = await bench.runBench({ contenders, workloads, rounds: 1 });
    const [[header, , row]] = tables(bench.toMarkdown(report));
    expect(header).toEqual([
      "workload",
      "wasm-simd",
      "js",
      "tfjs-wasm",
      "pytorch x1",
      "best wasm / js",
      "ours / best peer",
      "ours / native",
      "epoch of 60,000, best ours",
    ]);
    // batch 64: 64 samples per ms is 64,000 samples/s; an epoch is 937.5 calls of 1 ms
    expect(row).toEqual(["train mlp-s", "64,000", "6,400", "16,000", "32,000", "10.0x", "4.0x", "2.0x", "0.9 s"]);
  });

  it("leaves out the peer and native columns when only ours ran, and keeps every row as wide as its header", async () => {
    const report = await bench.runBench({ contenders: [fixed("wasm-simd", "ours", 1), fixed("js", "ours", 10)], workloads, rounds: 1 });
    const [[header, rule, row]] = tables(bench.toMarkdown(report));
    expect(header).toEqual(["workload", "wasm-simd", "js", "best wasm / js", "epoch of 60,000, best ours"]);
    expect(rule.length).toBe(header.length);
    expect(row).toEqual(["train mlp-s", "64,000", "6,400", "10.0x", "0.9 s"]);
  });
});
