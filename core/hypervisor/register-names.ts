/**
 * HV_REGISTER_NAME (TLFS 10.3): the 32-bit register names of HvGetVpRegisters /
 * HvSetVpRegisters. Codes not in this table are HV_STATUS_INVALID_PARAMETER.
 */

export const HvRegister = {
  HvRegisterExplicitSuspend: 0x00000000,
  HvRegisterInterceptSuspend: 0x00000001,
  HvX64RegisterPendingInterruption: 0x00010002,
  HvX64RegisterInterruptState: 0x00010003,
  HvX64RegisterRax: 0x00020000, HvX64RegisterRcx: 0x00020001, HvX64RegisterRdx: 0x00020002, HvX64RegisterRbx: 0x00020003,
  HvX64RegisterRsp: 0x00020004, HvX64RegisterRbp: 0x00020005, HvX64RegisterRsi: 0x00020006, HvX64RegisterRdi: 0x00020007,
  HvX64RegisterR8: 0x00020008, HvX64RegisterR9: 0x00020009, HvX64RegisterR10: 0x0002000a, HvX64RegisterR11: 0x0002000b,
  HvX64RegisterR12: 0x0002000c, HvX64RegisterR13: 0x0002000d, HvX64RegisterR14: 0x0002000e, HvX64RegisterR15: 0x0002000f,
  HvX64RegisterRip: 0x00020010,
  HvX64RegisterRflags: 0x00020011,
  HvX64RegisterXmm0: 0x00030000, // ..Xmm15 = 0x0003000F
  HvX64RegisterFpMmx0: 0x00030010, // ..FpMmx7 = 0x00030017
  HvX64RegisterFpControlStatus: 0x00030018,
  HvX64RegisterXmmControlStatus: 0x00030019,
  HvX64RegisterCr0: 0x00040000,
  HvX64RegisterCr2: 0x00040001,
  HvX64RegisterCr3: 0x00040002,
  HvX64RegisterCr4: 0x00040003,
  HvX64RegisterCr8: 0x00040004,
  HvX64RegisterXfem: 0x00040005,
  HvX64RegisterDr0: 0x00050000, HvX64RegisterDr1: 0x00050001, HvX64RegisterDr2: 0x00050002, HvX64RegisterDr3: 0x00050003,
  HvX64RegisterDr6: 0x00050004, HvX64RegisterDr7: 0x00050005,
  HvX64RegisterEs: 0x00060000, HvX64RegisterCs: 0x00060001, HvX64RegisterSs: 0x00060002, HvX64RegisterDs: 0x00060003,
  HvX64RegisterFs: 0x00060004, HvX64RegisterGs: 0x00060005, HvX64RegisterLdtr: 0x00060006, HvX64RegisterTr: 0x00060007,
  HvX64RegisterIdtr: 0x00070000,
  HvX64RegisterGdtr: 0x00070001,
  HvX64RegisterTsc: 0x00080000,
  HvX64RegisterEfer: 0x00080001,
  HvX64RegisterKernelGsBase: 0x00080002,
  HvX64RegisterApicBase: 0x00080003,
  HvX64RegisterPat: 0x00080004,
  HvX64RegisterSysenterCs: 0x00080005,
  HvX64RegisterSysenterRip: 0x00080006,
  HvX64RegisterSysenterRsp: 0x00080007,
  HvX64RegisterStar: 0x00080008,
  HvX64RegisterLstar: 0x00080009,
  HvX64RegisterCstar: 0x0008000a,
  HvX64RegisterSfmask: 0x0008000b,
  HvX64RegisterInitialApicId: 0x0008000c,
  HvX64RegisterMtrrCap: 0x0008000d,
  HvX64RegisterMtrrDefType: 0x0008000e,
  HvX64RegisterMtrrPhysBase0: 0x00080010, // ..7 = 0x00080017
  HvX64RegisterMtrrPhysMask0: 0x00080040, // ..7 = 0x00080047
  HvX64RegisterMtrrFix64k00000: 0x00080070,
  HvX64RegisterMtrrFix16k80000: 0x00080071,
  HvX64RegisterMtrrFix16kA0000: 0x00080072,
  HvX64RegisterMtrrFix4kC0000: 0x00080073, // ..F8000 = 0x0008007A
  HvRegisterVpRuntime: 0x00090000,
  HvX64RegisterHypercall: 0x00090001,
  HvRegisterGuestOsId: 0x00090002,
  HvRegisterVpIndex: 0x00090003,
  HvRegisterTimeRefCount: 0x00090004,
  HvX64RegisterEoi: 0x00090010,
  HvX64RegisterIcr: 0x00090011,
  HvX64RegisterTpr: 0x00090012,
  HvX64RegisterApicAssistPage: 0x00090013,
  HvRegisterStatsPartitionRetail: 0x00090020,
  HvRegisterStatsPartitionInternal: 0x00090021,
  HvRegisterStatsVpRetail: 0x00090022,
  HvRegisterStatsVpInternal: 0x00090023,
  HvRegisterSint0: 0x000a0000, // ..Sint15 = 0x000A000F
  HvRegisterScontrol: 0x000a0010,
  HvRegisterSversion: 0x000a0011,
  HvRegisterSiefp: 0x000a0012,
  HvRegisterSimp: 0x000a0013,
  HvRegisterEom: 0x000a0014,
  HvRegisterStimer0Config: 0x000b0000, // ..Stimer3Count = 0x000B0007
  HvX64RegisterYmm0Low: 0x000c0000, // ..Ymm15Low = 0x000C000F
  HvX64RegisterYmm0High: 0x000c0010, // ..Ymm15High = 0x000C001F
} as const

/** Register names whose value HvSetVpRegisters refuses (DECISION U32). */
export const READ_ONLY_REGISTERS: ReadonlySet<number> = new Set([
  HvRegister.HvRegisterVpRuntime, HvRegister.HvRegisterVpIndex, HvRegister.HvRegisterSversion,
  HvRegister.HvX64RegisterMtrrCap, HvRegister.HvRegisterTimeRefCount,
])

/** True when `name` is a defined HV_REGISTER_NAME (ranges included). */
export function isKnownRegisterName(name: number): boolean {
  const hi = name >>> 16
  const lo = name & 0xffff
  switch (hi) {
    case 0x0000: return lo <= 1
    case 0x0001: return lo === 2 || lo === 3
    case 0x0002: return lo <= 0x11
    case 0x0003: return lo <= 0x19
    case 0x0004: return lo <= 5
    case 0x0005: return lo <= 5
    case 0x0006: return lo <= 7
    case 0x0007: return lo <= 1
    case 0x0008: return lo <= 0x0e || (lo >= 0x10 && lo <= 0x17) || (lo >= 0x40 && lo <= 0x47) || (lo >= 0x70 && lo <= 0x7a)
    case 0x0009: return lo <= 4 || (lo >= 0x10 && lo <= 0x13) || (lo >= 0x20 && lo <= 0x23)
    case 0x000a: return lo <= 0x14
    case 0x000b: return lo <= 7
    case 0x000c: return lo <= 0x1f
    default: return false
  }
}
