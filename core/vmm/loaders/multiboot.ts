/**
 * Multiboot Specification 0.6.96 (version 1) loader: finds the header in the first 8 KiB
 * (spec 3.1.1), loads the image through the a.out-kludge address fields when header flag 16
 * is set, else the ELF32/ELF64 program headers (3.1.3), places the initrd as module 0
 * page-aligned after the kernel, and builds the Multiboot information structure (3.3) with
 * mem_lower/upper, cmdline, mods, mmap and boot_loader_name. The machine state is 3.2's:
 * flat 32-bit protected mode, EAX = 0x2BADB002, EBX = info address, paging off.
 */
import type { GuestMemory } from '../../memory/guest-memory'
import type { BootState } from './boot-state'
import { enterProtectedMode32 } from './cpu-setup'
import { encodeCString } from './c-string'
import { elfExtent, isElf, parseElf, physicalEntry } from './elf'
import { ImageReader, KernelLoadError } from './image-reader'
import { CMDLINE_ADDR, CMDLINE_MAX, E820, HIGH_RAM_START, LOW_RAM_END, MULTIBOOT_INFO_ADDR, MULTIBOOT_INFO_END, pcMemoryMap, ramTop } from './layout'
import { loadElfSegments, loadPiece } from './segment-writer'

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002
export const MULTIBOOT_SEARCH = 8192

/** Header flags (spec 3.1.2). Bits 0-15 are requirements: an unknown one must fail the load. */
export const MultibootHeaderFlag = { PAGE_ALIGN: 1 << 0, MEMORY_INFO: 1 << 1, VIDEO_MODE: 1 << 2, AOUT_KLUDGE: 1 << 16 } as const
const KNOWN_REQUIRED = 0x7

/** Information structure flags (spec 3.3). */
export const MultibootInfoFlag = {
  MEMORY: 1 << 0, BOOTDEV: 1 << 1, CMDLINE: 1 << 2, MODS: 1 << 3, AOUT_SYMS: 1 << 4, ELF_SHDR: 1 << 5,
  MEM_MAP: 1 << 6, DRIVE_INFO: 1 << 7, CONFIG_TABLE: 1 << 8, BOOT_LOADER_NAME: 1 << 9, APM_TABLE: 1 << 10, VBE_INFO: 1 << 11,
  FRAMEBUFFER_INFO: 1 << 12,
} as const

/** Offsets in the information structure. */
export const MultibootInfo = {
  flags: 0, mem_lower: 4, mem_upper: 8, boot_device: 12, cmdline: 16, mods_count: 20, mods_addr: 24,
  mmap_length: 44, mmap_addr: 48, boot_loader_name: 64, SIZE: 116,
} as const

export const BOOT_LOADER_NAME = 'HV Manager'
const MMAP_OFFSET = 0x100
const MODS_OFFSET = 0x200
const NAME_OFFSET = 0x300
const MOD_STRING_OFFSET = 0x340

export interface MultibootHeader {
  offset: number
  flags: number
  headerAddr: number
  loadAddr: number
  loadEndAddr: number
  bssEndAddr: number
  entryAddr: number
}

/** Find a valid header (magic and checksum) 4-byte aligned in the first 8 KiB, if any. */
export function findMultibootHeader(image: Uint8Array): MultibootHeader | undefined {
  const r = new ImageReader(image)
  const limit = Math.min(MULTIBOOT_SEARCH, image.length) - 12
  for (let off = 0; off <= limit; off += 4) {
    if (r.u32(off) !== MULTIBOOT_HEADER_MAGIC) continue
    const flags = r.u32(off + 4)
    if (((MULTIBOOT_HEADER_MAGIC + flags + r.u32(off + 8)) >>> 0) !== 0) continue
    const kludge = (flags & MultibootHeaderFlag.AOUT_KLUDGE) !== 0
    if (kludge && !r.has(off, 32)) throw new KernelLoadError('multiboot header with the a.out kludge is truncated')
    return {
      offset: off,
      flags,
      headerAddr: kludge ? r.u32(off + 12) : 0,
      loadAddr: kludge ? r.u32(off + 16) : 0,
      loadEndAddr: kludge ? r.u32(off + 20) : 0,
      bssEndAddr: kludge ? r.u32(off + 24) : 0,
      entryAddr: kludge ? r.u32(off + 28) : 0,
    }
  }
  return undefined
}

export interface LoadOptions {
  initrd?: Uint8Array
  cmdline?: string
  memoryBytes: number
}

/** Load via the a.out kludge (spec 3.1.3 address fields); returns [entry, end of image]. */
function loadKludge(memory: GuestMemory, image: Uint8Array, h: MultibootHeader, memoryBytes: number, regions: BootState['regions']): [number, number] {
  if (h.headerAddr < h.loadAddr) throw new KernelLoadError('multiboot header_addr is below load_addr')
  const fileStart = h.offset - (h.headerAddr - h.loadAddr)
  if (fileStart < 0) throw new KernelLoadError('multiboot load_addr lies before the start of the file')
  const loadEnd = h.loadEndAddr === 0 ? h.loadAddr + (image.length - fileStart) : h.loadEndAddr
  if (loadEnd < h.loadAddr) throw new KernelLoadError('multiboot load_end_addr is below load_addr')
  const fileSize = loadEnd - h.loadAddr
  if (fileStart + fileSize > image.length) throw new KernelLoadError(`multiboot image is truncated: load_end_addr asks for ${fileSize} bytes from offset ${fileStart}, file has ${image.length}`)
  const bssEnd = h.bssEndAddr === 0 ? loadEnd : h.bssEndAddr
  if (bssEnd < loadEnd) throw new KernelLoadError('multiboot bss_end_addr is below load_end_addr')
  loadPiece(memory, memoryBytes, 'multiboot image', h.loadAddr, image.subarray(fileStart, fileStart + fileSize), bssEnd - h.loadAddr)
  regions.push({ name: 'kernel', base: h.loadAddr, size: bssEnd - h.loadAddr })
  return [h.entryAddr, bssEnd]
}

