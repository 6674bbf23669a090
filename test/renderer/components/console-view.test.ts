// @vitest-environment happy-dom
/**
 * ConsoleView (Virtual Machine Connection) mounted in a DOM with the real xterm.js: "Type
 * clipboard text" sends the clipboard key by key to the selected COM port (newlines as CR),
 * the toolbar's VM actions follow the state and ask before Turn Off, and guest output
 * reaches the terminal buffer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import type { VmState, VmSummary } from '../../../contract'
import type { HvClient } from '../../../renderer/src/transport/hv-client'
import ConsoleView from '../../../renderer/src/components/ConsoleView.vue'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { useConsoleStore } from '../../../renderer/src/stores/consoles'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { freshPinia } from './fixtures'

let pinia: Pinia
let wrapper: VueWrapper | null = null
let inputs: Array<{ id: string; port: number; data: string }>

function vm(state: VmState): VmSummary {
  return {
    id: 'vm1', state, createdAt: 0, startedAt: null, cpuUsagePercent: null, instructionsPerSecond: null, assignedMemoryMiB: 0, status: '', lastStop: null,
    config: { name: 'Alpha', memoryMiB: 64, cpus: 1, boot: { kind: 'bundled', guest: 'hvshell' }, clock: 'host', comPorts: 2, onTripleFault: 'stop', notes: '' },
  } as VmSummary
}

beforeEach(() => {
  pinia = freshPinia()
  inputs = []
  const client = {
    invoke: vi.fn(async (channel: string, args: { id: string; port: number; data: string }) => {
      if (channel === 'console:input') inputs.push(args)
      return {}
    }),
    on: () => () => {},
    onConnection: () => () => {},
  } as unknown as HvClient
  useConsoleStore().attach(client)
  useVmStore().client = client
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.restoreAllMocks()
})

function open(state: VmState = 'Running'): VueWrapper {
  useVmStore().vms = [vm(state)]
  wrapper = mount(ConsoleView, { props: { vmId: 'vm1' }, global: { plugins: [pinia] }, attachTo: document.body })
  return wrapper
}

function clipboard(text: string | Error) {
  return vi.spyOn(navigator.clipboard, 'readText').mockImplementation(async () => {
    if (text instanceof Error) throw text
    return text
  })
}

describe('ConsoleView', () => {
  it('types the clipboard key by key into COM1, newlines as CR', async () => {
    const w = open()
    clipboard('ls\nab\r\n')
    await w.get('[data-testid="connect-type-clipboard"]').trigger('click')
    await vi.waitFor(() => expect(inputs).toHaveLength(6), { timeout: 2000 })
    expect(inputs.map((i) => i.data)).toEqual(['l', 's', '\r', 'a', 'b', '\r'])
    expect(new Set(inputs.map((i) => `${i.id}:${i.port}`))).toEqual(new Set(['vm1:0']))
  })

  it('types into COM2 when COM2 is selected', async () => {
    const w = open()
    await w.get('[data-testid="connect-port"]').setValue('1')
    clipboard('x')
    await w.get('[data-testid="connect-type-clipboard"]').trigger('click')
    await vi.waitFor(() => expect(inputs).toEqual([{ id: 'vm1', port: 1, data: 'x' }]))
  })

  it('reports an unreadable clipboard instead of typing', async () => {
    const w = open()
    clipboard(new Error('permission denied'))
    await w.get('[data-testid="connect-type-clipboard"]').trigger('click')
    await flushPromises()
    expect(inputs).toEqual([])
    expect(useErrorStore().history[0]?.title).toMatch(/Reading the clipboard/)
  })

  it('offers the toolbar actions by state and asks before Turn Off', async () => {
    const turnOff = vi.fn(async (_id: string) => {})
    useVmStore().turnOff = turnOff as unknown as ReturnType<typeof useVmStore>['turnOff']
    const w = open('Running')
    expect(w.get('[data-testid="connect-start"]').attributes('aria-disabled')).toBe('true')
    expect(w.get('[data-testid="connect-turnoff"]').attributes('aria-disabled')).toBe('false')
    await w.get('[data-testid="connect-turnoff"]').trigger('click')
    expect(w.get('[data-testid="confirm-dialog"]').text()).toContain('Turn off "Alpha"?')
    await w.get('[data-testid="confirm-cancel"]').trigger('click')
    expect(w.find('[data-testid="confirm-dialog"]').exists()).toBe(false)
    expect(turnOff).not.toHaveBeenCalled()
    await w.get('[data-testid="connect-turnoff"]').trigger('click')
    await w.get('[data-testid="confirm-ok"]').trigger('click')
    expect(turnOff).toHaveBeenCalledWith('vm1')
    expect(w.get('[data-testid="connect-state"]').text()).toBe('Status: Running')
  })

  it('shows guest output in the terminal', async () => {
    const w = open()
    useConsoleStore().merge('vm1', 0, 'HV Manager hvshell (type help)\r\nhv> ', 0)
    await vi.waitFor(() => expect(w.get('.xterm-rows').text()).toContain('hv>'), { timeout: 2000 })
    expect(w.get('.xterm-rows').text()).toContain('HV Manager hvshell (type help)')
  })
})
