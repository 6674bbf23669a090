import { describe, it, expect } from 'vitest'
import { hasToolchain, assemble, enterLong64, installGdt, newCpu, CODE_BASE, STACK_TOP } from './harness'

// getInterruptState/setInterruptState expose the STI shadow and NMI blocking (the
// HV_X64_INTERRUPT_STATE_REGISTER bits) that save/restore needs.

describe.skipIf(!hasToolchain())('interrupt state accessors', () => {
  it('report the STI shadow for one instruction and round-trip both bits', () => {
    const { cpu, mem } = newCpu()
    mem.writeBytes(CODE_BASE, assemble('cli\nsti\nnop\nnop\nhlt\n', CODE_BASE, 64))
    enterLong64(cpu, mem, CODE_BASE)
    installGdt(mem, cpu)
    cpu.setReg(4, BigInt(STACK_TOP))
    cpu.run(2) // CLI, STI
    expect(cpu.getInterruptState!()).toEqual({ interruptShadow: true, nmiMasked: false })
    expect(cpu.canTakeInterrupt()).toBe(false)
    cpu.run(1) // the shadowed NOP
    expect(cpu.getInterruptState!().interruptShadow).toBe(false)
    expect(cpu.canTakeInterrupt()).toBe(true)
    cpu.setInterruptState!({ interruptShadow: true, nmiMasked: true })
    expect(cpu.getInterruptState!()).toEqual({ interruptShadow: true, nmiMasked: true })
    expect(cpu.canTakeInterrupt()).toBe(false)
    cpu.setInterruptState!({ interruptShadow: false, nmiMasked: false })
    expect(cpu.getInterruptState!()).toEqual({ interruptShadow: false, nmiMasked: false })
  })
})
