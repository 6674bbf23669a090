import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../../../core/memory/guest-memory'
import { applyBootState } from '../../../../core/vmm/loaders/boot-state'
import { loadKernel } from '../../../../core/vmm/loaders/load-kernel'
import type { X64Cpu } from '../../../../core/x64/api'

describe('applyBootState', () => {
  it('writes control registers before segments and RIP, and every GPR', () => {
    const log: string[] = []
    const cpu = new Proxy({} as Record<string, unknown>, {
      get: (_t, name: string) => (...args: unknown[]) => log.push(`${name}(${args.map((a) => typeof a === 'object' ? JSON.stringify(a, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v) : String(a)).join(',')})`),
      set: (_t, name: string, v) => { log.push(`${name}=${v}`); return true },
    }) as unknown as X64Cpu
    const mem = new GuestMemory(4 << 20)
    const s = loadKernel(mem, Uint8Array.of(0xf4), { memoryBytes: 4 << 20 })
    applyBootState(cpu, s)
    const idx = (p: string) => log.findIndex((l) => l.startsWith(p))
    expect(idx('setCr(0,17)')).toBeGreaterThanOrEqual(0)
    expect(idx('setEfer')).toBeLessThan(idx('setSegment'))
    expect(idx('setCr(0')).toBeLessThan(idx('setSegment'))
    expect(log.filter((l) => l.startsWith('setReg(')).length).toBe(16)
    expect(log).toContain('setRip(1048576)')
    expect(log).toContain('setRflags(2)')
    expect(log).toContain('halted=false')
  })
})
