/**
 * A child partition running REAL guest code (core/x64 CPU) for the ch. 13-16 proofs: the
 * snippet is GNU-as source assembled at test time (test/core/x64/harness.ts), started in
 * 64-bit long mode with 4 GiB identity-mapped (so the xAPIC page at 0xFEE00000 is
 * reachable), a GDT, an IDT, a #GP handler that counts and skips the 2-byte faulting
 * instruction (WRMSR/RDMSR), the hypercall page enabled and the APIC software-enabled. The
 * clock is virtual: 10 ns per retired instruction, plus idle time the run loop skips to
 * the next timer deadline while the VP halts. Slices end exactly at timer deadlines so
 * an expiration is never observed late by more than one instruction.
 */
import { Hypervisor, type HypervisorOptions } from '../../../../core/hypervisor/hypervisor'
import type { Partition } from '../../../../core/hypervisor/partition'
import { runVp } from '../../../../core/hypervisor/run-vp'
import { VpExitKind, type VirtualProcessor } from '../../../../core/hypervisor/virtual-processor'
import { Seg } from '../../../../core/x64'
import { assemble } from '../../x64/harness'
import { makeChild, rootPages } from '../helpers'

export const GUEST = {
  DATA: 0x11000, IDT: 0x10000, HCPAGE: 0x12000, SIM: 0x13000, SIEF: 0x14000, TSCPAGE: 0x15000, IN: 0x16000, OUT: 0x17000,
  STACK: 0x20000, TABLES: 0x70000, CODE: 0x1000,
} as const
/** DATA offsets the prelude owns: done flag, #GP count. */
export const DONE_FLAG = 0
export const GP_COUNT = 4

const PRELUDE = `
.set DATA, ${GUEST.DATA}
.set IDT, ${GUEST.IDT}
.set HCPAGE, ${GUEST.HCPAGE}
.set SIM, ${GUEST.SIM}
.set SIEF, ${GUEST.SIEF}
.set TSCPAGE, ${GUEST.TSCPAGE}
.set IN, ${GUEST.IN}
.set OUT, ${GUEST.OUT}
.macro WRM msr, val
  mov ecx, \\msr
  mov rax, \\val
  mov rdx, rax
  shr rdx, 32
  wrmsr
.endm
.macro RDM msr
  mov ecx, \\msr
  rdmsr
  shl rdx, 32
  or rax, rdx
.endm
.macro GATE vec, handler
  lea rax, [rip + \\handler]
  mov rdi, IDT + \\vec * 16
  call set_gate
.endm
.macro HCALL control, input, output
  mov rcx, \\control
  mov rdx, \\input
  mov r8, \\output
  mov rax, HCPAGE
  call rax
.endm
.macro DONE
  mov dword ptr [DATA], 1
  cli
77: hlt
  jmp 77b
.endm
  lgdt [rip + gdtr]
  lidt [rip + idtr]
  GATE 13, gp_handler
  WRM 0x40000000, 1
  WRM 0x40000001, HCPAGE + 1
  mov rdi, 0xfee000f0
  mov dword ptr [rdi], 0x1ff
  jmp main
set_gate:
  mov word ptr [rdi], ax
  mov word ptr [rdi + 2], 0x08
  mov word ptr [rdi + 4], 0x8e00
  shr rax, 16
  mov word ptr [rdi + 6], ax
  shr rax, 16
  mov dword ptr [rdi + 8], eax
  mov dword ptr [rdi + 12], 0
  ret
gp_handler:
  add rsp, 8
  add qword ptr [rsp], 2
  inc dword ptr [DATA + 4]
  iretq
.align 16
gdt: .quad 0, 0x00af9a000000ffff, 0x00cf92000000ffff
gdtr: .word 23
  .quad gdt
idtr: .word 4095
  .quad IDT
`

export interface GuestRig {
  hv: Hypervisor
  id: bigint
  p: Partition
  vp: VirtualProcessor
  /** Guest time in ns. */
  nowNs(): number
  /** Run until the guest sets its done flag and halts, it halts with nothing scheduled, or an intercept. */
  run(maxInstructions?: number): 'done' | 'halted' | 'limit' | number
  u32(offset: number): number
  u64(offset: number): bigint
  setU32(offset: number, v: number): void
}

