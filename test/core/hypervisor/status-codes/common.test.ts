/**
 * The status codes common to every hypercall (TLFS 4.8), checked for EVERY row of the
 * appendix B table: INVALID_HYPERCALL_INPUT for a rep count that does not match the class,
 * and INVALID_ALIGNMENT for a misaligned input or output GPA through the native ABI.
 */
import { describe, expect, it } from 'vitest'
import * as S from '../../../../core/hypervisor/hv-status'
import { makeHypercallInput } from '../../../../core/hypervisor/hypercall-input'
import { HYPERCALL_TABLE } from '../../../../core/hypervisor/hypercall-table'
import { runVp } from '../../../../core/hypervisor/run-vp'
import { HV_X64_MSR_HYPERCALL } from '../../../../core/hypervisor/synthetic-msrs'
import { ExitReason, Reg } from '../../../../core/x64/api'
import type { FakeCpu } from '../fake-cpu'
import { makeChild, makeHv, rootPages } from '../helpers'

function native() {
  const { hv, cpus } = makeHv()
  const c = makeChild(hv, 32 * 4096, 16)
  hv.wrapper().HvMapGpaPages(c, 0, 7, rootPages(32))
  hv.wrapper().HvCreateVp(c, 0)
  const p = hv.partition(c)!
  p.vp(0)!.explicitSuspend = false
  p.vp(0)!.waitingForSipi = false
  p.guestOsId = 1n
  const cpu = cpus[0] as FakeCpu
  cpu.script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_HYPERCALL, valueLo: 0x2001, valueHi: 0 })
  runVp(hv, p.vp(0)!, 10)
  cpu.enterLongModeIdentity()
  const vmcall = (rcx: bigint, rdx: bigint, r8: bigint): number => {
    cpu.rip = 0x2000n
    cpu.setReg(Reg.RCX, rcx)
    cpu.setReg(Reg.RDX, rdx)
    cpu.setReg(Reg.R8, r8)
    cpu.script.push({ reason: ExitReason.Vmcall, instructionLength: 3 })
    runVp(hv, p.vp(0)!, 10)
    return Number(cpu.getReg(Reg.RAX) & 0xffffn)
  }
  return { vmcall }
}

describe('common status codes on every hypercall (4.8)', () => {
  it('INVALID_HYPERCALL_INPUT: a rep count on a simple call, none on a rep call', () => {
    const { hv } = makeHv()
    const wrong: string[] = []
    for (const def of HYPERCALL_TABLE) {
      const st = hv.callFromHost(hv.root, def.code, { repCount: def.rep ? 0 : 1 }).status
      if (st !== S.HV_STATUS_INVALID_HYPERCALL_INPUT) wrong.push(`${def.name}: ${S.hvStatusName(st)}`)
    }
    expect(wrong).toEqual([])
  })

  it('INVALID_ALIGNMENT: a misaligned input GPA (calls with input) and output GPA (calls with output)', () => {
    const s = native()
    const wrong: string[] = []
    let checked = 0
    for (const def of HYPERCALL_TABLE) {
      const ctl = makeHypercallInput(def.code, def.rep ? { repCount: 1 } : {})
      const hasIn = def.inputHeader + def.inputElement > 0
      const hasOut = def.outputHeader + def.outputElement > 0
      if (hasIn) {
        checked++
        const st = s.vmcall(ctl, 0x3004n, 0x4000n)
        if (st !== S.HV_STATUS_INVALID_ALIGNMENT) wrong.push(`${def.name} input: ${S.hvStatusName(st)}`)
      }
      if (hasOut) {
        checked++
        const st = s.vmcall(ctl, 0x3000n, 0x4004n)
        if (st !== S.HV_STATUS_INVALID_ALIGNMENT) wrong.push(`${def.name} output: ${S.hvStatusName(st)}`)
      }
    }
    expect(wrong).toEqual([])
    expect(checked).toBeGreaterThan(HYPERCALL_TABLE.length)
  })

  it('INVALID_ALIGNMENT: a block beyond the GPA space or crossing a page', () => {
    const s = native()
    for (const def of HYPERCALL_TABLE.filter((d) => d.inputHeader >= 16 && !d.rep && d.inputHeader < 4096)) {
      expect(s.vmcall(makeHypercallInput(def.code), 0x3ff8n, 0x4000n), def.name).toBe(S.HV_STATUS_INVALID_ALIGNMENT)
      expect(s.vmcall(makeHypercallInput(def.code), 32n * 4096n, 0x4000n), def.name).toBe(S.HV_STATUS_INVALID_ALIGNMENT)
    }
  })
})
