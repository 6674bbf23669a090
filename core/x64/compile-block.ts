/**
 * Block compiler for the decode cache: turns a straight-line run of 64-bit instructions
 * (up to an unconditional branch, an instruction the cache does not compile, or the end
 * of the page; a Jcc is a side exit, and one back to the block's start loops inside it)
 * into one JavaScript function generated as source, so the whole block costs one
 * dispatch and V8 sees monomorphic code with constant register indices. The hottest
 * forms (32/64-bit ALU, TEST, MOV reg/imm/load/store, LEA, Jcc/JMP) are emitted inline
 * with the TLB hit path inline; every other compiled instruction calls its pre-decoded
 * closure from compile.ts. Flags stay lazy (lazy-flags.ts); a flag record that the next
 * instruction overwrites before anything can observe it is not stored, and a Jcc right
 * after a CMP/SUB/TEST/logic op tests the operands directly.
 * Faults: before anything that can fault, RIP is set to the instruction's start and the
 * pending flag record is stored, so a fault or exit sees exactly the state the
 * interpreter would (Intel SDM vol. 3, 6.5: faults are reported with the state before
 * the faulting instruction). The generated source contains only numbers we computed.
 */
import type { CpuState, CodeBlock, CompiledInsn } from './cpu-state'
import { TLB_SIZE } from './cpu-state'
import type { MemOp } from './compile-decode'
import { decodeInline, KIND, type Inline } from './inline-decode'
import { compileAt, compiledLength, compiledEndsStraightLine, compiledJumpTarget, INTERP, memLin, ret64 } from './compile'
import { rd8, rd16, rd32, rd64, wr8, wr32, wr64 } from './mmu'
import { push, pop } from './operands'
import { getCF, getZF, getSF, getOF, testCond, LF } from './lazy-flags'
import { imulTrunc } from './ops-muldiv'
import { shift, incDec } from './ops-alu'
import { inFetchWindow } from './code-cache'

/** Longest block (instructions). */
const MAX_BLOCK = 64
const CANON = 0x800000000000

/** The entry is not compiled: interpret the instruction there. */
export const INTERP_BLOCK: CodeBlock = { run: () => 0, n: 0, loops: false, starts: [], one: undefined, heat: -1, rec: -1 }

const HELPERS = { rd8, rd16, rd32, rd64, wr8, wr32, wr64, memLin, getCF, getZF, getSF, getOF, testCond, push, pop, ret64, imulTrunc, shift, incDec }
type Helpers = typeof HELPERS
type BlockFactory = (K: CompiledInsn[], M: MemOp[], H: Helpers) => (c: CpuState, left: number) => number

/** RSP += 8 (64-bit add). */
const POP8 = 't=(r[8]>>>0)+8;r[8]=t|0;r[9]=(r[9]+(t>4294967295?1:0))|0;'

class Emitter {
  readonly out: string[] = []
  readonly K: CompiledInsn[] = []
  readonly M: MemOp[] = []
  /** Flag-record statements not yet stored (the locals they read are still live). */
  pending = ''
  /** Kind/size of the ALU op whose operands are in fd/fs/fr (for a following Jcc), or -1. */
  lastKind = -1
  lastSize = 0
  start = 0
  index = 0
  /** Address of the block's first instruction (a branch there iterates inside the block). */
  head = 0
  loops = false

  /** Statements to run before something that can fault or observe state: RIP and flags. */
  sync(): string {
    return `c.rip=${this.start};${this.pending}`
  }

  /** A branch back to the block's start: iterate here while the budget allows. */
  backEdge(): string {
    this.loops = true
    const n = this.index + 1
    return `k+=${n};if(k+${n}>left){c.rip=${this.head};return k}c.blockDone=k;continue;`
  }

  flush(): void {
    if (this.pending !== '') { this.out.push(this.pending); this.pending = '' }
  }

