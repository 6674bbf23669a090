/**
 * Running a VP (TLFS ch. 11 decision tables): loop `cpu.run(budget)` and handle what the
 * hypervisor owns — CPUID (3, 11.11), synthetic MSRs (11.10), VMCALL (4), port I/O nobody
 * intercepts (11.9: reads all ones, writes dropped), writes to overlay pages (#GP, U22) —
 * and return everything else as an exit. Intercept exits (I/O, MSR, CPUID, memory,
 * exception, unrecoverable exception) suspend the VP (InterceptSuspend.Suspended = 1,
 * 9.1) until the parent clears it. The exit details stay in `vp` and `vp.cpu.exit`.
 */
import { PAGE_SIZE } from '../memory/guest-memory'
import { ExitReason, MemoryAccessType } from '../x64/api'
import { ChildGpaSpace } from './gpa-space'
import type { Hypervisor } from './hypervisor'
import { HV_INTERCEPT_ACCESS_MASK_READ, HV_INTERCEPT_ACCESS_MASK_WRITE, HvUnsupportedFeatureCode } from './intercepts'
import { handleVmcall, VmcallOutcome } from './native-abi'
import { hasPrivilege } from './privileges'
import { MSR_FAULT } from './synthetic-msrs'
import { HvEventLogGroup as G, HvTraceEvent as E } from './event-log/event-log-types'
import { VpCounter as V } from './stats/stats-types'
import { deliverInterceptToParent } from './synic/intercept-messages'
import { checkFerr, invalidRegisterCombination } from './vp-notifications'
import { HvMessageType as M, INTERCEPT_SUSPEND_SUSPENDED, INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT, VpExitKind, type VirtualProcessor, type VpExitKind as Kind } from './virtual-processor'

const X86_GP = 13
const X86_MC = 18

function intercept(vp: VirtualProcessor, kind: Kind, messageType: number): Kind {
  // Appendix J: intercept messages to the parent, by kind.
  const c = vp.counters
  if (kind === VpExitKind.IoPort) c[V.IoInterceptMessages]++
  else if (kind === VpExitKind.MemoryAccess) c[V.MemoryInterceptMessages]++
  else {
    c[V.OtherMessages]++
    if (kind === VpExitKind.Exception) c[vp.cpu.exit.vector === 14 ? V.PageFaultIntercepts : V.OtherIntercepts]++
  }
  vp.exitKind = kind
  vp.messageType = messageType
  vp.interceptSuspend |= INTERCEPT_SUSPEND_SUSPENDED
  deliverInterceptToParent(vp) // a parent running x86 code gets the message in its SIM (16)
  return kind
}

function plain(vp: VirtualProcessor, kind: Kind): Kind {
  vp.exitKind = kind
  vp.messageType = 0
  return kind
}

/** Deliver HvX64RegisterPendingInterruption (10.4) if the parent set one. */
function deliverPending(vp: VirtualProcessor): void {
  const v = vp.pendingInterruption
  if ((v & 1n) === 0n) return
  const type = Number((v >> 1n) & 7n)
  const vector = Number((v >> 16n) & 0xffn)
  if (type === 0) {
    if (!vp.cpu.canTakeInterrupt()) {
      vp.cpu.interruptWindowRequested = true
      return
    }
    vp.cpu.deliverInterrupt(vector)
    vp.counters[V.ExternalInterrupts]++
    vp.counters[V.VirtualInterrupts]++
  } else if (type === 2) vp.cpu.deliverNmi()
  else if ((v >> 4n) & 1n) vp.cpu.injectException(vector, Number((v >> 32n) & 0xffffffffn))
  else vp.cpu.injectException(vector)
  vp.pendingInterruption = 0n
  vp.cpu.halted = false
}

