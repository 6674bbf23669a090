/**
 * The MSRs of chapters 13-15 in the synthetic MSR table: IA32_APIC_BASE (0x1B) and
 * IA32_TSC_DEADLINE (0x6E0), HV_X64_MSR_EOI/ICR/TPR/APIC_ASSIST_PAGE (13.4), the SynIC
 * MSRs SCONTROL/SVERSION/SIEFP/SIMP/EOM/SINT0-15 (14.6), STIMER0-3 CONFIG/COUNT (15.3),
 * TIME_REF_COUNT and REFERENCE_TSC (15.2, 15.4). Each entry's privilege bit gates it
 * (11.10). Overlay pages may not overlap another active overlay of the partition
 * (DECISION: that WRMSR raises #GP instead of the spec's "undefined").
 */
import { ChildGpaSpace } from '../gpa-space'
import type { Hypervisor } from '../hypervisor'
import { HvPrivilege } from '../privileges'
import {
  HV_X64_MSR_APIC_ASSIST_PAGE, HV_X64_MSR_EOI, HV_X64_MSR_EOM, HV_X64_MSR_ICR, HV_X64_MSR_REFERENCE_TSC, HV_X64_MSR_SCONTROL,
  HV_X64_MSR_SIEFP, HV_X64_MSR_SIMP, HV_X64_MSR_SINT0, HV_X64_MSR_STIMER0_CONFIG, HV_X64_MSR_SVERSION,
  HV_X64_MSR_TIME_REF_COUNT, HV_X64_MSR_TPR, MSR_FAULT, MSR_WRITE_OK, type SyntheticMsr,
} from '../synthetic-msrs'
import type { VirtualProcessor } from '../virtual-processor'
import { HV_SYNIC_VERSION } from '../synic/synic'
import { APIC_BASE_BSP, APIC_BASE_ENABLE, ApicReg, MSR_IA32_APIC_BASE, MSR_IA32_TSC_DEADLINE } from './apic-registers'
import { interruptsOf, type PartitionInterrupts } from './partition-interrupts'
import { registerX2ApicMsrs } from './x2apic-msrs'

const OK = MSR_WRITE_OK

