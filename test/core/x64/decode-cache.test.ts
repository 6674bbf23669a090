import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { hasToolchain, buildInTemp, loadElf, enterLong64, installGdt, run64, reg } from './harness'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu, ExitReason, Reg } from '../../../core/x64'

function runBench(decodeCache: boolean, elf: Uint8Array) {
  const mem = new GuestMemory(32 << 20)
  const cpu = createX64Cpu(mem, { decodeCache })
  enterLong64(cpu, mem, loadElf(mem, elf))
  installGdt(mem, cpu)
  cpu.setReg(Reg.RSP, 0x80000n)
  let r: number
  do r = cpu.run(1_000_000); while (r === ExitReason.None && cpu.retired < 40_000_000)
  const regs = Array.from({ length: 16 }, (_, i) => cpu.getReg(i))
  let sum = 0
  for (let i = 0x100000; i < 0x140000; i += 4) sum = (sum + mem.view.getInt32(i, true) * (i | 1)) | 0
  return { r, regs, flags: cpu.getRflags(), rip: cpu.getRip(), retired: cpu.retired, sum }
}

describe.skipIf(!hasToolchain())('decoded-code cache', () => {
  it('compiled 64-bit code gives the same state and instruction count as the interpreter', () => {
    const src = readFileSync(join(__dirname, 'bench-mips.ts'), 'utf8').match(/const C = `([\s\S]*?)`/)![1].replace('round < 60', 'round < 2')
    const elf = buildInTemp({ 'b.c': src }, [
      ['gcc', '-m64', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-mno-red-zone', '-mno-sse', '-O2', '-nostdlib', '-static', '-Wl,-Ttext=0x100000', '-Wl,-z,max-page-size=0x1000', '-o', 'b.elf', 'b.c'],
    ], 'b.elf')
    const a = runBench(true, elf)
    const b = runBench(false, elf)
    expect(a.r).toBe(ExitReason.Halt)
    expect(a).toEqual(b)
  })

  it('code patched after it was cached runs the new bytes (self-modifying loop)', () => {
    const { cpu } = run64(`
      xor r8, r8
      mov ecx, 4
1:
patch: mov ebx, 0
      add r8, rbx
      inc dword ptr [rip + patch + 1]
      loop 1b`)
    expect(reg(cpu, Reg.R8)).toBe(0n + 1n + 2n + 3n)
  })
})

describe.skipIf(!hasToolchain())('decoded-code cache on a page shared by code and data', () => {
  it('a loop storing into its own code page still computes correctly (and stops thrashing)', () => {
    const { cpu, r } = run64(`
      xor eax, eax
      mov ecx, 200
1:    add dword ptr [rip + counter], 3
      add eax, dword ptr [rip + counter]
      loop 1b
      jmp 2f
counter: .long 0
2:    nop`)
    expect(r.reason).toBe(ExitReason.Halt)
    // sum over k = 1..200 of 3k
    expect(reg(cpu, Reg.RAX)).toBe(BigInt(3 * 200 * 201 / 2))
  })
})
