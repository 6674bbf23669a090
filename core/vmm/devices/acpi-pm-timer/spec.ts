/**
 * ACPI 6.x, 4.8.3.3 "Power Management Timer (PM_TMR)": a free-running counter at
 * 3.579545 MHz, 24 bits unless FADT TMR_VAL_EXT says 32. The port is QEMU PIIX4's
 * PM base (0x600) + 8.
 */

export const PM_TIMER_PORT = 0x608
export const PM_TIMER_FREQUENCY_HZ = 3579545
