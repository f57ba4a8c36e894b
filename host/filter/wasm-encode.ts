// Just enough of the WebAssembly binary format to emit one small module: LEB128 numbers,
// sections, and the opcodes the filter code generator uses (names as in the spec).

export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, return: 0x0f, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i32_load8_u: 0x2d, i32_load16_u: 0x2f, i32_store8: 0x3a,
  i32_const: 0x41, i64_const: 0x42,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_u: 0x49, i32_gt_u: 0x4b, i32_le_u: 0x4d, i32_ge_u: 0x4f,
  i64_gt_u: 0x56,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_u: 0x6e, i32_rem_u: 0x70, i32_and: 0x71,
  i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_u: 0x76, i32_rotl: 0x77, i32_rotr: 0x78,
  i64_add: 0x7c, i64_extend_i32_u: 0xad,
} as const;

export const I32 = 0x7f;
export const EMPTY = 0x40;

/** A growable byte buffer with LEB128 writers. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.byte(b[i]);
    return this;
  }

  u32(v: number): this {
    let x = v >>> 0;
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x !== 0) b |= 0x80;
      this.byte(b);
    } while (x !== 0);
    return this;
  }

  /** Signed LEB128 of a 64-bit value given as a JS number (exact up to 2^53). */
  s64(v: number): this {
    let x = BigInt(v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Signed LEB128 of an i32 (the bit pattern of a u32 is accepted). */
  s32(v: number): this {
    return this.s64(v | 0);
  }

  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).bytes(b);
  }

  vec(items: Bytes[]): this {
    this.u32(items.length);
    for (const it of items) this.bytes(it.toArray());
    return this;
  }

  section(id: number, body: Bytes): this {
    this.byte(id).u32(body.length).bytes(body.toArray());
    return this;
  }

  toArray(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
