/**
 * Intel 82093AA I/O APIC (datasheet 290566) as modelled by QEMU's version 0x20: MMIO
 * window, indirect registers, and redirection table entry fields.
 */

export const IOAPIC_BASE = 0xfec00000
export const IOAPIC_MMIO_SIZE = 0x1000
export const IOAPIC_PINS = 24
export const IOAPIC_VERSION = 0x20

/** MMIO offsets. */
export const IoApicMmio = { IOREGSEL: 0x00, IOWIN: 0x10, EOI: 0x40 } as const
/** Indirect register indexes. */
export const IoApicReg = { ID: 0x00, VER: 0x01, ARB: 0x02, REDTBL: 0x10 } as const

/** Redirection entry, low dword. */
export const Redir = {
  VECTOR: 0xff, DELIVERY_MODE_SHIFT: 8, DEST_MODE_LOGICAL: 1 << 11, DELIVERY_STATUS: 1 << 12,
  POLARITY_LOW: 1 << 13, REMOTE_IRR: 1 << 14, TRIGGER_LEVEL: 1 << 15, MASK: 1 << 16,
} as const
/** Bits the guest may write in the low dword (delivery status and remote IRR are read-only). */
export const REDIR_LOW_WRITABLE = 0x1afff

export const DeliveryMode = { FIXED: 0, LOWEST_PRIORITY: 1, SMI: 2, NMI: 4, INIT: 5, EXTINT: 7 } as const
