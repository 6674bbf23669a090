/**
 * Shared layout of the differential harness: where the scratch memory lives (the same
 * virtual addresses natively and in the emulator, so memory operands and stack pointers
 * mean the same thing on both sides), the compared memory window, and the binary record
 * formats exchanged with the native runner (the x87 part of the FXSAVE image rides at the end
 * of both records).
 */

/** Natively a fixed mmap; in the emulator the same GVAs mapped onto RAM at SCRATCH_GPA. */
export const SCRATCH_BASE = 0x2000_0000
export const SCRATCH_SIZE = 0x1_0000
/** The window compared after every case; it straddles a page boundary at 0x20008000. */
export const WIN_BASE = 0x2000_7c00
export const WIN_SIZE = 0x800
/** The page boundary inside the window. */
export const PAGE_BOUNDARY = 0x2000_8000
/** Memory operands are placed inside [DATA_LO, DATA_HI). */
export const DATA_LO = WIN_BASE + 0x100
export const DATA_HI = WIN_BASE + 0x600
/** Initial RSP for stack forms (pushes and ENTER frames stay inside the window). */
export const STACK_TOP = WIN_BASE + 0x780

export const XMM_BYTES = 16 * 16

/** Input record: 16 GPRs, RFLAGS, MXCSR (u64), 16 XMM, window. */
export const IN_GPR = 0
export const IN_RFLAGS = 16 * 8
export const IN_MXCSR = IN_RFLAGS + 8
export const IN_XMM = IN_MXCSR + 8
export const IN_MEM = IN_XMM + XMM_BYTES
/** FXSAVE bytes 0..159 (FCW, FSW, abridged FTW, FOP/FIP/FDP, ST0-7); its MXCSR bytes are not used. */
export const X87_BYTES = 160
export const IN_X87 = IN_MEM + WIN_SIZE
export const IN_SIZE = IN_X87 + X87_BYTES

/** Code bytes recorded per case: enough for the branch sequences with a rel32 filler. */
export const CODE_MAX = 256
/** Output record: status (signal number, 0 = retired), length, CODE_MAX code bytes, then as input. */
export const OUT_STATUS = 0
export const OUT_LEN = 4
export const OUT_CODE = 8
export const OUT_GPR = OUT_CODE + CODE_MAX
export const OUT_RFLAGS = OUT_GPR + 16 * 8
export const OUT_MXCSR = OUT_RFLAGS + 8
export const OUT_XMM = OUT_MXCSR + 8
export const OUT_MEM = OUT_XMM + XMM_BYTES
export const OUT_X87 = OUT_MEM + WIN_SIZE
export const OUT_SIZE = OUT_X87 + X87_BYTES

/** RFLAGS bits the harness controls and compares. */
export const FLAG = {
  CF: 0x1, PF: 0x4, AF: 0x10, ZF: 0x40, SF: 0x80, TF: 0x100, IF: 0x200, DF: 0x400, OF: 0x800,
} as const
export const STATUS_FLAGS = FLAG.CF | FLAG.PF | FLAG.AF | FLAG.ZF | FLAG.SF | FLAG.OF
export const COMPARED_FLAGS = STATUS_FLAGS | FLAG.DF
