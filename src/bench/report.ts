// The report as Markdown: a table per suite, every contender's median in the
// workload's unit, and the two ratios people come for: the best Wasm engine
// against the js backend (the same algorithms in plain JavaScript), and our
// best against the best peer.
import type { BenchReport, ResultRow, Suite, Workload } from "./types.js";
import { thousands } from "../format.js";

export type Unit = "GFLOP/s" | "samples/s" | "ms";

export function unitOf(w: Workload): Unit {
  return w.flops ? "GFLOP/s" : w.samples ? "samples/s" : "ms";
}

/** The figure in the workload's unit from a time per call. */
export function valueOf(w: Workload, ms: number): number {
  if (w.flops) return w.flops / (ms * 1e6);
  if (w.samples) return (w.samples * 1000) / ms;
  return ms;
}

const fmt = (v: number) =>
  v >= 1000 ? thousands(v) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);

/** Rows by workload, then contender. */
export function index(r: BenchReport): Map<string, Map<string, ResultRow>> {
  const out = new Map<string, Map<string, ResultRow>>();
  for (const row of r.results) {
    if (!out.has(row.workload)) out.set(row.workload, new Map());
    out.get(row.workload)!.set(row.contender, row);
  }
  return out;
}

function best(rows: Map<string, ResultRow> | undefined, names: string[]): number | undefined {
  const times = names.map((n) => rows?.get(n)?.medianMs).filter((t): t is number => t !== undefined);
  return times.length ? Math.min(...times) : undefined;
}

export interface Ratios {
  /** js time / best Wasm time. */
  wasmOverJs?: number;
  /** best peer time / our best time. */
  oursOverPeer?: number;
  /** best native time / our best time. */
  oursOverNative?: number;
}

export function ratios(r: BenchReport, workload: string, byWorkload = index(r)): Ratios {
  const rows = byWorkload.get(workload);
  const names = (kind: string) => r.contenders.filter((c) => c.kind === kind).map((c) => c.name);
  const wasm = best(
    rows,
    names("ours").filter((n) => n.startsWith("wasm")),
  );
  const js = rows?.get("js")?.medianMs;
  const ours = best(rows, names("ours"));
  const peer = best(rows, names("peer"));
  const native = best(rows, names("native"));
  return {
    ...(wasm && js && { wasmOverJs: js / wasm }),
    ...(ours && peer && { oursOverPeer: peer / ours }),
    ...(ours && native && { oursOverNative: native / ours }),
  };
}

/** A workload on one engine at every thread count it ran: its figure and speedup over one thread. */
export interface ScalingRow {
  workload: string;
  /** The contender's name less its thread suffix: "wasm-relaxed-simd" for "wasm-relaxed-simd x4". */
  engine: string;
  byThreads: { threads: number; value: number; speedup: number }[];
}

/** Every workload on every engine that ran at one thread and at least one more count. */
export function scaling(r: BenchReport, byWorkload = index(r)): ScalingRow[] {
  const engineOf = (name: string) => name.replace(/ x\d+$/, "");
  const engines = [...new Set(r.contenders.map((c) => engineOf(c.name)))];
  return r.workloads.flatMap((w) =>
    engines.flatMap((engine) => {
      const counts = r.contenders.filter((c) => engineOf(c.name) === engine).sort((a, b) => a.threads - b.threads);
      const ms = (name: string) => byWorkload.get(w.id)?.get(name)?.medianMs;
      const one = counts[0]?.threads === 1 ? ms(counts[0].name) : undefined;
      if (one === undefined) return [];
      const byThreads = counts.flatMap((c) => {
        const t = ms(c.name);
        return t === undefined ? [] : [{ threads: c.threads, value: valueOf(w, t), speedup: one / t }];
      });
      return byThreads.length < 2 ? [] : [{ workload: w.id, engine, byThreads }];
    }),
  );
}

/** The scaling rows as a Markdown table: each thread count's figure and its speedup over one thread. */
export function scalingTable(rows: ScalingRow[]): string {
  const counts = [...new Set(rows.flatMap((row) => row.byThreads.map((b) => b.threads)))].sort((a, b) => a - b);
  const lines = rows.map((row) => {
    const fastest = row.byThreads.reduce((a, b) => (b.speedup > a.speedup ? b : a));
    const cells = counts.map((t) => {
      const b = row.byThreads.find((x) => x.threads === t);
      return b === undefined ? "" : t === 1 ? fmt(b.value) : `${fmt(b.value)} (${b.speedup.toFixed(1)}x)`;
    });
    return [row.workload, row.engine, ...cells, String(fastest.threads)];
  });
  return table(["workload", "engine", ...counts.map((t) => (t === 1 ? "1 thread" : `${t} threads`)), "fastest at"], lines);
}

