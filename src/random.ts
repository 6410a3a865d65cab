// The seeded generator behind rand, randn, initialisers and dropout:
// xoshiro128** (seeded through splitmix32), so runs repeat exactly.

const DEFAULT_SEED = 67280421; // fixed, like PyTorch's default: runs repeat without manualSeed

let s0 = 0,
  s1 = 0,
  s2 = 0,
  s3 = 0;
let spare: number | null = null;

function splitmix32(state: number): () => number {
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeds every random draw of the library (rand, randn, init, dropout, shuffling). */
export function manualSeed(seed: number): void {
  if (typeof seed !== "number" || !Number.isFinite(seed))
    throw new TypeError(`manualSeed: seed must be a finite number, got ${String(seed)}`);
  const next = splitmix32(Math.trunc(seed) | (0 ^ Math.trunc(seed / 2 ** 32)));
  s0 = next();
  s1 = next();
  s2 = next();
  s3 = next();
  spare = null;
}

/** The generator's whole state: xoshiro128**'s four words and Box-Muller's spare normal (null when none is waiting). */
export interface RngState {
  words: [number, number, number, number];
  spare: number | null;
}

/** The generator's state, to save with a checkpoint (PyTorch's get_rng_state). */
export function getRngState(): RngState {
  return { words: [s0, s1, s2, s3], spare };
}

/** Puts back a state of getRngState(): every draw after it repeats the draws after that call (PyTorch's set_rng_state). */
export function setRngState(state: RngState): void {
  const w = state?.words;
  const word = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 32;
  if (!Array.isArray(w) || w.length !== 4 || !w.every(word) || w.every((x) => x === 0))
    throw new TypeError("setRngState: words must be four 32-bit integers, not all zero, as getRngState() gives");
  if (state.spare !== null && (typeof state.spare !== "number" || !Number.isFinite(state.spare)))
    throw new TypeError(`setRngState: spare must be a finite number or null, got ${String(state.spare)}`);
  [s0, s1, s2, s3] = w.map((x) => x | 0);
  spare = state.spare;
}

/** A uniformly distributed 32-bit unsigned integer. */
export function nextU32(): number {
  const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return r;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in [0, 1). */
export function nextFloat(): number {
  return nextU32() / 4294967296;
}

/** Standard normal (Box-Muller, both values used). */
export function nextNormal(): number {
  if (spare !== null) {
    const v = spare;
    spare = null;
    return v;
  }
  const u1 = 1 - nextFloat(); // (0, 1]: log stays finite
  const u2 = nextFloat();
  const r = Math.sqrt(-2 * Math.log(u1));
  spare = r * Math.sin(2 * Math.PI * u2);
  return r * Math.cos(2 * Math.PI * u2);
}

manualSeed(DEFAULT_SEED);
