import { describe, expect, it } from 'vitest'
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE,
  HV_STATUS_INVALID_SAVE_RESTORE_STATE, HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS,
} from '../../../../core/hypervisor/hv-status'
import { HvRegister } from '../../../../core/hypervisor/register-names'
import {
  HV_SAVE_RESTORE_STATE_START, HV_SAVE_RESTORE_STATE_SUMMARY, HvRestorePartitionState, HvSavePartitionState,
  HvSaveRestoreStateResult as R, registerSaveSection, restorePartitionStateAll, savePartitionStateAll, unregisterSaveSection,
} from '../../../../core/hypervisor/save-restore'
import { WHvCreatePartition, WHvGetVirtualProcessorCpu } from '../../../../core/whp'
import { H, makeVm, patchHeader, refreshCrc, suspendAll } from './helpers'

const START = HV_SAVE_RESTORE_STATE_START
const SUMMARY = HV_SAVE_RESTORE_STATE_SUMMARY

function savedStream(opts = {}, cpus = 1, setup?: (vm: ReturnType<typeof makeVm>) => void): Uint8Array {
  const vm = makeVm(opts, cpus)
  setup?.(vm)
  suspendAll(vm.p)
  const r = savePartitionStateAll(vm.hv, vm.hv.root, vm.p.id)
  expect(r.status).toBe(HV_STATUS_SUCCESS)
  expect(r.saveState).toBe(R.HvStateComplete)
  return r.stream
}

function restoreInto(stream: Uint8Array, opts = {}, cpus = 1, summary = false) {
  const vm = makeVm(opts, cpus)
  suspendAll(vm.p)
  return { vm, r: restorePartitionStateAll(vm.hv, vm.hv.root, vm.p.id, stream, summary) }
}

