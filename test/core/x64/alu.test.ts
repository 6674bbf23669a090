import { describe, it, expect } from 'vitest'
import { hasToolchain, run64, reg } from './harness'
import { ExitReason, Reg } from '../../../core/x64'

const CF = 1n, PF = 4n, AF = 0x10n, ZF = 0x40n, SF = 0x80n, OF = 0x800n
const ARITH = CF | PF | AF | ZF | SF | OF

/** Run `body`, then push flags into RBX (arith bits only). */
function flagsAfter(body: string): { rax: bigint; flags: bigint } {
  const { cpu, r } = run64(`${body}\npushfq\npop rbx`)
  expect(r.reason).toBe(ExitReason.Halt)
  return { rax: reg(cpu, Reg.RAX), flags: reg(cpu, Reg.RBX) & ARITH }
}

describe.skipIf(!hasToolchain())('integer ALU', () => {
  it('ADD sets CF/OF/ZF/SF/PF/AF on 8/16/32/64-bit operands', () => {
    expect(flagsAfter('mov al, 0xff\nadd al, 1')).toEqual({ rax: 0n, flags: CF | ZF | PF | AF })
    expect(flagsAfter('mov ax, 0x7fff\nadd ax, 1')).toEqual({ rax: 0x8000n, flags: OF | SF | PF | AF })
    expect(flagsAfter('mov eax, 0xffffffff\nadd eax, 2')).toEqual({ rax: 1n, flags: CF | AF })
    expect(flagsAfter('mov rax, 0x7fffffffffffffff\nadd rax, 1')).toEqual({ rax: 0x8000000000000000n, flags: OF | SF | PF | AF })
    expect(flagsAfter('mov rax, -1\nmov rcx, 1\nadd rax, rcx')).toEqual({ rax: 0n, flags: CF | ZF | PF | AF })
  })

  it('SUB/CMP/NEG borrow and overflow', () => {
    expect(flagsAfter('mov eax, 0\nsub eax, 1')).toEqual({ rax: 0xffffffffn, flags: CF | SF | PF | AF })
    expect(flagsAfter('mov rax, 0x8000000000000000\nsub rax, 1')).toEqual({ rax: 0x7fffffffffffffffn, flags: OF | PF | AF })
    expect(flagsAfter('mov rax, 5\ncmp rax, 5')).toEqual({ rax: 5n, flags: ZF | PF })
    expect(flagsAfter('mov rax, 0\nneg rax')).toEqual({ rax: 0n, flags: ZF | PF })
    expect(flagsAfter('mov rax, 1\nneg rax').rax).toBe(0xffffffffffffffffn)
  })

  it('ADC/SBB chain a 128-bit add and subtract', () => {
    const { cpu } = run64(`
      mov rax, -1
      mov rdx, 1
      add rax, 1
      adc rdx, 0
      mov rsi, 0
      mov rdi, 0
      sub rsi, 1
      sbb rdi, 0`)
    expect(reg(cpu, Reg.RAX)).toBe(0n)
    expect(reg(cpu, Reg.RDX)).toBe(2n)
    expect(reg(cpu, Reg.RSI)).toBe(0xffffffffffffffffn)
    expect(reg(cpu, Reg.RDI)).toBe(0xffffffffffffffffn)
  })

  it('INC/DEC preserve CF; 32-bit writes zero-extend; 8/16-bit writes merge', () => {
    const r = flagsAfter('stc\nmov rax, -1\ninc rax')
    expect(r).toEqual({ rax: 0n, flags: CF | ZF | PF | AF })
    const { cpu } = run64(`
      mov rax, -1
      mov eax, 5
      mov rbx, -1
      mov bx, 0x1234
      mov rcx, -1
      mov cl, 0
      mov ch, 7
      mov rdx, 0
      mov dh, 0xab`)
    expect(reg(cpu, Reg.RAX)).toBe(5n)
    expect(reg(cpu, Reg.RBX)).toBe(0xffffffffffff1234n)
    expect(reg(cpu, Reg.RCX)).toBe(0xffffffffffff0700n)
    expect(reg(cpu, Reg.RDX)).toBe(0xab00n)
  })

  it('REX byte registers SPL/SIL/R8B and MOVZX/MOVSX/MOVSXD', () => {
    const { cpu } = run64(`
      mov rsi, 0x1111
      mov sil, 0x80
      movsx rax, sil
      movzx ebx, sil
      mov r8, -1
      mov r8b, 0x7f
      mov ecx, 0x80000000
      movsxd rdx, ecx
      mov r9w, -2
      movsx r10d, r9w`)
    expect(reg(cpu, Reg.RAX)).toBe(0xffffffffffffff80n)
    expect(reg(cpu, Reg.RBX)).toBe(0x80n)
    expect(reg(cpu, Reg.R8)).toBe(0xffffffffffffff7fn)
    expect(reg(cpu, Reg.RDX)).toBe(0xffffffff80000000n)
    expect(reg(cpu, Reg.R10)).toBe(0xfffffffen)
  })

  it('MUL/IMUL forms and flags', () => {
    const { cpu } = run64(`
      mov rax, 0xffffffffffffffff
      mov rcx, 0xffffffffffffffff
      mul rcx
      mov r8, rax
      mov r9, rdx
      mov rax, -3
      mov rcx, 7
      imul rcx
      mov r10, rax
      mov r11, rdx
      mov rbx, 0x100000000
      imul rbx, rbx, 3
      mov eax, 0x10000
      imul eax, eax
      pushfq
      pop r12
      mov r13, -5
      imul r13, r13, -7
      mov ax, 300
      mov cx, 300
      mul cx
      movzx r14, dx`)
    expect(reg(cpu, Reg.R8)).toBe(1n)
    expect(reg(cpu, Reg.R9)).toBe(0xfffffffffffffffen)
    expect(reg(cpu, Reg.R10)).toBe(BigInt.asUintN(64, -21n))
    expect(reg(cpu, Reg.R11)).toBe(0xffffffffffffffffn)
    expect(reg(cpu, Reg.RBX)).toBe(0x300000000n)
    expect(reg(cpu, Reg.R12) & (CF | OF)).toBe(CF | OF) // 0x10000^2 overflows 32 bits
    expect(reg(cpu, Reg.R13)).toBe(35n)
    expect(reg(cpu, Reg.RAX) & 0xffffn).toBe(BigInt(90000 & 0xffff))
    expect(reg(cpu, Reg.R14)).toBe(BigInt(90000 >>> 16))
  })

  it('DIV/IDIV 32- and 128-by-64-bit', () => {
    const { cpu } = run64(`
      mov rdx, 1
      mov rax, 0
      mov rcx, 3
      div rcx
      mov r8, rax
      mov r9, rdx
      mov rax, -100
      cqo
      mov rcx, 7
      idiv rcx
      mov r10, rax
      mov r11, rdx
      mov edx, 0
      mov eax, 1000
      mov ecx, 7
      div ecx`)
    expect(reg(cpu, Reg.R8)).toBe((1n << 64n) / 3n)
    expect(reg(cpu, Reg.R9)).toBe((1n << 64n) % 3n)
    expect(reg(cpu, Reg.R10)).toBe(BigInt.asUintN(64, -14n))
    expect(reg(cpu, Reg.R11)).toBe(BigInt.asUintN(64, -2n))
    expect(reg(cpu, Reg.RAX)).toBe(142n)
    expect(reg(cpu, Reg.RDX)).toBe(6n)
  })

  it('divide by zero and quotient overflow raise #DE at the DIV (fault RIP, registers unchanged)', () => {
    for (const body of ['mov ecx, 0\nmov eax, 9\ndiv ecx', 'mov edx, 5\nmov eax, 0\nmov ecx, 2\ndiv ecx']) {
      const { cpu, r } = run64(body, (c) => { c.exceptionBitmap = 1 })
      expect(r.reason).toBe(ExitReason.Exception)
      expect(cpu.exit.vector).toBe(0)
      const rip = Number(cpu.getRip())
      const bytes = [...cpu.memory.readBytes(rip, 2)]
      expect(bytes).toEqual([0xf7, 0xf1]) // div ecx
      expect(reg(cpu, Reg.RAX)).toBe(body.includes('eax, 9') ? 9n : 0n)
    }
  })

  it('shifts and rotates incl. RCL/RCR/SHLD/SHRD', () => {
    const { cpu } = run64(`
      mov rax, 0x8000000000000001
      shl rax, 1
      setc bl
      mov r14, rax
      mov rcx, 0x8000000000000000
      sar rcx, 63
      mov r15, rcx
      mov rdx, 0x8000000000000000
      shr rdx, 63
      mov rsi, 0x8000000000000001
      rol rsi, 4
      mov rdi, 1
      ror rdi, 1
      stc
      mov r8, 0
      rcl r8, 1
      stc
      mov r9d, 0
      rcr r9d, 1
      mov r10, 0x1234567890abcdef
      mov r11, 0xfedcba0987654321
      shld r10, r11, 16
      mov r12, 0x1234567890abcdef
      shrd r12, r11, 8
      mov al, 0x81
      mov cl, 9
      rol al, cl
      movzx r13, al`)
    expect(reg(cpu, Reg.R14)).toBe(2n)
    expect(reg(cpu, Reg.RBX) & 0xffn).toBe(1n)
    expect(reg(cpu, Reg.R15)).toBe(0xffffffffffffffffn)
    expect(reg(cpu, Reg.RDX)).toBe(1n)
    expect(reg(cpu, Reg.RSI)).toBe(0x18n)
    expect(reg(cpu, Reg.RDI)).toBe(0x8000000000000000n)
    expect(reg(cpu, Reg.R8)).toBe(1n)
    expect(reg(cpu, Reg.R9)).toBe(0x80000000n)
    expect(reg(cpu, Reg.R10)).toBe(0x567890abcdeffedcn)
    expect(reg(cpu, Reg.R12)).toBe(0x211234567890abcdn)
    expect(reg(cpu, Reg.R13)).toBe(0x03n)
  })

  it('Jcc/SETcc/CMOVcc follow signed and unsigned comparisons', () => {
    const { cpu } = run64(`
      xor r8, r8
      mov rax, -1
      cmp rax, 1
      setl r8b
      setb r9b
      seta r10b
      mov rbx, 10
      mov rcx, 20
      cmp rbx, rcx
      cmovg rbx, rcx
      mov rdx, 7
      cmp rdx, 7
      jne 1f
      mov rdx, 99
1:    mov r11, 0
      mov ecx, 5
2:    inc r11
      loop 2b`)
    expect(reg(cpu, Reg.R8) & 0xffn).toBe(1n)
    expect(reg(cpu, Reg.R9) & 0xffn).toBe(0n)
    expect(reg(cpu, Reg.R10) & 0xffn).toBe(1n)
    expect(reg(cpu, Reg.RBX)).toBe(10n)
    expect(reg(cpu, Reg.RDX)).toBe(99n)
    expect(reg(cpu, Reg.R11)).toBe(5n)
  })

  it('bit instructions: BT/BTS/BTR/BTC, BSF/BSR, BSWAP', () => {
    const { cpu, mem } = run64(`
      mov rax, 0x10
      bt rax, 4
      setc r8b
      bts rax, 63
      btr rax, 4
      btc rax, 0
      mov rbx, 0x0000100000000000
      bsf rcx, rbx
      bsr rdx, rbx
      mov rsi, 0x0102030405060708
      bswap rsi
      mov edi, 0x11223344
      bswap edi
      mov qword ptr [0x20000], 0
      mov r9, 100
      bts qword ptr [0x20000], r9`)
    expect(reg(cpu, Reg.R8) & 0xffn).toBe(1n)
    expect(reg(cpu, Reg.RAX)).toBe(0x8000000000000001n)
    expect(reg(cpu, Reg.RCX)).toBe(44n)
    expect(reg(cpu, Reg.RDX)).toBe(44n)
    expect(reg(cpu, Reg.RSI)).toBe(0x0807060504030201n)
    expect(reg(cpu, Reg.RDI)).toBe(0x44332211n)
    expect(mem.view.getUint32(0x20000 + 12, true)).toBe(0x10)
  })

  it('XCHG/XADD/CMPXCHG/CMPXCHG8B/CMPXCHG16B', () => {
    const { cpu, mem } = run64(`
      mov qword ptr [0x20000], 5
      mov rax, 5
      mov rcx, 9
      lock cmpxchg [0x20000], rcx
      setz r8b
      mov rax, 1
      lock cmpxchg [0x20000], rcx
      mov r9, rax
      mov rdx, 3
      lock xadd [0x20000], rdx
      mov r10, rdx
      mov qword ptr [0x20010], 0x11
      mov qword ptr [0x20018], 0x22
      mov rax, 0x11
      mov rdx, 0x22
      mov rbx, 0x33
      mov rcx, 0x44
      lock cmpxchg16b [0x20010]
      setz r11b
      mov eax, 0
      mov edx, 0
      cmpxchg8b [0x20010]
      mov r12, rax
      mov r13, rdx`)
    expect(reg(cpu, Reg.R8) & 0xffn).toBe(1n)
    expect(reg(cpu, Reg.R9)).toBe(9n)
    expect(reg(cpu, Reg.R10)).toBe(9n)
    expect(mem.view.getBigUint64(0x20000, true)).toBe(12n)
    expect(reg(cpu, Reg.R11) & 0xffn).toBe(1n)
    expect(mem.view.getBigUint64(0x20010, true)).toBe(0x33n)
    expect(mem.view.getBigUint64(0x20018, true)).toBe(0x44n)
    expect(reg(cpu, Reg.R12)).toBe(0x33n)
    expect(reg(cpu, Reg.R13)).toBe(0n)
  })

  it('string instructions with REP/REPNE and DF', () => {
    const { cpu, mem } = run64(`
      mov rdi, 0x20000
      mov rcx, 100
      mov al, 0x5a
      rep stosb
      mov rsi, 0x20000
      mov rdi, 0x21000
      mov rcx, 13
      rep movsq
      mov rdi, 0x20000
      mov byte ptr [0x20020], 0
      mov rcx, 100
      xor al, al
      repne scasb
      mov r8, rcx
      std
      mov rsi, 0x20007
      lodsb
      cld
      mov r9, rsi
      mov rsi, 0x20000
      mov rdi, 0x21000
      mov rcx, 8
      repe cmpsb
      setz r10b`)
    expect([...mem.readBytes(0x20000, 4)]).toEqual([0x5a, 0x5a, 0x5a, 0x5a])
    expect(mem.ram[0x20000 + 100]).toBe(0)
    expect(mem.view.getBigUint64(0x21000 + 8 * 11, true)).toBe(0x5a5a5a5a5a5a5a5an)
    expect(mem.view.getBigUint64(0x21000 + 8 * 12, true)).toBe(0x5a5a5a5an)
    expect(reg(cpu, Reg.R8)).toBe(100n - 33n)
    expect(reg(cpu, Reg.R9)).toBe(0x20006n)
    expect(reg(cpu, Reg.R10) & 0xffn).toBe(1n)
  })

  it('PUSH/POP/CALL/RET/ENTER/LEAVE and LEA address arithmetic', () => {
    const { cpu } = run64(`
      mov rbx, 0x1000
      lea rax, [rbx + rbx*4 + 7]
      lea ecx, [rbx - 0x2000]
      push 0x1234
      pop rdx
      call 1f
      jmp 2f
1:    enter 16, 0
      mov qword ptr [rbp - 8], 42
      mov rsi, [rbp - 8]
      leave
      ret
2:    lea rdi, [rip + 2f]
2:    nop`)
    expect(reg(cpu, Reg.RAX)).toBe(0x5007n)
    expect(reg(cpu, Reg.RCX)).toBe(0xfffff000n)
    expect(reg(cpu, Reg.RDX)).toBe(0x1234n)
    expect(reg(cpu, Reg.RSI)).toBe(42n)
    expect(reg(cpu, Reg.RSP)).toBe(0x80000n)
    const rdi = reg(cpu, Reg.RDI)
    expect(cpu.memory.ram[Number(rdi)]).toBe(0x90)
  })
})
