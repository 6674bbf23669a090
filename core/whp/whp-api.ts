/**
 * A thin Windows-Hypervisor-Platform-style API for the VMM (core/vmm) over the TLFS wrapper
 * interface: the VMM, acting for the root partition, creates a child partition, gives it
 * memory and VPs, runs VPs and gets exits back as a reused exit context. Pool deposits the
 * TLFS requires (create, initialize, VPs) are made automatically from the root's pages.
 * Resuming after an intercept clears InterceptSuspend as the parent would (TLFS 9.1).
 */
import { GuestMemory, PAGE_SIZE } from '../memory/guest-memory'
import type { X64Cpu } from '../x64/api'
import { hvStatusName, HV_STATUS_SUCCESS, type HvStatus } from '../hypervisor/hv-status'
import type { Hypervisor } from '../hypervisor/hypervisor'
import { HvInterceptType } from '../hypervisor/intercepts'
import type { Partition } from '../hypervisor/partition'
import { HvRegister } from '../hypervisor/register-names'
import { runVp } from '../hypervisor/run-vp'
import { VpExitKind, type VirtualProcessor } from '../hypervisor/virtual-processor'
import type { HvWrapper } from '../hypervisor/wrapper'
import {
  WHV_EXTENDED_VM_EXIT_X64_MSR, WHvPartitionPropertyCode as PC, WHvRunVpExitContext, WHvRunVpExitReason as X,
  type WHvRegisterValue,
} from './whp-types'

/** A failed WHv call: carries the HV_STATUS that caused it. */
export class WHvError extends Error {
  constructor(readonly api: string, readonly status: HvStatus) {
    super(`${api} failed: ${hvStatusName(status)}`)
  }
}

export interface WHvPartition {
  readonly hv: Hypervisor
  readonly id: bigint
  readonly root: HvWrapper
  processorCount: number
  memorySize: number
  memory: GuestMemory | null
  extendedVmExits: number
  exceptionExitBitmap: number
  cpuidExitList: number[]
  setUp: boolean
  readonly exits: WHvRunVpExitContext[]
}

const rootCursor = new WeakMap<Hypervisor, number>()

/** Hand out fresh pages of the root's GPA space (the notional host RAM). */
function rootPages(hv: Hypervisor, count: number): number[] {
  const next = rootCursor.get(hv) ?? 0x100
  if (next + count > hv.root.space!.pageCount) throw new RangeError('root GPA space exhausted')
  rootCursor.set(hv, next + count)
  return Array.from({ length: count }, (_, i) => next + i)
}

function check(api: string, status: HvStatus): void {
  if (status !== HV_STATUS_SUCCESS) throw new WHvError(api, status)
}

/** Deposit `pages` fresh root pages into `target`'s pool (also used by whp-save-restore). */
export function deposit(p: { hv: Hypervisor; root: HvWrapper }, target: bigint, pages: number): void {
  if (pages <= 0) return
  check('HvDepositMemory', p.root.HvDepositMemory(target, rootPages(p.hv, pages)).status)
}

function partitionOf(p: WHvPartition): Partition {
  const part = p.hv.partition(p.id)
  if (!part) throw new WHvError('partition', 0x000d)
  return part
}

function vpOf(p: WHvPartition, index: number): VirtualProcessor {
  const vp = partitionOf(p).vp(index)
  if (!vp) throw new WHvError('virtual processor', 0x000e)
  return vp
}

export function WHvCreatePartition(hv: Hypervisor): WHvPartition {
  const root = hv.wrapper()
  const need = hv.config.costs.createPartition
  if (hv.root.pagesAvailable < need) deposit({ hv, root }, hv.root.id, need)
  const r = root.HvCreatePartition()
  check('HvCreatePartition', r.status)
  return {
    hv, id: r.newPartitionId, root, processorCount: 1, memorySize: 0, memory: null, extendedVmExits: 0,
    exceptionExitBitmap: 0, cpuidExitList: [], setUp: false, exits: [],
  }
}

export type WHvPropertyValue = number | number[] | GuestMemory

