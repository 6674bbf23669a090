/**
 * Uploading a file picked in the browser to the host (`file:upload`, in base64 chunks that
 * fit the WebSocket's frames); returns the host path to put in the VM's boot settings.
 */
import type { HvClient } from '../transport/hv-client'

const CHUNK_BYTES = 384 * 1024

function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192))
  return btoa(s)
}

function uploadId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

export async function uploadFile(client: HvClient, file: File, onProgress?: (fraction: number) => void): Promise<string> {
  const id = uploadId()
  const name = file.name.replace(/^\.+/, '').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_') || 'upload.bin'
  let offset = 0
  for (;;) {
    const end = Math.min(file.size, offset + CHUNK_BYTES)
    const bytes = new Uint8Array(await file.slice(offset, end).arrayBuffer())
    const final = end >= file.size
    const r = await client.invoke('file:upload', { uploadId: id, name, offset, data: toBase64(bytes), final })
    offset = r.received
    onProgress?.(file.size ? offset / file.size : 1)
    if (final) {
      if (!r.file) throw new Error('The host did not store the upload')
      return r.file.path
    }
  }
}
