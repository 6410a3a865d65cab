// Deterministic freeing: tidy() scopes, keep(), and memory() accounting.
import type { Tensor } from "./tensor.js";
import { activeBackend } from "./backend/backend.js";

const scopes: Tensor[][] = [];

/** @internal Every new tensor handle visible to users registers here. */
export function trackTensor(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
}

function collect(value: unknown, into: Set<Tensor>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if ((value as { _isTensor?: boolean })._isTensor === true) {
    into.add(value as Tensor);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, into, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, into, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into, depth + 1);
  }
}

/**
 * Runs fn and frees every tensor created inside it, except what it returns
 * (tensors, or arrays / plain objects / Maps of them) and what belongs to
 * longer-lived owners (parameters, their .grad, optimizer state: see keep()).
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError("tidy: expected a function");
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t._kept) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new TypeError("tidy: fn must be synchronous (it returned a Promise); await outside tidy");
  }
  const returned = new Set<Tensor>();
  collect(result, returned);
  for (const t of scope) if (!t._kept && !returned.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent !== undefined) for (const t of returned) parent.push(t);
  return result;
}

/** Exempts a tensor from every enclosing tidy(); the caller disposes it. */
export function keep<T extends Tensor>(t: T): T {
  t._kept = true;
  return t;
}

export interface MemoryInfo {
  /** Live tensor handles (including those the tape saved for backward). */
  tensors: number;
  /** Bytes of their storages. */
  bytes: number;
  /** Size of the heap (the Wasm linear memory, or the js backend's buffer). */
  wasmBytes: number;
}

export function memory(): MemoryInfo {
  const b = activeBackend();
  return { tensors: b.liveTensors, bytes: b.liveBytes, wasmBytes: b.heap.byteLength };
}