export function WHvSetPartitionProperty(p: WHvPartition, code: number, value: WHvPropertyValue): void {
  if (p.setUp && code !== PC.WHvPartitionPropertyCodeCpuidExitList) throw new Error('property must be set before WHvSetupPartition')
  switch (code) {
    case PC.WHvPartitionPropertyCodeProcessorCount:
      p.processorCount = value as number
      break
    case PC.WHvPartitionPropertyCodeMemorySize:
      if (value instanceof GuestMemory) p.memory = value
      else p.memorySize = value as number
      break
    case PC.WHvPartitionPropertyCodeExtendedVmExits:
      p.extendedVmExits = value as number
      break
    case PC.WHvPartitionPropertyCodeExceptionExitBitmap:
      p.exceptionExitBitmap = value as number
      break
    case PC.WHvPartitionPropertyCodeCpuidExitList:
      p.cpuidExitList = [...(value as number[])]
      if (p.setUp) installCpuidExits(p)
      break
    default:
      throw new Error(`unknown WHv partition property 0x${code.toString(16)}`)
  }
}

function installCpuidExits(p: WHvPartition): void {
  const need = p.cpuidExitList.length * p.hv.config.costs.cpuidIntercept
  deposit(p, p.id, need)
  for (const leaf of p.cpuidExitList) {
    check('HvInstallIntercept', p.root.HvInstallIntercept(p.id, 4, HvInterceptType.HvInterceptTypeX64Cpuid, BigInt(leaf >>> 0)))
  }
}

export function WHvSetupPartition(p: WHvPartition): void {
  const memory = p.memory ?? new GuestMemory(Math.max(PAGE_SIZE, p.memorySize || 0x100000), 0)
  p.memory = memory
  p.hv.attachGuestMemory(p.id, memory)
  const c = p.hv.config.costs
  deposit(p, p.id, c.initializePartition + c.createVp * p.processorCount)
  check('HvInitializePartition', p.root.HvInitializePartition(p.id))
  // Every port exits to the VMM (WHP semantics) through ordinary I/O intercepts.
  for (let port = 0; port < 0x10000; port++) {
    check('HvInstallIntercept', p.root.HvInstallIntercept(p.id, 3, HvInterceptType.HvInterceptTypeX64IoPort, BigInt(port)))
  }
  if (p.extendedVmExits & WHV_EXTENDED_VM_EXIT_X64_MSR) {
    check('HvInstallIntercept', p.root.HvInstallIntercept(p.id, 3, HvInterceptType.HvInterceptTypeX64Msr, 0n))
  }
  for (let v = 0; v < 32; v++) {
    if ((p.exceptionExitBitmap >>> v) & 1) check('HvInstallIntercept', p.root.HvInstallIntercept(p.id, 4, HvInterceptType.HvInterceptTypeX64Exception, BigInt(v)))
  }
  p.setUp = true
  installCpuidExits(p)
}

/** The partition's RAM (for loaders and MMIO registration). */
export function WHvGetPartitionMemory(p: WHvPartition): GuestMemory {
  if (!p.memory) throw new Error('WHvSetupPartition first')
  return p.memory
}

/** Map [guestAddress, +size) with WHvMapGpaRangeFlag* rights; `sourceAddress` is a root GPA or null for fresh pages. */
export function WHvMapGpaRange(p: WHvPartition, sourceAddress: number | null, guestAddress: number, sizeInBytes: number, flags: number): void {
  const count = Math.ceil(sizeInBytes / PAGE_SIZE)
  const first = Math.floor(guestAddress / PAGE_SIZE)
  const sources = sourceAddress === null ? rootPages(p.hv, count) : Array.from({ length: count }, (_, i) => Math.floor(sourceAddress / PAGE_SIZE) + i)
  check('HvMapGpaPages', p.root.HvMapGpaPages(p.id, first, flags, sources).status)
}

export function WHvUnmapGpaRange(p: WHvPartition, guestAddress: number, sizeInBytes: number): void {
  check('HvUnmapGpaPages', p.root.HvUnmapGpaPages(p.id, Math.floor(guestAddress / PAGE_SIZE), Math.ceil(sizeInBytes / PAGE_SIZE)).status)
}