function handleMsr(hv: Hypervisor, vp: VirtualProcessor, write: boolean): Kind | -1 {
  const cpu = vp.cpu
  const e = cpu.exit
  const entry = hv.msrs.get(e.msr)
  const p = vp.partition
  vp.counters[V.MsrAccesses]++
  if (hv.eventLog.diagLo !== 0) logMsr(hv, vp, write)
  if (entry && hasPrivilege(p.privileges, entry.privilege)) {
    if (write) {
      const value = (BigInt(e.valueHi >>> 0) << 32n) | BigInt(e.valueLo >>> 0)
      if (entry.write(vp, value) === MSR_FAULT) cpu.injectException(X86_GP, 0)
      else cpu.completeInstruction()
      if (vp.resetRequested) {
        vp.resetRequested = false
        return plain(vp, VpExitKind.SystemReset)
      }
    } else {
      const r = entry.read(vp)
      if (r === MSR_FAULT) cpu.injectException(X86_GP, 0)
      else cpu.completeMsrRead(Number(r & 0xffffffffn), Number((r >> 32n) & 0xffffffffn))
    }
    return -1
  }
  // 11.10: not virtualized for this partition → MSR intercept if installed, else #GP.
  if (p.intercepts.msr & (write ? HV_INTERCEPT_ACCESS_MASK_WRITE : HV_INTERCEPT_ACCESS_MASK_READ)) {
    return intercept(vp, VpExitKind.MsrAccess, M.HvMessageTypeX64MsrIntercept)
  }
  cpu.injectException(X86_GP, 0)
  return -1
}

/** Appendix I intercept-manager events (only when LocalDiagnostics logging is on). */
function logMsr(hv: Hypervisor, vp: VirtualProcessor, write: boolean): void {
  const e = vp.cpu.exit
  const value = write ? (BigInt(e.valueHi >>> 0) << 32n) | BigInt(e.valueLo >>> 0) : 0n
  hv.eventLog.diag(G.InterceptManager, vp, write ? E.HV_TR_IM_MSR_WRITE : E.HV_TR_IM_MSR_READ, vp.cpu.getRip(), e.msr >>> 0, value)
}
function logExit(hv: Hypervisor, vp: VirtualProcessor, reason: number): void {
  const e = vp.cpu.exit
  const rip = vp.cpu.getRip()
  const log = hv.eventLog
  if (reason === ExitReason.Halt) log.diag(G.InterceptManager, vp, E.HV_TR_IM_HLT_INSTRUCTION, rip)
  else if (reason === ExitReason.IoPort) {
    log.diag(G.InterceptManager, vp, e.isWrite ? E.HV_TR_IM_IO_PORT_WRITE : E.HV_TR_IM_IO_PORT_READ, rip, e.port, e.isWrite ? e.value >>> 0 : 0)
  } else if (reason === ExitReason.Cpuid) log.diag(G.InterceptManager, vp, E.HV_TR_IM_CPUID_INSTRUCTION, rip, e.leaf >>> 0, e.subleaf >>> 0)
  else if (reason === ExitReason.MemoryAccess) log.diag(G.InterceptManager, vp, E.HV_TR_IM_MEMORY_INTERCEPT, rip, e.accessType)
  else if (reason === ExitReason.Exception) log.diag(G.InterceptManager, vp, E.HV_TR_IM_GUEST_EXCEPTION, rip, e.vector)
}

/** Run `vp` for at most `budget` instructions. Returns the exit kind (also in vp.exitKind). */
export function runVp(hv: Hypervisor, vp: VirtualProcessor, budget: number): Kind {
  if (vp.registersSet && vp.runnable) {
    // 10.5.4: checked at each resume until the parent fixes the registers.
    if (invalidRegisterCombination(vp)) return intercept(vp, VpExitKind.InvalidVpRegisterValue, M.HvMessageTypeInvalidVpRegisterValue)
    vp.registersSet = false
  }
  const kind = runSlice(hv, vp, budget)
  checkFerr(hv, vp)
  return kind
}

