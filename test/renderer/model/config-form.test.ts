import { describe, expect, it } from 'vitest'
import { validateVmConfig } from '../../../contract'
import { configFromForm, defaultForm, formFromConfig, validateAll } from '../../../renderer/src/model/config-form'

const guests = [{ name: 'hello', description: 'hello.elf' }]

describe('config form', () => {
  it('picks a free default name and produces a config the contract accepts', () => {
    const f = defaultForm(['New Virtual Machine', 'New Virtual Machine 2'], guests)
    expect(f.name).toBe('New Virtual Machine 3')
    expect(validateAll(f, [], guests)).toEqual({})
    expect(validateVmConfig(configFromForm(f))).toEqual(configFromForm(f))
  })

  it('reports each invalid field with its own message', () => {
    const f = { ...defaultForm([], guests), name: ' x', memoryMiB: '1.5', cpus: '65', bootKind: 'linux' as const, kernelPath: '', cmdline: 'a\u0001' }
    const e = validateAll(f, [], guests)
    expect(Object.keys(e).sort()).toEqual(['cmdline', 'cpus', 'kernelPath', 'memoryMiB', 'name'])
    expect(validateAll({ ...defaultForm([], guests), name: 'dup' }, ['DUP'], guests).name).toBe('A virtual machine named "dup" already exists.')
    expect(validateAll({ ...defaultForm([], guests), guest: 'nope' }, [], guests).guest).toMatch(/not installed/)
  })

  it('round-trips every boot kind through the form', () => {
    const base = configFromForm(defaultForm([], guests))
    for (const boot of [
      { kind: 'bundled' as const, guest: 'hello' },
      { kind: 'kernel' as const, kernelPath: '/k', initrdPath: '/i', cmdline: 'console=ttyS0' },
      { kind: 'kernel' as const, kernelPath: '/image.elf' },
    ]) {
      const c = { ...base, boot, notes: 'n', comPorts: 1 as const, onTripleFault: 'reset' as const }
      expect(configFromForm(formFromConfig(c))).toEqual(c)
    }
  })
})
