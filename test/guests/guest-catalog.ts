/**
 * How each bundled guest is run and judged, for tests that boot the same guest under QEMU
 * and under our machine and compare the serial output byte for byte. `mayDiffer` lists
 * the lines that legitimately differ (hypervisor CPUID answers, CPU-model-dependent SKIP
 * lines); everything else must be identical. Exit statuses are QEMU's isa-debug-exit
 * values ((v << 1) | 1); a triple fault under QEMU -no-reboot gives 0.
 */
import type { QemuRunOptions } from './run-qemu'

export interface GuestCase {
  name: string
  /** How to run it (same input and command line on both machines). */
  run: QemuRunOptions
  /** QEMU's exit status, or null when the run is stopped by `until`. */
  qemuExitCode: number | null
  /** The value the guest writes to port 0xF4, when it exits that way. */
  debugExitValue?: number
  tripleFault?: boolean
  /** Output lines (without CR LF) that may differ between QEMU and our machine. */
  mayDiffer: RegExp[]
}

export const GUEST_CASES: GuestCase[] = [
  {
    name: 'hello',
    run: { sendAfter: 'ready\r\n', input: 'ping\r', until: 'ping\r\n', timeoutMs: 20_000 },
    qemuExitCode: null,
    mayDiffer: [/^hypervisor vendor: /, /^hypervisor interface: /, /^no hypervisor$/],
  },
  {
    name: 'bench',
    run: { append: 'scale=1', timeoutMs: 60_000 },
    qemuExitCode: 1,
    debugExitValue: 0,
    mayDiffer: [],
  },
  {
    name: 'cpu-modes',
    run: { timeoutMs: 60_000 },
    qemuExitCode: 1,
    debugExitValue: 0,
    // NX and MAXPHYADDR come from the CPU model; the summary counts change with them.
    mayDiffer: [/^(PASS|SKIP) pf-fetch-nx/, /^(PASS|SKIP) pf-reserved-bit/, /^cpu-modes: \d+ passed, 0 failed$/],
  },
  {
    name: 'triple',
    run: { timeoutMs: 20_000 },
    qemuExitCode: 0,
    tripleFault: true,
    mayDiffer: [],
  },
  {
    name: 'hvshell',
    run: { sendAfter: 'hv> ', input: 'help\rcmdline\rpoweroff\r', append: 'mode=compare', timeoutMs: 20_000 },
    qemuExitCode: 1,
    debugExitValue: 0,
    // QEMU prefixes the multiboot command line with the kernel path; our loader does not.
    mayDiffer: [/mode=compare$/],
  },
  {
    name: 'bootinfo',
    run: { append: 'catalog=1', timeoutMs: 20_000 },
    qemuExitCode: 1,
    debugExitValue: 0,
    // What the loaders hand over differs by design (docs/machine.md, Loaders); the module
    // lines are compared byte for byte in loaders-multiboot.test.ts.
    mayDiffer: [/^flags /, /^boot loader: /, /^cmdline: /, /^memory: /, /^mmap/, /^modules: /],
  },
]

/** Splits serial output into lines and drops those a case allows to differ. */
export function comparableLines(guest: GuestCase, output: string): string[] {
  return output.split('\r\n').filter((line) => !guest.mayDiffer.some((re) => re.test(line)))
}