  /** Linear address of `m` into `a` (slow and non-canonical cases through memLin). */
  addr(m: MemOp): void {
    // An FS/GS override adds the segment base to a RIP-relative address too (memLin does it).
    if (m.rip && m.seg < 4) { this.out.push(`a=${m.abs};`); return }
    const k = this.M.length
    this.M.push(m)
    if (m.base >= 0 && m.index < 0 && m.seg < 0 && !m.a32) {
      const b = m.base << 1
      this.out.push(`h=r[${b + 1}];if(h<=32767&&h>=-32768){a=h*4294967296+(r[${b}]>>>0)+${m.disp};if(a<-${CANON}||a>=${CANON}){${this.sync()}a=H.memLin(c,M[${k}])}}else{${this.sync()}a=H.memLin(c,M[${k}])}`)
      return
    }
    if (m.index >= 0 && m.seg < 0 && !m.a32) {
      // base + index * scale: exact in a double while both registers are below 2^47 in magnitude
      const x = m.index << 1, sc = 1 << m.scale
      const base = m.base >= 0 ? `h*4294967296+(r[${m.base << 1}]>>>0)+` : ''
      const hb = m.base >= 0 ? `h=r[${(m.base << 1) + 1}];` : 'h=0;'
      this.out.push(`${hb}t=r[${x + 1}];if(h<=32767&&h>=-32768&&t<=32767&&t>=-32768){a=${base}(t*4294967296+(r[${x}]>>>0))*${sc}+${m.disp};if(a<-${CANON}||a>=${CANON}){${this.sync()}a=H.memLin(c,M[${k}])}}else{${this.sync()}a=H.memLin(c,M[${k}])}`)
      return
    }
    this.out.push(`${this.sync()}a=H.memLin(c,M[${k}]);`)
  }

  /** Load `size` (1/2/4/8) bytes at `a` into lo (and hi). */
  load(size: number): void {
    const lim = 4096 - size
    if (size === 8) this.out.push(`p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};o=a&4095;if(c.tlbRead[i]===p&&o<=${lim}){q=c.tlbReadPhys[i+c.tlbUserBank]+o;lo=V.getInt32(q,true);hi=V.getInt32(q+4,true)}else{${this.sync()}lo=H.rd64(c,a);hi=c.h}`)
    else if (size === 4) this.out.push(`p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};o=a&4095;if(c.tlbRead[i]===p&&o<=${lim}){lo=V.getInt32(c.tlbReadPhys[i+c.tlbUserBank]+o,true)}else{${this.sync()}lo=H.rd32(c,a)}hi=0;`)
    else if (size === 2) this.out.push(`p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};o=a&4095;if(c.tlbRead[i]===p&&o<=${lim}){lo=V.getUint16(c.tlbReadPhys[i+c.tlbUserBank]+o,true)}else{${this.sync()}lo=H.rd16(c,a)}hi=0;`)
    else this.out.push(`p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};if(c.tlbRead[i]===p){lo=c.ram[c.tlbReadPhys[i+c.tlbUserBank]+(a&4095)]}else{${this.sync()}lo=H.rd8(c,a)}hi=0;`)
  }

  /** Store lo (and hi) at `a`; a slow-path store into the running code page ends the block. */
  store(size: number, next: number): void {
    const lim = 4096 - size
    const stop = `if(c.fetchCode===null){c.rip=${next};return k+${this.index + 1}}`
    if (size === 8) this.out.push(`p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};o=a&4095;if(c.tlbWrite[i]===p&&o<=${lim}){q=c.tlbWritePhys[i+c.tlbUserBank]+o;V.setInt32(q,lo,true);V.setInt32(q+4,hi,true)}else{${this.sync()}H.wr64(c,a,lo,hi);${stop}}`)
    else this.out.push(`p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};o=a&4095;if(c.tlbWrite[i]===p&&o<=${lim}){V.setInt32(c.tlbWritePhys[i+c.tlbUserBank]+o,lo,true)}else{${this.sync()}H.wr32(c,a,lo);${stop}}`)
  }

