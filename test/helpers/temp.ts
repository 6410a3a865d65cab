// Temporary folders that tests make and remove again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A new temporary folder, removed when the test file ends. Call it where
 * tests are collected (a file's or a describe's body), not inside a test:
 * vitest registers no hooks from there.
 */
export function tempDir(prefix = "wasmgrad-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
