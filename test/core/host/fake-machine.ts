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
  shutdowns?: number[]
}

export function fakeMachineFactory(opts: { failStart?: string; throwInConstructor?: string } = {}, log?: FakeMachineLog): MachineFactory {
  return (config: MachineConfig, events: MachineEvents): MachineControl => {
    if (opts.throwInConstructor) throw new Error(opts.throwInConstructor)
    log?.configs.push(config)
    let state: VmState = 'Off'
    let line = ''
    const out = (s: string): void => events.serial(0, new TextEncoder().encode(s))
    return {
      get state() {
        return state
      },
      async start() {
        if (opts.failStart) throw new Error(opts.failStart)
        state = 'Running'
        out(FAKE_BANNER)
      },
      async turnOff() {
        state = 'Off'
      },
      pause() {},
      resume() {},
      reset() {},
      shutDown() {
        if (state !== 'Running') throw new Error(`cannot shut down a VM that is ${state}`)
        log?.shutdowns?.push(Date.now())
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
  }
}
