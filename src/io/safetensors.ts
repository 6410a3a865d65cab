// safetensors: 8-byte little-endian header length, a JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__ }, then
// the raw little-endian data. Files written here load in PyTorch with
// safetensors.torch.load_file, and its files load here: floats (F32, F64,
// F16, BF16) become float32, integers (I64 such as BatchNorm's
// num_batches_tracked, I32, I16, I8, U8, BOOL) too, where float32 holds them
// exactly (below 2^24 in magnitude), else the load is refused.
import { isTensor, type Tensor } from "../tensor.js";
import { tensor } from "../creation.js";
import { fmtShape } from "../shape.js";

const BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Integers float32 represents exactly. */
const EXACT = 2 ** 24;

/** Integer data as float32, refused where a value would change. */
function intsToFloat32(name: string, dtype: string, view: DataView, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v =
      dtype === "I64"
        ? view.getBigInt64(8 * i, true)
        : dtype === "I32"
          ? view.getInt32(4 * i, true)
          : dtype === "I16"
            ? view.getInt16(2 * i, true)
            : dtype === "I8"
              ? view.getInt8(i)
              : view.getUint8(i);
    if (v > EXACT || v < -EXACT) {
      throw new Error(
        `loadSafetensors: '${name}' (${dtype}) holds ${v} at ${i}, which float32 cannot hold exactly (tensors here are float32)`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toFloat32(name: string, dtype: string, bytes: Uint8Array, n: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!dtype.startsWith("F") && dtype !== "BF16") return intsToFloat32(name, dtype, view, n);
  const out = new Float32Array(n);
  if (dtype === "F32") {
    if (littleEndian) out.set(new Float32Array(bytes.slice().buffer));
    else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (dtype === "F64") {
    for (let i = 0; i < n; i++) {
      const v = view.getFloat64(8 * i, true);
      out[i] = v;
      if (Number.isFinite(v) && !Number.isFinite(out[i]))
        throw new RangeError(`loadSafetensors: '${name}' (F64) holds ${v} at ${i}, which overflows float32`);
    }
  } else if (dtype === "BF16") {
    const tmp = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < n; i++) {
      tmp.setUint32(0, view.getUint16(2 * i, true) << 16);
      out[i] = tmp.getFloat32(0);
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f,
    frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Serialises named tensors (a stateDict) as float32 safetensors. */
export function saveSafetensors(tensors: Record<string, Tensor> | Map<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors ?? {});
  const header: Record<string, unknown> = { __metadata__: { format: "pt", ...metadata } };
  let offset = 0;
  const datas: Float32Array[] = [];
  for (const [name, t] of entries) {
    if (!isTensor(t)) throw new TypeError(`saveSafetensors: '${name}' is not a Tensor`);
    if (name === "__metadata__") throw new Error("saveSafetensors: '__metadata__' is reserved");
    const d = t.data();
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + d.byteLength] };
    offset += d.byteLength;
    datas.push(d);
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // aligned data, as the reference writer does
  const head = new Uint8Array(padded).fill(0x20);
  head.set(json);
  json = head;
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const d of datas) {
    if (littleEndian) out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    else for (let i = 0; i < d.length; i++) view.setFloat32(at + 4 * i, d[i], true);
    at += d.byteLength;
  }
  return out;
}

const invalid = (op: string, why: string) => new Error(`${op}: not a valid safetensors file: ${why}`);

/** The JSON header (its entries and __metadata__) and the data bytes after it. */
function readHeader(bytes: Uint8Array | ArrayBuffer, op: string): { header: Record<string, unknown>; data: Uint8Array } {
  const buf = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(buf instanceof Uint8Array)) throw new TypeError(`${op}: expected a Uint8Array or ArrayBuffer`);
  const bad = (why: string) => invalid(op, why);
  if (buf.length < 8) throw bad(`${buf.length} bytes, shorter than the 8-byte header length`);
  const n = Number(new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true));
  if (n < 2 || n > buf.length - 8) throw bad(`header length ${n} does not fit in ${buf.length} bytes`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    throw bad(`the header is not JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw bad("the header is not a JSON object");
  return { header, data: buf.subarray(8 + n) };
}

/**
 * The file's `__metadata__` (string keys and values; saveSafetensors writes
 * `format` and what its caller passed, the CLI the model and dataset), or {}.
 */
export function safetensorsMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  const { header } = readHeader(bytes, "safetensorsMetadata");
  const m = header.__metadata__;
  if (m === undefined) return {};
  if (m === null || typeof m !== "object" || Array.isArray(m) || !Object.values(m).every((v) => typeof v === "string")) {
    throw invalid("safetensorsMetadata", "__metadata__ is not an object of strings");
  }
  return { ...(m as Record<string, string>) };
}

/** Parses safetensors bytes into float32 tensors by name; a corrupt file is a clear Error. */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const { header, data } = readHeader(bytes, "loadSafetensors");
  const bad = (why: string) => invalid("loadSafetensors", why);
  const spans: [number, number, string][] = [];
  const specs: [string, string, number[], number, number][] = [];
  for (const [name, spec] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const s = spec as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof s !== "object" || s === null) throw bad(`entry '${name}' is not an object`);
    const dtype = String(s.dtype);
    if (!(dtype in BYTES)) throw new Error(`loadSafetensors: '${name}' has dtype ${dtype}; supported: ${Object.keys(BYTES).join(", ")}`);
    const shape = s.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      throw bad(`'${name}' has shape ${JSON.stringify(shape)}`);
    const off = s.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) {
      throw bad(`'${name}' has data_offsets ${JSON.stringify(off)}`);
    }
    const [b, e] = off as [number, number];
    const numel = (shape as number[]).reduce((a, c) => a * c, 1);
    if (e < b || e > data.length || e - b !== numel * BYTES[dtype]) {
      throw bad(`'${name}' (${dtype} ${fmtShape(shape)}) has offsets [${b}, ${e}] for ${data.length} data bytes`);
    }
    spans.push([b, e, name]);
    specs.push([name, dtype, shape, b, e]);
  }
  spans.sort((p, q) => p[0] - q[0]);
  let end = 0;
  for (const [b, e, name] of spans) {
    if (b !== end) throw bad(`'${name}' starts at ${b}, expected ${end} (overlap or hole)`);
    end = e;
  }
  if (end !== data.length) throw bad(`the tensors cover ${end} of ${data.length} data bytes`);
  const out: Record<string, Tensor> = {};
  for (const [name, dtype, shape, b, e] of specs)
    out[name] = tensor(toFloat32(name, dtype, data.subarray(b, e), (e - b) / BYTES[dtype]), { shape });
  return out;
}
