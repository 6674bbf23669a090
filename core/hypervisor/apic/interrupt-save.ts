/**
 * Saved-state sections of chapters 13-15 (TLFS 17.1.5 lists APIC and SynIC state, SIM/SIEF
 * contents, synthetic timers and queued messages among what the hypervisor saves), put into
 * the save/restore section registry: `hv.time` (reference counter, TSC page MSR and page),
 * `hv.apic` (per VP local APIC, IA32_APIC_BASE, assist page), `hv.synic` (per VP SynIC
 * MSRs, SIM/SIEF overlays and queued messages) and `hv.stimers` (per VP timers). Guest
 * time in ns is saved relative to "now" so a restore under any clock neither jumps nor
 * rewinds; timer deadlines in reference time are absolute, as the counter continues.
 * Ports and connections are not saved: the parent creates them (like mappings, 17.1.5).
 * Queued messages come back in fresh buffers that no port owns (DECISION).
 */
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import { ByteReader, ByteWriter } from '../save-restore/byte-stream'
import { registerSaveSection } from '../save-restore/save-sections'
import { HvSaveRestoreStateResult as R } from '../save-restore/save-restore-types'
import { HV_MESSAGE_SIZE, HV_SYNIC_SINT_COUNT, HvMessageBuffer, MSG_PAYLOAD } from '../synic/message-layout'
import type { OverlayPage } from '../synic/overlay-page'
import { HV_STIMER_COUNT } from '../timers/synthetic-timers'
import { HvMessageType } from '../virtual-processor'
import { interruptsOf, PARTITION_INTERRUPTS, type PartitionInterrupts } from './partition-interrupts'
import type { VpInterrupts } from './vp-interrupts'

const PAGE = 4096
const live: Array<WeakRef<Hypervisor>> = []

/** Sections find the Hypervisor owning a partition among the live instances. */
export function trackHypervisor(hv: Hypervisor): void {
  for (let i = live.length - 1; i >= 0; i--) if (!live[i].deref()) live.splice(i, 1)
  live.push(new WeakRef(hv))
}

function stateOf(p: Partition, create: boolean): PartitionInterrupts | undefined {
  const f = p.features.get(PARTITION_INTERRUPTS) as PartitionInterrupts | undefined
  if (f || !create || !p.memory) return f
  for (const ref of live) {
    const hv = ref.deref()
    if (hv && hv.partitions.get(p.id) === p) return interruptsOf(hv, p)
  }
  return undefined
}

function writeOverlay(w: ByteWriter, o: OverlayPage): void {
  const s = o.saveState()
  w.u32(s.page + 1).u32(s.hiddenAccess).bytes(s.contents)
  if (s.page >= 0) w.bytes(s.hidden)
}
function readOverlay(r: ByteReader): { page: number; contents: Uint8Array; hidden: Uint8Array; hiddenAccess: number } {
  const page = r.u32('overlay page') - 1
  const hiddenAccess = r.u32('overlay access')
  const contents = r.bytes(PAGE, 'overlay contents')
  return { page, hiddenAccess, contents, hidden: page >= 0 ? r.bytes(PAGE, 'hidden RAM') : new Uint8Array(PAGE) }
}

/** A per-VP section: u16 count, then (u32 index, body) per VP. */
function perVpSection(
  name: string,
  save: (w: ByteWriter, s: VpInterrupts, pi: PartitionInterrupts) => void,
  read: (r: ByteReader) => (s: VpInterrupts, pi: PartitionInterrupts) => void,
): void {
  const parse = (p: Partition, data: Uint8Array): Array<[number, (s: VpInterrupts, pi: PartitionInterrupts) => void]> | null => {
    const r = new ByteReader(data)
    const n = r.u16('vp count')
    const out: Array<[number, (s: VpInterrupts, pi: PartitionInterrupts) => void]> = []
    for (let k = 0; k < n; k++) {
      const index = r.u32('vp index')
      if (!p.vp(index)) return null
      out.push([index, read(r)])
    }
    return r.remaining === 0 ? out : null
  }
  registerSaveSection(name, {
    version: 1,
    save: (p) => {
      const pi = stateOf(p, false)
      if (!pi) return null
      const w = new ByteWriter()
      const all = pi.all()
      w.u16(all.length)
      for (const s of all) {
        w.u32(s.vp.index)
        save(w, s, pi)
      }
      return w.finish()
    },
    check: (p, data) => (p.memory && parse(p, data) ? R.HvStateComplete : R.HvStateCorruptData),
    restore: (p, data) => {
      const pi = stateOf(p, true)
      const items = pi && parse(p, data)
      if (!pi || !items) return
      for (const [index, apply] of items) apply(pi.vpState(p.vp(index)!), pi)
    },
  })
}

