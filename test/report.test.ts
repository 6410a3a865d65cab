// The benchmark report's tables from known timings: contenders that "measure"
// fixed milliseconds per call, so every cell and ratio is known, with and
// without peers and a native engine (wasmgrad bench and the demo run ours
// alone), and every row as wide as its header.
import { describe, expect, it } from "vitest";
import { bench } from "../src/index.js";

/** A contender whose every call takes `ms` (no engine runs). */
function fixed(name: string, kind: "ours" | "peer" | "native", ms: number, threads = 1): bench.Contender {
  return {
    name,
    kind,
    threads,
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

  it("tables and charts each thread count's figure and its speedup over one thread, per engine", async () => {
    const contenders = [
      fixed("wasm-simd", "ours", 4),
      fixed("wasm-simd x2", "ours", 2, 2),
      fixed("wasm-simd x4", "ours", 1.6, 4),
      fixed("js", "ours", 10),
      fixed("pytorch x1", "native", 2),
      fixed("pytorch x4", "native", 1, 4),
    ];
    const report = await bench.runBench({ contenders, workloads, rounds: 1 });
    expect(bench.scaling(report)).toEqual([
      {
        workload: "train mlp-s",
        engine: "wasm-simd",
        byThreads: [
          { threads: 1, value: 16_000, speedup: 1 },
          { threads: 2, value: 32_000, speedup: 2 },
          { threads: 4, value: 40_000, speedup: 2.5 },
        ],
      },
      {
        workload: "train mlp-s",
        engine: "pytorch",
        byThreads: [
          { threads: 1, value: 32_000, speedup: 1 },
          { threads: 4, value: 64_000, speedup: 2 },
        ],
      },
    ]);
    const scalingTable = tables(bench.toMarkdown(report)).at(-1)!;
    expect(scalingTable[0]).toEqual(["workload", "engine", "1 thread", "2 threads", "4 threads", "fastest at"]);
    expect(scalingTable.slice(2)).toEqual([
      ["train mlp-s", "wasm-simd", "16,000", "32,000 (2.0x)", "40,000 (2.5x)", "4"],
      ["train mlp-s", "pytorch", "32,000", "", "64,000 (2.0x)", "4"],
    ]);
    const chart = bench.scalingChart(report) as { data: { values: { engine: string; threads: number; speedup: number }[] } };
    expect(chart.data.values.filter((v) => v.engine === "wasm-simd").map((v) => [v.threads, v.speedup])).toEqual([
      [1, 1],
      [2, 2],
      [4, 2.5],
    ]);
  });

  it("gives each per-area table its workloads: every MLP product three ways, every CNN layer, every model", () => {
    const gemm = bench.areaWorkloads("gemm");
    expect(gemm.map((w) => w.id)).toContain("gemm MLP-L 1000-500 dW = G^T X");
    expect(gemm.find((w) => w.id === "gemm MLP-S 784-128 fwd X W^T")?.spec).toEqual({
      kind: "gemm",
      M: 64,
      N: 128,
      K: 784,
      tA: false,
      tB: true,
    });
    expect(gemm).toHaveLength(5 + 2 + 15);
    const conv = bench.areaWorkloads("conv");
    expect(conv.filter((w) => w.group === "conv2d")).toHaveLength(8);
    expect(conv.filter((w) => w.group === "maxpool")).toHaveLength(4);
    expect(new Set(conv.map((w) => w.id)).size).toBe(conv.length);
    expect(bench.areaWorkloads("train").map((w) => w.id)).toEqual(["train mlp-s", "train mlp-l", "train lenet5", "train cnn-m"]);
  });
});
