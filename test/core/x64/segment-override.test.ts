/**
 * FS/GS overrides on RIP-relative operands (SDM vol. 1 3.7.5: the segment base is added to
 * the RIP-relative effective address). Linux's per-CPU accesses (`mov %rax, %gs:var(%rip)`)
 * depend on it; found booting Debian's kernel (docs/linux.md). The loop runs the same code as
 * a compiled block, where an instruction without ModRM once re-resolved the previous
 * instruction's RIP-relative operand.
 */
import { describe, it, expect } from 'vitest'
import { Seg } from '../../../core/x64'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu } from '../../../core/x64'
import { assemble, enterLong64, hasToolchain, runGuest } from './harness'

describe.skipIf(!hasToolchain())('segment override with RIP-relative operands', () => {
  for (const decodeCache of [true, false]) {
    it(`adds the GS base to a RIP-relative store and load (decode cache ${decodeCache ? 'on' : 'off'})`, () => {
      const mem = new GuestMemory(16 * 1024 * 1024)
      const cpu = createX64Cpu(mem, { decodeCache })
      // 40 iterations: hot code is compiled as a block after a few executions.
      const code = assemble(`
        mov r8d, 40
        xor edx, edx
      again:
        mov rax, 0x1122334455667788
        mov qword ptr gs:[rip + var], rax
        mov rbx, qword ptr gs:[rip + var]
        mov ecx, dword ptr fs:[rip + var]
        mov edi, 5
        add rdi, qword ptr fs:[rip + var]
        add rdx, rdi
        dec r8d
        jnz again
        hlt
        .balign 8
        var: .quad 0
      `, 0x1000)
      mem.writeBytes(0x1000, code)
      enterLong64(cpu, mem, 0x1000)
      cpu.setSegment(Seg.GS, { base: 0x200000n, limit: 0xffffffff, selector: 0, attributes: 0xc093 })
      cpu.setSegment(Seg.FS, { base: 0x300000n, limit: 0xffffffff, selector: 0, attributes: 0xc093 })
      const varOff = code.length - 8
      mem.view.setUint32(0x300000 + 0x1000 + varOff, 0xcafe, true)
      runGuest(cpu, 10_000)
      expect(mem.view.getBigUint64(0x200000 + 0x1000 + varOff, true)).toBe(0x1122334455667788n)
      expect(mem.view.getBigUint64(0x1000 + varOff, true)).toBe(0n)
      expect(cpu.getReg(3)).toBe(0x1122334455667788n)
      expect(cpu.getReg(1)).toBe(0xcafen)
      expect(cpu.getReg(2)).toBe(40n * (5n + 0xcafen))
    })
  }
})