export function WHvCreateVirtualProcessor(p: WHvPartition, vpIndex: number): void {
  const part = partitionOf(p)
  if (part.pagesAvailable < p.hv.config.costs.createVp) deposit(p, p.id, p.hv.config.costs.createVp)
  check('HvCreateVp', p.root.HvCreateVp(p.id, vpIndex))
  check('HvSetVpRegisters', p.root.HvSetVpRegisters(p.id, vpIndex, [{ name: HvRegister.HvRegisterExplicitSuspend, value: 0n }]).status)
  // WHP semantics: every VP runs from its current state when the VMM runs it (no wait-for-SIPI).
  vpOf(p, vpIndex).waitingForSipi = false
  p.exits[vpIndex] = new WHvRunVpExitContext()
}

export function WHvDeleteVirtualProcessor(p: WHvPartition, vpIndex: number): void {
  check('HvDeleteVp', p.root.HvDeleteVp(p.id, vpIndex))
}

/** The VP's CPU, for interrupt injection and fast register access by the VMM. */
export function WHvGetVirtualProcessorCpu(p: WHvPartition, vpIndex: number): X64Cpu {
  return vpOf(p, vpIndex).cpu
}

/** Run a VP for at most `budget` instructions; the returned context is reused by the next call. */
export function WHvRunVirtualProcessor(p: WHvPartition, vpIndex: number, budget: number): WHvRunVpExitContext {
  const vp = vpOf(p, vpIndex)
  const ctx = p.exits[vpIndex] ?? (p.exits[vpIndex] = new WHvRunVpExitContext())
  vp.interceptSuspend = 0 // the parent resumes the VP (9.1)
  const kind = runVp(p.hv, vp, budget)
  fillExit(vp, kind, ctx)
  return ctx
}

function fillExit(vp: VirtualProcessor, kind: number, ctx: WHvRunVpExitContext): void {
  const e = vp.cpu.exit
  ctx.VpIndex = vp.index
  ctx.InstructionLength = e.instructionLength
  switch (kind) {
    case VpExitKind.IoPort:
      ctx.ExitReason = X.WHvRunVpExitReasonX64IoPortAccess
      ctx.PortNumber = e.port
      ctx.AccessSize = e.accessSize
      ctx.IsWrite = e.isWrite
      ctx.Data = e.value
      ctx.StringOp = e.isString
      ctx.RepPrefix = e.isRep
      return
    case VpExitKind.MsrAccess:
      ctx.ExitReason = X.WHvRunVpExitReasonX64MsrAccess
      ctx.MsrNumber = e.msr >>> 0
      ctx.IsWrite = vp.cpu.exit.reason === 4
      ctx.MsrRax = e.valueLo >>> 0
      ctx.MsrRdx = e.valueHi >>> 0
      return
    case VpExitKind.Cpuid:
      ctx.ExitReason = X.WHvRunVpExitReasonX64Cpuid
      ctx.CpuidRax = e.leaf >>> 0
      ctx.CpuidRcx = e.subleaf >>> 0
      ctx.DefaultResult.set(vp.cpuidDefault)
      return
    case VpExitKind.MemoryAccess:
      ctx.ExitReason = X.WHvRunVpExitReasonMemoryAccess
      ctx.Gpa = e.gpa
      ctx.Gva = e.gva
      ctx.AccessType = e.accessType
      ctx.GpaUnmapped = vp.memoryUnmapped
      return
    case VpExitKind.Exception:
      ctx.ExitReason = X.WHvRunVpExitReasonException
      ctx.ExceptionType = e.vector
      ctx.ErrorCode = e.errorCode
      ctx.ErrorCodeValid = e.hasErrorCode
      return
    case VpExitKind.Halt: ctx.ExitReason = X.WHvRunVpExitReasonX64Halt; return
    case VpExitKind.UnrecoverableException: ctx.ExitReason = X.WHvRunVpExitReasonUnrecoverableException; return
    case VpExitKind.InterruptWindow: ctx.ExitReason = X.WHvRunVpExitReasonX64InterruptWindow; return
    case VpExitKind.SystemReset: ctx.ExitReason = X.WHvRunVpExitReasonSystemReset; return
    case VpExitKind.InvalidVpRegisterValue: ctx.ExitReason = X.WHvRunVpExitReasonInvalidVpRegisterValue; return
    case VpExitKind.UnsupportedFeature: ctx.ExitReason = X.WHvRunVpExitReasonUnsupportedFeature; return
    default: ctx.ExitReason = X.WHvRunVpExitReasonCanceled
  }
}

