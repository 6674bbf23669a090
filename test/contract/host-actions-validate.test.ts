/**
 * Validators of the host actions' commands: `host:stopAll` (mode, optional bounded timeout),
 * `host:setSettings` (absolute folders, '' checkpoints folder, boolean switch, no unknown
 * fields) and `vm:create`'s optional absolute `location`.
 */
import { describe, expect, it } from 'vitest'
import { validateArgs, validateHostSettings, type HostSettings } from '../../contract'

const settings: HostSettings = { virtualMachinesFolder: '/srv/vms', checkpointsFolder: '', automaticActions: true }
const message = (r: ReturnType<typeof validateArgs>): string => (r.ok ? '' : r.error.message)

describe('host action validators', () => {
  it('host:stopAll takes a mode and an optional timeout of 1–20 s', () => {
    expect(validateArgs('host:stopAll', { mode: 'save' })).toEqual({ ok: true, value: { mode: 'save' } })
    expect(validateArgs('host:stopAll', { mode: 'shutDown', timeoutSeconds: 20 })).toEqual({ ok: true, value: { mode: 'shutDown', timeoutSeconds: 20 } })
    expect(message(validateArgs('host:stopAll', { mode: 'shutDown', timeoutSeconds: 21 }))).toBe('host:stopAll: timeoutSeconds must be between 1 and 20')
    expect(message(validateArgs('host:stopAll', { mode: 'off' }))).toBe('host:stopAll: mode must be one of "shutDown", "save", "turnOff"')
    expect(message(validateArgs('host:stopAll', { mode: 'save', all: true }))).toBe('host:stopAll: arguments has an unknown field "all"')
  })

  it('host settings need absolute folders ("" for checkpoints) and a boolean switch', () => {
    expect(validateHostSettings(settings)).toEqual(settings)
    expect(validateHostSettings({ ...settings, virtualMachinesFolder: 'C:\\VMs', checkpointsFolder: '\\\\server\\share' }).checkpointsFolder).toBe('\\\\server\\share')
    expect(() => validateHostSettings({ ...settings, virtualMachinesFolder: '' })).toThrow(/must not be empty/)
    expect(() => validateHostSettings({ ...settings, checkpointsFolder: 'cps' })).toThrow('settings.checkpointsFolder must be an absolute folder path')
    expect(() => validateHostSettings({ ...settings, automaticActions: 'yes' })).toThrow('settings.automaticActions must be true or false')
    expect(() => validateHostSettings({ ...settings, theme: 'dark' })).toThrow('settings has an unknown field "theme"')
    expect(message(validateArgs('host:setSettings', { settings: { ...settings, virtualMachinesFolder: '/a\nb' } }))).toMatch(/control characters/)
    expect(validateArgs('host:getSettings', {}).ok).toBe(true)
  })

  it('vm:create accepts an absolute location only', () => {
    const config = { name: 'X', memoryMiB: 64, cpus: 1, boot: { kind: 'bundled', guest: 'hello' }, clock: 'host' }
    const r = validateArgs('vm:create', { config, location: '/srv/vms' })
    expect(r.ok && (r.value as { location?: string }).location).toBe('/srv/vms')
    expect(message(validateArgs('vm:create', { config, location: 'vms' }))).toBe('vm:create: location must be an absolute folder path')
  })
})
