/**
 * Validators of the desktop shell's contract: `shell:openFolder` (a title, an optional start
 * folder without control characters, nothing else), and the `menu:command` event's channel
 * being a declared event the preload lets through.
 */
import { describe, expect, it } from 'vitest'
import { isChannel, isEventChannel, menuCommands, validateArgs } from '../../contract'

const message = (r: ReturnType<typeof validateArgs>): string => (r.ok ? '' : r.error.message)

describe('shell contract', () => {
  it('shell:openFolder takes a title and an optional defaultPath', () => {
    expect(validateArgs('shell:openFolder', { title: 'Export to' })).toEqual({ ok: true, value: { title: 'Export to' } })
    expect(validateArgs('shell:openFolder', { title: 'Export to', defaultPath: '/srv/exports' })).toEqual({
      ok: true, value: { title: 'Export to', defaultPath: '/srv/exports' },
    })
    expect(message(validateArgs('shell:openFolder', { title: '' }))).toMatch(/title must not be empty/)
    expect(message(validateArgs('shell:openFolder', { title: 'x', defaultPath: '/a\nb' }))).toMatch(/defaultPath must not contain control characters/)
    expect(message(validateArgs('shell:openFolder', { title: 'x', properties: ['openFile'] }))).toMatch(/unknown field "properties"/)
    expect(message(validateArgs('shell:openFolder', null))).toMatch(/arguments must be an object/)
  })

  it('menu:command is an event channel, not a command, and its commands are unique', () => {
    expect(isEventChannel('menu:command')).toBe(true)
    expect(isChannel('menu:command')).toBe(false)
    expect(isChannel('shell:openFolder')).toBe(true)
    expect(new Set(menuCommands).size).toBe(menuCommands.length)
  })
})
