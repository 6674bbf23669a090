/**
 * Test harness for the x64 CPU: builds guest code with the host's GNU toolchain at test
 * time, loads flat binaries / ELF images into GuestMemory, puts the CPU into a chosen
 * start state and runs it while servicing exits like a tiny VMM (a COM1 that is always
 * ready, an isa-debug-exit port at 0xF4, native CPUID, #GP for unknown MSRs).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu, nativeCpuid, ExitReason, Seg, type X64Cpu } from '../../../core/x64'

export function hasToolchain(): boolean {
  try { execFileSync('as', ['--version'], { stdio: 'ignore' }); execFileSync('ld', ['--version'], { stdio: 'ignore' }); return true } catch { return false }
}

/**
 * Assemble GNU-as source into a flat binary linked at `org`. `bits` selects .code16/
 * .code32/.code64 at the top of the file.
 */
export function assemble(source: string, org = 0x1000, bits: 16 | 32 | 64 = 64): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'x64asm-'))
  try {
    const head = bits === 16 ? '.code16\n' : bits === 32 ? '.code32\n' : '.code64\n'
    writeFileSync(join(dir, 'a.S'), `.intel_syntax noprefix\n.text\n.globl _start\n_start:\n${head}${source}\n`)
    execFileSync('gcc', ['-c', '-m64', '-o', join(dir, 'a.o'), join(dir, 'a.S')], { stdio: 'pipe' })
    execFileSync('ld', ['-m', 'elf_x86_64', '-nostdlib', '-Ttext', '0x' + org.toString(16), '--oformat', 'binary', '-o', join(dir, 'a.bin'), join(dir, 'a.o')], { stdio: 'pipe' })
    return new Uint8Array(readFileSync(join(dir, 'a.bin')))
  } finally { rmSync(dir, { recursive: true, force: true }) }
}

/** Build an ELF from files with shell-free commands run in a temp dir. */
export function buildInTemp(files: Record<string, string>, cmds: string[][], output: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'x64build-'))
  try {
    for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t)
    for (const [cmd, ...args] of cmds) execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' })
    return new Uint8Array(readFileSync(join(dir, output)))
  } finally { rmSync(dir, { recursive: true, force: true }) }
}

/** Load the PT_LOAD segments of an ELF64 or ELF32 image; returns the entry point. */
export function loadElf(mem: GuestMemory, elf: Uint8Array): number {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength)
  const is64 = elf[4] === 2
  const entry = is64 ? Number(v.getBigUint64(24, true)) : v.getUint32(24, true)
  const phoff = is64 ? Number(v.getBigUint64(32, true)) : v.getUint32(28, true)
  const phentsize = v.getUint16(is64 ? 54 : 42, true)
  const phnum = v.getUint16(is64 ? 56 : 44, true)
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize
    if (v.getUint32(p, true) !== 1) continue
    const off = is64 ? Number(v.getBigUint64(p + 8, true)) : v.getUint32(p + 4, true)
    const paddr = is64 ? Number(v.getBigUint64(p + 24, true)) : v.getUint32(p + 12, true)
    const filesz = is64 ? Number(v.getBigUint64(p + 32, true)) : v.getUint32(p + 16, true)
    const memsz = is64 ? Number(v.getBigUint64(p + 40, true)) : v.getUint32(p + 20, true)
    mem.writeBytes(paddr, elf.subarray(off, off + filesz))
    mem.writeBytes(paddr + filesz, new Uint8Array(memsz - filesz))
  }
  return entry
}

const flat = (sel: number, attr: number) => ({ base: 0n, limit: 0xffffffff, selector: sel, attributes: attr })

/** Multiboot-style entry: 32-bit protected mode, flat CS/DS, paging off. */
export function enterFlat32(cpu: X64Cpu, entry: number): void {
  cpu.setCr(0, 0x11n)
  cpu.setSegment(Seg.CS, flat(0x08, 0xc09b))
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, flat(0x10, 0xc093))
  cpu.setRflags(2n)
  cpu.setRip(BigInt(entry))
}

/**
 * 64-bit long mode with identity-mapped 2 MiB pages for the first 1 GiB (tables at
 * `tables`, 3 pages) and flat CPL-0 segments.
 */
export function enterLong64(cpu: X64Cpu, mem: GuestMemory, entry: number, tables = 0x70000): void {
  const v = mem.view
  mem.ram.fill(0, tables, tables + 0x3000)
  v.setUint32(tables, tables + 0x1000 + 3, true)
  v.setUint32(tables + 0x1000, tables + 0x2000 + 3, true)
  for (let i = 0; i < 512; i++) { v.setUint32(tables + 0x2000 + i * 8, i * 0x200000 + 0x83, true); v.setUint32(tables + 0x2000 + i * 8 + 4, Math.floor(i * 0x200000 / 2 ** 32), true) }
  cpu.setCr(3, BigInt(tables))
  cpu.setCr(4, 0x20n)
  cpu.setEfer(0x500n)
  cpu.setCr(0, 0x80000011n)
  cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffffffff, selector: 0x08, attributes: 0xa09b })
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, flat(0x10, 0xc093))
  cpu.setSegment(Seg.TR, { base: 0n, limit: 0x67, selector: 0, attributes: 0x8b })
  cpu.setRflags(2n)
  cpu.setRip(BigInt(entry))
}

