/**
 * Intercept and EOI messages for a parent that runs x86 code (TLFS 9.1, 16: a child-of-child's
 * intercepts reach its parent as 256-byte messages in the parent's SIM slot of SINT0;
 * 13.4: the EOI of a level-triggered interrupt sends HvMessageTypeApicEoi to the parent).
 * Layouts of inventory §6: HV_X64_INTERCEPT_MESSAGE_HEADER at m+16 (VpIndex,
 * InstructionLength, InterceptAccessType 0/1/2 (DECISION), ExecutionState, CS, RIP,
 * RFLAGS), then the I/O port, MSR, CPUID, exception, memory or unrecoverable-exception
 * body. OriginationId is the source partition's ID. When the parent is the root the host
 * app receives the exit itself (core/whp), so nothing is queued here. Each source VP owns
 * one buffer: it stays suspended until the parent resumes it, so one is enough; an EOI
 * message while it is busy is dropped (DECISION). InvalidVpRegisterValue and UnsupportedFeature
 * use the intercept buffer (the VP is suspended); FerrAsserted, like ApicEoi, has its own
 * buffer and does not suspend the VP.
 */
import { ExitReason, Reg, Seg, type SegmentRegister } from '../../x64/api'
import { PARTITION_INTERRUPTS, type PartitionInterrupts } from '../apic/partition-interrupts'
import type { Partition } from '../partition'
import { HvMessageType as M, VpExitKind, type VirtualProcessor } from '../virtual-processor'
import { HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT, HvMessageBuffer, MSG_PAYLOAD } from './message-layout'

const buffers = new WeakMap<VirtualProcessor, HvMessageBuffer>()
const eoiBuffers = new WeakMap<VirtualProcessor, HvMessageBuffer>()
const ferrBuffers = new WeakMap<VirtualProcessor, HvMessageBuffer>()
/** Message offsets relative to the start of the 256-byte message (m+). */
const H = MSG_PAYLOAD

function bufferOf(map: WeakMap<VirtualProcessor, HvMessageBuffer>, vp: VirtualProcessor): HvMessageBuffer {
  let b = map.get(vp)
  if (!b) map.set(vp, (b = new HvMessageBuffer()))
  return b
}

/** The parent's interrupt state when it runs x86 code and has a SynIC to receive into. */
function parentSynicState(p: Partition): PartitionInterrupts | null {
  const parent = p.parent
  if (!parent || parent.isRoot) return null
  return (parent.features.get(PARTITION_INTERRUPTS) as PartitionInterrupts | undefined) ?? null
}

/** Queue `buf` on SINT0 of the parent's VP with the same index, else its lowest eligible VP. */
function sendToParent(pi: PartitionInterrupts, vpIndex: number, buf: HvMessageBuffer): boolean {
  const all = pi.all().filter((s) => s.synic.canReceiveMessages)
  const s = all.find((x) => x.vp.index === vpIndex) ?? all[0]
  if (!s) return false
  s.synic.enqueue(0, buf)
  return true
}

function segment(v: DataView, at: number, s: SegmentRegister): void {
  v.setBigUint64(at, BigInt.asUintN(64, s.base), true)
  v.setUint32(at + 8, s.limit >>> 0, true)
  v.setUint16(at + 12, s.attributes & 0xffff, true)
  v.setUint16(at + 14, s.selector & 0xffff, true)
}

/** HV_X64_VP_EXECUTION_STATE (inventory 6.1). */
function executionState(vp: VirtualProcessor): number {
  const cpu = vp.cpu
  const cr0 = cpu.getCr(0)
  const pe = (cr0 & 1n) === 1n
  const v86 = ((cpu.getRflags() >> 17n) & 1n) === 1n
  const cpl = !pe ? 0 : v86 ? 3 : cpu.getSegment(Seg.CS).selector & 3
  const lma = ((cpu.getEfer() >> 10n) & 1n) === 1n
  return cpl | (pe ? 4 : 0) | (((cr0 >> 18n) & 1n) === 1n ? 8 : 0) | (lma ? 16 : 0)
}

function header(v: DataView, vp: VirtualProcessor, length: number, access: number): void {
  const cpu = vp.cpu
  v.setUint32(H, vp.index, true)
  v.setUint8(H + 4, length)
  v.setUint8(H + 5, access)
  v.setUint16(H + 6, executionState(vp), true)
  segment(v, H + 8, cpu.getSegment(Seg.CS))
  v.setBigUint64(H + 24, cpu.getRip(), true)
  v.setBigUint64(H + 32, cpu.getRflags(), true)
}

function gprs(v: DataView, vp: VirtualProcessor, at: number): void {
  for (let r = 0; r < 16; r++) v.setBigUint64(at + r * 8, vp.cpu.getReg(r), true)
}

/**
 * After `runVp` stopped `vp` with an intercept: if its parent is a child partition with a
 * SynIC, write the intercept message into the parent's SINT0 queue. Returns true if queued.
 */