export const CHILD_PRIVILEGES = 0x7ffn | (0xfn << 36n) // all MSR groups + Post/Signal/CreatePort/ConnectPort

/** Build and start a child running `body` (GNU as, Intel syntax; must define `main:`). */
export function guestRig(body: string, opts: { privileges?: bigint; hv?: HypervisorOptions } = {}): GuestRig {
  const hv = new Hypervisor(opts.hv)
  const ramPages = 256
  const id = makeChild(hv, ramPages * 4096, 32)
  const root = hv.wrapper()
  root.HvSetPartitionProperty(id, 0x00010000, opts.privileges ?? CHILD_PRIVILEGES)
  root.HvMapGpaPages(id, 0, 7, rootPages(ramPages))
  root.HvDepositMemory(hv.root.id, rootPages(8))
  root.HvCreateVp(id, 0)
  const p = hv.partition(id)!
  const vp = p.vp(0)!
  vp.explicitSuspend = false
  const mem = p.memory!
  mem.writeBytes(GUEST.CODE, assemble(PRELUDE + body, GUEST.CODE, 64))
  // 4-level tables: PML4 → PDPT → four PDs of 2 MiB pages = 4 GiB identity.
  const t = GUEST.TABLES
  const v = mem.view
  mem.ram.fill(0, t, t + 6 * 4096)
  v.setUint32(t, t + 0x1000 + 3, true)
  for (let i = 0; i < 4; i++) {
    v.setUint32(t + 0x1000 + i * 8, t + 0x2000 + i * 0x1000 + 3, true)
    for (let j = 0; j < 512; j++) {
      const phys = (i * 512 + j) * 0x200000
      v.setUint32(t + 0x2000 + i * 0x1000 + j * 8, (phys % 2 ** 32) + 0x83, true)
    }
  }
  const cpu = vp.cpu
  cpu.setCr(3, BigInt(t))
  cpu.setCr(4, 0x20n)
  cpu.setEfer(0x500n)
  cpu.setCr(0, 0x80000011n)
  cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffffffff, selector: 0x08, attributes: 0xa09b })
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, { base: 0n, limit: 0xffffffff, selector: 0x10, attributes: 0xc093 })
  cpu.setSegment(Seg.TR, { base: 0n, limit: 0x67, selector: 0, attributes: 0x8b })
  cpu.setRflags(2n)
  cpu.setRip(BigInt(GUEST.CODE))
  cpu.setReg(4, BigInt(GUEST.STACK))

  let idleNs = 0
  const nowNs = (): number => cpu.retired * 10 + idleNs
  hv.interrupts.setClock(id, { nowNs, tscHz: 1e9 })
  cpu.readTsc = () => Math.floor(nowNs())
  const u32 = (o: number): number => mem.view.getUint32(GUEST.DATA + o, true)

  const run = (maxInstructions = 2_000_000): 'done' | 'halted' | 'limit' | number => {
    const start = cpu.retired
    while (cpu.retired - start < maxInstructions) {
      const now = nowNs()
      const deadline = hv.interrupts.nextDeadline(id)
      let budget = 5000
      if (deadline !== Infinity) budget = Math.max(1, Math.min(budget, Math.ceil((deadline - now) / 10)))
      const kind = runVp(hv, vp, budget)
      if (kind === VpExitKind.Halt) {
        if (u32(DONE_FLAG) === 1) return 'done'
        const next = hv.interrupts.nextDeadline(id)
        if (next === Infinity) return 'halted'
        idleNs += Math.max(0, next - nowNs()) // the halted VP sleeps to the next deadline
        hv.interrupts.advanceTo(id, nowNs())
      } else if (kind !== VpExitKind.None) return kind
    }
    return 'limit'
  }
  return {
    hv, id, p, vp, nowNs, run, u32,
    u64: (o) => mem.view.getBigUint64(GUEST.DATA + o, true),
    setU32: (o, val) => mem.view.setUint32(GUEST.DATA + o, val, true),
  }
}
