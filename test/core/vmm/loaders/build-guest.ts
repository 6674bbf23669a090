// Test helper: assemble and link tiny kernels with binutils at test time.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function buildElf(asm: string, linkScript: string, bits: 32 | 64): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'hvm-loader-'))
  try {
    writeFileSync(join(dir, 'k.S'), asm)
    writeFileSync(join(dir, 'k.ld'), linkScript)
    execFileSync('as', [bits === 32 ? '--32' : '--64', '-o', join(dir, 'k.o'), join(dir, 'k.S')])
    execFileSync('ld', ['-m', bits === 32 ? 'elf_i386' : 'elf_x86_64', '-z', 'max-page-size=0x1000', '--no-warn-rwx-segments',
      '-T', join(dir, 'k.ld'), '-o', join(dir, 'k.elf'), join(dir, 'k.o')])
    return new Uint8Array(readFileSync(join(dir, 'k.elf')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