export interface RunResult {
  serial: string
  exitCode: number | undefined
  reason: number
  instructions: number
  ports: Array<[number, number]>
}

/** Run like a tiny VMM until the debug-exit port, HLT with IF=0, triple fault or the limit. */
export function runGuest(cpu: X64Cpu, maxInstructions = 50_000_000, inPort: (port: number, size: number) => number = () => 0xffffffff): RunResult {
  let serial = ''
  const ports: Array<[number, number]> = []
  const out = new Uint32Array(4)
  const start = cpu.retired
  for (;;) {
    if (cpu.retired - start >= maxInstructions) return { serial, exitCode: undefined, reason: ExitReason.None, instructions: cpu.retired - start, ports }
    const r = cpu.run(Math.min(1_000_000, maxInstructions - (cpu.retired - start)))
    const e = cpu.exit
    switch (r) {
      case ExitReason.None: break
      case ExitReason.IoPort:
        if (e.isWrite) {
          ports.push([e.port, e.value])
          if (e.port === 0x3f8) serial += String.fromCharCode(e.value & 0xff)
          if (e.port === 0xf4) { cpu.completeIoOut(); return { serial, exitCode: e.value, reason: r, instructions: cpu.retired - start, ports } }
          cpu.completeIoOut()
        } else cpu.completeIoIn(e.port === 0x3fd ? 0x60 : inPort(e.port, e.accessSize))
        break
      case ExitReason.Cpuid:
        nativeCpuid(e.leaf, e.subleaf, out)
        cpu.completeCpuid(out[0], out[1], out[2], out[3])
        break
      case ExitReason.MsrRead: case ExitReason.MsrWrite:
        cpu.injectException(13, 0)
        break
      default:
        return { serial, exitCode: undefined, reason: r, instructions: cpu.retired - start, ports }
    }
  }
}

export function newCpu(memBytes = 16 * 1024 * 1024): { cpu: X64Cpu; mem: GuestMemory } {
  const mem = new GuestMemory(memBytes)
  return { cpu: createX64Cpu(mem), mem }
}

export const GDT_BASE = 0x800
export const TSS_BASE = 0xa00
export const CODE_BASE = 0x1000
export const STACK_TOP = 0x80000

/** GDT: 0x08 code64, 0x10 data, 0x18 code32, 0x20 user code32, 0x28 user data, 0x30 user code64, 0x38 TSS64. */
export function installGdt(mem: GuestMemory, cpu: X64Cpu): void {
  const v = mem.view
  const q = [0n, 0x00af9a000000ffffn, 0x00cf92000000ffffn, 0x00cf9a000000ffffn, 0x00cffa000000ffffn, 0x00cff2000000ffffn, 0x00affa000000ffffn]
  q.forEach((d, i) => v.setBigUint64(GDT_BASE + i * 8, d, true))
  // 64-bit available TSS at TSS_BASE, limit 0x67
  const tss = BigInt(TSS_BASE)
  const lo = 0x67n | ((tss & 0xffffffn) << 16n) | (0x89n << 40n) | (((tss >> 24n) & 0xffn) << 56n)
  v.setBigUint64(GDT_BASE + 7 * 8, lo, true)
  v.setBigUint64(GDT_BASE + 8 * 8, 0n, true)
  cpu.setGdtr({ base: BigInt(GDT_BASE), limit: 9 * 8 - 1 })
  cpu.setSegment(Seg.TR, { base: tss, limit: 0x67, selector: 0x38, attributes: 0x8b })
}

/** Assemble `source` (Intel syntax, 64-bit) at CODE_BASE, enter long mode, run to HLT. */
export function run64(source: string, setup?: (cpu: X64Cpu, mem: GuestMemory) => void, max = 1_000_000): { cpu: X64Cpu; mem: GuestMemory; r: RunResult } {
  const { cpu, mem } = newCpu()
  mem.writeBytes(CODE_BASE, assemble(source + '\nhlt\n', CODE_BASE, 64))
  enterLong64(cpu, mem, CODE_BASE)
  installGdt(mem, cpu)
  cpu.setReg(4, BigInt(STACK_TOP))
  setup?.(cpu, mem)
  const r = runGuest(cpu, max)
  return { cpu, mem, r }
}

/** Register value as an unsigned bigint. */
export function reg(cpu: X64Cpu, r: number): bigint {
  return cpu.getReg(r)
}
