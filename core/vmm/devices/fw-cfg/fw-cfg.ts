/**
 * QEMU's fw_cfg over I/O ports (spec.ts): the guest writes a key to the selector and reads
 * the item byte by byte from the data port; reads past the end return 0. Built-in items:
 * signature "QEMU", ID (traditional interface), RAM size, CPU count, kernel command line
 * size/data, and the file directory listing files added with `addFile(name, data)`.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import { encodeCString } from '../../loaders/c-string'
import { FW_CFG_DATA_PORT, FW_CFG_FILE_NAME_SIZE, FW_CFG_SELECTOR_PORT, FW_CFG_VERSION_TRADITIONAL, FW_CFG_WRITE_CHANNEL, FwCfgKey } from './spec'
import { checkFwCfgState, type FwCfgState } from './state'

export interface FwCfgOptions {
  memoryBytes: number
  cpus: number
  cmdline?: string
}

function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes)
  let v = value
  for (let i = 0; i < bytes; i++) {
    out[i] = v % 256
    v = Math.floor(v / 256)
  }
  return out
}

export class FwCfg implements PortHandler {
  private readonly items = new Map<number, Uint8Array>()
  private readonly files: Array<{ name: string; key: number }> = []
  private selector = 0
  private offset = 0

  constructor(opts: FwCfgOptions) {
    this.items.set(FwCfgKey.SIGNATURE, Uint8Array.of(0x51, 0x45, 0x4d, 0x55)) // "QEMU"
    this.items.set(FwCfgKey.ID, le(FW_CFG_VERSION_TRADITIONAL, 4))
    this.items.set(FwCfgKey.RAM_SIZE, le(opts.memoryBytes, 8))
    this.items.set(FwCfgKey.NB_CPUS, le(opts.cpus, 2))
    this.items.set(FwCfgKey.MAX_CPUS, le(opts.cpus, 2))
    this.items.set(FwCfgKey.NOGRAPHIC, le(1, 2))
    const cmd = encodeCString(opts.cmdline ?? '')
    this.items.set(FwCfgKey.CMDLINE_SIZE, le(cmd.length, 4))
    this.items.set(FwCfgKey.CMDLINE_DATA, cmd)
    this.rebuildDirectory()
  }

  registerOn(bus: PortBus): void {
    bus.register('fw-cfg-selector', FW_CFG_SELECTOR_PORT, 1, this)
    bus.register('fw-cfg-data', FW_CFG_DATA_PORT, 1, this)
  }

  /** Publish a file (e.g. "etc/hv-manager/version") in the directory; returns its key. */
  addFile(name: string, data: Uint8Array): number {
    if (encodeCString(name).length > FW_CFG_FILE_NAME_SIZE) throw new Error(`fw_cfg file name too long: ${name}`)
    const existing = this.files.find((f) => f.name === name)
    const key = existing?.key ?? FwCfgKey.FILE_FIRST + this.files.length
    if (!existing) this.files.push({ name, key })
    this.items.set(key, data.slice())
    this.rebuildDirectory()
    return key
  }

  private rebuildDirectory(): void {
    const sorted = [...this.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const dir = new Uint8Array(4 + 64 * sorted.length)
    const v = new DataView(dir.buffer)
    v.setUint32(0, sorted.length, false)
    sorted.forEach((f, i) => {
      const e = 4 + 64 * i
      v.setUint32(e, this.items.get(f.key)?.length ?? 0, false)
      v.setUint16(e + 4, f.key, false)
      dir.set(encodeCString(f.name), e + 8)
    })
    this.items.set(FwCfgKey.FILE_DIR, dir)
  }

  read(port: number, _size: IoSize): number {
    if (port === FW_CFG_SELECTOR_PORT) return 0xff
    const item = this.items.get(this.selector & ~FW_CFG_WRITE_CHANNEL)
    if (!item || this.offset >= item.length) return 0
    return item[this.offset++]
  }

  write(port: number, _size: IoSize, value: number): void {
    if (port !== FW_CFG_SELECTOR_PORT) return // data-port writes are not supported (deprecated in QEMU too)
    this.selector = value & 0xffff
    this.offset = 0
  }

  saveState(): FwCfgState {
    return { version: 1, selector: this.selector, offset: this.offset }
  }

  restoreState(raw: unknown): void {
    const s = checkFwCfgState(raw)
    this.selector = s.selector & 0xffff
    this.offset = Math.max(0, s.offset)
  }
}
