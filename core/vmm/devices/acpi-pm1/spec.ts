/**
 * ACPI 6.x §4.8.3 fixed hardware: the PM1a event block (PM1_STS, PM1_EN) and control block
 * (PM1_CNT) at QEMU PIIX4's PM base 0x600 (the PM timer sits at 0x608). The SCI is ISA
 * IRQ 9. S5 (soft off) is SLP_TYP 5 in this machine; the DSDT's \_S5 object says the same.
 */
export const PM1A_EVT_PORT = 0x600
export const PM1A_CNT_PORT = 0x604
export const SCI_IRQ = 9

/** PM1_STS bits (write 1 to clear). */
export const Pm1Sts = { TMR: 1 << 0, BM: 1 << 4, GBL: 1 << 5, PWRBTN: 1 << 8, SLPBTN: 1 << 9, RTC: 1 << 10, WAK: 1 << 15 } as const
/** PM1_EN bits. */
export const Pm1En = { TMR: 1 << 0, GBL: 1 << 5, PWRBTN: 1 << 8, SLPBTN: 1 << 9, RTC: 1 << 10 } as const
export const PM1_EN_WRITABLE = Pm1En.TMR | Pm1En.GBL | Pm1En.PWRBTN | Pm1En.SLPBTN | Pm1En.RTC
/** PM1_CNT bits. SCI_EN reads as 1: the machine is always in ACPI mode (FADT SMI_CMD = 0). */
export const Pm1Cnt = { SCI_EN: 1 << 0, BM_RLD: 1 << 1, GBL_RLS: 1 << 2, SLP_TYP_SHIFT: 10, SLP_TYP_MASK: 7 << 10, SLP_EN: 1 << 13 } as const
export const PM1_CNT_STORED = Pm1Cnt.BM_RLD | Pm1Cnt.SLP_TYP_MASK

/** Sleeping-state type values this machine implements (\_S5 in the DSDT). */
export const SLP_TYP_S5 = 5
