/**
 * Golden saved states: one file per container format version, which this build must restore
 * and run forever. `node scripts/make-golden-saved-state.mjs` regenerates the current
 * version's file (UPDATE_GOLDEN=1) — only when a new format version is introduced.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { savedStateConfig } from '../../../../core/vmm/saved-state'
import { decodeContainer } from '../../../../core/vmm/saved-state/container'
import { Driven, guestConfig } from './machine-harness'

const FIXTURES = join(__dirname, '../../../fixtures/saved-state')
const V1 = join(FIXTURES, 'hello-v1.hvsave')

describe('golden saved states', () => {
  it.runIf(process.env.UPDATE_GOLDEN === '1')('generates the v1 golden file', async () => {
    const d = new Driven(guestConfig('hello.elf', undefined, 2))
    d.step = 4
    await d.machine.start()
    for (let i = 0; i < 2000 && !d.serial.includes('ready'); i++) d.turn()
    expect(d.serial).toContain('ready')
    d.turns(3)
    writeFileSync(V1, await d.machine.save())
  })

  it('format 1: the hello guest restores waiting for input and echoes a line', async () => {
    expect(existsSync(V1)).toBe(true)
    const bytes = new Uint8Array(readFileSync(V1))
    expect(decodeContainer(bytes).version).toBe(1)
    const d = new Driven(savedStateConfig(bytes))
    d.step = 4
    await d.machine.start()
    expect(d.machine.state).toBe('Running')
    d.machine.sendSerial(0, new TextEncoder().encode('abc\r'))
    for (let i = 0; i < 2000 && !d.serial.includes('abc\r\n'); i++) if (!d.turn()) break
    expect(d.serial).toContain('abc\r\n')
  })
})