describe('HvSavePartitionState / HvRestorePartitionState', () => {
  it('round-trips VP registers, FP state and partition MSRs into a fresh hypervisor', () => {
    const stream = savedStream({}, 2, ({ p }) => {
      p.root.HvSetVpRegisters(p.id, 1, [
        { name: HvRegister.HvX64RegisterRax, value: 0x1122334455667788n },
        { name: HvRegister.HvX64RegisterRip, value: 0x7000n },
        { name: (HvRegister.HvX64RegisterXmm0 + 3), value: { lo: 0xdeadbeefn, hi: 0xcafen } },
        { name: HvRegister.HvX64RegisterCr3, value: 0x5000n },
      ])
      const part = p.hv.partition(p.id)!
      part.guestOsId = 0x1234n
      const vp = part.vp(0)!
      vp.cpu.halted = true
    })
    const { vm, r } = restoreInto(stream, {}, 2)
    expect(r.status).toBe(HV_STATUS_SUCCESS)
    expect(r.restoreState).toBe(R.HvStateComplete)
    const get = (i: number, n: number) => vm.p.root.HvGetVpRegister(vm.p.id, i, n)
    expect(get(1, HvRegister.HvX64RegisterRax).value).toBe(0x1122334455667788n)
    expect(get(1, HvRegister.HvX64RegisterRip).value).toBe(0x7000n)
    expect(get(1, (HvRegister.HvX64RegisterXmm0 + 3))).toMatchObject({ value: 0xdeadbeefn, hi: 0xcafen })
    expect(get(1, HvRegister.HvX64RegisterCr3).value).toBe(0x5000n)
    expect(vm.hv.partition(vm.p.id)!.guestOsId).toBe(0x1234n)
    expect(WHvGetVirtualProcessorCpu(vm.p, 0).halted).toBe(true)
    expect(WHvGetVirtualProcessorCpu(vm.p, 1).halted).toBe(false)
  })

  it('streams in 4080-byte chunks: Incomplete until the last, then Complete', () => {
    const vm = makeVm({}, 4)
    suspendAll(vm.p)
    const first = HvSavePartitionState(vm.hv, vm.hv.root, vm.p.id, START)
    expect(first.status).toBe(HV_STATUS_SUCCESS)
    expect(first.saveState).toBe(R.HvStateIncomplete)
    expect(first.data.length).toBe(4080)
    let last = first
    let calls = 1
    while (last.saveState === R.HvStateIncomplete) {
      last = HvSavePartitionState(vm.hv, vm.hv.root, vm.p.id, 0)
      calls++
    }
    expect(last.saveState).toBe(R.HvStateComplete)
    expect(calls).toBeGreaterThan(1)
    // After Complete the process is over.
    expect(HvSavePartitionState(vm.hv, vm.hv.root, vm.p.id, 0).status).toBe(HV_STATUS_INVALID_SAVE_RESTORE_STATE)
  })

  it('consumes whole frames only: unconsumed bytes are presented again', () => {
    const stream = savedStream({}, 4)
    const vm = makeVm({}, 4)
    suspendAll(vm.p)
    const r1 = HvRestorePartitionState(vm.hv, vm.hv.root, vm.p.id, START, stream.subarray(0, 1000))
    expect(r1.restoreState).toBe(R.HvStateIncomplete)
    expect(r1.consumed).toBeGreaterThan(0)
    expect(r1.consumed).toBeLessThan(1000)
    const r2 = HvRestorePartitionState(vm.hv, vm.hv.root, vm.p.id, 0, new Uint8Array(0))
    expect(r2).toMatchObject({ status: HV_STATUS_SUCCESS, restoreState: R.HvStateIncomplete, consumed: 0 })
    const rest = restorePartitionStateAll(vm.hv, vm.hv.root, vm.p.id, stream, false, 2500)
    expect(rest.restoreState).toBe(R.HvStateComplete)
    expect(rest.calls).toBeGreaterThan(stream.length / 2500)
  })

  it('reports the hypercall statuses of 17.3', () => {
    const vm = makeVm()
    const { hv, p } = vm
    const child = hv.partition(p.id)!
    expect(HvSavePartitionState(hv, hv.root, 999n, START).status).toBe(HV_STATUS_INVALID_PARTITION_ID)
    expect(HvSavePartitionState(hv, hv.root, 0n, START).status).toBe(HV_STATUS_INVALID_PARTITION_ID) // 0 needs SUMMARY
    expect(HvSavePartitionState(hv, child, p.id, START).status).toBe(HV_STATUS_ACCESS_DENIED) // not the parent
    expect(HvRestorePartitionState(hv, child, p.id, START, new Uint8Array(0)).status).toBe(HV_STATUS_ACCESS_DENIED)
    expect(HvSavePartitionState(hv, hv.root, p.id, START | 4).status).toBe(HV_STATUS_INVALID_PARAMETER)
    expect(HvSavePartitionState(hv, hv.root, p.id, START).status).toBe(HV_STATUS_OPERATION_DENIED) // VP not suspended
    expect(HvSavePartitionState(hv, hv.root, p.id, START | SUMMARY).status).toBe(HV_STATUS_SUCCESS) // summary: no suspension
    suspendAll(p)
    expect(HvSavePartitionState(hv, hv.root, p.id, 0).status).toBe(HV_STATUS_INVALID_SAVE_RESTORE_STATE)
    expect(HvRestorePartitionState(hv, hv.root, p.id, 0, new Uint8Array(1)).status).toBe(HV_STATUS_INVALID_SAVE_RESTORE_STATE)
    expect(HvRestorePartitionState(hv, hv.root, p.id, START, new Uint8Array(4081)).status).toBe(HV_STATUS_INVALID_PARAMETER)
    const fresh = WHvCreatePartition(hv) // Uninitialized
    expect(HvSavePartitionState(hv, hv.root, fresh.id, START | SUMMARY).status).toBe(HV_STATUS_INVALID_PARTITION_STATE)
  })

  it('an error result ends the process; START abandons one in flight', () => {
    const stream = savedStream()
    const vm = makeVm()
    suspendAll(vm.p)
    const bad = stream.slice()
    bad[0] = 9 // unknown first record
    expect(HvRestorePartitionState(vm.hv, vm.hv.root, vm.p.id, START, bad).restoreState).toBe(R.HvStateCorruptData)
    expect(HvRestorePartitionState(vm.hv, vm.hv.root, vm.p.id, 0, stream).status).toBe(HV_STATUS_INVALID_SAVE_RESTORE_STATE)
    HvRestorePartitionState(vm.hv, vm.hv.root, vm.p.id, START, stream.subarray(0, 500))
    expect(restorePartitionStateAll(vm.hv, vm.hv.root, vm.p.id, stream).restoreState).toBe(R.HvStateComplete)
  })

  it('summary save/restore checks compatibility only (HvStateRestorable) and changes nothing', () => {
    const src = makeVm()
    const sys = savePartitionStateAll(src.hv, src.hv.root, 0n, true)
    expect(sys.saveState).toBe(R.HvStateComplete)
    const part = savePartitionStateAll(src.hv, src.hv.root, src.p.id, true)
    const { vm, r } = restoreInto(part.stream, {}, 1, true)
    expect(r.restoreState).toBe(R.HvStateRestorable)
    expect(restorePartitionStateAll(vm.hv, vm.hv.root, 0n, sys.stream, true).restoreState).toBe(R.HvStateRestorable)
    // A full save can be checked too, without being applied.
    const full = savedStream({}, 1, ({ p }) => p.root.HvSetVpRegisters(p.id, 0, [{ name: HvRegister.HvX64RegisterRax, value: 77n }]))
    expect(restorePartitionStateAll(vm.hv, vm.hv.root, vm.p.id, full, true).restoreState).toBe(R.HvStateRestorable)
    expect(vm.p.root.HvGetVpRegister(vm.p.id, 0, HvRegister.HvX64RegisterRax).value).toBe(0n)
    // A summary is not a full state.
    expect(restoreInto(part.stream).r.restoreState).toBe(R.HvStateCorruptData)
    // And a summary against a different target reports the mismatch.
    expect(restoreInto(part.stream, {}, 2, true).r.restoreState).toBe(R.HvStateProcessorCountMismatch)
  })
})

