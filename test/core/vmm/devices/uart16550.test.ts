import { describe, expect, it } from 'vitest'
import { Uart16550 } from '../../../../core/vmm/devices/uart16550/uart16550'
import { COM1_BASE, FCR, IER, IIR, LCR, LSR, MCR, MSR, UartReg } from '../../../../core/vmm/devices/uart16550/spec'
import { ManualClock } from '../../../../core/vmm/io/clock'

const B = COM1_BASE
const rd = (u: Uart16550, r: number) => u.read(B + r, 1)
const wr = (u: Uart16550, r: number, v: number) => u.write(B + r, 1, v)

function setup(withClock = true) {
  const irqLog: boolean[] = []
  const tx: number[] = []
  const clock = new ManualClock()
  const u = new Uart16550({
    irq: { setIrq: (line, level) => { expect(line).toBe(4); irqLog.push(level) } },
    line: 4,
    clock: withClock ? clock : undefined,
    onTransmit: (bytes) => tx.push(...bytes),
  })
  return { u, irqLog, tx, clock, irq: () => irqLog.at(-1) ?? false }
}

describe('16550A UART', () => {
  it('resets to no interrupt, THR empty, FIFOs off', () => {
    const { u } = setup()
    expect(rd(u, UartReg.IIR)).toBe(IIR.NO_INT)
    expect(rd(u, UartReg.LSR)).toBe(LSR.THRE | LSR.TEMT)
    expect(rd(u, UartReg.MSR) & 0xf0).toBe(MSR.CTS | MSR.DSR | MSR.DCD)
  })

  it('transmits THR writes to the host and keeps the divisor latch behind DLAB', () => {
    const { u, tx } = setup()
    wr(u, UartReg.LCR, LCR.DLAB | 3)
    wr(u, UartReg.DLL, 0x01)
    wr(u, UartReg.DLM, 0x02)
    expect(tx).toEqual([])
    expect(rd(u, UartReg.DLL)).toBe(1)
    expect(rd(u, UartReg.DLM)).toBe(2)
    wr(u, UartReg.LCR, 3)
    expect(rd(u, UartReg.IER)).toBe(0)
    wr(u, UartReg.THR, 0x41)
    wr(u, UartReg.THR, 0x42)
    expect(tx).toEqual([0x41, 0x42])
    wr(u, UartReg.SCR, 0x5a)
    expect(rd(u, UartReg.SCR)).toBe(0x5a)
  })

  it('raises the IRQ only with OUT2 set', () => {
    const { u, irq } = setup()
    wr(u, UartReg.IER, IER.ETBEI)
    expect(rd(u, UartReg.IIR)).toBe(IIR.THR_EMPTY) // this IIR read consumes the THRE source…
    expect(rd(u, UartReg.IIR)).toBe(IIR.NO_INT)
    wr(u, UartReg.IER, 0)
    wr(u, UartReg.IER, IER.ETBEI) // …re-enabling ETBEI re-arms it
    expect(irq()).toBe(false) // OUT2 clear: the line stays low
    wr(u, UartReg.MCR, MCR.OUT2)
    expect(irq()).toBe(true)
  })

  it('THRE interrupt: armed by enabling ETBEI, cleared by IIR read, re-raised after a THR write', () => {
    const { u, irq } = setup()
    wr(u, UartReg.MCR, MCR.OUT2 | MCR.DTR | MCR.RTS)
    wr(u, UartReg.IER, IER.ETBEI)
    expect(irq()).toBe(true)
    expect(rd(u, UartReg.IIR)).toBe(IIR.THR_EMPTY)
    expect(irq()).toBe(false)
    expect(rd(u, UartReg.IIR)).toBe(IIR.NO_INT)
    wr(u, UartReg.THR, 0x30)
    expect(irq()).toBe(true)
    expect(rd(u, UartReg.IIR)).toBe(IIR.THR_EMPTY)
  })

  it('FIFO mode: trigger level, IIR FIFO bits, timeout after 4 character times', () => {
    const { u, irq, clock } = setup()
    wr(u, UartReg.LCR, LCR.DLAB)
    wr(u, UartReg.DLL, 1)
    wr(u, UartReg.LCR, 3) // 8N1: 10 bits per character
    wr(u, UartReg.FCR, FCR.ENABLE | 0x80) // trigger 8
    wr(u, UartReg.MCR, MCR.OUT2)
    wr(u, UartReg.IER, IER.ERBFI)
    expect(rd(u, UartReg.IIR)).toBe(IIR.FIFOS_ENABLED | IIR.NO_INT)
    u.receive([1, 2, 3])
    expect(rd(u, UartReg.LSR) & LSR.DR).toBe(LSR.DR)
    expect(irq()).toBe(false) // below trigger: only a timeout will tell
    const charNs = (10 * 1e9) / 115200
    expect(u.nextDeadline()).toBeCloseTo(4 * charNs, 3)
    clock.set(4 * charNs - 1)
    u.advanceTo(clock.now())
    expect(irq()).toBe(false)
    clock.set(4 * charNs)
    u.advanceTo(clock.now())
    expect(irq()).toBe(true)
    expect(rd(u, UartReg.IIR)).toBe(IIR.FIFOS_ENABLED | IIR.CHAR_TIMEOUT)
    expect(rd(u, UartReg.RBR)).toBe(1) // reading clears the timeout indication
    expect(rd(u, UartReg.IIR)).toBe(IIR.FIFOS_ENABLED | IIR.NO_INT)
    u.receive([4, 5, 6, 7, 8, 9])
    expect(rd(u, UartReg.IIR)).toBe(IIR.FIFOS_ENABLED | IIR.RX_DATA) // 2 + 6 = 8 bytes
    const got = []
    while (rd(u, UartReg.LSR) & LSR.DR) got.push(rd(u, UartReg.RBR))
    expect(got).toEqual([2, 3, 4, 5, 6, 7, 8, 9])
    expect(irq()).toBe(false)
    expect(u.nextDeadline()).toBe(Infinity)
  })

  it('keeps pasted text beyond 16 bytes in the host backlog without overrun', () => {
    const { u } = setup()
    wr(u, UartReg.FCR, FCR.ENABLE)
    const text = Array.from({ length: 100 }, (_, i) => (i * 7) & 0xff)
    u.receive(text)
    expect(u.backlogLength).toBe(84)
    const got: number[] = []
    while (rd(u, UartReg.LSR) & LSR.DR) got.push(rd(u, UartReg.RBR))
    expect(got).toEqual(text)
    expect(rd(u, UartReg.LSR) & LSR.OE).toBe(0)
  })

  it('16450 mode holds one byte; FIFO-enable change clears the FIFO', () => {
    const { u } = setup()
    u.receive([9, 8])
    expect(rd(u, UartReg.IIR)).toBe(IIR.NO_INT)
    wr(u, UartReg.IER, IER.ERBFI)
    expect(rd(u, UartReg.IIR)).toBe(IIR.RX_DATA)
    expect(rd(u, UartReg.RBR)).toBe(9)
    expect(rd(u, UartReg.RBR)).toBe(8)
    u.receive([1, 2, 3])
    wr(u, UartReg.FCR, FCR.ENABLE)
    // The held byte was discarded; the backlog refilled the new FIFO.
    expect([rd(u, 0), rd(u, 0)]).toEqual([2, 3])
  })

  it('loopback: TX goes to RX, modem outputs appear on MSR inputs, overrun sets OE and a line-status interrupt wins', () => {
    const { u, tx, irq } = setup()
    wr(u, UartReg.MCR, MCR.LOOP)
    rd(u, UartReg.MSR) // consume deltas from entering loopback
    wr(u, UartReg.MCR, MCR.LOOP | MCR.RTS | MCR.OUT2)
    expect(rd(u, UartReg.MSR)).toBe(MSR.CTS | MSR.DCD | MSR.DCTS | MSR.DDCD)
    expect(rd(u, UartReg.MSR)).toBe(MSR.CTS | MSR.DCD)
    wr(u, UartReg.MCR, MCR.LOOP | MCR.OUT1)
    wr(u, UartReg.MCR, MCR.LOOP) // RI falls: trailing edge
    expect(rd(u, UartReg.MSR) & MSR.TERI).toBe(MSR.TERI)
    wr(u, UartReg.IER, IER.ERBFI | IER.ELSI)
    wr(u, UartReg.THR, 0x55)
    wr(u, UartReg.THR, 0x66) // 16450 mode: overwrites the unread byte
    expect(tx).toEqual([])
    expect(rd(u, UartReg.IIR)).toBe(IIR.LINE_STATUS)
    expect(irq()).toBe(false) // OUT2 pin is inactive in loopback
    expect(rd(u, UartReg.LSR)).toBe(LSR.DR | LSR.OE | LSR.THRE | LSR.TEMT)
    expect(rd(u, UartReg.LSR) & LSR.OE).toBe(0) // cleared by the read
    expect(rd(u, UartReg.IIR)).toBe(IIR.RX_DATA)
    expect(rd(u, UartReg.RBR)).toBe(0x66)
  })

  it('priority: RX data over THRE over modem status', () => {
    const { u } = setup(false)
    wr(u, UartReg.IER, IER.ERBFI | IER.ETBEI | IER.EDSSI)
    wr(u, UartReg.MCR, MCR.LOOP | MCR.DTR) // DSR delta pending
    u.write(B, 1, 0x11) // loopback RX
    expect(rd(u, UartReg.IIR)).toBe(IIR.RX_DATA)
    rd(u, UartReg.RBR)
    expect(rd(u, UartReg.IIR)).toBe(IIR.THR_EMPTY)
    expect(rd(u, UartReg.IIR)).toBe(IIR.MODEM_STATUS)
    rd(u, UartReg.MSR)
    expect(rd(u, UartReg.IIR)).toBe(IIR.NO_INT)
  })

  it('without a clock the FIFO timeout is immediate', () => {
    const { u } = setup(false)
    wr(u, UartReg.FCR, FCR.ENABLE | 0xc0)
    wr(u, UartReg.IER, IER.ERBFI)
    u.receive([7])
    expect(rd(u, UartReg.IIR)).toBe(IIR.FIFOS_ENABLED | IIR.CHAR_TIMEOUT)
  })

  it('saves and restores registers, FIFO and backlog', () => {
    const a = setup().u
    wr(a, UartReg.FCR, FCR.ENABLE | 0x40)
    wr(a, UartReg.LCR, 0x1b)
    wr(a, UartReg.IER, IER.ERBFI)
    wr(a, UartReg.SCR, 0x77)
    a.receive(Array.from({ length: 20 }, (_, i) => i))
    const { u: b } = setup()
    b.restoreState(JSON.parse(JSON.stringify(a.saveState())))
    expect(rd(b, UartReg.LCR)).toBe(0x1b)
    expect(rd(b, UartReg.SCR)).toBe(0x77)
    expect(rd(b, UartReg.IIR)).toBe(IIR.FIFOS_ENABLED | IIR.RX_DATA)
    const got: number[] = []
    while (rd(b, UartReg.LSR) & LSR.DR) got.push(rd(b, UartReg.RBR))
    expect(got.length).toBe(20)
    expect(got[19]).toBe(19)
    expect(() => b.restoreState({ version: 1 })).toThrow(/UART state/)
  })
})
