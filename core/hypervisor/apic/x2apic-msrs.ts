/**
 * The x2APIC register interface (TLFS 13.1: the virtual APIC follows the architectural
 * x2APIC when it is advertised; Intel SDM vol. 3 §11.12): MSR 0x800 + (offset >> 4) for
 * the registers of apic-registers.ts, usable only while IA32_APIC_BASE.EXTD = 1 (#GP
 * otherwise), with the x2APIC-only rules: 32-bit IDs, a read-only LDR derived from the ID,
 * no DFR and no ICR high half (the ICR is one 64-bit MSR with the destination in 63:32),
 * SELF IPI at 0x83F, #GP for reads of write-only and writes of read-only registers, and
 * #GP for a non-zero EOI or ESR write or set bits 63:32 in a 32-bit register.
 */
import type { Hypervisor } from '../hypervisor'
import { HvPrivilege } from '../privileges'
import { MSR_FAULT, MSR_WRITE_OK } from '../synthetic-msrs'
import type { VirtualProcessor } from '../virtual-processor'
import { ApicReg as R } from './apic-registers'
import { interruptsOf } from './partition-interrupts'

export const X2APIC_MSR_BASE = 0x800

/** Which registers exist in x2APIC mode and how they may be accessed. */
const ACCESS: ReadonlyArray<[offset: number, read: boolean, write: boolean]> = [
  [R.ID, true, false], [R.VERSION, true, false], [R.TPR, true, true], [R.PPR, true, false], [R.EOI, false, true],
  [R.LDR, true, false], [R.SVR, true, true], [R.ESR, true, true], [R.ICR_LO, true, true],
  [0x320, true, true], [0x330, true, true], [0x340, true, true], [0x350, true, true], [0x360, true, true], [0x370, true, true],
  [R.TIMER_INITIAL, true, true], [R.TIMER_CURRENT, true, false], [R.TIMER_DIVIDE, true, true], [R.SELF_IPI, false, true],
  ...Array.from({ length: 8 }, (_, i): [number, boolean, boolean] => [R.ISR0 + i * 0x10, true, false]),
  ...Array.from({ length: 8 }, (_, i): [number, boolean, boolean] => [R.TMR0 + i * 0x10, true, false]),
  ...Array.from({ length: 8 }, (_, i): [number, boolean, boolean] => [R.IRR0 + i * 0x10, true, false]),
]

export function registerX2ApicMsrs(hv: Hypervisor): void {
  const st = (vp: VirtualProcessor) => interruptsOf(hv, vp.partition).vpState(vp)
  for (const [offset, readable, writable] of ACCESS) {
    const index = X2APIC_MSR_BASE + (offset >> 4)
    hv.msrs.register({
      index, name: `IA32_X2APIC_${offset.toString(16)}`, privilege: HvPrivilege.AccessApicMsrs,
      read: (vp) => {
        const s = st(vp)
        if (!s.apic.x2apic || !readable) return MSR_FAULT
        s.checkLazyEoi()
        if (offset === R.ICR_LO) return (BigInt(s.apic.icrHi >>> 0) << 32n) | BigInt(s.apic.read(R.ICR_LO) >>> 0)
        return BigInt(s.apic.read(offset) >>> 0)
      },
      write: (vp, v) => {
        const s = st(vp)
        if (!s.apic.x2apic || !writable) return MSR_FAULT
        if (offset === R.ICR_LO) {
          // 64-bit ICR: destination in 63:32; reserved low bits are ignored as on hardware.
          s.apic.icrHi = Number(v >> 32n) >>> 0
          s.apic.writeIcr(Number(v & 0xffffffffn), s.apic.icrHi)
          return MSR_WRITE_OK
        }
        if (v >> 32n !== 0n) return MSR_FAULT
        if ((offset === R.EOI || offset === R.ESR) && v !== 0n) return MSR_FAULT // SDM 11.12.1.2
        if (offset === R.EOI) s.checkLazyEoi()
        s.apic.write(offset, Number(v))
        return MSR_WRITE_OK
      },
    })
  }
}
