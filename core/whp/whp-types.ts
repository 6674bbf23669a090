/**
 * Types of the Windows-Hypervisor-Platform-style API (WinHvPlatformDefs.h in spirit): exit
 * reasons, partition property codes, map flags, register names and the reused exit context.
 * Register names map onto TLFS HV_REGISTER_NAME codes (the numbering differs from real WHP;
 * callers use the names).
 */
import { HvRegister } from '../hypervisor/register-names'

export const WHvRunVpExitReason = {
  WHvRunVpExitReasonNone: 0x00000000,
  WHvRunVpExitReasonMemoryAccess: 0x00000001,
  WHvRunVpExitReasonX64IoPortAccess: 0x00000002,
  WHvRunVpExitReasonUnrecoverableException: 0x00000004,
  WHvRunVpExitReasonInvalidVpRegisterValue: 0x00000005,
  WHvRunVpExitReasonUnsupportedFeature: 0x00000006,
  WHvRunVpExitReasonX64InterruptWindow: 0x00000007,
  WHvRunVpExitReasonX64Halt: 0x00000008,
  WHvRunVpExitReasonX64MsrAccess: 0x00001000,
  WHvRunVpExitReasonX64Cpuid: 0x00001001,
  WHvRunVpExitReasonException: 0x00001002,
  WHvRunVpExitReasonCanceled: 0x00002001,
  /** HV Manager extension: the guest wrote HV_X64_MSR_RESET (TLFS 6.4); reset the machine. */
  WHvRunVpExitReasonSystemReset: 0x00010000,
} as const
export type WHvRunVpExitReason = (typeof WHvRunVpExitReason)[keyof typeof WHvRunVpExitReason]

export const WHvPartitionPropertyCode = {
  WHvPartitionPropertyCodeExtendedVmExits: 0x00000001,
  WHvPartitionPropertyCodeExceptionExitBitmap: 0x00000002,
  WHvPartitionPropertyCodeCpuidExitList: 0x00001003,
  WHvPartitionPropertyCodeProcessorCount: 0x00001fff,
  /** HV Manager extension: guest RAM size in bytes (a GuestMemory is created at setup). */
  WHvPartitionPropertyCodeMemorySize: 0x00010001,
} as const

/** WHV_EXTENDED_VM_EXITS bits. */
export const WHV_EXTENDED_VM_EXIT_X64_CPUID = 0x1
export const WHV_EXTENDED_VM_EXIT_X64_MSR = 0x2
export const WHV_EXTENDED_VM_EXIT_EXCEPTION = 0x4

export const WHvMapGpaRangeFlagNone = 0x0
export const WHvMapGpaRangeFlagRead = 0x1
export const WHvMapGpaRangeFlagWrite = 0x2
export const WHvMapGpaRangeFlagExecute = 0x4

export const WHvMemoryAccessType = { WHvMemoryAccessRead: 0, WHvMemoryAccessWrite: 1, WHvMemoryAccessExecute: 2 } as const