  /**
   * PUSH of lo:hi as a qword: the store goes first and RSP moves only after it succeeded, so a
   * fault leaves RSP as the interpreter would (operands.ts push); `after` follows the slow path.
   */
  pushQword(after: string): void {
    this.out.push(`t=(r[8]>>>0)-8;h=(r[9]-(t<0?1:0))|0;`)
    this.out.push(`if(h<=32767&&h>=-32768){a=h*4294967296+(t>>>0);p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};o=a&4095}else o=4096;`)
    this.out.push(`if(o<=4088&&c.tlbWrite[i]===p){q=c.tlbWritePhys[i+c.tlbUserBank]+o;V.setInt32(q,lo,true);V.setInt32(q+4,hi,true);r[8]=t|0;r[9]=h}else{${this.sync()}H.push(c,8,lo,hi);${after}}`)
  }

  /** `hit` runs with the qword at RSP in lo:hi when the read TLB has it (o > 4088 otherwise: fall through). */
  topQword(hit: string): void {
    this.out.push(`h=r[9];if(h<=32767&&h>=-32768){a=h*4294967296+(r[8]>>>0);p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};o=a&4095}else o=4096;`)
    this.out.push(`if(o<=4088&&c.tlbRead[i]===p){q=c.tlbReadPhys[i+c.tlbUserBank]+o;lo=V.getInt32(q,true);hi=V.getInt32(q+4,true);${hit}}`)
  }

  /** Store the byte in lo at `a` (see store). */
  storeByte(next: number): void {
    this.out.push(`p=Math.floor(a/4096);i=p&${TLB_SIZE - 1};if(c.tlbWrite[i]===p){c.ram[c.tlbWritePhys[i+c.tlbUserBank]+(a&4095)]=lo}else{${this.sync()}H.wr8(c,a,lo);if(c.fetchCode===null){c.rip=${next};return k+${this.index + 1}}}`)
  }

  /** ALU op of register `dst` with fs/fsh already holding the source. */
  alu(op: number, size: number, dst: number): void {
    const kind = KIND[op], o = op === 8 ? 4 : op, write = op !== 7 && op !== 8
    const d = dst << 1
    if (size === 4) {
      const e = o === 0 ? '(fd+fs)|0' : o === 1 ? 'fd|fs' : o === 4 ? 'fd&fs' : o === 6 ? 'fd^fs' : '(fd-fs)|0'
      this.out.push(`fd=r[${d}];fr=${e};`)
      if (write) this.out.push(`r[${d}]=fr;r[${d + 1}]=0;`)
      this.pending = `c.lfOp=${kind};c.lfSize=4;c.lfDst=fd;c.lfSrc=fs;c.lfRes=fr;`
    } else {
      this.out.push(`fd=r[${d}];fdh=r[${d + 1}];`)
      if (o === 0) this.out.push('t=(fd>>>0)+(fs>>>0);fr=t|0;frh=(fdh+fsh+(t>4294967295?1:0))|0;')
      else if (o === 1) this.out.push('fr=fd|fs;frh=fdh|fsh;')
      else if (o === 4) this.out.push('fr=fd&fs;frh=fdh&fsh;')
      else if (o === 6) this.out.push('fr=fd^fs;frh=fdh^fsh;')
      else this.out.push('t=(fd>>>0)-(fs>>>0);fr=t|0;frh=(fdh-fsh-(t<0?1:0))|0;')
      if (write) this.out.push(`r[${d}]=fr;r[${d + 1}]=frh;`)
      this.pending = `c.lfOp=${kind};c.lfSize=8;c.lfDst=fd;c.lfDstHi=fdh;c.lfSrc=fs;c.lfSrcHi=fsh;c.lfRes=fr;c.lfResHi=frh;`
    }
    this.lastKind = kind
    this.lastSize = size
  }