/** Complete an I/O port exit: the IN value (ignored for OUT). The instruction retires. */
export function WHvCompleteIoPortAccess(p: WHvPartition, vpIndex: number, value = 0): void {
  const cpu = vpOf(p, vpIndex).cpu
  if (cpu.exit.isWrite) cpu.completeIoOut()
  else cpu.completeIoIn(value)
}

/** Complete an MSR exit: RDMSR value, or retire the WRMSR; `gp` injects #GP instead. */
export function WHvCompleteMsrAccess(p: WHvPartition, vpIndex: number, value = 0n, gp = false): void {
  const cpu = vpOf(p, vpIndex).cpu
  if (gp) cpu.injectException(13, 0)
  else if (cpu.exit.reason === 4) cpu.completeInstruction()
  else cpu.completeMsrRead(Number(value & 0xffffffffn), Number((value >> 32n) & 0xffffffffn))
}

export function WHvCompleteCpuid(p: WHvPartition, vpIndex: number, eax: number, ebx: number, ecx: number, edx: number): void {
  vpOf(p, vpIndex).cpu.completeCpuid(eax, ebx, ecx, edx)
}

/**
 * Deliver external interrupt `vector` if the VP can take it now (returns true; wakes HLT);
 * otherwise request an interrupt window (the next run exits with X64InterruptWindow) and return false.
 */
export function WHvRequestInterrupt(p: WHvPartition, vpIndex: number, vector: number): boolean {
  const vp = vpOf(p, vpIndex)
  vp.idleSleep = false // 10.1: any interrupt ends idle sleep
  if (!vp.cpu.canTakeInterrupt()) {
    vp.cpu.interruptWindowRequested = true
    return false
  }
  vp.cpu.interruptWindowRequested = false
  vp.cpu.deliverInterrupt(vector)
  vp.cpu.halted = false
  return true
}

export function WHvRequestNmi(p: WHvPartition, vpIndex: number): void {
  const vp = vpOf(p, vpIndex)
  vp.idleSleep = false
  vp.cpu.deliverNmi()
  vp.cpu.halted = false
}

/**
 * INIT or SIPI to a VP through its local APIC (TLFS 13.3): INIT resets it into wait-for-SIPI
 * (it looks halted meanwhile); SIPI starts a waiting VP in real mode at vector * 0x1000.
 */
export function WHvSendInitSipi(p: WHvPartition, vpIndex: number, kind: 'init' | 'sipi', vector = 0): void {
  const vp = vpOf(p, vpIndex)
  p.hv.interrupts.requestInterrupt(p.id, { type: kind === 'init' ? 5 : 6, vector: vector & 0xff, destination: vp.initialApicId })
}

export function WHvGetVirtualProcessorRegisters(p: WHvPartition, vpIndex: number, names: readonly number[]): WHvRegisterValue[] {
  const r = p.root.HvGetVpRegisters(p.id, vpIndex, names)
  check('HvGetVpRegisters', r.status)
  return r.values
}

export function WHvSetVirtualProcessorRegisters(p: WHvPartition, vpIndex: number, names: readonly number[], values: ReadonlyArray<WHvRegisterValue | bigint>): void {
  const regs = names.map((name, i) => ({ name, value: values[i] }))
  check('HvSetVpRegisters', p.root.HvSetVpRegisters(p.id, vpIndex, regs).status)
}

/** Finalize the child, withdraw its whole pool and delete it (TLFS 5.7 destroy flow). */
export function WHvDeletePartition(p: WHvPartition): void {
  const part = p.hv.partition(p.id)
  if (!part) return
  if (part.state === 'Active' || part.state === 'Finalizing') check('HvFinalizePartition', p.root.HvFinalizePartition(p.id))
  if (part.pool.length > 0) check('HvWithdrawMemory', p.root.HvWithdrawMemory(p.id, part.pool.length).status)
  check('HvDeletePartition', p.root.HvDeletePartition(p.id))
}
