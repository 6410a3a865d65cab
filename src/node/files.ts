// Writing a file so that a reader never sees half of it: the bytes go to a
// temporary file beside the target, are flushed to disk, and the temporary
// file is renamed over the target (atomic on one filesystem).
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";

function tempName(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

export function writeFileAtomic(file: string, bytes: Uint8Array): void {
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
