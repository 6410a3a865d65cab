// Writing a file so that a reader never sees half of it: the bytes go to a
// temporary file beside the target, are flushed to disk, and the temporary
// file is renamed over the target (atomic on one filesystem). Node's fs is
// reached through platform.ts, so the data code may import this module
// without a browser bundle seeing a `node:` import.
import { nodeBuiltin } from "../platform.js";

type Fs = typeof import("node:fs");
type Path = typeof import("node:path");

function fs(): Fs {
  const m = nodeBuiltin<Fs>("node:fs");
  if (m === undefined) throw new Error("writing files needs Node");
  return m;
}

function tempName(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } = fs();
  const tmp = tempName(file);
  try {
    const fd = openSync(tmp, "w");
    try {
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Throws unless `file` can be written the way writeFileAtomic writes it (a
 * new file in its folder, then a rename): a missing folder, a read-only one or
 * a target that is a folder is found before hours of training, not after.
 */
export function checkWritable(file: string): void {
  const { closeSync, openSync, rmSync, statSync } = fs();
  const { dirname, resolve } = nodeBuiltin<Path>("node:path")!;
  const target = resolve(file);
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) throw new Error(`${file} is a folder`);
  const tmp = tempName(target);
  try {
    closeSync(openSync(tmp, "wx"));
  } catch (e) {
    throw new Error(`cannot write into ${dirname(target)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  rmSync(tmp, { force: true });
}
