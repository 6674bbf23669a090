/**
 * COM1's receive interrupt through the 8259 pair, as the bundled guests use it to sleep in HLT
 * (resources/guests/lib/serial-irq.c): ICW1-4 with vectors 0x20-0x2F, only IRQ 4 unmasked,
 * IER.ERBFI + MCR.OUT2, FIFO trigger level 1. The line is edge-triggered at the PIC while the
 * UART holds it high as long as bytes wait, so a new interrupt needs the FIFO (and the host
 * backlog behind it) drained first.
 */
import { describe, expect, it } from 'vitest'
import { PicPair } from '../../../../core/vmm/devices/pic8259/pic8259'
import { Uart16550 } from '../../../../core/vmm/devices/uart16550/uart16550'
import { COM1_BASE, COM1_IRQ, FCR, IER, IIR, LCR, LSR, MCR, UartReg } from '../../../../core/vmm/devices/uart16550/spec'
import { IrqRouter } from '../../../../core/vmm/io/irq'
import { ManualClock } from '../../../../core/vmm/io/clock'

function machine() {
  const pic = new PicPair()
  const uart = new Uart16550({ irq: new IrqRouter(pic, null), line: COM1_IRQ, clock: new ManualClock() })
  const out = (port: number, v: number) => (port >= COM1_BASE ? uart.write(port, 1, v) : pic.write(port, 1, v))
  const inb = (port: number) => (port >= COM1_BASE ? uart.read(port, 1) : pic.read(port, 1))
  // The guest's sequence: serial_init, then serial_irq_enable.
  out(COM1_BASE + UartReg.LCR, LCR.DLAB)
  out(COM1_BASE + UartReg.DLL, 1)
  out(COM1_BASE + UartReg.DLM, 0)
  out(COM1_BASE + UartReg.LCR, 3)
  out(COM1_BASE + UartReg.FCR, FCR.ENABLE | FCR.CLEAR_RX | FCR.CLEAR_TX)
  for (const [port, v] of [[0x20, 0x11], [0xa0, 0x11], [0x21, 0x20], [0xa1, 0x28], [0x21, 0x04], [0xa1, 0x02], [0x21, 0x01], [0xa1, 0x01], [0x21, 0xef], [0xa1, 0xff]]) out(port, v)
  out(COM1_BASE + UartReg.MCR, MCR.DTR | MCR.RTS | MCR.OUT2)
  out(COM1_BASE + UartReg.IER, IER.ERBFI)
  const eoi = () => out(0x20, 0x20)
  const lsr = () => inb(COM1_BASE + UartReg.LSR)
  const rbr = () => inb(COM1_BASE + UartReg.RBR)
  return { pic, uart, eoi, lsr, rbr, iir: () => inb(COM1_BASE + UartReg.IIR) }
}

describe('UART receive interrupt through the PIC', () => {
  it('is quiet with nothing received, and THR writes raise nothing (ETBEI off)', () => {
    const m = machine()
    expect(m.pic.hasInterrupt()).toBe(false)
    m.uart.write(COM1_BASE + UartReg.THR, 1, 0x41)
    expect(m.pic.hasInterrupt()).toBe(false)
    expect(m.iir() & 0x0f).toBe(IIR.NO_INT)
  })

  it('delivers vector 0x24 for a typed byte, and again for the next one after drain + EOI', () => {
    const m = machine()
    m.uart.receive([0x61])
    expect(m.pic.hasInterrupt()).toBe(true)
    expect(m.iir() & 0x0f).toBe(IIR.RX_DATA)
    expect(m.pic.acknowledge()).toBe(0x24)
    expect(m.pic.hasInterrupt()).toBe(false)
    m.eoi()
    expect(m.pic.registers(0).isr).toBe(0)
    expect(m.lsr() & LSR.DR).toBe(LSR.DR)
    expect(m.rbr()).toBe(0x61)
    expect(m.lsr() & LSR.DR).toBe(0)
    m.uart.receive([0x62])
    expect(m.pic.acknowledge()).toBe(0x24)
    m.eoi()
    expect(m.rbr()).toBe(0x62)
  })

  it('keeps IRQ 4 masked by OCW1 and by OUT2 off', () => {
    const m = machine()
    m.pic.write(0x21, 1, 0xff)
    m.uart.receive([0x61])
    expect(m.pic.hasInterrupt()).toBe(false)
    m.pic.write(0x21, 1, 0xef) // unmasking shows the latched edge
    expect(m.pic.hasInterrupt()).toBe(true)
    m.pic.acknowledge()
    m.eoi()
    m.rbr()
    m.uart.write(COM1_BASE + UartReg.MCR, 1, MCR.DTR | MCR.RTS)
    m.uart.receive([0x62])
    expect(m.pic.hasInterrupt()).toBe(false)
  })

  it('holds the line through a pasted burst: one interrupt until everything is read, then a new edge', () => {
    const m = machine()
    const text = [...'a long pasted line, longer than the 16-byte FIFO\r'].map((c) => c.charCodeAt(0))
    m.uart.receive(text)
    expect(m.pic.acknowledge()).toBe(0x24)
    m.eoi()
    const got: number[] = []
    while (m.lsr() & LSR.DR) {
      got.push(m.rbr())
      // The backlog refills the FIFO as it drains: no second edge meanwhile.
      if (m.lsr() & LSR.DR) expect(m.pic.hasInterrupt()).toBe(false)
    }
    expect(got).toEqual(text)
    m.uart.receive([0x7a])
    expect(m.pic.hasInterrupt()).toBe(true)
    expect(m.pic.acknowledge()).toBe(0x24)
  })
})
