// The layout of the pool's control block in shared memory, which the caller
// (pool.ts) and every worker (worker.ts) read and write with Atomics. A
// round: the caller writes each worker's program into its slot, sets PENDING
// to the number of workers, bumps SEQ and notifies; each worker runs its
// program, decrements PENDING and notifies the caller when it was the last.

/** Int32 indices of the header. */
export const SEQ = 0; // bumped once per round; workers wait on it
export const PENDING = 1; // workers still running this round
export const STOP = 2; // set when the pool shuts down
export const FAILED = 3; // 1 + the index of a worker whose program threw, or 0
export const HEADER_BYTES = 64;

/** Bytes of one worker's program slot: [calls, (fn, argc, ...args) * calls] as float64. */
export const SLOT_BYTES = 256 * 1024;

/** Spin this many times on SEQ / PENDING before blocking: a training step issues rounds back to back. */
export const SPINS = 20_000;

/** One kernel call: the export's name and its arguments (pointers and sizes as numbers). */
export type Call = [name: string, ...args: number[]];

/** What a backend needs of its pool (threads/pool.ts), in types that need no WebAssembly declarations. */
export interface Pool {
  readonly threads: number;
  /** Runs programs[0] on this thread and programs[t] on worker t; returns when all are done. */
  run(programs: Call[][]): void;
  stop(): void;
}
