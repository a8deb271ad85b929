// crc32c(A ‖ B) from crc32c(A), crc32c(B) and the length of B, without reading either again.
// A CRC is the message as a polynomial over GF(2), times x^32, modulo the generator: appending B
// multiplies A's part by x^(8·|B|) (mod the generator) and adds B's. Polynomials are 32-bit words in
// the reflected bit order CRC-32C uses (the top bit is x^0), so a product is a shift-and-xor loop.
const GENERATOR = 0x82f63b78; // Castagnoli, reflected
const X0 = 0x80000000; // the polynomial 1

/** a(x)·b(x) modulo the generator. */
function multiply(a: number, b: number): number {
  let product = 0;
  for (let bit = X0; a !== 0; bit >>>= 1) {
    if ((a & bit) !== 0) {
      product ^= b;
      a = (a & ~bit) >>> 0;
    }
    b = b & 1 ? (b >>> 1) ^ GENERATOR : b >>> 1;
  }
  return product >>> 0;
}

/** X_POW_2_POW[k] = x^(2^k) modulo the generator, for every bit of 8 × the largest safe integer. */
const X_POW_2_POW = new Uint32Array(64);
X_POW_2_POW[0] = X0 >>> 1; // x^1
for (let k = 1; k < X_POW_2_POW.length; k++) X_POW_2_POW[k] = multiply(X_POW_2_POW[k - 1]!, X_POW_2_POW[k - 1]!);

/** x^(8·bytes) modulo the generator: the product of x^(2^k) over the set bits k of 8·bytes. */
function shiftByBytes(bytes: number): number {
  let result = X0;
  for (let k = 3, n = bytes; n > 0; k++, n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = multiply(X_POW_2_POW[k]!, result);
  }
  return result;
}

/** crc32c of A followed by B, given crc32c(A), crc32c(B) and B's length in bytes. */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) throw new RangeError(`lengthB must be a non-negative safe integer, got ${lengthB}`);
  return (multiply(shiftByBytes(lengthB), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
