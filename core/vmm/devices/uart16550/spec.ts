/**
 * Register layout of the National Semiconductor PC16550D UART (datasheet "PC16550D
 * Universal Asynchronous Receiver/Transmitter with FIFOs", Table II "Register summary")
 * and the PC port assignments for COM1/COM2.
 */

export const COM1_BASE = 0x3f8
export const COM1_IRQ = 4
export const COM2_BASE = 0x2f8
export const COM2_IRQ = 3
export const UART_PORT_COUNT = 8

/** Register offsets from the base port. RBR/THR/DLL share 0; IER/DLM share 1; IIR/FCR share 2. */
export const UartReg = {
  RBR: 0, THR: 0, DLL: 0,
  IER: 1, DLM: 1,
  IIR: 2, FCR: 2,
  LCR: 3, MCR: 4, LSR: 5, MSR: 6, SCR: 7,
} as const

/** Interrupt Enable Register. */
export const IER = { ERBFI: 0x01, ETBEI: 0x02, ELSI: 0x04, EDSSI: 0x08 } as const

/** Interrupt Identification Register: bit 0 is 1 when NO interrupt is pending. */
export const IIR = {
  NO_INT: 0x01,
  MODEM_STATUS: 0x00,
  THR_EMPTY: 0x02,
  RX_DATA: 0x04,
  LINE_STATUS: 0x06,
  CHAR_TIMEOUT: 0x0c,
  FIFOS_ENABLED: 0xc0,
} as const

/** FIFO Control Register (write-only). */
export const FCR = { ENABLE: 0x01, CLEAR_RX: 0x02, CLEAR_TX: 0x04, DMA_MODE: 0x08, TRIGGER_MASK: 0xc0 } as const
/** RX FIFO trigger level for FCR bits 7:6. */
export const RX_TRIGGER_LEVELS = [1, 4, 8, 14] as const

/** Line Control Register. */
export const LCR = { WORD_LENGTH_MASK: 0x03, STOP_BITS: 0x04, PARITY_ENABLE: 0x08, BREAK: 0x40, DLAB: 0x80 } as const

/** Modem Control Register. */
export const MCR = { DTR: 0x01, RTS: 0x02, OUT1: 0x04, OUT2: 0x08, LOOP: 0x10, WRITABLE: 0x1f } as const

/** Line Status Register. */
export const LSR = { DR: 0x01, OE: 0x02, PE: 0x04, FE: 0x08, BI: 0x10, THRE: 0x20, TEMT: 0x40, RX_FIFO_ERROR: 0x80 } as const
/** The LSR bits that raise a receiver line status interrupt (and clear on LSR read). */
export const LSR_ERROR_BITS = LSR.OE | LSR.PE | LSR.FE | LSR.BI

/** Modem Status Register: deltas in 3:0 (cleared on read), line states in 7:4. */
export const MSR = { DCTS: 0x01, DDSR: 0x02, TERI: 0x04, DDCD: 0x08, CTS: 0x10, DSR: 0x20, RI: 0x40, DCD: 0x80, DELTAS: 0x0f } as const

export const FIFO_SIZE = 16
/** The 1.8432 MHz crystal divided by 16: the bit rate at divisor 1. */
export const UART_BASE_BAUD = 115200
