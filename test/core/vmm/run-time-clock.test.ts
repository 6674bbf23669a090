/**
 * VP run time on the VM's clock (issue 8/9 statistics; TLFS 10.3.2 HV_X64_MSR_VP_RUNTIME,
 * 15 reference counter, appendix J run-time counters). A tiny ELF64 guest reads
 * HV_X64_MSR_VP_RUNTIME and HV_X64_MSR_TIME_REF_COUNT before and after a busy loop and
 * after a halt the local APIC timer ends, prints the readings and halts for good; the
 * machine runs it on the virtual clock. Busy: run time keeps pace with reference time (never
 * ahead). Halted: run time stands still. The root's LP and VP stats pages agree with the
 * guest's readings and with the instructions retired (1 ns each on the virtual clock).
 * On the host clock the machine measures each VP slice in host time: a busy VP's run time is
 * most of the elapsed time and never more, an idle one's hardly moves.
 */
import { describe, expect, it } from 'vitest'
import { buildElf } from './loaders/build-guest'
import { Driven, guestConfig } from './saved-state/machine-harness'
import { Machine } from '../../../core/vmm/machine'
import type { MachineStop } from '../../../core/vmm/machine-api'
import { ensureGuestsBuilt } from '../../guests/ensure-built'
import { hasToolchain } from '../x64/harness'
import type { HvStatsSnapshot } from '../../../core/vmm/machine-api'

/** Busy loop: 2 instructions per pass, 1 ns each on the virtual clock → 4 ms. */
const BUSY_PASSES = 2_000_000
/** APIC timer ticks (10 ns each, divide by 1) of the halt → 3 ms. */
const HALT_TICKS = 300_000

const GUEST = `
.code64
.globl _start
.text
_start:
  lea stack_top(%rip), %rsp
  lea samples(%rip), %rbx
  /* IDT gate 0x40 → timer_isr (64-bit interrupt gate, the loader's code selector). */
  lea timer_isr(%rip), %rax
  lea idt+0x40*16(%rip), %rdi
  mov %ax, (%rdi)
  mov %cs, %dx
  mov %dx, 2(%rdi)
  movw $0x8e00, 4(%rdi)
  shr $16, %rax
  mov %ax, 6(%rdi)
  shr $16, %rax
  mov %eax, 8(%rdi)
  lidt idtr(%rip)
  mov $0xfee00000, %esi
  movl $0x1ff, 0xf0(%rsi)          /* APIC software enable, spurious vector 0xff */

  call sample                       /* 0: start */
  mov $${BUSY_PASSES}, %rcx
1: dec %rcx
  jnz 1b
  call sample                       /* 1: after the busy loop */
  movl $0xb, 0x3e0(%rsi)            /* divide by 1 */
  movl $0x40, 0x320(%rsi)           /* one-shot, vector 0x40 */
  movl $${HALT_TICKS}, 0x380(%rsi)
  sti
2: hlt
  cmpb $0, fired(%rip)
  je 2b
  cli
  call sample                       /* 2: after the halt */

  lea samples(%rip), %rbx
  mov $6, %r12
3: mov (%rbx), %rax
  call hex
  add $8, %rbx
  dec %r12
  jnz 3b
  mov $'E', %al
  call putc
  mov $'\\n', %al
  call putc
4: cli
  hlt
  jmp 4b

/* VP_RUNTIME then TIME_REF_COUNT at (%rbx), advance by 16. */
sample:
  mov $0x40000010, %ecx
  rdmsr
  shl $32, %rdx
  or %rdx, %rax
  mov %rax, (%rbx)
  mov $0x40000020, %ecx
  rdmsr
  shl $32, %rdx
  or %rdx, %rax
  mov %rax, 8(%rbx)
  add $16, %rbx
  ret

/* RAX as 16 hex digits and a space on COM1. */
hex:
  mov %rax, %r8
  mov $16, %r9
5: rol $4, %r8
  mov %r8, %rax
  and $15, %eax
  add $'0', %al
  cmp $'9', %al
  jbe 6f
  add $7, %al
6: call putc
  dec %r9
  jnz 5b
  mov $' ', %al
  call putc
  ret

putc:
  mov $0x3f8, %dx
  out %al, %dx
  ret

timer_isr:
  movb $1, fired(%rip)
  movl $0, 0xb0(%rsi)               /* EOI */
  iretq

.data
.align 16
idtr: .word 256*16-1
  .quad idt
fired: .byte 0
.align 16
samples: .fill 6, 8, 0
.bss
.align 4096
idt: .fill 256*16, 1, 0
  .fill 4096, 1, 0
stack_top:
`
const LINK = `ENTRY(_start)
SECTIONS { . = 0x100000; .text : { *(.text) } .data : { *(.data) } .bss : { *(.bss) } }`

function counter(s: HvStatsSnapshot, kind: 'lp' | 'vp', group: string, name: string): number {
  const obj = s.objects.find((o) => o.kind === kind && o.index === 0)!
  return obj.counters.find((c) => c.group === group && c.name === name)!.value
}