describe('every HV_SAVE_RESTORE_STATE_RESULT the restore path produces', () => {
  const base = savedStream({ processorFeatures: 0xffffn, processorXsaveFeatures: 0x7n, features: { hardwareFeatures: 0x3 } }, 2)
  const target = { processorFeatures: 0xffffn, processorXsaveFeatures: 0x7n, features: { hardwareFeatures: 0x3 } }
  const restore = (s: Uint8Array, opts: object = target, cpus = 2) => restoreInto(s, opts, cpus).r.restoreState

  it('HvStateComplete for a compatible target', () => {
    expect(restore(base)).toBe(R.HvStateComplete)
  })
  it('HvStateCorruptData: flipped byte, truncation, bad magic, trailing bytes', () => {
    const flipped = base.slice()
    flipped[200] ^= 1
    expect(restore(flipped)).toBe(R.HvStateCorruptData)
    expect(restore(base.subarray(0, base.length - 10))).toBe(R.HvStateCorruptData)
    expect(restore(patchHeader(base, (v) => v.setUint32(H.magic, 0x41414141, true)))).toBe(R.HvStateCorruptData)
    const trailing = new Uint8Array(base.length + 3)
    trailing.set(base)
    expect(restore(trailing)).toBe(R.HvStateCorruptData)
  })
  it('HvStateUnsupportedVersion: stream version and unknown section', () => {
    expect(restore(patchHeader(base, (v) => v.setUint16(H.version, 2, true)))).toBe(R.HvStateUnsupportedVersion)
    registerSaveSection('test.extra', { version: 3, save: () => Uint8Array.of(1, 2, 3), restore: () => {} })
    const withSection = savedStream(target, 2)
    unregisterSaveSection('test.extra')
    expect(restore(withSection)).toBe(R.HvStateUnsupportedVersion)
    registerSaveSection('test.extra', { version: 2, save: () => null, restore: () => {} })
    expect(restore(withSection)).toBe(R.HvStateUnsupportedVersion) // saved at 3, we know 2
    unregisterSaveSection('test.extra')
  })
  it('registered sections are saved and restored', () => {
    let got: number[] = []
    registerSaveSection('test.echo', { version: 1, save: () => Uint8Array.of(9, 8, 7), restore: (_p, d) => (got = [...d]) })
    const s = savedStream(target, 2)
    expect(restore(s)).toBe(R.HvStateComplete)
    unregisterSaveSection('test.echo')
    expect(got).toEqual([9, 8, 7])
  })
  it('HvStateProcessorFeatureMismatch, HardwareFeatureMismatch, IncompatibleProcessor', () => {
    const f16 = savedStream({ ...target, processorFeatures: 0x1ffffn }, 2)
    expect(restore(f16)).toBe(R.HvStateProcessorFeatureMismatch)
    expect(restore(base, { ...target, features: { hardwareFeatures: 0x1 } })).toBe(R.HvStateHardwareFeatureMismatch)
    expect(restore(base, { ...target, processorVendor: 0 })).toBe(R.HvStateIncompatibleProcessor)
  })
  it('HvStateProcessorCountMismatch, IndexMismatch, FlagsMismatch', () => {
    expect(restore(base, target, 1)).toBe(R.HvStateProcessorCountMismatch)
    expect(restore(base, target, 3)).toBe(R.HvStateProcessorCountMismatch)
    expect(restore(patchHeader(base, (v) => v.setUint32(H.vps + 8, 5, true)))).toBe(R.HvStateProcessorIndexMismatch)
    expect(restore(patchHeader(base, (v) => v.setUint32(H.vps + 4, 1, true)))).toBe(R.HvStateProcessorFlagsMismatch)
  })
  it('one result per processor feature bit 0-15 (12 + bit)', () => {
    for (let bit = 0; bit < 16; bit++) {
      const t = { ...target, processorFeatures: 0xffffn & ~(1n << BigInt(bit)) }
      expect(restore(base, t)).toBe(R.HvStateProcessorFeatureSse3Mismatch + bit)
    }
  })
  it('cache line flush size and XSAVE results (28-34)', () => {
    expect(restore(base, { ...target, processorClFlushSize: 16n })).toBe(R.HvStateProcessorCacheLineFlushSizeMismatch)
    expect(restore(base, { ...target, processorXsaveFeatures: 0x6n })).toBe(R.HvStateProcessorFeatureXsaveMismatch)
    expect(restore(base, { ...target, processorXsaveFeatures: 0x5n })).toBe(R.HvStateProcessorFeatureXsaveoptMismatch)
    expect(restore(base, { ...target, processorXsaveFeatures: 0x3n })).toBe(R.HvStateProcessorFeatureXsaveAvxMismatch)
    const unknownX = savedStream({ ...target, processorXsaveFeatures: 0xfn }, 2)
    expect(restore(unknownX)).toBe(R.HvStateProcessorFeatureXsaveUnknownFeatureMismatch)
    // VPs that enabled SSE state in XCR0, restored where XSAVE is absent.
    const noX = { ...target, processorXsaveFeatures: 0n }
    const sse = savedStream(noX, 2, ({ p }) => p.root.HvSetVpRegisters(p.id, 0, [{ name: HvRegister.HvX64RegisterXfem, value: 3n }]))
    expect(restore(sse, noX)).toBe(R.HvStateProcessorFeatureXsaveLegacySseMismatch)
    expect(restore(patchHeader(base, (v) => v.setUint32(H.areaSize, 4096, true)))).toBe(R.HvStateProcessorXsaveSaveAreaMismatch)
  })
  it('a corrupt stream changes nothing in the target', () => {
    const s = savedStream(target, 2, ({ p }) => p.root.HvSetVpRegisters(p.id, 0, [{ name: HvRegister.HvX64RegisterRax, value: 5n }]))
    const bad = s.slice()
    bad[bad.length - 1] ^= 0xff // CRC
    const { vm, r } = restoreInto(refreshCrc(s.slice()) && bad, target, 2)
    expect(r.restoreState).toBe(R.HvStateCorruptData)
    expect(vm.p.root.HvGetVpRegister(vm.p.id, 0, HvRegister.HvX64RegisterRax).value).toBe(0n)
  })
})
