// The layout of the pool's control block in shared memory, which the caller
// (pool.ts) and every worker (worker.ts) read and write with Atomics. A
// round: the caller writes the program of each worker that has work into its
// slot, sets PENDING to their number, bumps SEQ (the round's number), and
// bumps and notifies only those workers' WAKE words (a worker with no work is
// not woken); each woken worker runs its program, marks the round done in its
// slot, decrements PENDING and notifies the caller when it was the last.
// Threads are numbered 0 (the caller) to threads - 1; worker w is thread w.
import type { KernelName } from "../kernels.js";

/** Int32 indices of the header. */
export const SEQ = 0; // bumped once per round: its number
export const PENDING = 1; // workers still running this round
export const STOP = 2; // set when the pool shuts down
export const FAILED = 3; // the thread whose program threw first this round, or 0 (the caller's own throw is not flagged)
export const FAILED_KERNEL = 4; // the index of the kernel that threw there
/** Bytes of the header: the Int32 fields above, then the first failure's message as UTF-8. */
export const MESSAGE_AT = 64;
export const MESSAGE_BYTES = 192;
export const HEADER_BYTES = MESSAGE_AT + MESSAGE_BYTES;

/**
 * Bytes of one worker's slot: an Int32 at DONE (the last round the worker
 * finished, so a round that does not end can name who stopped), an Int32 at
 * WAKE (the round the worker is woken for; it waits on this word alone),
 * then from PROGRAM_AT its program [calls, (fn, argc, ...args) * calls] as
 * float64.
 */
export const SLOT_BYTES = 256 * 1024;
export const DONE = 0;
export const WAKE = 4;
export const PROGRAM_AT = 8;

/** Spin this many times on WAKE / PENDING before blocking: a training step issues rounds back to back. */
export const SPINS = 20_000;

/** One kernel call: the export's name and its arguments (pointers and sizes as numbers). */
export type Call = [name: KernelName, ...args: number[]];

/** What a backend needs of its pool (threads/pool.ts), in types that need no WebAssembly declarations. */
export interface Pool {
  readonly threads: number;
  /** Runs programs[0] on this thread and programs[t] on worker t; returns when all are done. */
  run(programs: Call[][]): void;
  stop(): void;
}
