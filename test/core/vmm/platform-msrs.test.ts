/** Platform MSRs answered by the VMM (core/vmm/platform-msrs.ts). */
import { describe, expect, it } from 'vitest'
import { IA32_BIOS_SIGN_ID, platformMsrAccess } from '../../../core/vmm/platform-msrs'

describe('platform MSRs', () => {
  it('accepts writes to IA32_BIOS_SIGN_ID and reads microcode revision 0', () => {
    expect(platformMsrAccess(IA32_BIOS_SIGN_ID)).toBe(0n)
  })
  it('raises #GP for MSRs nobody implements', () => {
    expect(platformMsrAccess(0x8c)).toBe('gp')
    expect(platformMsrAccess(0xdeadbeef)).toBe('gp')
  })
})