const TITLES: Record<Suite, string> = {
  kernels: "Kernels (GEMM and convolution in GFLOP/s, the rest in ms per call; batch 64 where a batch applies)",
  training: "Training: one step (forward, backward, SGD momentum) at batch 64, samples/s",
  inference: "Inference: forward only, samples/s",
};

export function toMarkdown(r: BenchReport, command = "npm run bench"): string {
  const e = r.environment;
  const byWorkload = index(r);
  const names = r.contenders.map((c) => c.name);
  const ours = r.contenders.filter((c) => c.kind === "ours").map((c) => c.name);
  const peers = r.contenders.some((c) => c.kind === "peer"); // wasmgrad bench runs ours alone
  const out: string[] = [
    `# Benchmark report`,
    "",
    `${r.date.slice(0, 10)}; ${e.cpu ? `${e.cpu}, ` : ""}${e.cores} cores${e.memoryGiB ? `, ${e.memoryGiB} GiB` : ""}; ${e.runtime}; in ${e.where}${e.crossOriginIsolated !== undefined ? (e.crossOriginIsolated ? " (cross-origin isolated)" : " (not cross-origin isolated)") : ""}.`,
    `Builds this runtime runs: ${e.builds.join(", ")}; thread counts: ${e.threads.join(", ")} ("x2": two threads). ${r.rounds} round${r.rounds > 1 ? "s" : ""}${r.quick ? " (--quick)" : ""}, contenders interleaved; each cell is the median of every sample (the JSON has them all, and the min and max).`,
    `"best wasm / js": the fastest Wasm engine at any thread count against the js backend (one thread); "ours / best peer": our fastest engine against the fastest JavaScript peer; "ours / native": against native PyTorch at its best thread count.`,
    `Command: \`${command}\`.`,
    "",
    ...r.contenders.filter((c) => c.info).map((c) => `- ${c.name}: ${c.info}`),
  ];
  const errors = new Map<string, string[]>();
  for (const suite of ["kernels", "training", "inference"] as Suite[]) {
    const ws = r.workloads.filter((w) => w.suite === suite);
    if (ws.length === 0) continue;
    const native = r.contenders.some((c) => c.kind === "native") && ws.some((w) => ratios(r, w.id, byWorkload).oursOverNative);
    const cols = names.filter((n) => ws.some((w) => byWorkload.get(w.id)?.has(n))); // who took part in this suite
    const header = [
      "workload",
      ...cols,
      "best wasm / js",
      ...(peers ? ["ours / best peer"] : []),
      ...(native ? ["ours / native"] : []),
      ...(suite === "training" ? ["epoch of 60,000, best ours"] : []),
    ];
    const lines = ws.map((w) => {
      const rows = byWorkload.get(w.id);
      const cells = cols.map((n) => {
        const row = rows?.get(n);
        if (!row) return "";
        if (row.error !== undefined) {
          const list = errors.get(row.error) ?? [];
          list.push(`${w.id} on ${n}`);
          errors.set(row.error, list);
          return "cannot";
        }
        return row.medianMs === undefined ? "" : fmt(valueOf(w, row.medianMs));
      });
      const q = ratios(r, w.id, byWorkload);
      const x = (v?: number) => (v === undefined ? "-" : `${v.toFixed(1)}x`);
      const epoch = (ms?: number) => (ms === undefined ? "-" : `${((60000 / 64) * ms * 1e-3).toFixed(1)} s`);
      return [
        w.id,
        ...cells,
        x(q.wasmOverJs),
        ...(peers ? [x(q.oursOverPeer)] : []),
        ...(native ? [x(q.oursOverNative)] : []),
        ...(suite === "training" ? [epoch(best(rows, ours))] : []),
      ];
    });
    out.push("", `## ${TITLES[suite]}`, "", table(header, lines));
  }
  const scaled = scaling(r, byWorkload);
  if (scaled.length) out.push("", "## Threads: each thread count's figure, and its speedup over one thread", "", scalingTable(scaled));
  if (errors.size) {
    out.push("", "## What could not run", "");
    for (const [why, where] of errors) out.push(`- ${why}: ${where.join("; ")}`);
  }
  return out.join("\n") + "\n";
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
