/**
 * `hv-manager run <kernel>`: boot one guest headless with COM1 on stdin/stdout
 * (issue 4 item 5). Exit status: the isa-debug-exit code when the guest used it, 0 on
 * guest power-off, 2 on triple fault, 124 on timeout, 1 on a host-side error.
 * Ctrl-] detaches (turns the VM off) when stdin is a TTY.
 * SIGTERM is Hyper-V Manager's "Shut Down": it presses the ACPI power button and the run
 * ends when the guest powers off (status 0); a second SIGTERM turns the VM off (status 143).
 */
import { readFileSync } from 'node:fs'
import { Machine } from '../vmm/machine'
import type { ClockKind, MachineStop } from '../vmm/machine-api'

export interface RunOptions {
  kernel: string
  initrd?: string
  append?: string
  memoryMiB: number
  cpus: number
  clock: ClockKind
  timeoutS?: number
  debugPort: 'stdio' | 'none'
  stats: boolean
  onTripleFault: 'stop' | 'reset'
}

const USAGE = `usage: hv-manager run <kernel> [--initrd F] [--append S] [--memory MiB] [--cpus N]
       [--clock virtual|host] [--timeout S] [--debug-port stdio|none] [--stats] [--on-triple-fault stop|reset]`

export function parseRunArgs(args: string[]): RunOptions {
  const o: RunOptions = { kernel: '', memoryMiB: 128, cpus: 1, clock: 'host', debugPort: 'none', stats: false, onTripleFault: 'stop' }
  const value = (i: number, flag: string): string => {
    const v = args[i + 1]
    if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`)
    return v
  }
  const int = (s: string, flag: string, min: number, max: number): number => {
    const n = Number(s)
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer in ${min}..${max}, got '${s}'`)
    return n
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    switch (a) {
      case '--initrd': o.initrd = value(i++, a); break
      case '--append': o.append = value(i++, a); break
      case '--memory': o.memoryMiB = int(value(i++, a), a, 2, 4096); break
      case '--cpus': o.cpus = int(value(i++, a), a, 1, 64); break
      case '--timeout': {
        const t = Number(value(i++, a))
        if (!(t > 0)) throw new Error(`--timeout must be a positive number of seconds`)
        o.timeoutS = t
        break
      }
      case '--clock': {
        const c = value(i++, a)
        if (c !== 'virtual' && c !== 'host') throw new Error(`--clock must be virtual or host`)
        o.clock = c
        break
      }
      case '--debug-port': {
        const d = value(i++, a)
        if (d !== 'stdio' && d !== 'none') throw new Error(`--debug-port must be stdio or none`)
        o.debugPort = d
        break
      }
      case '--on-triple-fault': {
        const d = value(i++, a)
        if (d !== 'stop' && d !== 'reset') throw new Error(`--on-triple-fault must be stop or reset`)
        o.onTripleFault = d
        break
      }
      case '--stats': o.stats = true; break
      case '-h': case '--help': throw new Error(USAGE)
      default:
        if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`)
        if (o.kernel) throw new Error(`only one kernel may be given\n${USAGE}`)
        o.kernel = a
    }
  }
  if (!o.kernel) throw new Error(USAGE)
  return o
}

export function exitStatusFor(stop: MachineStop): number {
  switch (stop.kind) {
    case 'debug-exit': return stop.exitCode ?? 1
    case 'poweroff': return 0
    case 'turned-off': return 0
    case 'triple-fault': return 2
    case 'error': return 1
  }
}

const DETACH = 0x1d // Ctrl-]

export async function runCommand(args: string[]): Promise<number> {
  let opts: RunOptions
  try {
    opts = parseRunArgs(args)
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`)
    return 64
  }
  let kernel: Uint8Array
  let initrd: Uint8Array | undefined
  try {
    kernel = readFileSync(opts.kernel)
    initrd = opts.initrd ? readFileSync(opts.initrd) : undefined
  } catch (e) {
    process.stderr.write(`hv-manager run: ${(e as Error).message}\n`)
    return 1
  }

  return new Promise<number>((resolve) => {
    let done = false
    let timer: NodeJS.Timeout | undefined
    const stdin = process.stdin
    const finish = (status: number, message?: string): void => {
      if (done) return
      done = true
      if (timer) clearTimeout(timer)
      if (stdin.isTTY) stdin.setRawMode(false)
      stdin.pause()
      process.off('SIGTERM', onSigterm)
      if (message) process.stderr.write(`\nhv-manager run: ${message}\n`)
      if (opts.stats) process.stderr.write(machine.statsText())
      resolve(status)
    }
    const machine = new Machine(
      {
        memoryMiB: opts.memoryMiB,
        cpus: opts.cpus,
        kernel,
        initrd,
        cmdline: opts.append,
        clock: opts.clock,
        onTripleFault: opts.onTripleFault,
      },
      {
        serial: (port, data) => {
          if (port === 0) process.stdout.write(data)
        },
        debug: (data) => {
          if (opts.debugPort === 'stdio') process.stderr.write(data)
        },
        stopped: (stop) => finish(exitStatusFor(stop), stop.kind === 'debug-exit' || stop.kind === 'poweroff' ? undefined : stop.message),
      },
    )
    if (opts.timeoutS !== undefined) {
      timer = setTimeout(() => {
        finish(124, `timeout after ${opts.timeoutS} s`)
        void machine.turnOff()
      }, opts.timeoutS * 1000)
    }
    if (stdin.isTTY) stdin.setRawMode(true)
    stdin.on('data', (buf: Buffer) => {
      if (stdin.isTTY && buf.includes(DETACH)) {
        finish(0, 'detached (Ctrl-])')
        void machine.turnOff()
        return
      }
      machine.sendSerial(0, buf)
    })
    stdin.on('end', () => {
      /* keep running: a guest may not read input at all */
    })
    let shutDownRequested = false
    // A declaration (hoisted) because finish() refers to it.
    function onSigterm(): void {
      if (done) return
      if (shutDownRequested || machine.state !== 'Running') {
        finish(143, 'turned off (second SIGTERM)')
        void machine.turnOff()
        return
      }
      shutDownRequested = true
      process.stderr.write('\nhv-manager run: Shut Down requested (ACPI power button)\n')
      machine.shutDown()
    }
    process.on('SIGTERM', onSigterm)
    machine.start().catch((e: unknown) => finish(1, (e as Error).message))
  })
}
