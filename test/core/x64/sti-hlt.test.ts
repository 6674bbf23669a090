/**
 * `sti; hlt` (Linux's safe_halt idle): the STI shadow covers the HLT only, so once the HLT
 * has retired the halted CPU must accept an interrupt (SDM vol. 3 6.8.3). A shadow left
 * behind kept Linux halted forever with its timer interrupt pending (docs/linux.md).
 */
import { describe, expect, it } from 'vitest'
import { ExitReason } from '../../../core/x64'
import { assemble, enterLong64, hasToolchain, newCpu } from './harness'

describe.skipIf(!hasToolchain())('STI shadow over HLT', () => {
  it('ends when the HLT retires, so the halted CPU can take an interrupt', () => {
    const { cpu, mem } = newCpu()
    mem.writeBytes(0x1000, assemble('cli\nsti\nhlt\nhlt', 0x1000))
    enterLong64(cpu, mem, 0x1000)
    expect(cpu.run(100)).toBe(ExitReason.Halt)
    expect(cpu.halted).toBe(true)
    expect(cpu.canTakeInterrupt()).toBe(true)
  })

  it('still blocks interrupts between STI and the instruction after it', () => {
    const { cpu, mem } = newCpu()
    mem.writeBytes(0x1000, assemble('cli\nsti\nnop\nhlt', 0x1000))
    enterLong64(cpu, mem, 0x1000)
    cpu.run(2) // CLI, STI: the NOP is next and still under the shadow
    expect(cpu.canTakeInterrupt()).toBe(false)
    cpu.run(1)
    expect(cpu.canTakeInterrupt()).toBe(true)
  })
})
