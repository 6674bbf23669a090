import { describe, expect, it } from 'vitest'
import { IoApic, type IoApicMessage } from '../../../../core/vmm/devices/ioapic/ioapic'

function setup() {
  const sent: IoApicMessage[] = []
  const io = new IoApic((m) => sent.push(m))
  const reg = (r: number, v?: number) => { io.write(0, 4, r); if (v === undefined) return io.read(0x10, 4); io.write(0x10, 4, v); return 0 }
  return { io, sent, reg }
}

describe('I/O APIC', () => {
  it('reports version 0x20 with 24 pins and starts masked', () => {
    const { io, sent, reg } = setup()
    expect(reg(1)).toBe(0x170020)
    reg(0, 0x05000000)
    expect(reg(0)).toBe(0x05000000)
    io.setIrq(4, true)
    expect(sent).toEqual([])
  })

  it('sends edge-triggered messages on rising edges only', () => {
    const { io, sent, reg } = setup()
    reg(0x10 + 2 * 4 + 1, 0x01000000)
    reg(0x10 + 2 * 4, 0x31)
    io.setIrq(4, true); io.setIrq(4, true); io.setIrq(4, false); io.setIrq(4, true)
    expect(sent).toEqual([
      { dest: 1, destModeLogical: false, vector: 0x31, deliveryMode: 0, levelTriggered: false },
      { dest: 1, destModeLogical: false, vector: 0x31, deliveryMode: 0, levelTriggered: false },
    ])
  })

  it('level-triggered: remote IRR blocks until EOI, then re-sends while asserted', () => {
    const { io, sent, reg } = setup()
    reg(0x10 + 2 * 9, 0x8000 | 0x41)
    io.setIrq(9, true)
    io.setIrq(9, true)
    expect(sent.length).toBe(1)
    expect(reg(0x10 + 2 * 9) & 0x4000).toBe(0x4000)
    io.eoi(0x41)
    expect(sent.length).toBe(2) // still asserted
    io.setIrq(9, false)
    io.write(0x40, 4, 0x41) // EOI register
    expect(reg(0x10 + 2 * 9) & 0x4000).toBe(0)
    expect(sent.length).toBe(2)
  })

  it('unmasking an asserted level line delivers; state round-trips', () => {
    const { io, sent, reg } = setup()
    reg(0x10 + 2 * 10, 0x18000 | 0x50) // masked, level
    io.setIrq(10, true)
    expect(sent.length).toBe(0)
    reg(0x10 + 2 * 10, 0x08000 | 0x50 | (1 << 11) | (1 << 8))
    expect(sent[0]).toEqual({ dest: 0, destModeLogical: true, vector: 0x50, deliveryMode: 1, levelTriggered: true })
    const b = new IoApic()
    b.restoreState(JSON.parse(JSON.stringify(io.saveState())))
    expect(b.entry(10)).toBe(io.entry(10))
  })
})
