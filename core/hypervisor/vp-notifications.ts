/**
 * The hypervisor's unsolicited VP messages (TLFS 9.1, 16.5.6-16.5.9) that no instruction
 * exit announces: register values the parent set that are illegal only in combination,
 * caught when the VP resumes (10.5.4 → HvMessageTypeInvalidVpRegisterValue, the VP stays
 * suspended), and a legacy x87 error with CR0.NE = 0 and IgnNe = 0 (HvMessageTypeFerrAsserted,
 * a notification: the VP keeps running). A non-root parent gets both as SIM messages; a
 * root parent sees the first as a WHv exit and the second through `ferrHandler`.
 */
import { Seg } from '../x64/api'
import type { Hypervisor } from './hypervisor'
import { deliverFerrToParent } from './synic/intercept-messages'
import type { VirtualProcessor } from './virtual-processor'

const CR0_PE = 1n
const CR0_NE = 0x20n
const CR0_NW = 1n << 29n
const CR0_CD = 1n << 30n
const CR0_PG = 1n << 31n
const CR4_PAE = 0x20n
const EFER_LME = 0x100n
const EFER_LMA = 0x400n
const FSW_ES = 0x80
const ATTR_L = 0x2000
const ATTR_DB = 0x4000

/**
 * True when the registers form a combination a real processor cannot be in (SDM vol. 3
 * 2.5, 9.8.5; HvSetVpRegisters validates each value alone): CR0.PG without PE, CR0.NW
 * without CD, long mode (LME + PG) without CR4.PAE, a 64-bit CS with D set.
 */
export function invalidRegisterCombination(vp: VirtualProcessor): boolean {
  const cpu = vp.cpu
  const cr0 = cpu.getCr(0)
  if ((cr0 & CR0_PG) !== 0n && (cr0 & CR0_PE) === 0n) return true
  if ((cr0 & CR0_NW) !== 0n && (cr0 & CR0_CD) === 0n) return true
  const efer = cpu.getEfer()
  if ((efer & EFER_LME) !== 0n && (cr0 & CR0_PG) !== 0n && (cpu.getCr(4) & CR4_PAE) === 0n) return true
  const cs = cpu.getSegment(Seg.CS).attributes
  return (efer & EFER_LMA) !== 0n && (cs & ATTR_L) !== 0 && (cs & ATTR_DB) !== 0
}

/**
 * After a run slice: report a new unmasked x87 error (FSW.ES 0→1) while CR0.NE = 0 and
 * IgnNe = 0 (16.5.6). Only looked at when someone listens: a non-root parent, or the
 * partition's `ferrHandler` (the VMM's IRQ 13 path for a root parent).
 */
export function checkFerr(hv: Hypervisor, vp: VirtualProcessor): void {
  const p = vp.partition
  const handler = hv.interrupts.of(p.id)?.ferrHandler ?? null
  if (!handler && (!p.parent || p.parent.isRoot)) return
  if ((vp.cpu.getCr(0) & CR0_NE) !== 0n || vp.ignNe) {
    vp.ferrLatched = false
    return
  }
  const es = (vp.cpu.getFxState()[2] & FSW_ES) !== 0
  if (!es) {
    vp.ferrLatched = false
    return
  }
  if (vp.ferrLatched) return
  vp.ferrLatched = true
  if (handler) handler(vp.index)
  else deliverFerrToParent(vp)
}
