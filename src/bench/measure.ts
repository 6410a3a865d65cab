// Timing a call: a first call (compiles, tiers up, allocates), a short
// warm-up, then samples of enough calls to last `sampleMs` each, every sample
// the mean ms per call of its calls. A call slower than `slowMs` is timed
// once: a peer's convolution step on its CPU backend can take a minute.

export interface TimingOptions {
  samples: number;
  sampleMs: number;
  warmupMs: number;
  slowMs: number;
}

export const QUICK: TimingOptions = { samples: 3, sampleMs: 25, warmupMs: 20, slowMs: 250 };
export const FULL: TimingOptions = { samples: 5, sampleMs: 80, warmupMs: 100, slowMs: 5000 };

export function timeCalls(run: () => void, o: TimingOptions): number[] {
  let t = performance.now();
  run();
  const first = performance.now() - t;
  if (first > o.slowMs) return [first];
  const until = performance.now() + o.warmupMs;
  let calls = 0;
  t = performance.now();
  while (performance.now() < until || calls < 2) {
    run();
    calls++;
  }
  const perCall = Math.max(1e-4, (performance.now() - t) / calls);
  const reps = Math.max(1, Math.round(o.sampleMs / perCall));
  const out: number[] = [];
  for (let s = 0; s < o.samples; s++) {
    t = performance.now();
    for (let i = 0; i < reps; i++) run();
    out.push((performance.now() - t) / reps);
  }
  return out;
}

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
