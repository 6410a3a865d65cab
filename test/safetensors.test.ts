// safetensors: round trips, the file structure PyTorch expects, files with
// other dtypes, and corrupt files.
import { beforeAll, describe, expect, it } from "vitest";
import { io, manualSeed, nn, randn, tensor } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";

/** A file assembled by hand, as another writer would: header JSON, then data. */
function file(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe.each(BACKENDS)("safetensors on $name", (backend) => {
  beforeAll(() => use(backend));

  it("round-trips a model's state dict", () => {
    manualSeed(2);
    const make = () => new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 26 * 26, 10));
    const a = make(),
      b = make();
    const bytes = io.saveSafetensors(a.stateDict());
    const loaded = io.loadSafetensors(bytes);
    expect(Object.keys(loaded)).toEqual(["0.weight", "0.bias", "3.weight", "3.bias"]);
    b.loadStateDict(loaded);
    const x = randn([2, 1, 28, 28]);
    expect(b.forward(x).data()).toEqual(a.forward(x).data());
  });

  it("writes the layout PyTorch reads", () => {
    const bytes = io.saveSafetensors({
      "fc1.weight": tensor([
        [1, 2],
        [3, 4],
      ]),
      "fc1.bias": tensor([0.5, -1]),
    });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.__metadata__).toEqual({ format: "pt" });
    expect(header["fc1.weight"]).toEqual({ dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
    expect(header["fc1.bias"]).toEqual({ dtype: "F32", shape: [2], data_offsets: [16, 24] });
    expect(bytes.length).toBe(8 + n + 24); // offsets cover the data exactly
    expect(view.getFloat32(8 + n + 12, true)).toBe(4);
    expect(view.getFloat32(8 + n + 20, true)).toBe(-1);
  });

  it("reads F64, F16 and BF16 tensors as float32", () => {
    const data = new Uint8Array(16 + 4 + 4);
    const v = new DataView(data.buffer);
    v.setFloat64(0, 1.5, true);
    v.setFloat64(8, -2.25, true);
    v.setUint16(16, 0x3c00, true); // 1.0 in half precision
    v.setUint16(18, 0xc000, true); // -2.0
    v.setUint16(20, 0x3fc0, true); // 1.5 in bfloat16
    v.setUint16(22, 0x4049, true); // 3.140625
    const t = io.loadSafetensors(
      file(
        {
          a: { dtype: "F64", shape: [2], data_offsets: [0, 16] },
          h: { dtype: "F16", shape: [2], data_offsets: [16, 20] },
          b: { dtype: "BF16", shape: [1, 2], data_offsets: [20, 24] },
        },
        data,
      ),
    );
    expect(t.a.toArray()).toEqual([1.5, -2.25]);
    expect(t.h.toArray()).toEqual([1, -2]);
    expect(t.b.toArray()).toEqual([[1.5, 3.140625]]);
  });

  it("refuses corrupt files with a clear error", () => {
    const good = io.saveSafetensors({ w: tensor([1, 2, 3]) });
    expect(() => io.loadSafetensors(good.subarray(0, 5))).toThrow(/shorter than the 8-byte header length/);
    expect(() => io.loadSafetensors(good.subarray(0, good.length - 4))).toThrow(/cover 8 of 12 data bytes|offsets \[0, 12\] for 8/);
    const badLen = good.slice();
    new DataView(badLen.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => io.loadSafetensors(badLen)).toThrow(/header length .* does not fit/);
    expect(() => io.loadSafetensors(file({ w: { dtype: "F32", shape: [2] } }, new Uint8Array(8)))).toThrow(/data_offsets/);
    expect(() => io.loadSafetensors(file({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(
      /offsets \[0, 8\]/,
    );
    expect(() =>
      io.loadSafetensors(
        file(
          { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } },
          new Uint8Array(12),
        ),
      ),
    ).toThrow(/overlap or hole/);
    expect(() => io.loadSafetensors(file({ w: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)))).toThrow(
      /'w' has dtype F8_E4M3; supported: /,
    );
    const notJson = file({}, new Uint8Array(0));
    notJson[8] = 0x7b + 1;
    expect(() => io.loadSafetensors(notJson)).toThrow(/not JSON/);
    expect(() => io.loadSafetensors("x" as never)).toThrow(TypeError);
  });

  it("reads integer tensors (PyTorch's I64 num_batches_tracked) where float32 holds them exactly, and refuses the rest", () => {
    const i64 = new Uint8Array(16);
    new DataView(i64.buffer).setBigInt64(0, 5n, true);
    new DataView(i64.buffer).setBigInt64(8, -(2n ** 24n), true);
    const t = io.loadSafetensors(file({ n: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, i64));
    expect(Array.from(t.n.data())).toEqual([5, -(2 ** 24)]);
    const u8 = io.loadSafetensors(file({ m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, Uint8Array.of(1, 0, 1)));
    expect(Array.from(u8.m.data())).toEqual([1, 0, 1]);
    new DataView(i64.buffer).setBigInt64(8, 2n ** 24n + 1n, true);
    expect(() => io.loadSafetensors(file({ n: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, i64))).toThrow(
      /loadSafetensors: 'n' \(I64\) holds 16777217 at 1, which float32 cannot hold exactly/,
    );
    const f64 = new Uint8Array(8);
    new DataView(f64.buffer).setFloat64(0, 1e300, true);
    expect(() => io.loadSafetensors(file({ x: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, f64))).toThrow(
      /'x' \(F64\) holds 1e\+300 at 0, which overflows float32/,
    );
  });
});
