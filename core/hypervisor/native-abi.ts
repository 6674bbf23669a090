/**
 * The native hypercall ABI (TLFS 4.3-4.7): a child VP's VMCALL executed inside its hypercall
 * page. Checks the legal environment (protected or long mode at CPL 0, else #UD; DECISION:
 * #UD outside the hypercall page), reads the input value and GPAs in the x64 (RCX, RDX, R8)
 * or x86 (EDX:EAX, EBX:ECX, EDI:ESI) convention, validates and copies parameter blocks,
 * dispatches, then writes the result value or the continuation start index.
 */
import { HV_MAP_GPA_READABLE, HV_MAP_GPA_WRITABLE, PAGE_SIZE } from '../memory/guest-memory'
import { MemoryAccessType, Reg, Seg } from '../x64/api'
import { ChildGpaSpace } from './gpa-space'
import { HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT, HV_TRANSLATE_GVA_VALIDATE_EXECUTE, walkGva, type GvaWalkResult } from './gva-walk'
import { HV_STATUS_INVALID_ALIGNMENT } from './hv-status'
import { checkControl, invokeHandler, needsContinuation } from './hypercall-dispatch'
import type { HypercallDef } from './hypercall-frame'
import { parseHypercallInput, roundUp8, type HypercallControl } from './hypercall-input'
import { hypercallEnabled, hypercallGpfn } from './hypercall-page'
import type { Hypervisor } from './hypervisor'
import { HvMessageType, INTERCEPT_SUSPEND_SUSPENDED, INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT, VpExitKind, type VirtualProcessor } from './virtual-processor'

const X86_UD = 6
const M32 = 0xffffffffn
const ctl: HypercallControl = { code: 0, fast: false, repCount: 0, repStart: 0, reservedBitsSet: false }
const walk: GvaWalkResult = { code: 0, gpa: 0 }

/** Outcome of a VMCALL: handled (the VP continues) or a parameter page needs the parent (memory intercept). */
export const VmcallOutcome = { Handled: 0, MemoryIntercept: 1 } as const

function is64(vp: VirtualProcessor): boolean {
  return (vp.cpu.getEfer() & 0x400n) !== 0n && (vp.cpu.getSegment(Seg.CS).attributes & 0x2000) !== 0
}

function inHypercallPage(vp: VirtualProcessor): boolean {
  const p = vp.partition
  if (!hypercallEnabled(p) || !p.memory) return false
  const cs = vp.cpu.getSegment(Seg.CS)
  const linear = Number(BigInt.asUintN(64, cs.base + vp.cpu.getRip()))
  walkGva(vp.cpu, p.memory, linear, HV_TRANSLATE_GVA_VALIDATE_EXECUTE | HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT, walk)
  return walk.code === 0 && Math.floor(walk.gpa / PAGE_SIZE) === hypercallGpfn(p)
}

function writeResult(vp: VirtualProcessor, long: boolean, status: number, reps: number): void {
  const v = BigInt(status & 0xffff) | (BigInt(reps & 0xfff) << 32n)
  if (long) vp.cpu.setReg(Reg.RAX, v)
  else {
    vp.cpu.setReg(Reg.RAX, v & M32)
    vp.cpu.setReg(Reg.RDX, v >> 32n)
  }
  vp.cpu.completeInstruction()
}

/** Memory intercept on a hypercall parameter page (4.5): the VP suspends with RIP at the VMCALL. */
function parameterIntercept(vp: VirtualProcessor, gpa: number, write: boolean): number {
  const space = vp.partition.space as ChildGpaSpace
  const page = Math.floor(gpa / PAGE_SIZE)
  const e = vp.cpu.exit
  e.gpa = gpa
  e.gva = 0
  e.accessType = write ? MemoryAccessType.Write : MemoryAccessType.Read
  vp.memoryUnmapped = !space.mapped[page] && !space.isOverlay(page)
  vp.messageType = vp.memoryUnmapped ? HvMessageType.HvMessageTypeUnmappedGpa : HvMessageType.HvMessageTypeGpaIntercept
  vp.exitKind = VpExitKind.MemoryAccess
  vp.interceptSuspend |= INTERCEPT_SUSPEND_SUSPENDED | INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT
  return VmcallOutcome.MemoryIntercept
}

function blockSizes(def: HypercallDef, repCount: number): [number, number] {
  const inSize = def.rep ? roundUp8(def.inputHeader) + repCount * def.inputElement : def.inputHeader
  const outSize = def.rep ? def.outputHeader + repCount * def.outputElement : def.outputHeader
  return [inSize, outSize]
}

