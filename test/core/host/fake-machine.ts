/**
 * A stand-in for core/vmm's Machine in host unit tests: prints a banner on COM1 when started,
 * echoes COM1 input, powers off when it receives "poweroff\r", and can be told to fail.
 * The host must behave the same with it as with the real machine (same MachineControl API).
 */
import type { MachineConfig, MachineControl, MachineEvents, MachineFactory, VmState } from '../../../core/vmm/machine-api'

export const FAKE_BANNER = 'Fake guest ready\r\n'

export interface FakeMachineLog {
  configs: MachineConfig[]
  inputs: string[]
  /** Control operations the host applied, in order. */
  ops?: string[]
}

export function fakeMachineFactory(opts: { failStart?: string; throwInConstructor?: string; capture?: boolean } = {}, log?: FakeMachineLog): MachineFactory {
  return (config: MachineConfig, events: MachineEvents): MachineControl => {
    if (opts.throwInConstructor) throw new Error(opts.throwInConstructor)
    log?.configs.push(config)
    let state: VmState = 'Off'
    let line = ''
    const out = (s: string): void => events.serial(0, new TextEncoder().encode(s))
    const machine: MachineControl & { captureSavedState?(): Uint8Array } = {
      get state() {
        return state
      },
      async start() {
        if (opts.failStart) throw new Error(opts.failStart)
        if (config.restoreFrom) {
          const text = new TextDecoder().decode(config.restoreFrom)
          if (!text.startsWith('fake-state:')) throw new Error('the saved state is not a container')
          state = 'Running'
          out(`Restored ${text}\r\n`)
          return
        }
        state = 'Running'
        out(FAKE_BANNER)
      },
      async save() {
        if (state !== 'Running' && state !== 'Paused') throw new Error(`cannot save a VM that is ${state}`)
        log?.ops?.push('save')
        state = 'Saved'
        return new TextEncoder().encode(`fake-state:${line}`)
      },
      async turnOff() {
        state = 'Off'
      },
      pause() {
        if (state !== 'Running') throw new Error(`cannot pause a VM that is ${state}`)
        state = 'Paused'
        log?.ops?.push('pause')
      },
      resume() {
        if (state !== 'Paused') throw new Error(`cannot resume a VM that is ${state}`)
        state = 'Running'
        log?.ops?.push('resume')
      },
      reset() {
        log?.ops?.push('reset')
        // A reset reboots the guest: the banner again.
        out(FAKE_BANNER)
      },
      shutDown() {
        if (state !== 'Running') throw new Error(`cannot shut down a VM that is ${state}`)
        log?.ops?.push('shutDown')
        // A cooperative guest powers off soon after the power button.
        setTimeout(() => {
          state = 'Off'
          events.stopped({ kind: 'poweroff', message: 'Guest powered off' })
        }, 0)
      },
      stats: { instructions: 0 },
      sendSerial(port: number, data: Uint8Array) {
        const text = new TextDecoder().decode(data)
        log?.inputs.push(text)
        if (port !== 0) return
        out(text)
        line += text
        if (line.endsWith('\r')) {
          if (line === 'poweroff\r') {
            state = 'Off'
            // The real machine reports asynchronously from its run loop.
            setTimeout(() => events.stopped({ kind: 'poweroff', message: 'Guest powered off' }), 0)
          }
          line = ''
        }
      },
    }
    // With `capture`, checkpoints work: the running fake's state so far, without stopping it.
    if (opts.capture) {
      machine.captureSavedState = () => {
        if (state !== 'Running' && state !== 'Paused') throw new Error(`cannot capture a VM that is ${state}`)
        return new TextEncoder().encode(`fake-state:${line}`)
      }
    }
    return machine
  }
}
