/**
 * The register file and per-instruction scratch state of one x64 logical processor.
 *
 * GPRs are 32-bit halves in an Int32Array (lo at 2*i, hi at 2*i+1) so the hot path never
 * touches BigInt; RIP and segment bases are doubles (canonical 64-bit addresses fit
 * exactly). Arithmetic flags are lazy: the last flag-setting operation's kind, size,
 * operands and result are kept and the flags are computed only when read (see
 * lazy-flags.ts). Everything else here is plain storage; behaviour lives in the
 * modules that take a CpuState as their first argument.
 */
import type { GuestMemory } from '../memory/guest-memory'
import { CpuExit } from './api'
import { TlbSet, TLB_SIZE } from './tlb-set'

/** A pre-decoded instruction: executes and commits RIP (throws FAULT / EXIT_SIGNAL like the interpreter). */
export type CompiledInsn = (c: CpuState) => void

/**
 * A compiled straight-line block of 64-bit code (compile-block.ts): `run` executes up to
 * `n` instructions and returns how many retired (fewer when it stops early: a taken
 * branch, a store into the running code page); it leaves RIP at the next instruction.
 * `starts` holds each instruction's address (to count retirements when one faults; a
 * record block keeps none, runRecords counts in `CpuState.blockDone`);
 * `one` is the same entry compiled as a single instruction (for an exact budget end).
 * A looping block keeps the instructions retired by completed iterations in
 * `CpuState.blockDone`, so a fault in a later iteration is counted exactly.
 */
export interface CodeBlock {
  run: (c: CpuState, left: number) => number
  n: number
  /** The block branches back to its own start and iterates inside `run` (up to `left` instructions). */
  loops: boolean
  starts: number[]
  one: CodeBlock | undefined
  /** Executions left before a cold (record) entry is compiled as a block; -1 when compiled. */
  heat: number
  /** Index of its first record in `CpuState.recs` for a record block (records.ts), else -1. */
  rec: number
}

/**
 * Executions of a code address before it is compiled as a block (until then it runs as a
 * record block, records.ts). Each generated block costs V8 a parse, a baseline and an
 * optimizing compile (on a background thread that competes with the VP on a 2-core host),
 * so most of a kernel's boot, code run only thousands of times, is cheaper as records. Debian boot to
 * the prompt (docs/linux.md): session 3 chose 10,000 over 3,000 (process CPU 64 vs 75-85 s);
 * in session 4, with V8's shorter interrupt budget (core/host/v8-tuning.ts), 30,000 took
 * 60-61.5 s of main-thread CPU and 73-74 s of process CPU against 62-69 and 83-91 s at
 * 10,000 and 71-73 / 103-104 s at 3,000. Session 5 (records instead of closures): 300,000
 * took 52-53 s of main-thread CPU against 38-41.5 s at 30,000 in paired virtual-clock boots.
 */
export const DEFAULT_BLOCK_THRESHOLD = 30000

// (defined in tlb-set.ts, which cpu-state.ts imports: a cycle would leave them undefined there)
export { TLB_BITS, TLB_SIZE } from './tlb-set'

export class CpuState {
  readonly memory: GuestMemory
  readonly ram: Uint8Array
  readonly view: DataView
  readonly exit = new CpuExit()

  /** GPRs as lo/hi int32 halves. */
  readonly r = new Int32Array(32)
  /** Address of the current instruction (double; canonical signed in 64-bit mode). */
  rip = 0
  /** Fetch pointer while decoding (offset within CS, like RIP). */
  ip = 0

  // ---- segments (ES CS SS DS FS GS LDTR TR)
  readonly segSel = new Int32Array(8)
  readonly segBase = new Float64Array(8)
  readonly segLimit = new Float64Array(8)
  readonly segAttr = new Int32Array(8)
  cpl = 0
  /** Mode constant (Mode.*). */
  mode = 0
  /** Default operand/address size of the code segment in bytes (2, 4 or 8 for 64-bit). */
  codeSize = 2
  /** Stack address size in bytes (SS.B, or 8 in 64-bit mode). */
  stackSize = 2
  /** Bit per segment: usable for reads / writes / is expand-down (protected mode checks). */
  segRdMask = 0xff
  segWrMask = 0xff
  segExpDownMask = 0

