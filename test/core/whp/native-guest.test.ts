/**
 * Native-ABI test on the real CPU (core/x64): a 32-bit protected-mode guest sets GUEST_OS_ID,
 * enables the hypercall page, reads CPUID 0x40000001 and CALLs the page to make a hypercall.
 */
import { describe, expect, it } from 'vitest'
import { createFlat32Guest } from './flat32-guest'
import { Hypervisor } from '../../../core/hypervisor/hypervisor'
import { HvRegister as R } from '../../../core/hypervisor/register-names'
import {
  WHvGetPartitionMemory, WHvGetVirtualProcessorRegisters, WHvRunVirtualProcessor, WHvRunVpExitReason as X,
} from '../../../core/whp'

function guest(): Uint8Array {
  const code = [
    0xb9, 0x00, 0x00, 0x00, 0x40, // mov ecx, HV_X64_MSR_GUEST_OS_ID
    0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1
    0x31, 0xd2, // xor edx, edx
    0x0f, 0x30, // wrmsr
    0xb9, 0x01, 0x00, 0x00, 0x40, // mov ecx, HV_X64_MSR_HYPERCALL
    0xb8, 0x01, 0x20, 0x00, 0x00, // mov eax, 0x2001 (page 2, enable)
    0x0f, 0x30, // wrmsr
    0xb8, 0x01, 0x00, 0x00, 0x40, // mov eax, 0x40000001
    0x0f, 0xa2, // cpuid
    0x89, 0xc5, // mov ebp, eax
    0xb8, 0x46, 0x00, 0x00, 0x00, // mov eax, HvCallGetPartitionId
    0x31, 0xd2, 0x31, 0xdb, 0x31, 0xc9, 0x31, 0xff, // xor edx, ebx, ecx, edi
    0xbe, 0x00, 0x30, 0x00, 0x00, // mov esi, 0x3000 (output GPA)
  ]
  const callAt = 0x1000 + code.length
  const rel = 0x2000 - (callAt + 5)
  code.push(0xe8, rel & 0xff, (rel >> 8) & 0xff, (rel >> 16) & 0xff, (rel >>> 24) & 0xff, 0xf4) // call 0x2000; hlt
  return new Uint8Array(code)
}

describe('native hypercalls on the real CPU', () => {
  it('runs the bring-up sequence and gets ACCESS_DENIED for HvGetPartitionId in EDX:EAX', () => {
    const hv = new Hypervisor()
    const p = createFlat32Guest(hv, guest())
    const ctx = WHvRunVirtualProcessor(p, 0, 10_000)
    expect(ctx.ExitReason).toBe(X.WHvRunVpExitReasonX64Halt)
    const [rax, rdx, rbp, rip] = WHvGetVirtualProcessorRegisters(p, 0, [R.HvX64RegisterRax, R.HvX64RegisterRdx, R.HvX64RegisterRbp, R.HvX64RegisterRip])
    expect(rbp.lo).toBe(0x31237648n) // "Hv#1"
    expect(rax.lo & 0xffffn).toBe(6n) // HV_STATUS_ACCESS_DENIED: the child lacks AccessPartitionId
    expect(rdx.lo).toBe(0n)
    expect(rip.lo).toBe(BigInt(0x1000 + guest().length))
    expect([...WHvGetPartitionMemory(p).ram.subarray(0x2000, 0x2004)]).toEqual([0x0f, 0x01, 0xc1, 0xc3])
  })
})
