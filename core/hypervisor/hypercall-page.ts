/**
 * The hypercall page (TLFS 4.9): HV_X64_MSR_HYPERCALL (GPFN 63:12, RsvdP 11:1, Enable 0)
 * and its overlay, plus the HV_X64_MSR_GUEST_OS_ID rule that a zero OS id disables it (3.5).
 * Page contents are those of real Hyper-V on Intel: VMCALL (0F 01 C1); RET (C3); the rest
 * INT3 (CC). A guest CALLs the first byte.
 */
import { PAGE_SIZE } from '../memory/guest-memory'
import { ChildGpaSpace } from './gpa-space'
import type { Partition } from './partition'

export const HYPERCALL_PAGE_STUB = [0x0f, 0x01, 0xc1, 0xc3] as const

/** The 4 KiB image of the hypercall page. */
export function hypercallPageImage(): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE).fill(0xcc)
  page.set(HYPERCALL_PAGE_STUB, 0)
  return page
}

export function hypercallEnabled(p: Partition): boolean {
  return (p.hypercallMsr & 1n) === 1n
}

export function hypercallGpfn(p: Partition): number {
  return Number(p.hypercallMsr >> 12n)
}

function setOverlay(p: Partition, oldMsr: bigint): void {
  const space = p.space
  if (!(space instanceof ChildGpaSpace)) return
  if (oldMsr & 1n) space.removeOverlay(Number(oldMsr >> 12n))
  if (hypercallEnabled(p)) space.installOverlay(hypercallGpfn(p), hypercallPageImage())
}

/** Another overlay at `page`: SIM, SIEF, APIC assist, reference TSC (apic/partition-interrupts
 * keeps them under the 'interrupts' feature), a stats page, or a hypervisor MMIO page (APIC, monitor). */
function overlayOccupied(p: Partition, page: number): boolean {
  const space = p.space
  if (!(space instanceof ChildGpaSpace)) return false
  if (space.isOverlay(page) || space.memory.findMmio(page * PAGE_SIZE) !== undefined) return true
  const interrupts = p.features.get('interrupts') as { overlays?: Map<number, unknown> } | undefined
  return interrupts?.overlays?.has(page) ?? false
}

/** WRMSR HV_X64_MSR_HYPERCALL. False → #GP (GPFN beyond the GPA space; the MSR keeps its value). */
export function writeHypercallMsr(p: Partition, value: bigint): boolean {
  const gpfn = value >> 12n
  if (!p.space || gpfn >= BigInt(p.space.pageCount)) return false
  // RsvdP 11:1 stored as 0 (DECISION); Enable stays 0 while GUEST_OS_ID is 0, GPFN is kept (U45).
  const enable = (value & 1n) === 1n && p.guestOsId !== 0n ? 1n : 0n
  // DECISION 8.3 (stacked overlays are implementation-defined): like the SynIC overlay MSRs,
  // enabling the page on a GPA another overlay occupies raises #GP and keeps the old value.
  if (enable && !(hypercallEnabled(p) && BigInt(hypercallGpfn(p)) === gpfn) && overlayOccupied(p, Number(gpfn))) return false
  const old = p.hypercallMsr
  p.hypercallMsr = (gpfn << 12n) | enable
  if (old !== p.hypercallMsr) setOverlay(p, old)
  return true
}

/** WRMSR HV_X64_MSR_GUEST_OS_ID: zero disables the hypercall page (3.5). */
export function writeGuestOsId(p: Partition, value: bigint): void {
  p.guestOsId = value
  if (value === 0n && hypercallEnabled(p)) {
    const old = p.hypercallMsr
    p.hypercallMsr &= ~1n
    setOverlay(p, old)
  }
}
