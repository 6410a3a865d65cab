/** What a JS kernel sees as `this`: typed views over the heap, rebuilt on grow. */
export interface Views {
  f32: Float32Array;
  i32: Int32Array;
  u8: Uint8Array;
}
