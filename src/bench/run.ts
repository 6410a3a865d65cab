// The runner: every contender on every workload, in rounds. Within a round
// the workloads go family by family (GEMM, convolution, ..., training), and
// each family runs every contender in turn, the order rotated each round, so
// that the machine's drift (30% within minutes on a shared VM) hits all alike.
import { nodeBuiltin, isNode } from "../platform.js";
import { supportedBuilds, cores } from "../backend/index.js";
import { FULL, QUICK, median, timeCalls, type TimingOptions } from "./measure.js";
import type { BenchReport, Contender, ResultRow, Workload } from "./types.js";

export interface RunOptions {
  contenders: Contender[];
  workloads: Workload[];
  quick?: boolean;
  /** Default: 1 with --quick, else 3. */
  rounds?: number;
  timing?: TimingOptions;
  onProgress?: (line: string) => void;
}

const pause = () => new Promise<void>((r) => setTimeout(r, 0)); // lets a page or Worker handle its messages

function environment(threads: number[]): BenchReport["environment"] {
  const os = nodeBuiltin<typeof import("node:os")>("node:os");
  const g = globalThis as { navigator?: { userAgent?: string }; crossOriginIsolated?: boolean; WorkerGlobalScope?: unknown };
  return {
    runtime: isNode ? `Node ${process.version} (V8 ${process.versions.v8})` : (g.navigator?.userAgent ?? "unknown"),
    ...(os && { cpu: os.cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(os.totalmem() / 2 ** 30) }),
    cores: cores(),
    builds: supportedBuilds(),
    threads,
    ...(g.crossOriginIsolated !== undefined && { crossOriginIsolated: g.crossOriginIsolated }),
    where: isNode ? "node" : g.WorkerGlobalScope !== undefined ? "worker" : "page",
  };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 120);

export async function runBench(o: RunOptions): Promise<BenchReport> {
  const quick = o.quick ?? false;
  const rounds = o.rounds ?? (quick ? 1 : 3);
  const timing = o.timing ?? (quick ? QUICK : FULL);
  const rows = new Map<string, ResultRow>();
  const row = (w: Workload, c: Contender) => {
    const key = `${w.id}\u0000${c.name}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { workload: w.id, contender: c.name, samplesMs: [] }));
    return r;
  };
  // families in the order they first appear
  const groups = [...new Set(o.workloads.map((w) => w.group))].map((g) => o.workloads.filter((w) => w.group === g));
  for (let round = 0; round < rounds; round++) {
    for (const group of groups) {
      for (let i = 0; i < o.contenders.length; i++) {
        const c = o.contenders[(i + round) % o.contenders.length];
        // an error, or one slow call, is not repeated in later rounds
        const todo = group.filter((w) => {
          if (c.covers && !c.covers(w)) return false;
          const r = row(w, c);
          return r.error === undefined && !(round > 0 && r.samplesMs.length === 1);
        });
        if (todo.length === 0) continue;
        if (!c.measure) {
          try {
            await c.start();
          } catch (e) {
            for (const w of todo) row(w, c).error = `cannot start: ${message(e)}`;
            continue;
          }
        }
        for (const w of todo) {
          const r = row(w, c);
          try {
            if (c.measure) {
              const got = await c.measure(w, quick);
              if (typeof got === "string") r.error = got;
              else r.samplesMs.push(...got);
            } else {
              const p = await c.prepare(w);
              if (typeof p === "string") r.error = p;
              else {
                try {
                  r.samplesMs.push(...timeCalls(() => p.run(), timing));
                } finally {
                  p.dispose();
                }
              }
            }
          } catch (e) {
            r.error = message(e);
          }
          o.onProgress?.(`round ${round + 1}/${rounds}: ${w.id} on ${c.name}: ${r.error ?? `${median(r.samplesMs).toPrecision(3)} ms`}`);
          await pause();
        }
      }
    }
  }
  const results = [...rows.values()].map((r) => {
    if (r.error !== undefined || r.samplesMs.length === 0) return { ...r, samplesMs: [] };
    return { ...r, medianMs: median(r.samplesMs), minMs: Math.min(...r.samplesMs), maxMs: Math.max(...r.samplesMs) };
  });
  return {
    schema: "wasmgrad-bench/1",
    date: new Date().toISOString(),
    quick,
    rounds,
    environment: environment([...new Set(o.contenders.map((c) => c.threads))].sort((a, b) => a - b)),
    contenders: o.contenders.map(({ name, kind, threads, info }) => ({ name, kind, threads, ...(info && { info }) })),
    workloads: o.workloads,
    results,
  };
}
