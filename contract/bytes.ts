/**
 * Conversions between byte arrays and the contract's byte strings (one char per byte), and
 * UTF-8 text typed by the user into them. Console data uses byte strings so the host never
 * has to guess the guest's encoding.
 */

export function bytesToByteString(bytes: Uint8Array): string {
  let s = ''
  // Chunked to keep String.fromCharCode's argument count bounded.
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192))
  }
  return s
}

export function byteStringToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff
  return out
}

/** Text typed by the user (UTF-16) to the UTF-8 byte string sent with `console:input`. */
export function textToByteString(text: string): string {
  return bytesToByteString(new TextEncoder().encode(text))
}