  /** Condition `cc` as an expression, from the preceding ALU's locals when possible. */
  cond(cc: number): string {
    const k = this.lastKind, s = this.lastSize, t = cc >> 1
    let e = ''
    if (k === LF.SUB && s === 4) e = ['', '(fd>>>0)<(fs>>>0)', 'fd===fs', '(fd>>>0)<=(fs>>>0)', 'fr<0', '', 'fd<fs', 'fd<=fs'][t]
    else if (k === LF.SUB) e = ['', '((fdh>>>0)<(fsh>>>0)||(fdh===fsh&&(fd>>>0)<(fs>>>0)))', '(fd===fs&&fdh===fsh)', '((fdh>>>0)<(fsh>>>0)||(fdh===fsh&&(fd>>>0)<=(fs>>>0)))', 'frh<0', '', '(fdh<fsh||(fdh===fsh&&(fd>>>0)<(fs>>>0)))', '(fdh<fsh||(fdh===fsh&&(fd>>>0)<=(fs>>>0)))'][t]
    else if (k === LF.LOGIC && s === 4) e = ['false', 'false', 'fr===0', 'fr===0', 'fr<0', '', 'fr<0', 'fr<=0'][t]
    else if (k === LF.LOGIC) e = ['false', 'false', '(fr|frh)===0', '(fr|frh)===0', 'frh<0', '', 'frh<0', '(frh<0||(fr|frh)===0)'][t]
    else if (k === LF.ADD && t === 2) e = s === 4 ? 'fr===0' : '(fr|frh)===0'
    else if (k === LF.ADD && t === 4) e = s === 4 ? 'fr<0' : 'frh<0'
    if (e === '') {
      e = ['H.getOF(c)', 'H.getCF(c)', 'H.getZF(c)', '(H.getCF(c)||H.getZF(c))', 'H.getSF(c)', 'H.testCond(c,10)', '(H.getSF(c)!==H.getOF(c))', '(H.getZF(c)||H.getSF(c)!==H.getOF(c))'][t]
    }
    return (cc & 1) !== 0 ? `!(${e})` : e
  }
}

/** Compile the block starting at `ip` (inside the fetch window), at most `max` instructions. */
export function compileBlock(c: CpuState, ip: number, max = MAX_BLOCK): CodeBlock {
  const e = new Emitter()
  e.head = ip
  const starts: number[] = []
  const pageEnd = c.fetchDelta + c.fetchHi
  let cur = ip
  let ended = false
  // (an instruction appears once: a fault is located by its index in `starts`)
  while (starts.length < max && cur < c.fetchHi && !starts.includes(cur)) {
    e.start = cur
    e.index = starts.length
    const d = decodeInline(c, cur, pageEnd)
    if (d === null) {
      const f = compileAt(c, cur)
      if (f === INTERP) break
      const next = cur + compiledLength()
      const k = e.K.length
      e.K.push(f)
      const pre = e.sync()
      e.pending = ''
      e.lastKind = -1
      starts.push(cur)
      cur = next
      // a transfer, STI or POPF ends the block (the run loop re-checks shadow, IF and TF)
      if (compiledEndsStraightLine()) { e.out.push(`${pre}K[${k}](c);return k+${e.index + 1};`); ended = true; break }
      e.out.push(`${pre}K[${k}](c);if(c.rip!==${next}||c.fetchCode===null)return k+${e.index + 1};`)
      continue
    }
    // a direct JMP inside the page to code not in this block yet: the block follows it
    // (flags and RIP need nothing; the next instruction's start is its target)
    if (d.f.kind === 'jmp' && d.f.target !== e.head && inFetchWindow(c, d.f.target) && !starts.includes(d.f.target)) {
      starts.push(cur)
      cur = d.f.target
      continue
    }
    starts.push(cur)
    const f = d.f, next = cur + d.len
    cur = next
    if (emitInline(e, f, next)) { ended = true; break }
  }
  if (starts.length === 0) return INTERP_BLOCK
  if (!ended) { e.flush(); e.out.push(`c.rip=${cur};return k+${starts.length};`) }
  const body = e.loops ? `c.blockDone=0;for(;;){${e.out.join('')}}` : e.out.join('')
  const src = `return function block(c,left){const r=c.r,V=c.view;let k=0,a=0,h=0,p=0,i=0,o=0,q=0,t=0,cy=0,lo=0,hi=0,fd=0,fdh=0,fs=0,fsh=0,fr=0,frh=0;${body}}`
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('K', 'M', 'H', src) as BlockFactory
  return { run: factory(e.K, e.M, HELPERS), n: starts.length, loops: e.loops, starts, one: undefined, heat: -1, rec: -1 }
}