function runSlice(hv: Hypervisor, vp: VirtualProcessor, budget: number): Kind {
  const cpu = vp.cpu
  const p = vp.partition
  if (!vp.runnable || vp.idleSleep) return plain(vp, vp.idleSleep ? VpExitKind.Halt : VpExitKind.None)
  hv.stats.onRunStart(vp)
  hv.interrupts.beforeRun(vp)
  deliverPending(vp)
  let remaining = budget
  while (remaining > 0) {
    const before = cpu.retired
    hv.interrupts.cpuRunning = vp // APIC MMIO may raise #GP only from inside the CPU (13.2)
    const reason = cpu.run(remaining)
    hv.interrupts.cpuRunning = null
    remaining -= Math.max(1, cpu.retired - before)
    const e = cpu.exit
    if (reason !== ExitReason.None) {
      vp.counters[V.HypervisorEntries]++
      if (hv.eventLog.diagLo !== 0) logExit(hv, vp, reason)
    }
    switch (reason) {
      case ExitReason.None:
        break
      case ExitReason.Halt:
        if (hv.interrupts.onHalt(vp)) break // an interrupt was already pending: HLT falls through
        vp.counters[V.HltInstructions]++
        hv.stats.onHalt(vp)
        return plain(vp, VpExitKind.Halt)
      case ExitReason.IoPort:
        vp.counters[V.IoInstructions]++
        if (!e.isWrite) {
          const pm = hv.interrupts.pmTimerIn(vp) // 5.5: the PM timer assist beats an intercept for IN
          if (pm >= 0) {
            cpu.completeIoIn(pm)
            break
          }
        }
        if (p.intercepts.ioIntercepted(e.port, e.accessSize, e.isWrite)) return intercept(vp, VpExitKind.IoPort, M.HvMessageTypeX64IoPortIntercept)
        if (e.isWrite) cpu.completeIoOut()
        else cpu.completeIoIn(e.accessSize === 4 ? 0xffffffff : e.accessSize === 2 ? 0xffff : 0xff)
        break
      case ExitReason.MsrRead:
      case ExitReason.MsrWrite: {
        const k = handleMsr(hv, vp, reason === ExitReason.MsrWrite)
        if (k !== -1) return k
        break
      }
      case ExitReason.Cpuid: {
        vp.counters[V.CpuidInstructions]++
        const d = vp.cpuidDefault
        hv.cpuid(vp, e.leaf, e.subleaf, d)
        if (p.intercepts.cpuid.has(e.leaf >>> 0)) return intercept(vp, VpExitKind.Cpuid, M.HvMessageTypeX64CpuidIntercept)
        cpu.completeCpuid(d[0], d[1], d[2], d[3])
        break
      }
      case ExitReason.Vmcall:
        vp.counters[V.Hypercalls]++
        if (handleVmcall(hv, vp) === VmcallOutcome.MemoryIntercept) {
          vp.counters[V.MemoryInterceptMessages]++
          return VpExitKind.MemoryAccess
        }
        hv.stats.refreshViewer(p) // stats pages the guest maps show the call's effects at once
        if (!vp.runnable) return plain(vp, VpExitKind.None)
        if (vp.yieldRequested) {
          vp.yieldRequested = false // HvNotifyLongSpinWait: end the slice (18.5.1)
          return plain(vp, VpExitKind.None)
        }
        break
      case ExitReason.MemoryAccess: {
        const space = p.space as ChildGpaSpace
        const page = Math.floor(e.gpa / PAGE_SIZE)
        if (space.isOverlay(page) && e.accessType === MemoryAccessType.Write) {
          // 21.1: stats pages are write-protected with #MC; other overlays (U22) with #GP.
          if (hv.stats.isGuestStatsPage(p, page)) cpu.injectException(X86_MC)
          else cpu.injectException(X86_GP, 0) // DECISION U22: writes to the hypercall page raise #GP
          break
        }
        vp.memoryUnmapped = page >= space.pageCount || (!space.mapped[page] && !space.isOverlay(page))
        vp.interceptSuspend |= INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT
        return intercept(vp, VpExitKind.MemoryAccess, vp.memoryUnmapped ? M.HvMessageTypeUnmappedGpa : M.HvMessageTypeGpaIntercept)
      }
      case ExitReason.TripleFault:
        return intercept(vp, VpExitKind.UnrecoverableException, M.HvMessageTypeUnrecoverableException)
      case ExitReason.InterruptWindow:
        if (hv.interrupts.onInterruptWindow(vp)) break
        return plain(vp, VpExitKind.InterruptWindow)
      case ExitReason.Exception:
        return intercept(vp, VpExitKind.Exception, M.HvMessageTypeX64ExceptionIntercept)
      default:
        // 9.1: an exit the hypervisor does not virtualize → HvMessageTypeUnsupportedFeature,
        // HvUnsupportedFeatureIntercept with the exit number; the VP stays suspended.
        vp.unsupportedFeatureCode = HvUnsupportedFeatureCode.HvUnsupportedFeatureIntercept
        vp.unsupportedFeatureParameter = reason
        return intercept(vp, VpExitKind.UnsupportedFeature, M.HvMessageTypeUnsupportedFeature)
    }
    if (vp.idleSleep) return plain(vp, VpExitKind.Halt)
  }
  return plain(vp, VpExitKind.None)
}