describe.skipIf(!hasToolchain())('VP run time on the VM clock', () => {
  it('busy: run time keeps pace with reference time; halted: it stands still; the stats pages agree (virtual clock)', async () => {
    const kernel = buildElf(GUEST, LINK, 64)
    const d = new Driven({ memoryMiB: 8, cpus: 1, kernel, clock: 'virtual', onTripleFault: 'stop' })
    await d.machine.start()
    for (let i = 0; i < 10_000 && !d.serial.includes('E\n'); i++) expect(d.turn()).toBe(true)
    expect(d.stop).toBeNull()
    const hex = d.serial.trim().split(/\s+/).slice(0, 6).map((h) => parseInt(h, 16))
    expect(hex).toHaveLength(6)
    const [run0, ref0, run1, ref1, run2, ref2] = hex as [number, number, number, number, number, number]

    // Busy: 4 ms of guest work. Run time ≤ reference time elapsed, and within 1 % of it.
    const busyRef = ref1 - ref0
    const busyRun = run1 - run0
    expect(busyRef).toBeGreaterThanOrEqual((BUSY_PASSES * 2) / 100)
    expect(busyRef).toBeLessThan((BUSY_PASSES * 2) / 100 + 50)
    expect(busyRun).toBeLessThanOrEqual(busyRef)
    expect(busyRun).toBeGreaterThan(busyRef * 0.99)

    // Halted: 3 ms pass on the reference counter; the VP runs a few instructions (ISR, sample).
    const haltRef = ref2 - ref1
    const haltRun = run2 - run1
    expect(haltRef).toBeGreaterThanOrEqual((HALT_TICKS * 10) / 100)
    expect(haltRun).toBeLessThan(haltRef / 100)

    // The root's view (TLFS ch. 21): VP and LP pages, the VM clock and the instructions retired.
    const s = d.machine.hvStats()
    d.machine.statsText()
    const retired = d.machine.stats.instructions
    const vpTotal = counter(s, 'vp', 'VPA', 'Total Run Time')
    const vpHv = counter(s, 'vp', 'VPA', 'Hypervisor Run Time')
    const global = counter(s, 'lp', 'LPA', 'Global Time')
    const lpTotal = counter(s, 'lp', 'LPA', 'Total Run Time')
    const lpHv = counter(s, 'lp', 'LPA', 'Hypervisor Run Time')
    const lpIdle = counter(s, 'lp', 'LPA', '% C1 Time')
    // Virtual clock: a VP's run time is its instructions at 1 ns each; Total Run Time = VP_RUNTIME.
    expect(vpTotal).toBe(Math.floor(retired / 100))
    expect(vpTotal).toBeGreaterThanOrEqual(run2)
    // One VP on LP 0: the LP's run times are the VP's; hypervisor time is part of run time.
    expect(lpTotal).toBe(vpTotal)
    expect(lpHv).toBe(vpHv)
    expect(vpHv).toBeGreaterThan(0)
    expect(vpHv).toBeLessThanOrEqual(vpTotal)
    // Global time is the reference counter; the VP ran for part of it, the LP idled the rest.
    expect(global).toBeGreaterThanOrEqual(ref2)
    expect(lpTotal).toBeLessThanOrEqual(global)
    expect(lpIdle).toBe(global - lpTotal)
    // Idle ≈ the halted time the guest measured plus the final halt after its last reading.
    const haltedSeen = haltRef - haltRun + (global - ref2) - (vpTotal - run2)
    expect(Math.abs(lpIdle - haltedSeen)).toBeLessThanOrEqual(ref0 - run0 + 2)
    expect(lpIdle).toBeGreaterThanOrEqual(haltRef - haltRun - 2)
    await d.machine.turnOff()
  }, 30_000)
})

describe('VP run time on the host clock', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  /** Boots `guest` in-process on the host clock; LP 0's Global Time and Total Run Time on demand. */
  async function boot(guest: string, cmdline: string | undefined, memoryMiB: number) {
    let out = ''
    let stop: MachineStop | null = null
    const m = new Machine({ ...guestConfig(guest, cmdline, memoryMiB), clock: 'host' }, {
      serial: (_p, data) => { out += Buffer.from(data).toString('latin1') },
      stopped: (s) => { stop = s },
    })
    await m.start()
    const times = () => {
      const s = m.hvStats()
      return { global: counter(s, 'lp', 'LPA', 'Global Time'), run: counter(s, 'lp', 'LPA', 'Total Run Time'), vp: counter(s, 'vp', 'VPA', 'Total Run Time') }
    }
    return { m, times, text: () => out, stopped: () => stop }
  }

  it('a busy VP runs most of the elapsed host time and never more; an idle one almost none', async () => {
    ensureGuestsBuilt(['bench', 'hvshell'])
    const bench = await boot('bench.elf', 'scale=32', 64)
    await sleep(150)
    const a = bench.times()
    await sleep(400)
    const b = bench.times()
    expect(bench.stopped()).toBeNull() // still computing: the whole window is busy
    await bench.m.turnOff()
    const busy = (b.run - a.run) / (b.global - a.global)
    expect(b.vp).toBe(b.run)
    expect(b.run).toBeLessThanOrEqual(b.global)
    // Slices are most of the loop's time (the rest: device service, yielding to the event loop).
    expect(busy).toBeGreaterThan(0.5)
    expect(busy).toBeLessThanOrEqual(1)

    const shell = await boot('hvshell.elf', undefined, 16)
    for (let i = 0; i < 200 && !shell.text().includes('hv> '); i++) await sleep(50)
    expect(shell.text()).toContain('hv> ')
    await sleep(100)
    const c = shell.times()
    await sleep(400)
    const e = shell.times()
    await shell.m.turnOff()
    expect(e.global - c.global).toBeGreaterThan(3_000_000) // ≥ 300 ms of 100 ns units
    expect((e.run - c.run) / (e.global - c.global)).toBeLessThan(0.02)
    console.log(`host clock: busy bench VP ran ${(busy * 100).toFixed(1)} % of global time; idle hvshell ${(((e.run - c.run) / (e.global - c.global)) * 100).toFixed(3)} %`)
  }, 60_000)
})