  // ---- flags
  /** Non-arithmetic RFLAGS bits (and the arithmetic ones when lfOp is EAGER). */
  eflags = 2
  lfOp = 0
  lfSize = 4
  lfRes = 0
  lfResHi = 0
  lfDst = 0
  lfDstHi = 0
  lfSrc = 0
  lfSrcHi = 0
  lfAux = 0

  // ---- control state
  cr0 = 0x60000010
  cr2 = 0
  cr3 = 0
  cr4 = 0
  cr8 = 0
  efer = 0
  xcr0Lo = 1
  xcr0Hi = 0
  readonly dr: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n, 0xffff0ff0n, 0x400n]
  // ---- debug (debug-traps.ts): numeric copies of DR0-3/DR7 and #DB bookkeeping
  /** DR0-3 as linear addresses (signed canonical doubles). */
  readonly dbAddr = new Float64Array(4)
  dr7Lo = 0x400
  /** 1 while instruction breakpoints are enabled or a #DB trap is deferred: the run loop steps. */
  dbArmed = 0
  /** The current instruction started with TF = 1 (single-step trap after it). */
  dbStepPending = 0
  /** The current instruction loaded SS (MOV SS / POP SS): its #DB traps wait one instruction. */
  dbMovSs = 0
  /** DR6 bits of #DB traps deferred by a MOV SS. */
  dbDeferred = 0
  /** Bit n: data breakpoint n is enabled (DR7 R/W = 01 or 11); bit n + 4: it also watches reads. */
  dbWatch = 0
  /** DR6 B bits of data breakpoints hit by the current instruction. */
  dbHits = 0
  gdtrBase = 0
  gdtrLimit = 0xffff
  idtrBase = 0
  idtrLimit = 0xffff

  // ---- MSR storage
  star = 0n
  lstar = 0
  cstar = 0
  sfmask = 0
  kernelGsBase = 0
  tscAux = 0
  /** IA32_SPEC_CTRL (IBRS/STIBP/SSBD bits; kept for reads only). */
  specCtrl = 0
  pat = 0x0007040600070406n
  sysenterCs = 0
  sysenterEsp = 0
  sysenterEip = 0
  miscEnable = 1n
  tscOffset = 0
  readonly msrStore = new Map<number, bigint>()

  // ---- events
  halted = false
  /** Instructions left in the STI / MOV SS interrupt shadow (1 = next instruction). */
  shadow = 0
  nmiBlocked = false
  retired = 0
  /** Instructions retired by completed iterations of the running looping block. */
  blockDone = 0
  interruptWindowRequested = false
  exceptionBitmap = 0
  readTsc: () => number

  // ---- x87 / SSE storage (the FXSAVE image fields)
  /** x87 physical registers R0..R7 as 80-bit values: [3p] significand 31:0, [3p+1] 63:32, [3p+2] sign|exponent (f80.ts). */
  readonly fpr = new Uint32Array(24)
  fpTop = 0
  fpTag = 0 /* abridged tag: bit i set = physical reg i valid */
  fpCw = 0x37f
  fpSw = 0
  fpOp = 0
  fpIp = 0
  fpDp = 0
  mxcsr = 0x1f80
  readonly xmm = new Int32Array(64)
  readonly xmmU8 = new Uint8Array(this.xmm.buffer)
  readonly xmmI8 = new Int8Array(this.xmm.buffer)
  readonly xmmU16 = new Uint16Array(this.xmm.buffer)
  readonly xmmI16 = new Int16Array(this.xmm.buffer)
  readonly xmmU32 = new Uint32Array(this.xmm.buffer)
  readonly xmmF32 = new Float32Array(this.xmm.buffer)
  readonly xmmF64 = new Float64Array(this.xmm.buffer)

  // ---- decoder scratch (valid during one instruction)
  opSize = 4
  adSize = 4
  rex = 0
  rexW = false
  rexR = 0
  rexX = 0
  rexB = 0
  segOvr = -1
  rep = 0
  /** An operand-size (66) prefix was present (SSE mandatory prefix). */
  pfx66 = false
  lock = false
  modrm = 0
  mod = 0
  reg = 0
  rm = 0
  /** Effective address (offset within the segment) of a memory operand, lo/hi. */
  eaLo = 0
  eaHi = 0
  eaSeg = 3
  /** The memory operand is RIP-relative: eaLo holds the displacement. */
  ripRel = false
  /** hi half returned by the 64-bit readers. */
  h = 0

  // ---- software TLB: tags are linear page numbers (NaN = invalid); values RAM byte offsets
  // (these alias the active TlbSet's arrays: tlb-set.ts swaps them on a PCID switch)
  tlbReadTagS = new Float64Array(TLB_SIZE).fill(NaN)
  tlbReadTagU = new Float64Array(TLB_SIZE).fill(NaN)
  tlbWriteTagS = new Float64Array(TLB_SIZE).fill(NaN)
  tlbWriteTagU = new Float64Array(TLB_SIZE).fill(NaN)
  tlbExecTagS = new Float64Array(TLB_SIZE).fill(NaN)
  tlbExecTagU = new Float64Array(TLB_SIZE).fill(NaN)
  tlbReadPhys = new Float64Array(TLB_SIZE * 2)
  tlbWritePhys = new Float64Array(TLB_SIZE * 2)
  tlbExecPhys = new Float64Array(TLB_SIZE * 2)
  /** One TLB set per cached PCID (tlb-set.ts); tlbSet is the active one. */
  readonly tlbSets: TlbSet[]
  tlbSet: TlbSet
  tlbStamp = 0
  /** Active (per CPL) tag arrays. */
  tlbRead: Float64Array
  tlbWrite: Float64Array
  tlbUserBank = 0
  memGeneration = -1

  // ---- code fetch window: ip in [fetchLo, fetchHi) maps to ram[fetchDelta + ip]
  fetchLo = 0
  fetchHi = 0
  fetchDelta = 0

  // ---- decoded-code cache (code-cache.ts): compiled closures per physical page (64-bit code)
  /** Closures of the page in the fetch window, indexed by ip - fetchPageIp; null when not compiling. */
  fetchCode: Array<CodeBlock | undefined> | null = null
  fetchPageIp = 0
  /**
   * One slot per guest page, allocated up front: an empty array written at sparse indices
   * (the kernel sits 16 MiB up) turns into a V8 dictionary, a hash lookup on every fetch.
   */
  readonly codePages: Array<Array<CodeBlock | undefined> | undefined>
  readonly codeMark: Uint8Array
  /** Times each page's code was invalidated by a store (saturating); hot mixed code/data pages stop being cached. */
  readonly codeInvalidations: Uint8Array
  /** `retired` at each page's last code invalidation (a page given up on is retried after a quiet spell). */
  readonly codeInvalidatedAt: Float64Array
  /** Records of cold blocks (records.ts), one after another; grows up to a cap. */
  recs = new Int32Array(1 << 16)
  /** First free word of `recs`. */
  recTop = 0
  /** Closures named by CLOSURE records. */
  recFns: CompiledInsn[] = []
  /** Build and run pre-decoded closures for 64-bit code (off: interpret everything). */
  decodeCache = true
  /** Executions of an entry before it is compiled as a block (compile-block.ts). */
  blockThreshold = DEFAULT_BLOCK_THRESHOLD

  // ---- pending exit completion
  exitNextRip = 0
  ioKind = 0

  constructor(memory: GuestMemory) {
    this.memory = memory
    this.ram = memory.ram
    this.view = memory.view
    this.codePages = new Array<Array<CodeBlock | undefined> | undefined>(memory.pageCount).fill(undefined)
    this.codeMark = new Uint8Array(memory.pageCount)
    this.codeInvalidations = new Uint8Array(memory.pageCount)
    this.codeInvalidatedAt = new Float64Array(memory.pageCount)
    this.tlbRead = this.tlbReadTagS
    this.tlbWrite = this.tlbWriteTagS
    this.tlbSet = TlbSet.adopt(this)
    this.tlbSets = [this.tlbSet]
    this.readTsc = () => this.retired
  }
}
