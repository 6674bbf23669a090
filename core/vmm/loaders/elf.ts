/**
 * Just enough of ELF (System V gABI, "ELF header" and "Program header") to load a kernel:
 * the class (32/64), machine, entry point and the PT_LOAD segments with their physical
 * addresses. Section headers, symbols and relocations are not needed to boot.
 */
import { ImageReader, KernelLoadError } from './image-reader'

export const ELF_MAGIC = 0x464c457f // "\x7fELF" little-endian
export const ElfClass = { ELF32: 1, ELF64: 2 } as const
export const ElfMachine = { EM_386: 3, EM_X86_64: 62 } as const
const ELFDATA2LSB = 1
const PT_LOAD = 1

export interface ElfSegment {
  /** Physical (load) address: p_paddr, as multiboot loaders and GRUB use. */
  paddr: number
  /** Virtual address (may be a higher-half address beyond 2^53). */
  vaddr: bigint
  fileOffset: number
  fileSize: number
  memSize: number
}

export interface ElfImage {
  elfClass: 1 | 2
  machine: number
  entry: bigint
  segments: ElfSegment[]
}

export function isElf(image: Uint8Array): boolean {
  return image.length >= 4 && image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46
}

export function parseElf(image: Uint8Array): ElfImage {
  const r = new ImageReader(image, 'ELF image')
  if (!isElf(image)) throw new KernelLoadError('not an ELF image (bad magic)')
  const elfClass = r.u8(4, 'e_ident[EI_CLASS]')
  if (elfClass !== ElfClass.ELF32 && elfClass !== ElfClass.ELF64) throw new KernelLoadError(`ELF image has unknown class ${elfClass}`)
  if (r.u8(5, 'e_ident[EI_DATA]') !== ELFDATA2LSB) throw new KernelLoadError('ELF image is not little-endian')
  const is64 = elfClass === ElfClass.ELF64
  const machine = r.u16(18, 'e_machine')
  if (machine !== ElfMachine.EM_386 && machine !== ElfMachine.EM_X86_64) throw new KernelLoadError(`ELF image is for machine ${machine}, not x86`)
  const entry = is64 ? r.u64big(24, 'e_entry') : BigInt(r.u32(24, 'e_entry'))
  const phoff = is64 ? r.u64(32, 'e_phoff') : r.u32(28, 'e_phoff')
  const phentsize = r.u16(is64 ? 54 : 42, 'e_phentsize')
  const phnum = r.u16(is64 ? 56 : 44, 'e_phnum')
  if (phnum === 0) throw new KernelLoadError('ELF image has no program headers')
  if (phentsize < (is64 ? 56 : 32)) throw new KernelLoadError(`ELF image has a bad e_phentsize ${phentsize}`)
  const segments: ElfSegment[] = []
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize
    const field = (n: string) => `program header ${i} ${n}`
    if (r.u32(ph, field('p_type')) !== PT_LOAD) continue
    const seg: ElfSegment = is64
      ? {
          fileOffset: r.u64(ph + 8, field('p_offset')), vaddr: r.u64big(ph + 16, field('p_vaddr')),
          paddr: r.u64(ph + 24, field('p_paddr')), fileSize: r.u64(ph + 32, field('p_filesz')), memSize: r.u64(ph + 40, field('p_memsz')),
        }
      : {
          fileOffset: r.u32(ph + 4, field('p_offset')), vaddr: BigInt(r.u32(ph + 8, field('p_vaddr'))),
          paddr: r.u32(ph + 12, field('p_paddr')), fileSize: r.u32(ph + 16, field('p_filesz')), memSize: r.u32(ph + 20, field('p_memsz')),
        }
    if (seg.fileSize > seg.memSize) throw new KernelLoadError(`ELF program header ${i} has p_filesz > p_memsz`)
    if (!r.has(seg.fileOffset, seg.fileSize)) throw new KernelLoadError(`ELF image is truncated: segment ${i} needs file bytes [0x${seg.fileOffset.toString(16)}, +0x${seg.fileSize.toString(16)})`)
    if (seg.memSize > 0) segments.push(seg)
  }
  if (segments.length === 0) throw new KernelLoadError('ELF image has no loadable (PT_LOAD) segments')
  return { elfClass, machine, entry, segments }
}

/** The physical address of the entry point: e_entry translated through the segment holding it. */
export function physicalEntry(elf: ElfImage): number {
  for (const s of elf.segments) {
    if (elf.entry >= s.vaddr && elf.entry < s.vaddr + BigInt(s.memSize)) return Number(elf.entry - s.vaddr) + s.paddr
  }
  if (elf.entry > BigInt(Number.MAX_SAFE_INTEGER)) throw new KernelLoadError(`ELF entry point 0x${elf.entry.toString(16)} is in no loadable segment`)
  return Number(elf.entry)
}

/** Sort order-independent extent [lowest paddr, highest paddr + memsz). */
export function elfExtent(elf: ElfImage): { start: number; end: number } {
  let start = Infinity
  let end = 0
  for (const s of elf.segments) {
    start = Math.min(start, s.paddr)
    end = Math.max(end, s.paddr + s.memSize)
  }
  return { start, end }
}
