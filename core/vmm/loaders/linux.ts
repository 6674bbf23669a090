/**
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst) for bzImages of protocol 2.06
 * or later, booted without BIOS or real mode: the protected-mode kernel is loaded at 1 MiB,
 * boot_params (the "zero page") gets a copy of the setup header plus the e820 map, command
 * line and initrd, and the kernel is entered at its 64-bit entry (load address + 0x200, long
 * mode, RSI = boot_params) when xloadflags.XLF_KERNEL_64 is set, else at its 32-bit entry
 * (code32_start, flat protected mode, ESI = boot_params).
 */
import type { GuestMemory } from '../../memory/guest-memory'
import type { BootState } from './boot-state'
import { encodeCString } from './c-string'
import { enterLongMode64, enterProtectedMode32 } from './cpu-setup'
import { ImageReader, KernelLoadError } from './image-reader'
import { BOOT_PARAMS_ADDR, CMDLINE_ADDR, CMDLINE_MAX, HIGH_RAM_START, pcMemoryMap, ramTop } from './layout'
import type { LoadOptions } from './multiboot'
import { loadPiece } from './segment-writer'

export const LINUX_BOOT_FLAG = 0xaa55
export const LINUX_HDRS_MAGIC = 0x53726448 // "HdrS"
export const LINUX_MIN_PROTOCOL = 0x0206

/** Offsets in boot_params (struct boot_params, "zero page"); the setup header starts at 0x1F1. */
export const BootParams = {
  ext_ramdisk_image: 0x0c0, ext_ramdisk_size: 0x0c4, ext_cmd_line_ptr: 0x0c8,
  e820_entries: 0x1e8, sentinel: 0x1ef,
  setup_sects: 0x1f1, vid_mode: 0x1fa, boot_flag: 0x1fe, jump: 0x200, header: 0x202, version: 0x206,
  type_of_loader: 0x210, loadflags: 0x211, code32_start: 0x214, ramdisk_image: 0x218, ramdisk_size: 0x21c,
  heap_end_ptr: 0x224, cmd_line_ptr: 0x228, initrd_addr_max: 0x22c, kernel_alignment: 0x230,
  relocatable_kernel: 0x234, xloadflags: 0x236, cmdline_size: 0x238, hardware_subarch: 0x23c,
  pref_address: 0x258, init_size: 0x260,
  e820_table: 0x2d0, E820_MAX: 128, SIZE: 0x1000,
} as const

export const LoadFlags = { LOADED_HIGH: 0x01, KASLR_FLAG: 0x02, QUIET_FLAG: 0x20, KEEP_SEGMENTS: 0x40, CAN_USE_HEAP: 0x80 } as const
export const XLoadFlags = { XLF_KERNEL_64: 0x01, XLF_CAN_BE_LOADED_ABOVE_4G: 0x02 } as const
/** type_of_loader 0xFF: "undefined" boot loader (boot.rst, "type_of_loader"). */
export const TYPE_OF_LOADER_UNDEFINED = 0xff
const DEFAULT_INITRD_ADDR_MAX = 0x37ffffff
/** End of the setup heap that real-mode setup would use, as an offset from its start; only recorded. */
const HEAP_END = 0xfe00

export function isBzImage(image: Uint8Array): boolean {
  const r = new ImageReader(image)
  return r.has(0x202, 4) && r.u16(BootParams.boot_flag) === LINUX_BOOT_FLAG && r.u32(BootParams.header) === LINUX_HDRS_MAGIC
}