/** Emit one inline instruction; returns true when it ends the block (JMP; a Jcc only side-exits). */
function emitInline(e: Emitter, f: Inline, next: number): boolean {
  const out = e.out
  const sz = f.size
  switch (f.kind) {
    case 'alu': case 'alui': {
      // a flag record overwritten here before anything can read it is dropped
      e.pending = ''
      if (f.kind === 'alu') out.push(sz === 8 ? `fs=r[${f.src << 1}];fsh=r[${(f.src << 1) + 1}];` : `fs=r[${f.src << 1}];`)
      else out.push(`fs=${f.imm};fsh=${f.imm >> 31};`)
      e.alu(f.op, sz, f.dst)
      return false
    }
    case 'alu<m': case 'alum': case 'cmpmi': {
      if (f.m === null) return false
      e.addr(f.m)
      e.load(sz)
      e.pending = ''
      if (f.kind === 'alu<m') { out.push('fs=lo;fsh=hi;'); e.alu(f.op, sz, f.dst); return false }
      // CMP [mem], reg / CMP [mem], imm: the memory operand is the destination
      if (f.kind === 'alum') out.push(sz === 8 ? `fs=r[${f.src << 1}];fsh=r[${(f.src << 1) + 1}];` : `fs=r[${f.src << 1}];`)
      else out.push(`fs=${f.imm};fsh=${f.imm >> 31};`)
      out.push(sz === 8 ? 'fd=lo;fdh=hi;t=(fd>>>0)-(fs>>>0);fr=t|0;frh=(fdh-fsh-(t<0?1:0))|0;' : 'fd=lo;fr=(fd-fs)|0;')
      e.pending = sz === 8
        ? `c.lfOp=${LF.SUB};c.lfSize=8;c.lfDst=fd;c.lfDstHi=fdh;c.lfSrc=fs;c.lfSrcHi=fsh;c.lfRes=fr;c.lfResHi=frh;`
        : `c.lfOp=${LF.SUB};c.lfSize=4;c.lfDst=fd;c.lfSrc=fs;c.lfRes=fr;`
      e.lastKind = LF.SUB; e.lastSize = sz
      return false
    }
    case 'shift': {
      e.pending = ''
      e.lastKind = -1
      const d = f.dst << 1, n = f.imm, op = f.op
      out.push(sz === 8 ? `fd=r[${d}];fdh=r[${d + 1}];` : `fd=r[${d}];`)
      if (sz === 4) {
        if (op === 4) out.push(`fr=fd<<${n};t=(fd>>>${32 - n})&1;fs=t|((fr<0?1:0)^t?2048:0);`)
        else if (op === 5) out.push(`fr=(fd>>>${n})|0;fs=((fd>>>${n - 1})&1)|(fd<0?2048:0);`)
        else out.push(`fr=fd>>${n};fs=(fd>>${n - 1})&1;`)
        out.push(`frh=0;r[${d}]=fr;r[${d + 1}]=0;`)
      } else {
        if (op === 4) {
          if (n < 32) out.push(`frh=(fdh<<${n})|(fd>>>${32 - n});fr=fd<<${n};t=(fdh>>>${32 - n})&1;`)
          else out.push(`frh=fd<<${n - 32};fr=0;t=${n === 32 ? 'fdh&1' : `(fd>>>${64 - n})&1`};`)
          out.push('fs=t|((frh<0?1:0)^t?2048:0);')
        } else {
          const arith = op === 7
          if (n < 32) out.push(`fr=(fd>>>${n})|(fdh<<${32 - n});frh=fdh${arith ? '>>' : '>>>'}${n}|0;t=(fd>>>${n - 1})&1;`)
          else out.push(`fr=(fdh${arith ? '>>' : '>>>'}${n - 32})|0;frh=${arith ? 'fdh>>31' : '0'};t=${n === 32 ? '(fd>>>31)&1' : `(fdh>>>${n - 33})&1`};`)
          out.push(arith ? 'fs=t;' : 'fs=t|(fdh<0?2048:0);')
        }
        out.push(`r[${d}]=fr;r[${d + 1}]=frh;`)
      }
      e.pending = `c.lfOp=${LF.SETCO};c.lfSize=${sz};c.lfRes=fr;c.lfResHi=frh;c.lfAux=fs;`
      return false
    }
    case 'rot': {
      // ROL/ROR: CF and OF only, from the materialized flags (ops-alu.ts shift, as the interpreter)
      e.flush()
      e.lastKind = -1
      const d = f.dst << 1
      out.push(`fr=H.shift(c,${f.op},${sz},r[${d}],r[${d + 1}],${f.imm});r[${d}]=fr;r[${d + 1}]=${sz === 8 ? 'c.h' : '0'};`)
      return false
    }
    case 'incdec': {
      // the carry out is the previous record's CF: store that record first (ops-alu.ts incDec)
      e.flush()
      e.lastKind = -1
      const d = f.dst << 1
      out.push(`fr=H.incDec(c,${sz},r[${d}],r[${d + 1}],${f.op === 1});r[${d}]=fr;r[${d + 1}]=${sz === 8 ? 'c.h' : '0'};`)
      return false
    }
    case 'not': {
      const d = f.dst << 1
      out.push(sz === 8 ? `r[${d}]=~r[${d}];r[${d + 1}]=~r[${d + 1}];` : `r[${d}]=~r[${d}];r[${d + 1}]=0;`)
      return false
    }
    case 'sti': {
      if (f.m === null) return false
      e.addr(f.m)
      out.push(`lo=${f.imm};hi=${f.imm >> 31};`)
      e.store(sz, next)
      return false
    }
    case 'cmpb': {
      if (f.m === null) return false
      e.addr(f.m)
      e.load(1)
      e.pending = `c.lfOp=${LF.SUB};c.lfSize=1;c.lfDst=fd;c.lfSrc=fs;c.lfRes=fr;`
      out.push(`fd=lo;fs=${f.imm};fr=(fd-fs)&255;`)
      e.lastKind = -1
      return false
    }
    case 'movzx': {
      const d = f.dst << 1
      if (f.m !== null) { e.addr(f.m); e.load(f.size) } else if (f.src >= 16) out.push(`lo=(r[${(f.src - 16) << 1}]>>8)&255;`)
      else out.push(`lo=r[${f.src << 1}]&${f.size === 1 ? 255 : 65535};`)
      out.push(`r[${d}]=lo;r[${d + 1}]=0;`)
      return false
    }
    case 'stb': case 'stbi': {
      if (f.m === null) return false
      e.addr(f.m)
      if (f.kind === 'stbi') out.push(`lo=${f.imm};`)
      else out.push(f.src >= 16 ? `lo=(r[${(f.src - 16) << 1}]>>8)&255;` : `lo=r[${f.src << 1}]&255;`)
      e.storeByte(next)
      return false
    }
    case 'ldb': {
      if (f.m === null) return false
      e.addr(f.m)
      e.load(1)
      out.push(f.dst >= 16 ? `r[${(f.dst - 16) << 1}]=(r[${(f.dst - 16) << 1}]&-65281)|(lo<<8);` : `r[${f.dst << 1}]=(r[${f.dst << 1}]&-256)|lo;`)
      return false
    }
    case 'mov': {
      const d = f.dst << 1, s = f.src << 1
      out.push(sz === 8 ? `r[${d}]=r[${s}];r[${d + 1}]=r[${s + 1}];` : `r[${d}]=r[${s}];r[${d + 1}]=0;`)
      return false
    }
    case 'movi': {
      const d = f.dst << 1
      out.push(sz === 8 ? `r[${d}]=${f.imm};r[${d + 1}]=${f.src};` : `r[${d}]=${f.imm};r[${d + 1}]=0;`)
      return false
    }
    case 'ld': {
      if (f.m === null) return false
      e.addr(f.m)
      e.load(sz)
      const d = f.dst << 1
      out.push(`r[${d}]=lo;r[${d + 1}]=hi;`)
      return false
    }
    case 'st': {
      if (f.m === null) return false
      e.addr(f.m)
      const s = f.src << 1
      out.push(sz === 8 ? `lo=r[${s}];hi=r[${s + 1}];` : `lo=r[${s}];`)
      e.store(sz, next)
      return false
    }
    case 'lea': {
      const m = f.m
      if (m === null) return false
      const d = f.dst << 1
      if (m.rip) { out.push(`r[${d}]=${m.abs | 0};r[${d + 1}]=${sz === 8 ? Math.floor(m.abs / 4294967296) | 0 : 0};`); return false }
      out.push(`lo=${m.disp};hi=${m.disp >> 31};`)
      if (m.base >= 0) { const b = m.base << 1; out.push(`t=(lo>>>0)+(r[${b}]>>>0);lo=t|0;hi=(hi+r[${b + 1}]+(t>=4294967296?1:0))|0;`) }
      if (m.index >= 0) {
        const x = m.index << 1, sc = m.scale
        if (sc === 0) out.push(`p=r[${x}];q=r[${x + 1}];`)
        else out.push(`p=r[${x}]<<${sc};q=(r[${x + 1}]<<${sc})|(r[${x}]>>>${32 - sc});`)
        out.push('t=(lo>>>0)+(p>>>0);lo=t|0;hi=(hi+q+(t>=4294967296?1:0))|0;')
      }
      out.push(sz === 8 && !m.a32 ? `r[${d}]=lo;r[${d + 1}]=hi;` : `r[${d}]=lo;r[${d + 1}]=0;`)
      return false
    }
    case 'nop': return false
    case 'alu8': {
      // TEST/CMP on byte registers (16+ = AH..BH): flags only; the next Jcc reads them through H
      const rd8r = (n: number): string => (n >= 16 ? `((r[${(n - 16) << 1}]>>8)&255)` : `(r[${n << 1}]&255)`)
      e.pending = ''
      out.push(`fd=${rd8r(f.dst)};fs=${f.src < 0 ? f.imm : rd8r(f.src)};fr=${f.op === 8 ? 'fd&fs' : '(fd-fs)&255'};`)
      e.pending = `c.lfOp=${f.op === 8 ? LF.LOGIC : LF.SUB};c.lfSize=1;c.lfDst=fd;c.lfSrc=fs;c.lfRes=fr;`
      e.lastKind = -1
      return false
    }
    case 'adc': {
      // the carry in is the previous flag record's CF: store that record first
      e.flush()
      e.lastKind = -1
      const d = f.dst << 1, s = f.src << 1
      if (sz === 4) {
        out.push(`cy=H.getCF(c)?1:0;fd=r[${d}];fs=r[${s}];fr=(fd+fs+cy)|0;r[${d}]=fr;r[${d + 1}]=0;`)
        e.pending = `c.lfOp=${LF.ADC};c.lfSize=4;c.lfDst=fd;c.lfSrc=fs;c.lfRes=fr;c.lfAux=cy;`
      } else {
        out.push(`cy=H.getCF(c)?1:0;fd=r[${d}];fdh=r[${d + 1}];fs=r[${s}];fsh=r[${s + 1}];t=(fd>>>0)+(fs>>>0)+cy;fr=t|0;frh=(fdh+fsh+(t>4294967295?1:0))|0;r[${d}]=fr;r[${d + 1}]=frh;`)
        e.pending = `c.lfOp=${LF.ADC};c.lfSize=8;c.lfDst=fd;c.lfDstHi=fdh;c.lfSrc=fs;c.lfSrcHi=fsh;c.lfRes=fr;c.lfResHi=frh;c.lfAux=cy;`
      }
      return false
    }
    case 'imul': {
      const d = f.dst << 1
      if (f.m !== null) { e.addr(f.m); e.load(sz); out.push('fs=lo;fsh=hi;') } else out.push(sz === 8 ? `fs=r[${f.src << 1}];fsh=r[${(f.src << 1) + 1}];` : `fs=r[${f.src << 1}];fsh=0;`)
      // every flag is IMUL's now (ops-muldiv.ts imulTrunc stores its own record on the slow path)
      e.pending = ''
      e.lastKind = -1
      if (sz === 8) {
        // both operands below 2^32: the 64-bit product from 16-bit limbs (ops-muldiv.ts mulu32); CF=OF=bit 63
        out.push(`fd=r[${d}];fdh=r[${d + 1}];if((fdh|fsh)===0){t=(fd&65535)*(fs&65535);p=(fd>>>16)*(fs&65535);q=(fd&65535)*(fs>>>16);a=(t>>>16)+(p&65535)+(q&65535);`)
        out.push(`frh=((fd>>>16)*(fs>>>16)+(p>>>16)+(q>>>16)+(a>>>16))|0;fr=Math.imul(fd,fs);cy=frh<0?2049:0}else{fr=H.imulTrunc(c,8,fd,fdh,fs,fsh);frh=c.h;cy=c.lfAux}`)
      } else out.push(`fd=r[${d}];fr=H.imulTrunc(c,4,fd,0,fs,0);frh=0;cy=c.lfAux;`)
      out.push(`r[${d}]=fr;r[${d + 1}]=frh;`)
      e.pending = `c.lfOp=${LF.SETCO};c.lfSize=${sz};c.lfRes=fr;c.lfResHi=frh;c.lfAux=cy;`
      return false
    }
    case 'movsxd': {
      const d = f.dst << 1
      if (f.m !== null) { e.addr(f.m); e.load(4) } else out.push(`lo=r[${f.src << 1}];`)
      out.push(sz === 8 ? `r[${d}]=lo;r[${d + 1}]=lo>>31;` : `r[${d}]=lo;r[${d + 1}]=0;`)
      return false
    }
    case 'setcc': {
      const cond = e.cond(f.op)
      e.flush()
      const v = `(${cond}?1:0)`
      out.push(f.dst >= 16 ? `r[${(f.dst - 16) << 1}]=(r[${(f.dst - 16) << 1}]&-65281)|(${v}<<8);` : `r[${f.dst << 1}]=(r[${f.dst << 1}]&-256)|${v};`)
      return false
    }
    case 'cmov': {
      const cond = e.cond(f.op)
      e.flush()
      const d = f.dst << 1, s = f.src << 1
      // a 32-bit CMOV zero-extends its destination even when the condition is false
      out.push(sz === 8 ? `if(${cond}){r[${d}]=r[${s}];r[${d + 1}]=r[${s + 1}]}` : `if(${cond}){r[${d}]=r[${s}]}r[${d + 1}]=0;`)
      return false
    }
    case 'call': {
      // PUSH of the return address (see 'push'), then the jump
      e.flush()
      out.push(`lo=${next | 0};hi=${Math.floor(next / 4294967296) | 0};`)
      e.pushQword('')
      out.push(`c.rip=${f.target};return k+${e.index + 1};`)
      return true
    }
    case 'ret': {
      e.flush()
      e.topQword(`if(hi<=32767&&hi>=-32768){${POP8}c.rip=hi*4294967296+(lo>>>0);return k+${e.index + 1}}`)
      out.push(`c.rip=${e.start};H.ret64(c);return k+${e.index + 1};`)
      return true
    }
    case 'push': {
      // the value is read before RSP moves (PUSH RSP pushes the old RSP)
      const v = f.dst << 1
      out.push(`lo=r[${v}];hi=r[${v + 1}];`)
      e.pushQword(`if(c.fetchCode===null){c.rip=${next};return k+${e.index + 1}}`)
      return false
    }
    case 'pop': {
      const d = f.dst << 1
      e.topQword(POP8)
      out.push(`else{${e.sync()}lo=H.pop(c,8);hi=c.h}r[${d}]=lo;r[${d + 1}]=hi;`)
      return false
    }
    case 'jmp':
      e.flush()
      out.push(f.target === e.head ? e.backEdge() : `c.rip=${f.target};return k+${e.index + 1};`)
      return true
    case 'jcc': {
      const cond = e.cond(f.op)
      e.flush()
      // a superblock: the taken branch leaves (or iterates), the block goes on with the fall-through
      if (f.target === e.head) out.push(`if(${cond}){${e.backEdge()}}`)
      else out.push(`if(${cond}){c.rip=${f.target};return k+${e.index + 1}}`)
      return false
    }
  }
  return false
}