const u32s = (w: ByteWriter, a: Uint32Array): void => a.forEach((x) => w.u32(x))
const readU32s = (r: ByteReader, n: number): Uint32Array => Uint32Array.from({ length: n }, () => r.u32())
/** A guest-ns instant as an offset from now (Infinity → 2^63 marker). */
const NONE = 1n << 63n
const rel = (w: ByteWriter, t: number, now: number): void => void w.u64(t === Infinity ? NONE : BigInt(Math.round(t - now)))
const readRel = (r: ByteReader): ((now: number) => number) => {
  const v = r.u64()
  return (now) => (v === NONE ? Infinity : now + Number(BigInt.asIntN(64, v)))
}

function registerSections(): void {
  // Version 2 appends the counter's exact ns (f64) so the sub-100 ns phase survives (ch. 17).
  registerSaveSection('hv.time', {
    version: 2,
    save: (p) => {
      const pi = stateOf(p, false)
      if (!pi || !pi.tscPage) return null
      const t = pi.time.saveState()
      const w = new ByteWriter().num(t.counter).num(t.last + 1).u64(t.tscMsr).u32(t.sequence)
      writeOverlay(w, pi.tscPage)
      return w.f64(t.counterNs).finish()
    },
    check: (p, data, version) => {
      const r = new ByteReader(data)
      r.num(); r.num(); r.u64(); r.u32(); readOverlay(r)
      const ns = version >= 2 ? r.f64() : 0
      return p.memory && r.remaining === 0 && Number.isFinite(ns) && ns >= 0 ? R.HvStateComplete : R.HvStateCorruptData
    },
    restore: (p, data, version) => {
      const pi = stateOf(p, true)
      if (!pi || !pi.tscPage) return
      const r = new ByteReader(data)
      const counter = r.num()
      const last = r.num() - 1
      const tscMsr = r.u64()
      const sequence = r.u32()
      const overlay = readOverlay(r)
      const counterNs = version >= 2 ? r.f64() : undefined
      pi.time.restoreState({ counter, last, tscMsr, sequence, counterNs })
      pi.tscPage.restoreState(overlay)
      if (pi.tscPage.active) pi.time.publish(pi.tscPage) // offset for the new clock
    },
  })

  perVpSection('hv.apic', (w, s, pi) => {
    const a = s.apic
    const now = pi.time.clock.nowNs()
    w.u64(s.apicBase).u32(a.id).u8(a.x2apic ? 1 : 0).u8(s.nmiPending ? 1 : 0).u64(s.assistMsr).u32(s.lazyEoiVector + 1)
    u32s(w, a.irr); u32s(w, a.isr); u32s(w, a.tmr); u32s(w, a.lvt)
    w.u32(a.tpr).u32(a.ldr).u32(a.dfr).u32(a.svr).u32(a.esr).u32(a.esrPending).u32(a.icrLo).u32(a.icrHi)
    w.u32(a.timerInitial).u32(a.timerDivide).num(a.tscDeadline)
    rel(w, a.timerStartNs, now)
    rel(w, a.timerDeadlineNs, now)
    writeOverlay(w, s.assist)
  }, (r) => {
    const apicBase = r.u64(), id = r.u32(), x2 = r.u8() === 1, nmi = r.u8() === 1, assistMsr = r.u64(), lazy = r.u32() - 1
    const irr = readU32s(r, 8), isr = readU32s(r, 8), tmr = readU32s(r, 8), lvt = readU32s(r, 6)
    const regs = readU32s(r, 8)
    const timerInitial = r.u32(), timerDivide = r.u32(), tscDeadline = r.num()
    const start = readRel(r), deadline = readRel(r)
    const assist = readOverlay(r)
    return (s, pi) => {
      const a = s.apic
      const now = pi.time.clock.nowNs()
      s.apicBase = apicBase
      a.id = id; a.x2apic = x2; s.nmiPending = nmi; s.assistMsr = assistMsr; s.lazyEoiVector = lazy
      a.irr.set(irr); a.isr.set(isr); a.tmr.set(tmr); a.lvt.set(lvt)
      ;[a.tpr, a.ldr, a.dfr, a.svr, a.esr, a.esrPending, a.icrLo, a.icrHi] = regs
      a.timerInitial = timerInitial; a.timerDivide = timerDivide; a.tscDeadline = tscDeadline
      a.timerStartNs = start(now); a.timerDeadlineNs = deadline(now)
      s.assist.restoreState(assist)
    }
  })

  perVpSection('hv.synic', (w, s) => {
    const y = s.synic
    w.u64(y.scontrol).u64(y.siefp).u64(y.simp)
    for (const v of y.sint) w.u64(v)
    writeOverlay(w, y.sim)
    writeOverlay(w, y.sief)
    for (const q of y.queues) {
      w.u16(q.length)
      for (const b of q) w.bytes(b.data)
    }
  }, (r) => {
    const scontrol = r.u64(), siefp = r.u64(), simp = r.u64()
    const sint = Array.from({ length: HV_SYNIC_SINT_COUNT }, () => r.u64())
    const sim = readOverlay(r), sief = readOverlay(r)
    const queues = Array.from({ length: HV_SYNIC_SINT_COUNT }, () => Array.from({ length: r.u16('queue length') }, () => r.bytes(HV_MESSAGE_SIZE)))
    return (s, pi) => {
      const y = s.synic
      y.discard(() => true)
      y.scontrol = scontrol; y.siefp = siefp; y.simp = simp
      sint.forEach((v, i) => (y.sint[i] = v))
      y.sim.restoreState(sim)
      y.sief.restoreState(sief)
      queues.forEach((q, i) => {
        for (const bytes of q) {
          // A queued timer expiration goes back into its timer's own buffer (hv.stimers, applied
          // before this section, freed it): the timer then sees it busy (missed ticks, pending
          // one-shots) and DeliveryTime is stamped on copy, as for an uninterrupted run (15.3).
          const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
          const timer = v.getUint32(0, true) === HvMessageType.HvMessageTypeTimerExpired ? s.stimers[v.getUint32(MSG_PAYLOAD, true)] : undefined
          const b = timer && !timer.buffer.busy ? timer.buffer : new HvMessageBuffer()
          b.data.set(bytes)
          b.busy = true
          if (b !== timer?.buffer) b.onCopied = null
          else b.onCopied = (slot) => slot.setBigUint64(MSG_PAYLOAD + 16, BigInt(pi.time.now100ns()), true)
          y.queues[i].push(b)
        }
      })
    }
  })

  perVpSection('hv.stimers', (w, s) => {
    for (const t of s.stimers) {
      w.u64(t.config).u64(t.count).f64(t.deadline).f64(t.periodStart).f64(t.pendingExpiration).u32(t.missedTicks)
    }
  }, (r) => {
    const saved = Array.from({ length: HV_STIMER_COUNT }, () => ({
      config: r.u64(), count: r.u64(), deadline: r.f64(), periodStart: r.f64(), pending: r.f64(), missed: r.u32(),
    }))
    return (s) => {
      saved.forEach((v, i) => {
        const t = s.stimers[i]
        t.config = v.config & (0xfn | (0xfn << 16n)); t.count = v.count
        t.deadline = Number.isNaN(v.deadline) ? Infinity : v.deadline
        t.periodStart = Number.isFinite(v.periodStart) ? v.periodStart : 0
        t.pendingExpiration = Number.isFinite(v.pending) ? v.pending : -1
        t.missedTicks = v.missed
        t.buffer.busy = false
      })
    }
  })
}

registerSections()