export function loadLinux(memory: GuestMemory, image: Uint8Array, opts: LoadOptions): BootState {
  const r = new ImageReader(image, 'bzImage')
  const version = r.u16(BootParams.version, 'setup header version')
  if (version < LINUX_MIN_PROTOCOL) {
    throw new KernelLoadError(`Linux boot protocol ${version >> 8}.${(version & 0xff).toString().padStart(2, '0')} is too old (need 2.06 or later)`)
  }
  const loadflags = r.u8(BootParams.loadflags, 'loadflags')
  if (!(loadflags & LoadFlags.LOADED_HIGH)) throw new KernelLoadError('zImage kernels (loaded below 1 MiB) are not supported; use a bzImage')
  const setupSects = r.u8(BootParams.setup_sects, 'setup_sects') || 4
  const pmOffset = (setupSects + 1) * 512
  if (pmOffset >= image.length) throw new KernelLoadError(`bzImage is truncated: the protected-mode kernel should start at offset ${pmOffset}, file has ${image.length} bytes`)
  // The setup header ends at 0x202 + the jump's 8-bit displacement (boot.rst, "the header").
  const hdrEnd = Math.min(0x202 + r.u8(0x201, 'jump displacement'), BootParams.e820_table)
  if (!r.has(BootParams.setup_sects, hdrEnd - BootParams.setup_sects)) throw new KernelLoadError('bzImage is truncated inside its setup header')
  const xloadflags = version >= 0x020c ? r.u16(BootParams.xloadflags) : 0
  const initSize = version >= 0x020a ? r.u32(BootParams.init_size) : 0
  const cmdlineSize = r.u32(BootParams.cmdline_size)
  const initrdAddrMax = r.u32(BootParams.initrd_addr_max) || DEFAULT_INITRD_ADDR_MAX

  const pm = image.subarray(pmOffset)
  const loadAddr = HIGH_RAM_START
  const kernelEnd = loadAddr + Math.max(pm.length, initSize)
  const top = ramTop(opts.memoryBytes)
  if (kernelEnd > top) {
    throw new KernelLoadError(`the kernel needs memory up to 0x${kernelEnd.toString(16)} (init_size ${initSize}) but guest RAM ends at 0x${top.toString(16)}`)
  }
  loadPiece(memory, opts.memoryBytes, 'protected-mode kernel', loadAddr, pm)
  const regions: BootState['regions'] = [{ name: 'kernel', base: loadAddr, size: pm.length }]

  const bp = new Uint8Array(BootParams.SIZE)
  const v = new DataView(bp.buffer)
  bp.set(image.subarray(BootParams.setup_sects, hdrEnd), BootParams.setup_sects)
  bp[BootParams.type_of_loader] = TYPE_OF_LOADER_UNDEFINED
  bp[BootParams.loadflags] = loadflags | LoadFlags.CAN_USE_HEAP
  v.setUint16(BootParams.heap_end_ptr, HEAP_END - 0x200, true)
  v.setUint32(BootParams.code32_start, loadAddr, true)
  v.setUint32(BootParams.hardware_subarch, 0, true)

  const cmd = encodeCString(opts.cmdline ?? '')
  if (cmd.length - 1 > cmdlineSize || cmd.length > CMDLINE_MAX) {
    throw new KernelLoadError(`kernel command line is ${cmd.length - 1} bytes; this kernel accepts at most ${Math.min(cmdlineSize, CMDLINE_MAX - 1)}`)
  }
  memory.writeBytes(CMDLINE_ADDR, cmd)
  v.setUint32(BootParams.cmd_line_ptr, CMDLINE_ADDR, true)
  regions.push({ name: 'cmdline', base: CMDLINE_ADDR, size: cmd.length })

  if (opts.initrd && opts.initrd.length > 0) {
    // As high as allowed (boot.rst: "initrd_addr_max"), page-aligned, above the kernel's init_size.
    const limit = Math.min(initrdAddrMax + 1, top)
    const base = Math.floor((limit - opts.initrd.length) / 0x1000) * 0x1000
    if (base < kernelEnd) {
      throw new KernelLoadError(`the initrd (${opts.initrd.length} bytes) does not fit in guest RAM between the kernel (ends 0x${kernelEnd.toString(16)}) and 0x${limit.toString(16)}`)
    }
    loadPiece(memory, opts.memoryBytes, 'initrd', base, opts.initrd)
    v.setUint32(BootParams.ramdisk_image, base, true)
    v.setUint32(BootParams.ramdisk_size, opts.initrd.length, true)
    regions.push({ name: 'initrd', base, size: opts.initrd.length })
  } else {
    v.setUint32(BootParams.ramdisk_image, 0, true)
    v.setUint32(BootParams.ramdisk_size, 0, true)
  }

  const map = pcMemoryMap(opts.memoryBytes)
  map.forEach((m, i) => {
    const e = BootParams.e820_table + i * 20
    v.setBigUint64(e, BigInt(m.base), true)
    v.setBigUint64(e + 8, BigInt(m.length), true)
    v.setUint32(e + 16, m.type, true)
  })
  bp[BootParams.e820_entries] = map.length
  memory.writeBytes(BOOT_PARAMS_ADDR, bp)
  regions.push({ name: 'boot_params', base: BOOT_PARAMS_ADDR, size: BootParams.SIZE })

  if (xloadflags & XLoadFlags.XLF_KERNEL_64) {
    // 64-bit boot protocol: startup_64 sits 0x200 past the start of the protected-mode kernel.
    return enterLongMode64(memory, { format: 'linux', entry: loadAddr + 0x200, regs: { 6: BigInt(BOOT_PARAMS_ADDR) }, regions })
  }
  // 32-bit boot protocol: ESI = boot_params; EBP, EDI, EBX must be zero (they are).
  return enterProtectedMode32(memory, { format: 'linux', entry: loadAddr, regs: { 6: BigInt(BOOT_PARAMS_ADDR) }, regions })
}
