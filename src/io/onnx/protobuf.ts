// Protocol Buffers' wire format, as much as ONNX files use: varints (int32,
// int64, enums), 32-bit floats, length-delimited fields (strings, bytes,
// messages, packed repeated numbers). The reader checks every length against
// the bytes left, so a hostile file fails with a message naming what was
// being read, before anything is allocated for it; the writer grows one
// buffer.

const WIRE_VARINT = 0,
  WIRE_I64 = 1,
  WIRE_LEN = 2,
  WIRE_I32 = 5;

/** A field as read: its number, wire type, and value (a number for varints and fixed-width values, the bytes for length-delimited ones). */
export type Field =
  | { field: number; wire: typeof WIRE_VARINT; value: number }
  | { field: number; wire: typeof WIRE_I64; value: number }
  | { field: number; wire: typeof WIRE_I32; value: number }
  | { field: number; wire: typeof WIRE_LEN; value: Uint8Array };

export class ProtoError extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** A position in a message's bytes, reading varints. */
class Cursor {
  p = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
  ) {}

  /**
   * A varint as a signed 64-bit integer (int32 and enums are sign-extended to
   * 64 bits on the wire). Beyond 2^53 a key or a length is refused; a value
   * is clamped (INT64_MAX is how exporters write "to the end").
   */
  varint(clamp = false): number {
    const { bytes, what } = this;
    let lo = 0,
      hi = 0;
    for (let i = 0; ; i++) {
      if (this.p >= bytes.length) throw new ProtoError(`${what}: the bytes end inside a number (truncated)`);
      if (i === 10) throw new ProtoError(`${what}: a number runs over 10 bytes (corrupt)`);
      const byte = bytes[this.p++];
      const b = byte & 0x7f;
      // 28 bits in the first four bytes, four more from the fifth, whose other three start the high word
      if (i < 4) lo |= b << (7 * i);
      else if (i === 4) {
        lo |= b << 28;
        hi |= b >> 4;
      } else hi |= b << (7 * i - 32);
      if (!(byte & 0x80)) break;
    }
    return int64(lo >>> 0, hi >>> 0, what, clamp);
  }
}

/**
 * The fields of one message, in order. `what` names the message for errors
 * ("ModelProto.graph.node[3]"); a key or a length beyond 2^53 is refused, a
 * varint value beyond it clamped (see Cursor.varint).
 */
export function* fields(bytes: Uint8Array, what: string): Generator<Field> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c = new Cursor(bytes, what);
  while (c.p < bytes.length) {
    const key = c.varint();
    const field = Math.floor(key / 8),
      wire = key - field * 8;
    if (field < 1) throw new ProtoError(`${what}: field number ${field} (corrupt)`);
    const p = c.p;
    switch (wire) {
      case WIRE_VARINT:
        yield { field, wire, value: c.varint(true) };
        break;
      case WIRE_I64:
        if (p + 8 > bytes.length) throw new ProtoError(`${what}: field ${field}: the bytes end inside a 64-bit value (truncated)`);
        c.p += 8;
        yield { field, wire, value: view.getFloat64(p, true) };
        break;
      case WIRE_I32:
        if (p + 4 > bytes.length) throw new ProtoError(`${what}: field ${field}: the bytes end inside a 32-bit value (truncated)`);
        c.p += 4;
        yield { field, wire, value: view.getFloat32(p, true) };
        break;
      case WIRE_LEN: {
        const n = c.varint();
        if (n < 0 || n > bytes.length - c.p)
          throw new ProtoError(`${what}: field ${field} declares ${n} bytes, ${bytes.length - c.p} are left (truncated or corrupt)`);
        const start = c.p;
        c.p += n;
        yield { field, wire, value: bytes.subarray(start, start + n) };
        break;
      }
      default:
        throw new ProtoError(`${what}: field ${field} has wire type ${wire}, which ONNX does not use (corrupt)`);
    }
  }
}

/** The signed 64-bit integer of two 32-bit halves, as a number; beyond 2^53 refused, or clamped to +-(2^53 - 1). */
function int64(lo: number, hi: number, what: string, clamp: boolean): number {
  const negative = hi >= 0x80000000;
  if (negative) {
    // two's complement: -(~x + 1)
    const nlo = (~lo + 1) >>> 0,
      nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    if (nhi >= 0x200000) {
      if (clamp) return Number.MIN_SAFE_INTEGER;
      throw new ProtoError(`${what}: a number below -2^53 (corrupt)`);
    }
    return -(nhi * 2 ** 32 + nlo);
  }
  if (hi >= 0x200000) {
    if (clamp) return Number.MAX_SAFE_INTEGER;
    throw new ProtoError(`${what}: a number above 2^53 (corrupt)`);
  }
  return hi * 2 ** 32 + lo;
}

export function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtoError(`${what}: a string that is not UTF-8 (corrupt)`);
  }
}

/** A packed repeated varint field (int64s, int32s): each as a number. */
export function packedVarints(bytes: Uint8Array, what: string): number[] {
  const out: number[] = [];
  const c = new Cursor(bytes, what);
  while (c.p < bytes.length) out.push(c.varint(true));
  return out;
}

/** A packed repeated float field. */
export function packedFloats(bytes: Uint8Array, what: string): Float32Array {
  if (bytes.length % 4) throw new ProtoError(`${what}: ${bytes.length} bytes of packed floats, not a multiple of 4 (corrupt)`);
  const out = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** Writes one message; nested messages are written by a writer of their own and added as bytes. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private n = 0;

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }

  private rawVarint(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not an integer a varint holds exactly`);
    this.room(10);
    if (v < 0) {
      // int64's two's complement, ten bytes
      let lo = Number(BigInt.asUintN(32, BigInt(v))),
        hi = Number(BigInt.asUintN(32, BigInt(v) >> 32n));
      for (let i = 0; i < 9; i++) {
        this.buf[this.n++] = (lo & 0x7f) | 0x80;
        lo = (lo >>> 7) | ((hi & 0x7f) << 25);
        hi >>>= 7;
      }
      this.buf[this.n++] = lo & 0x01;
      return;
    }
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }

  private key(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** An int32, int64 or enum field. */
  varint(field: number, v: number): this {
    this.key(field, WIRE_VARINT);
    this.rawVarint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, WIRE_I32);
    this.room(4);
    new DataView(this.buf.buffer).setFloat32(this.n, v, true);
    this.n += 4;
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, WIRE_LEN);
    this.rawVarint(b.length);
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8Encoder.encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.buf.subarray(0, m.n)); // no copy of the nested message before this one's
  }

  packedVarints(field: number, vs: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of vs) w.rawVarint(v);
    return this.bytes(field, w.finish());
  }

  packedFloats(field: number, vs: ArrayLike<number>): this {
    const b = new Uint8Array(vs.length * 4);
    const view = new DataView(b.buffer);
    for (let i = 0; i < vs.length; i++) view.setFloat32(4 * i, vs[i], true);
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}