function badGpa(gpa: number, size: number, memSize: number): boolean {
  return gpa % 8 !== 0 || (gpa % PAGE_SIZE) + size > PAGE_SIZE || gpa + size > memSize
}

export function handleVmcall(hv: Hypervisor, vp: VirtualProcessor): number {
  const cpu = vp.cpu
  const mem = vp.partition.memory!
  // 4.7: protected mode at CPL 0 only (real mode, v8086 and CPL > 0 → #UD).
  const pe = (cpu.getCr(0) & 1n) === 1n
  const v86 = (cpu.getRflags() & 0x20000n) !== 0n
  if (!pe || v86 || (cpu.getSegment(Seg.CS).selector & 3) !== 0 || !inHypercallPage(vp)) {
    cpu.injectException(X86_UD)
    return VmcallOutcome.Handled
  }
  const long = is64(vp)
  let control: bigint, inGpa: bigint, outGpa: bigint
  if (long) {
    control = cpu.getReg(Reg.RCX)
    inGpa = cpu.getReg(Reg.RDX)
    outGpa = cpu.getReg(Reg.R8)
  } else {
    control = ((cpu.getReg(Reg.RDX) & M32) << 32n) | (cpu.getReg(Reg.RAX) & M32)
    inGpa = ((cpu.getReg(Reg.RBX) & M32) << 32n) | (cpu.getReg(Reg.RCX) & M32)
    outGpa = ((cpu.getReg(Reg.RDI) & M32) << 32n) | (cpu.getReg(Reg.RSI) & M32)
  }
  parseHypercallInput(Number(control & M32), Number(control >> 32n), ctl)
  const def = checkControl(ctl)
  if (typeof def === 'number') {
    writeResult(vp, long, def, 0)
    return VmcallOutcome.Handled
  }
  const input = hv.input()
  const output = hv.output()
  const [inSize, outSize] = blockSizes(def, ctl.repCount)
  const inAddr = Number(inGpa > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : inGpa)
  const outAddr = Number(outGpa > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : outGpa)
  if (ctl.fast) {
    input.setBigUint64(0, inGpa, true)
    input.setBigUint64(8, outGpa, true)
  } else {
    // 4.5: unused GPAs are ignored; used ones must be 8-aligned, within one page and the GPA space, and not overlap (U27).
    const alignBad =
      (inSize > 0 && badGpa(inAddr, inSize, mem.size)) ||
      (outSize > 0 && badGpa(outAddr, outSize, mem.size)) ||
      (inSize > 0 && outSize > 0 && inAddr < outAddr + outSize && outAddr < inAddr + inSize)
    if (alignBad) {
      writeResult(vp, long, HV_STATUS_INVALID_ALIGNMENT, 0)
      return VmcallOutcome.Handled
    }
    if (inSize > 0 && !(mem.pageAccess[Math.floor(inAddr / PAGE_SIZE)] & HV_MAP_GPA_READABLE)) return parameterIntercept(vp, inAddr, false)
    if (outSize > 0 && !(mem.pageAccess[Math.floor(outAddr / PAGE_SIZE)] & HV_MAP_GPA_WRITABLE)) return parameterIntercept(vp, outAddr, true)
    for (let i = 0; i < inSize; i++) input.setUint8(i, mem.ram[inAddr + i])
  }
  // The output scratch is shared by every caller: what a failing handler leaves unwritten must
  // not hand the guest another caller's output (the root's save chunks, say).
  for (let i = 0; i < outSize; i++) output.setUint8(i, 0)
  const f = hv.beginFrame(vp.partition, vp, ctl)
  const status = invokeHandler(def, f, vp.partition.maxRepsPerInvocation)
  // Copy the output written by this invocation (rep: elements [start, completed)).
  if (outSize > 0) {
    const from = def.rep ? def.outputHeader + ctl.repStart * def.outputElement : 0
    const to = def.rep ? def.outputHeader + f.repsCompleted * def.outputElement : outSize
    for (let i = from; i < to; i++) mem.ram[outAddr + i] = output.getUint8(i)
    if (to > from) mem.notifyWrite(outAddr + from, to - from)
  }
  if (needsContinuation(def, f, status)) {
    // 4.6: write the new start index into the input value, leave RIP at the VMCALL, no result.
    if (def.rep) {
      const next = (control & ~(0xfffn << 48n)) | (BigInt(f.repsCompleted) << 48n)
      if (long) cpu.setReg(Reg.RCX, next)
      else {
        cpu.setReg(Reg.RAX, next & M32)
        cpu.setReg(Reg.RDX, next >> 32n)
      }
    }
    return VmcallOutcome.Handled
  }
  writeResult(vp, long, status, f.repsCompleted)
  return VmcallOutcome.Handled
}
