/**
 * Small PC ports: System Control Port A at 0x92 ("fast A20": bit 1 A20 gate, bit 0 fast
 * reset; PS/2 Model 50+ and every chipset since) and the POST diagnostic port 0x80.
 */

export const PORT_A = 0x92
export const PortA = { FAST_RESET: 0x01, A20: 0x02 } as const
export const POST_PORT = 0x80