export function deliverInterceptToParent(vp: VirtualProcessor): boolean {
  const pi = parentSynicState(vp.partition)
  if (!pi) return false
  const buf = bufferOf(buffers, vp)
  if (buf.busy) return false // the previous intercept is still unread
  const e = vp.cpu.exit
  const cpu = vp.cpu
  let size = 0
  buf.fill(vp.messageType, vp.partition.id, null, 0)
  const v = buf.view
  switch (vp.exitKind) {
    case VpExitKind.IoPort:
      size = 128
      header(v, vp, e.instructionLength, e.isWrite ? 1 : 0)
      v.setUint16(H + 40, e.port, true)
      v.setUint8(H + 42, (e.accessSize & 7) | (e.isString ? 8 : 0) | (e.isString && e.isRep ? 16 : 0))
      v.setBigUint64(H + 48, e.isWrite ? BigInt(e.value >>> 0) : cpu.getReg(Reg.RAX), true)
      if (e.isString) {
        v.setUint8(H + 43, e.instructionLength)
        buf.data.set(e.instructionBytes.subarray(0, Math.min(16, e.instructionLength)), H + 56)
        segment(v, H + 72, cpu.getSegment(Seg.DS))
        segment(v, H + 88, cpu.getSegment(Seg.ES))
        v.setBigUint64(H + 104, cpu.getReg(Reg.RCX), true)
        v.setBigUint64(H + 112, cpu.getReg(Reg.RSI), true)
        v.setBigUint64(H + 120, cpu.getReg(Reg.RDI), true)
      }
      break
    case VpExitKind.MsrAccess: {
      size = 64
      const write = e.reason === ExitReason.MsrWrite
      header(v, vp, e.instructionLength, write ? 1 : 0)
      v.setUint32(H + 40, e.msr >>> 0, true)
      v.setBigUint64(H + 48, cpu.getReg(Reg.RDX), true) // 6.5: RDX before RAX
      v.setBigUint64(H + 56, cpu.getReg(Reg.RAX), true)
      break
    }
    case VpExitKind.Cpuid: {
      size = 104
      header(v, vp, e.instructionLength, 2)
      const d = vp.cpuidDefault // EAX, EBX, ECX, EDX → stored A, C, D, B (6.4)
      ;[Reg.RAX, Reg.RCX, Reg.RDX, Reg.RBX].forEach((r, k) => v.setBigUint64(H + 40 + k * 8, cpu.getReg(r), true))
      ;[d[0], d[2], d[3], d[1]].forEach((x, k) => v.setBigUint64(H + 72 + k * 8, BigInt(x >>> 0), true))
      break
    }
    case VpExitKind.Exception:
      size = HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT
      header(v, vp, 0, 2) // 6.7: InstructionLength = 0 always
      v.setUint16(H + 40, e.vector, true)
      v.setUint8(H + 42, e.hasErrorCode ? 1 : 0)
      v.setUint32(H + 44, e.errorCode >>> 0, true)
      if (e.vector === 14) v.setBigUint64(H + 48, BigInt(e.gva >>> 0), true)
      segment(v, H + 80, cpu.getSegment(Seg.DS))
      segment(v, H + 96, cpu.getSegment(Seg.SS))
      gprs(v, vp, H + 112)
      break
    case VpExitKind.MemoryAccess:
      size = HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT
      header(v, vp, e.instructionLength, e.accessType)
      v.setUint32(H + 40, 6, true) // CacheType WB
      v.setUint8(H + 44, Math.min(16, e.instructionLength))
      v.setUint8(H + 45, 1) // GvaValid
      v.setBigUint64(H + 48, BigInt(e.gva), true)
      v.setBigUint64(H + 56, BigInt(e.gpa), true)
      buf.data.set(e.instructionBytes.subarray(0, Math.min(15, e.instructionLength)), H + 64)
      segment(v, H + 80, cpu.getSegment(Seg.DS))
      segment(v, H + 96, cpu.getSegment(Seg.SS))
      gprs(v, vp, H + 112)
      break
    case VpExitKind.UnrecoverableException:
      size = 40
      header(v, vp, 0, 2)
      break
    case VpExitKind.InvalidVpRegisterValue:
      size = 8 // 16.5.7: VpIndex, Reserved
      v.setUint32(H, vp.index, true)
      break
    case VpExitKind.UnsupportedFeature:
      size = 16 // 16.5.9: VpIndex, FeatureCode, FeatureParameter
      v.setUint32(H, vp.index, true)
      v.setUint32(H + 4, vp.unsupportedFeatureCode >>> 0, true)
      v.setBigUint64(H + 8, BigInt(vp.unsupportedFeatureParameter >>> 0), true)
      break
    default:
      return false
  }
  buf.data[4] = size
  buf.onCopied = null
  return sendToParent(pi, vp.index, buf)
}

/** 13.4: EOI of a level-triggered interrupt in a non-root partition → HvMessageTypeApicEoi to its parent. */
export function deliverApicEoiToParent(vp: VirtualProcessor, vector: number): boolean {
  const pi = parentSynicState(vp.partition)
  if (!pi) return false
  const buf = bufferOf(eoiBuffers, vp)
  if (buf.busy) return false
  buf.fill(M.HvMessageTypeApicEoi, vp.partition.id, null, 8)
  buf.view.setUint32(H, vp.index, true)
  buf.view.setUint32(H + 4, vector, true)
  buf.onCopied = null
  return sendToParent(pi, vp.index, buf)
}

/** 16.5.6: an unmasked x87 error with CR0.NE = 0 and IgnNe = 0 → HvMessageTypeFerrAsserted to a non-root parent. */
export function deliverFerrToParent(vp: VirtualProcessor): boolean {
  const pi = parentSynicState(vp.partition)
  if (!pi) return false
  const buf = bufferOf(ferrBuffers, vp)
  if (buf.busy) return false
  buf.fill(M.HvMessageTypeFerrAsserted, vp.partition.id, null, 8)
  buf.view.setUint32(H, vp.index, true)
  buf.view.setUint32(H + 4, 0, true)
  buf.onCopied = null
  return sendToParent(pi, vp.index, buf)
}
