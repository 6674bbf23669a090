/**
 * The Settings dialog's later VmConfig sections as the contract validates them: Processor
 * (reserve/limit/weight/compatibility), Checkpoints, Automatic Start/Stop Action. Absent
 * sections keep older VM files valid; bad values are refused with a message naming the field.
 */
import { describe, expect, it } from 'vitest'
import { validateArgs, validateVmConfig, type VmConfig } from '../../contract'

const base: VmConfig = {
  name: 'VM', memoryMiB: 64, cpus: 2, boot: { kind: 'bundled', guest: 'hello' }, clock: 'virtual', comPorts: 2, onTripleFault: 'stop', notes: '',
}

const refusal = (config: unknown): string => {
  const r = validateArgs('vm:create', { config })
  if (r.ok) throw new Error('expected a refusal')
  expect(r.error.code).toBe('INVALID_ARGUMENT')
  return r.error.message
}

describe('VmConfig settings sections', () => {
  it('loads a config without the new sections unchanged (older VM files)', () => {
    expect(validateVmConfig(base)).toEqual(base)
  })

  it('keeps every new section when valid', () => {
    const full: VmConfig = {
      ...base,
      processor: { reserve: 10, limit: 50, weight: 200, compatibilityMode: true },
      checkpoints: { enabled: true, type: 'standard', fallbackToStandard: false, location: '/srv/checkpoints' },
      automaticStartAction: 'always-start',
      automaticStartDelaySeconds: 30,
      automaticStopAction: 'shut-down',
    }
    expect(validateVmConfig(full)).toEqual(full)
  })

  it('refuses a reserve above the limit with a clear message', () => {
    expect(refusal({ ...base, processor: { reserve: 60, limit: 40, weight: 100, compatibilityMode: false } }))
      .toBe('vm:create: config.processor.reserve (60 %) must not exceed the limit (40 %)')
  })

  it('refuses out-of-range percentages, weights and a zero limit', () => {
    const p = { reserve: 0, limit: 100, weight: 100, compatibilityMode: false }
    expect(refusal({ ...base, processor: { ...p, limit: 101 } })).toMatch(/config\.processor\.limit must be between 0 and 100/)
    expect(refusal({ ...base, processor: { ...p, reserve: -1 } })).toMatch(/config\.processor\.reserve must be between 0 and 100/)
    expect(refusal({ ...base, processor: { ...p, weight: 0 } })).toMatch(/config\.processor\.weight must be between 1 and 10000/)
    expect(refusal({ ...base, processor: { ...p, weight: 10001 } })).toMatch(/weight must be between 1 and 10000/)
    expect(refusal({ ...base, processor: { ...p, limit: 0 } })).toMatch(/limit must be at least 1 %/)
    expect(refusal({ ...base, processor: { ...p, compatibilityMode: 'yes' } })).toMatch(/compatibilityMode must be true or false/)
    expect(refusal({ ...base, processor: { ...p, cap: 5 } })).toMatch(/unknown field "cap"/)
  })

  it('refuses unknown checkpoint types and relative locations', () => {
    const c = { enabled: true, type: 'production', fallbackToStandard: true }
    expect(refusal({ ...base, checkpoints: { ...c, type: 'fast' } })).toMatch(/config\.checkpoints\.type must be one of "standard", "production"/)
    expect(refusal({ ...base, checkpoints: { ...c, location: 'relative/dir' } })).toMatch(/location must be an absolute folder path/)
    expect(refusal({ ...base, checkpoints: { ...c, location: '/a\nb' } })).toMatch(/control characters/)
    expect(validateVmConfig({ ...base, checkpoints: { ...c, location: 'C:\\VMs\\cp' } }).checkpoints?.location).toBe('C:\\VMs\\cp')
  })

  it('refuses unknown automatic actions and delays out of range', () => {
    expect(refusal({ ...base, automaticStartAction: 'sometimes' })).toMatch(/automaticStartAction must be one of "nothing", "start-if-running", "always-start"/)
    expect(refusal({ ...base, automaticStopAction: 'pause' })).toMatch(/automaticStopAction must be one of "save", "turn-off", "shut-down"/)
    expect(refusal({ ...base, automaticStartDelaySeconds: -5 })).toMatch(/automaticStartDelaySeconds must be between 0 and 86400/)
    expect(refusal({ ...base, automaticStartDelaySeconds: 1.5 })).toMatch(/must be an integer/)
  })
})
