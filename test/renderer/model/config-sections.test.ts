import { describe, expect, it } from 'vitest'
import type { BundledGuest } from '../../../contract'
import { defaultForm, validateAll } from '../../../renderer/src/model/config-form'
import { configSections, firstSectionWithError, sectionInfo, sectionSummary } from '../../../renderer/src/model/config-sections'

const guests: BundledGuest[] = [{ name: 'hello', description: 'x' }, { name: 'hvshell', description: 'y' }]

describe('Settings sections', () => {
  it('own every field of the form exactly once', () => {
    const owned = configSections.flatMap((s) => sectionInfo[s].fields).sort()
    expect(owned).toEqual(Object.keys(defaultForm([], guests)).sort())
  })

  it('summarise the form for the tree', () => {
    const f = { ...defaultForm([], guests), cpus: '2', memoryMiB: '48', guest: 'hvshell', comPorts: 1 as const, debug: false }
    expect(sectionSummary('processors', f)).toBe('2 virtual processors')
    expect(sectionSummary('memory', f)).toBe('48 MB')
    expect(sectionSummary('boot', f)).toBe('Bundled: hvshell')
    expect(sectionSummary('com', f)).toBe('COM1')
    expect(sectionSummary('debugging', f)).toBe('Off')
    expect(sectionSummary('boot', { ...f, bootKind: 'linux', kernelPath: '/home/u/linux/bzImage' })).toBe('Linux: bzImage')
  })

  it('lead a validation message to its section, in tree order', () => {
    const f = { ...defaultForm([], guests), name: '', memoryMiB: '0' }
    expect(firstSectionWithError(validateAll(f, [], guests))).toBe('memory')
    expect(firstSectionWithError(validateAll({ ...f, memoryMiB: '64' }, [], guests))).toBe('name')
    expect(firstSectionWithError(validateAll({ ...f, memoryMiB: '64', name: 'ok' }, [], guests))).toBeNull()
  })
})
