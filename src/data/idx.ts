// The IDX format of MNIST-family files: two zero bytes, a type code, the
// number of dims, each dim as a big-endian u32, then the data. Files may be
// gzipped. Every check names the file.
import { nodeBuiltin } from "../platform.js";

export interface IdxArray {
  /** Only unsigned bytes (0x08) are used by the MNIST family. */
  data: Uint8Array;
  shape: number[];
}

const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x08: "ubyte", 0x09: "byte", 0x0b: "short", 0x0c: "int", 0x0d: "float", 0x0e: "double" };

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The output buffer size for gunzip: the size the gzip trailer gives (ISIZE,
 * mod 2^32) plus one, so zlib writes the whole file into one buffer instead
 * of 16 KB chunks that are then concatenated (the chunks, freed, stayed in
 * the process as 18 MB of RSS for MNIST). A trailer that cannot be right
 * (more than deflate's 1032:1 ratio) falls back to zlib's default; a
 * multi-member file still decompresses whole, in several chunks.
 */
function gunzipChunkSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < 18) return undefined;
  const isize = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
  return isize > 0 && isize <= 1032 * bytes.length ? Math.max(64, isize + 1) : undefined; // zlib's minimum is 64
}

/** Decompresses gzip bytes (node:zlib in Node, DecompressionStream elsewhere). */
export async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const zlib = nodeBuiltin<typeof import("node:zlib")>("node:zlib");
    if (zlib) {
      const { gunzipSync } = zlib;
      const out = gunzipSync(bytes, { chunkSize: gunzipChunkSize(bytes) });
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${name}: corrupt gzip data (${(e as Error).message})`, { cause: e });
  }
}

/** Parses raw IDX bytes, checking magic, dims and length. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: not an IDX file (magic starts ${bytes[0].toString(16)} ${bytes[1].toString(16)}, expected 00 00)`);
  }
  const type = bytes[2],
    nd = bytes[3];
  if (type !== UBYTE) {
    throw new Error(`${name}: IDX type ${TYPE_NAMES[type] ?? `0x${type.toString(16)}`} is not supported (MNIST files hold ubyte)`);
  }
  if (nd < 1 || nd > 4) throw new Error(`${name}: IDX file with ${nd} dims (expected 1 to 4)`);
  const head = 4 + 4 * nd;
  if (bytes.length < head) throw new Error(`${name}: truncated IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: nd }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== head + size) {
    const how = bytes.length < head + size ? "truncated" : "has trailing bytes";
    throw new Error(`${name}: ${how}: ${bytes.length} bytes, but its header [${shape.join("x")}] needs ${head + size}`);
  }
  return { data: bytes.subarray(head), shape };
}

/** Reads IDX bytes that may be gzipped. */
export async function readIdx(bytes: Uint8Array, name: string): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, name) : bytes, name);
}

/** Encodes unsigned bytes as an IDX file (raw; gzip it separately if wanted). */
export function encodeIdx(data: Uint8Array, shape: number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`encodeIdx: ${data.length} bytes do not fill [${shape.join("x")}]`);
  const out = new Uint8Array(4 + 4 * shape.length + size);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