export function registerInterruptMsrs(hv: Hypervisor): void {
  const part = (vp: VirtualProcessor): PartitionInterrupts => interruptsOf(hv, vp.partition)
  const st = (vp: VirtualProcessor) => part(vp).vpState(vp)
  /** May an overlay page go at `page` (not the hypercall page, not another active overlay)? */
  const pageFree = (vp: VirtualProcessor, page: number): boolean => {
    const space = vp.partition.space
    if (space instanceof ChildGpaSpace && space.isOverlay(page)) return false
    return !part(vp).overlays.has(page)
  }
  const reg = (m: SyntheticMsr): void => hv.msrs.register(m)

  // ---- architectural APIC MSRs (13.2); gated by AccessApicMsrs as the table needs a bit
  reg({
    index: MSR_IA32_APIC_BASE, name: 'IA32_APIC_BASE', privilege: HvPrivilege.AccessApicMsrs,
    read: (vp) => st(vp).apicBase,
    write: (vp, v) => {
      // Bits 7:0, 9 and above the 36-bit physical width are reserved.
      if ((v & 0x2ffn) !== 0n || v >> 36n !== 0n) return MSR_FAULT
      const s = st(vp)
      const mode = (b: bigint): number => Number((b >> 10n) & 3n) // EXTD | EN<<1
      const from = mode(s.apicBase), to = mode(v)
      // SDM 11.12.5: EXTD without EN is invalid; x2APIC → xAPIC and disabled → x2APIC are illegal.
      if (to === 1 || (from === 3 && to === 2) || (from === 0 && to === 3)) return MSR_FAULT
      s.apicBase = (v & ~APIC_BASE_BSP) | (s.apicBase & APIC_BASE_BSP) // BSP is read-only
      if (to === 3 && from !== 3) {
        s.apic.x2apic = true
        s.apic.id = vp.initialApicId // x2APIC ID = the 32-bit initial APIC id
      } else if (to === 0 && from !== 0) {
        s.apic.x2apic = false
        s.apic.id = vp.initialApicId & 0xff
      }
      if (v & APIC_BASE_ENABLE) part(vp).mapApicPage(Number(v & 0xffffff000n))
      return OK
    },
  })
  reg({
    index: MSR_IA32_TSC_DEADLINE, name: 'IA32_TSC_DEADLINE', privilege: HvPrivilege.AccessApicMsrs,
    read: (vp) => BigInt(st(vp).apic.tscDeadline),
    write: (vp, v) => (st(vp).apic.setTscDeadline(Number(v)), OK),
  })

  registerX2ApicMsrs(hv)

  // ---- synthetic APIC MSRs (13.4)
  reg({
    index: HV_X64_MSR_EOI, name: 'HV_X64_MSR_EOI', privilege: HvPrivilege.AccessApicMsrs,
    read: () => MSR_FAULT, // write-only
    write: (vp) => {
      const s = st(vp)
      s.checkLazyEoi()
      s.apic.eoi()
      return OK
    },
  })
  reg({
    index: HV_X64_MSR_ICR, name: 'HV_X64_MSR_ICR', privilege: HvPrivilege.AccessApicMsrs,
    read: (vp) => {
      const a = st(vp).apic
      return (BigInt(a.icrHi >>> 0) << 32n) | BigInt(a.read(ApicReg.ICR_LO) >>> 0)
    },
    write: (vp, v) => {
      const a = st(vp).apic
      a.icrHi = Number((v >> 32n) & 0xff000000n)
      a.writeIcr(Number(v & 0xffffffffn), a.icrHi >>> 24)
      return OK
    },
  })
  reg({
    index: HV_X64_MSR_TPR, name: 'HV_X64_MSR_TPR', privilege: HvPrivilege.AccessApicMsrs,
    read: (vp) => BigInt(st(vp).apic.tpr),
    write: (vp, v) => {
      if (v > 0xffn) return MSR_FAULT // DECISION 13.4: RsvdZ set → #GP
      st(vp).apic.write(ApicReg.TPR, Number(v))
      return OK
    },
  })
  reg({
    index: HV_X64_MSR_APIC_ASSIST_PAGE, name: 'HV_X64_MSR_APIC_ASSIST_PAGE', privilege: HvPrivilege.AccessApicMsrs,
    read: (vp) => st(vp).assistMsr,
    write: (vp, v) => {
      const s = st(vp)
      const page = v & 1n ? Number(v >> 12n) : -1
      if (page >= 0 && page !== s.assist.page && !pageFree(vp, page)) return MSR_FAULT
      s.assistMsr = v
      s.assist.place(page)
      if (page < 0) s.lazyEoiVector = -1
      return OK
    },
  })

  // ---- SynIC (14.6)
  reg({
    index: HV_X64_MSR_SCONTROL, name: 'HV_X64_MSR_SCONTROL', privilege: HvPrivilege.AccessSynicMsrs,
    read: (vp) => st(vp).synic.scontrol,
    write: (vp, v) => (st(vp).synic.writeScontrol(v), OK),
  })
  reg({
    index: HV_X64_MSR_SVERSION, name: 'HV_X64_MSR_SVERSION', privilege: HvPrivilege.AccessSynicMsrs,
    read: () => HV_SYNIC_VERSION,
    write: () => MSR_FAULT,
  })
  reg({
    index: HV_X64_MSR_SIEFP, name: 'HV_X64_MSR_SIEFP', privilege: HvPrivilege.AccessSynicMsrs,
    read: (vp) => st(vp).synic.siefp,
    write: (vp, v) => (st(vp).synic.writeSiefp(v, (page) => pageFree(vp, page)) ? OK : MSR_FAULT),
  })
  reg({
    index: HV_X64_MSR_SIMP, name: 'HV_X64_MSR_SIMP', privilege: HvPrivilege.AccessSynicMsrs,
    read: (vp) => st(vp).synic.simp,
    write: (vp, v) => (st(vp).synic.writeSimp(v, (page) => pageFree(vp, page)) ? OK : MSR_FAULT),
  })
  reg({
    index: HV_X64_MSR_EOM, name: 'HV_X64_MSR_EOM', privilege: HvPrivilege.AccessSynicMsrs,
    read: () => 0n, // 14.6: reads return 0
    write: (vp) => (st(vp).synic.rescan(), OK),
  })
  for (let i = 0; i < 16; i++) {
    reg({
      index: HV_X64_MSR_SINT0 + i, name: `HV_X64_MSR_SINT${i}`, privilege: HvPrivilege.AccessSynicMsrs,
      read: (vp) => st(vp).synic.sint[i],
      write: (vp, v) => (st(vp).synic.writeSint(i, v) ? OK : MSR_FAULT),
    })
  }

  // ---- synthetic timers (15.3)
  for (let i = 0; i < 4; i++) {
    reg({
      index: HV_X64_MSR_STIMER0_CONFIG + 2 * i, name: `HV_X64_MSR_STIMER${i}_CONFIG`, privilege: HvPrivilege.AccessSyntheticTimerMsrs,
      read: (vp) => st(vp).stimers[i].config,
      write: (vp, v) => {
        const p = part(vp)
        p.vpState(vp).stimers[i].writeConfig(v, p.time.now100ns())
        return OK
      },
    })
    reg({
      index: HV_X64_MSR_STIMER0_CONFIG + 2 * i + 1, name: `HV_X64_MSR_STIMER${i}_COUNT`, privilege: HvPrivilege.AccessSyntheticTimerMsrs,
      read: (vp) => st(vp).stimers[i].count,
      write: (vp, v) => {
        const p = part(vp)
        p.vpState(vp).stimers[i].writeCount(v, p.time.now100ns())
        return OK
      },
    })
  }

  // ---- reference time (15.2, 15.4)
  reg({
    index: HV_X64_MSR_TIME_REF_COUNT, name: 'HV_X64_MSR_TIME_REF_COUNT', privilege: HvPrivilege.AccessPartitionReferenceCounter,
    read: (vp) => part(vp).time.readCounter(),
    write: () => MSR_FAULT,
  })
  reg({
    index: HV_X64_MSR_REFERENCE_TSC, name: 'HV_X64_MSR_REFERENCE_TSC', privilege: HvPrivilege.AccessPartitionReferenceTsc,
    read: (vp) => part(vp).time.tscMsr,
    write: (vp, v) => {
      const p = part(vp)
      const page = p.tscPage
      if (!page) return MSR_FAULT
      const gpfn = v & 1n ? Number(v >> 12n) : -1
      if (gpfn >= 0 && gpfn !== page.page && !pageFree(vp, gpfn)) return MSR_FAULT
      p.time.tscMsr = v
      page.place(gpfn)
      p.time.publish(page)
      return OK
    },
  })
}
