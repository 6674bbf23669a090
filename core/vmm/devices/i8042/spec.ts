/**
 * Intel 8042 keyboard controller as on the PC/AT (IBM AT Technical Reference; also
 * documented in Linux drivers/input/serio/i8042.h): ports, status bits, controller
 * commands, command-byte bits and output-port bits (reset, A20).
 */

export const I8042_DATA_PORT = 0x60
export const I8042_COMMAND_PORT = 0x64
export const I8042_KBD_IRQ = 1

export const I8042Status = { OBF: 0x01, IBF: 0x02, SYS: 0x04, CMD: 0x08, UNLOCKED: 0x10, AUX_OBF: 0x20 } as const
export const I8042Cmd = {
  READ_CTR: 0x20, WRITE_CTR: 0x60, AUX_DISABLE: 0xa7, AUX_ENABLE: 0xa8, AUX_TEST: 0xa9, SELF_TEST: 0xaa,
  KBD_TEST: 0xab, KBD_DISABLE: 0xad, KBD_ENABLE: 0xae, READ_OUTPUT: 0xd0, WRITE_OUTPUT: 0xd1, WRITE_KBD_OUT: 0xd2,
  PULSE_RESET: 0xfe,
} as const
/** Command byte ("CTR"). */
export const I8042Ctr = { KBD_INT: 0x01, AUX_INT: 0x02, SYS: 0x04, KBD_DISABLE: 0x10, AUX_DISABLE: 0x20, XLATE: 0x40 } as const
/** Output port. */
export const OutputPort = { RESET_N: 0x01, A20: 0x02 } as const
export const SELF_TEST_OK = 0x55
export const KBD_ACK = 0xfa