/** WHV register names (values are the TLFS HV_REGISTER_NAME codes). */
export const WHvRegisterName = {
  WHvX64RegisterRax: HvRegister.HvX64RegisterRax, WHvX64RegisterRcx: HvRegister.HvX64RegisterRcx,
  WHvX64RegisterRdx: HvRegister.HvX64RegisterRdx, WHvX64RegisterRbx: HvRegister.HvX64RegisterRbx,
  WHvX64RegisterRsp: HvRegister.HvX64RegisterRsp, WHvX64RegisterRbp: HvRegister.HvX64RegisterRbp,
  WHvX64RegisterRsi: HvRegister.HvX64RegisterRsi, WHvX64RegisterRdi: HvRegister.HvX64RegisterRdi,
  WHvX64RegisterR8: HvRegister.HvX64RegisterR8, WHvX64RegisterR9: HvRegister.HvX64RegisterR9,
  WHvX64RegisterR10: HvRegister.HvX64RegisterR10, WHvX64RegisterR11: HvRegister.HvX64RegisterR11,
  WHvX64RegisterR12: HvRegister.HvX64RegisterR12, WHvX64RegisterR13: HvRegister.HvX64RegisterR13,
  WHvX64RegisterR14: HvRegister.HvX64RegisterR14, WHvX64RegisterR15: HvRegister.HvX64RegisterR15,
  WHvX64RegisterRip: HvRegister.HvX64RegisterRip, WHvX64RegisterRflags: HvRegister.HvX64RegisterRflags,
  WHvX64RegisterEs: HvRegister.HvX64RegisterEs, WHvX64RegisterCs: HvRegister.HvX64RegisterCs,
  WHvX64RegisterSs: HvRegister.HvX64RegisterSs, WHvX64RegisterDs: HvRegister.HvX64RegisterDs,
  WHvX64RegisterFs: HvRegister.HvX64RegisterFs, WHvX64RegisterGs: HvRegister.HvX64RegisterGs,
  WHvX64RegisterLdtr: HvRegister.HvX64RegisterLdtr, WHvX64RegisterTr: HvRegister.HvX64RegisterTr,
  WHvX64RegisterIdtr: HvRegister.HvX64RegisterIdtr, WHvX64RegisterGdtr: HvRegister.HvX64RegisterGdtr,
  WHvX64RegisterCr0: HvRegister.HvX64RegisterCr0, WHvX64RegisterCr2: HvRegister.HvX64RegisterCr2,
  WHvX64RegisterCr3: HvRegister.HvX64RegisterCr3, WHvX64RegisterCr4: HvRegister.HvX64RegisterCr4,
  WHvX64RegisterCr8: HvRegister.HvX64RegisterCr8, WHvX64RegisterXCr0: HvRegister.HvX64RegisterXfem,
  WHvX64RegisterDr0: HvRegister.HvX64RegisterDr0, WHvX64RegisterDr1: HvRegister.HvX64RegisterDr1,
  WHvX64RegisterDr2: HvRegister.HvX64RegisterDr2, WHvX64RegisterDr3: HvRegister.HvX64RegisterDr3,
  WHvX64RegisterDr6: HvRegister.HvX64RegisterDr6, WHvX64RegisterDr7: HvRegister.HvX64RegisterDr7,
  WHvX64RegisterTsc: HvRegister.HvX64RegisterTsc, WHvX64RegisterEfer: HvRegister.HvX64RegisterEfer,
  WHvX64RegisterKernelGsBase: HvRegister.HvX64RegisterKernelGsBase, WHvX64RegisterApicBase: HvRegister.HvX64RegisterApicBase,
  WHvX64RegisterPat: HvRegister.HvX64RegisterPat, WHvX64RegisterSysenterCs: HvRegister.HvX64RegisterSysenterCs,
  WHvX64RegisterSysenterEip: HvRegister.HvX64RegisterSysenterRip, WHvX64RegisterSysenterEsp: HvRegister.HvX64RegisterSysenterRsp,
  WHvX64RegisterStar: HvRegister.HvX64RegisterStar, WHvX64RegisterLstar: HvRegister.HvX64RegisterLstar,
  WHvX64RegisterCstar: HvRegister.HvX64RegisterCstar, WHvX64RegisterSfmask: HvRegister.HvX64RegisterSfmask,
  WHvRegisterPendingInterruption: HvRegister.HvX64RegisterPendingInterruption,
  WHvRegisterInterruptState: HvRegister.HvX64RegisterInterruptState,
} as const
export type WHvRegisterName = (typeof WHvRegisterName)[keyof typeof WHvRegisterName]

/** WHV_REGISTER_VALUE: 128 bits as two 64-bit halves. */
export interface WHvRegisterValue {
  lo: bigint
  hi: bigint
}

/** WHV_RUN_VP_EXIT_CONTEXT, flattened; one object per VP, overwritten by every run. */
export class WHvRunVpExitContext {
  ExitReason: WHvRunVpExitReason = WHvRunVpExitReason.WHvRunVpExitReasonNone
  VpIndex = 0
  InstructionLength = 0
  // X64IoPortAccess
  PortNumber = 0
  AccessSize = 0
  IsWrite = false
  /** OUT data (zero-extended) */
  Data = 0
  StringOp = false
  RepPrefix = false
  // X64MsrAccess (write value is Rdx:Rax)
  MsrNumber = 0
  MsrRax = 0
  MsrRdx = 0
  // X64Cpuid
  CpuidRax = 0
  CpuidRcx = 0
  readonly DefaultResult = new Uint32Array(4)
  // MemoryAccess
  Gpa = 0
  Gva = 0
  AccessType = 0
  GpaUnmapped = false
  // Exception
  ExceptionType = 0
  ErrorCode = 0
  ErrorCodeValid = false
}