export function loadMultiboot(memory: GuestMemory, image: Uint8Array, h: MultibootHeader, opts: LoadOptions): BootState {
  const unknown = h.flags & 0xffff & ~KNOWN_REQUIRED
  if (unknown) throw new KernelLoadError(`multiboot header requires unsupported features (flags 0x${unknown.toString(16)})`)
  const regions: BootState['regions'] = []
  let entry: number
  let imageEnd: number
  if (h.flags & MultibootHeaderFlag.AOUT_KLUDGE) {
    ;[entry, imageEnd] = loadKludge(memory, image, h, opts.memoryBytes, regions)
  } else {
    if (!isElf(image)) throw new KernelLoadError('multiboot image is not ELF and its header lacks the a.out-kludge address fields (flag 16)')
    const elf = parseElf(image)
    regions.push(...loadElfSegments(memory, opts.memoryBytes, image, elf))
    entry = physicalEntry(elf)
    imageEnd = elfExtent(elf).end
  }
  if (entry > 0xffffffff) throw new KernelLoadError(`multiboot entry point 0x${entry.toString(16)} is above 4 GiB`)

  const info = new Uint8Array(MULTIBOOT_INFO_END - MULTIBOOT_INFO_ADDR)
  const v = new DataView(info.buffer)
  let flags = MultibootInfoFlag.MEMORY | MultibootInfoFlag.MEM_MAP | MultibootInfoFlag.BOOT_LOADER_NAME | MultibootInfoFlag.CMDLINE

  v.setUint32(MultibootInfo.mem_lower, LOW_RAM_END >>> 10, true)
  v.setUint32(MultibootInfo.mem_upper, (ramTop(opts.memoryBytes) - HIGH_RAM_START) >>> 10, true)

  const cmd = encodeCString(opts.cmdline ?? '')
  if (cmd.length > CMDLINE_MAX) throw new KernelLoadError(`kernel command line is too long (${cmd.length - 1} bytes, at most ${CMDLINE_MAX - 1})`)
  memory.writeBytes(CMDLINE_ADDR, cmd)
  v.setUint32(MultibootInfo.cmdline, CMDLINE_ADDR, true)

  // mmap entries: size (excluding itself) = 20, base u64, length u64, type u32.
  const map = pcMemoryMap(opts.memoryBytes)
  map.forEach((m, i) => {
    const e = MMAP_OFFSET + i * 24
    v.setUint32(e, 20, true)
    v.setBigUint64(e + 4, BigInt(m.base), true)
    v.setBigUint64(e + 12, BigInt(m.length), true)
    v.setUint32(e + 20, m.type === E820.RAM ? 1 : 2, true)
  })
  v.setUint32(MultibootInfo.mmap_length, map.length * 24, true)
  v.setUint32(MultibootInfo.mmap_addr, MULTIBOOT_INFO_ADDR + MMAP_OFFSET, true)

  info.set(encodeCString(BOOT_LOADER_NAME), NAME_OFFSET)
  v.setUint32(MultibootInfo.boot_loader_name, MULTIBOOT_INFO_ADDR + NAME_OFFSET, true)

  if (opts.initrd) {
    // Modules go page-aligned after the kernel (spec 3.3: "mods_addr"; GRUB and QEMU do the same).
    const base = Math.ceil(imageEnd / 0x1000) * 0x1000
    loadPiece(memory, opts.memoryBytes, 'initrd module', base, opts.initrd)
    regions.push({ name: 'initrd', base, size: opts.initrd.length })
    info.set(encodeCString('initrd'), MOD_STRING_OFFSET)
    v.setUint32(MODS_OFFSET, base, true)
    v.setUint32(MODS_OFFSET + 4, base + opts.initrd.length, true)
    v.setUint32(MODS_OFFSET + 8, MULTIBOOT_INFO_ADDR + MOD_STRING_OFFSET, true)
    flags |= MultibootInfoFlag.MODS
  }
  v.setUint32(MultibootInfo.mods_count, opts.initrd ? 1 : 0, true)
  v.setUint32(MultibootInfo.mods_addr, MULTIBOOT_INFO_ADDR + MODS_OFFSET, true)
  v.setUint32(MultibootInfo.flags, flags, true)
  memory.writeBytes(MULTIBOOT_INFO_ADDR, info)
  regions.push({ name: 'multiboot-info', base: MULTIBOOT_INFO_ADDR, size: info.length }, { name: 'cmdline', base: CMDLINE_ADDR, size: cmd.length })

  return enterProtectedMode32(memory, {
    format: 'multiboot',
    entry,
    regs: { 0: BigInt(MULTIBOOT_BOOTLOADER_MAGIC), 3: BigInt(MULTIBOOT_INFO_ADDR) },
    regions,
  })
}
