/**
 * STI, POPF and CLI run as CLOSURE records in record blocks and inside generated blocks;
 * the run loop must still see exactly what the interpreter sees: the STI shadow covers one
 * instruction, and an interrupt window opened by POPF or STI exits before the instruction
 * after the window opened (SDM vol. 3 6.8.3; cpu.ts runCompiled).
 */
import { describe, expect, it } from 'vitest'
import { ExitReason, createX64Cpu, Reg } from '../../../core/x64'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { assemble, enterLong64, hasToolchain } from './harness'

const MODES = [
  { name: 'record blocks', blockThreshold: undefined },
  { name: 'generated blocks', blockThreshold: 1 },
  { name: 'interpreter', decodeCache: false },
] as const

function boot(src: string, opts: object) {
  const mem = new GuestMemory(16 * 1024 * 1024)
  const cpu = createX64Cpu(mem, opts)
  mem.writeBytes(0x1000, assemble(src, 0x1000))
  enterLong64(cpu, mem, 0x1000)
  cpu.setReg(Reg.RSP, 0x8000n)
  return cpu
}

describe.skipIf(!hasToolchain())('IF changes in compiled code', () => {
  for (const mode of MODES) {
    it(`${mode.name}: an interrupt window opened by STI exits after the shadowed instruction`, () => {
      // run the loop body a few times first so the code is cached and compiled
      const cpu = boot('mov ecx, 5\n1: cli\nsti\nadd eax, 1\nadd ebx, 1\ndec ecx\njnz 1b\ncli\nsti\nadd eax, 1\nadd ebx, 1\nhlt', mode)
      expect(cpu.run(1000)).toBe(ExitReason.Halt)
      expect(cpu.getReg(Reg.RAX)).toBe(6n)
      const cpu2 = boot('cli\nmov ecx, 5\n1: sti\nadd eax, 1\nadd ebx, 1\ncli\ndec ecx\njnz 1b\nhlt', mode)
      cpu2.run(2 + 3 * 6) // CLI MOV, then three passes of STI ADD ADD CLI DEC JNZ: STI is next, IF clear
      cpu2.interruptWindowRequested = true
      const r = cpu2.run(1000)
      expect(r).toBe(ExitReason.InterruptWindow)
      // the window opens at the first STI; the ADD EAX under its shadow has run, ADD EBX has not
      expect(cpu2.getReg(Reg.RAX) - cpu2.getReg(Reg.RBX)).toBe(1n)
    })

    it(`${mode.name}: POPF setting IF exits before the next instruction`, () => {
      const cpu = boot('cli\nmov ecx, 50\n1: push 0x202\npopf\nadd eax, 1\ncli\ndec ecx\njnz 1b\nhlt', mode)
      cpu.run(2 + 30 * 6) // CLI MOV, then 30 passes of the 6-instruction loop: PUSH is next, IF clear
      const before = cpu.getReg(Reg.RAX)
      cpu.interruptWindowRequested = true
      expect(cpu.run(1000)).toBe(ExitReason.InterruptWindow)
      // IF is set and the instruction right after the POPF has not run
      expect(cpu.getRflags() & 0x200n).toBe(0x200n)
      const rip = cpu.getRip()
      const code = assemble('cli\nmov ecx, 50\n1: push 0x202\npopf\n2: add eax, 1', 0x1000)
      expect(rip).toBe(BigInt(0x1000 + code.length - 3)) // `add eax, 1` is 3 bytes
      expect(cpu.getReg(Reg.RAX)).toBe(before)
    })

    it(`${mode.name}: PUSHF/POPF round-trip and CLI clears IF`, () => {
      const cpu = boot('mov ecx, 20\n1: sti\npushf\npop rax\ncli\npushf\npop rbx\npush rax\npopf\ndec ecx\njnz 1b\nhlt', mode)
      expect(cpu.run(1000)).toBe(ExitReason.Halt)
      expect(cpu.getReg(Reg.RAX) & 0x200n).toBe(0x200n)
      expect(cpu.getReg(Reg.RBX) & 0x200n).toBe(0n)
      expect(cpu.getRflags() & 0x200n).toBe(0x200n)
    })
  }
})
