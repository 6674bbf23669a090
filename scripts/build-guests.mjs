#!/usr/bin/env node
/**
 * Builds the bundled test guests (resources/guests/<name>/) into resources/guests/build/:
 * every guest is its own .c/.S files plus the shared boot code and C runtime in
 * resources/guests/lib/, compiled with gcc as freestanding 64-bit code and linked at 1 MiB
 * by lib/link.ld. Outputs per guest:
 *   build/<name>.elf    ELF32 (objcopy -O elf32-i386) multiboot v1 image: what QEMU's
 *                       -kernel and our multiboot loader boot
 *   build/<name>64.elf  the same image as linked, ELF64 (for debuggers / ELF64 loaders that
 *                       honour the multiboot header)
 * A guest is skipped when both outputs are newer than all its inputs (its folder, lib/ and
 * this script). Usage: node scripts/build-guests.mjs [--force] [--quiet] [name ...]
 * A guest folder with its own link.ld is linked with it instead of lib/link.ld; RECIPES
 * below lists the guests built another way (bootinfo, tinylinux).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const scriptPath = fileURLToPath(import.meta.url)
const root = resolve(dirname(scriptPath), '..')
const guestsDir = join(root, 'resources', 'guests')
const libDir = join(guestsDir, 'lib')
const buildDir = join(guestsDir, 'build')
/** Folders under resources/guests that are not guests. */
const NOT_GUESTS = new Set(['lib', 'build'])

const CFLAGS = [
  '-m64', '-std=gnu11', '-ffreestanding', '-fno-pic', '-fno-pie', '-mno-red-zone',
  '-mno-mmx', '-mno-sse', '-mno-sse2', '-O2', '-fno-stack-protector', '-nostdlib',
  '-fno-asynchronous-unwind-tables', '-fno-unwind-tables', '-fno-builtin', '-Wall', '-Wextra',
]
const LDFLAGS = ['-m', 'elf_x86_64', '-nostdlib', '-z', 'max-page-size=0x1000', '--no-warn-rwx-segments']

/**
 * Guests that are not the default multiboot image with the a.out-kludge header:
 *   defines  extra -D flags for every compile
 *   lib      the lib/ sources to link (default: all of them)
 *   format   'bzimage': build/<name>.bzImage (objcopy -O binary of the linked image, a Linux
 *            x86 boot protocol kernel) plus build/<name>64.elf, instead of the ELF pair
 */
const RECIPES = {
  // A true ELF multiboot image: no flag 16, so loaders must follow the program headers.
  bootinfo: { defines: ['-DMB_FLAGS=0x00000003'] },
  // Its own real-mode setup and 32/64-bit entries; only the serial, printf and mem helpers.
  tinylinux: { format: 'bzimage', lib: ['serial.c', 'format.c', 'runtime.c'] },
}

const args = process.argv.slice(2)
const force = args.includes('--force')
const quiet = args.includes('--quiet')
const only = args.filter((a) => !a.startsWith('--'))

function log(msg) {
  if (!quiet) console.log(msg)
}

function fail(msg) {
  console.error(`build-guests: ${msg}`)
  process.exit(1)
}

/** Refuses early, with a remedy, when a tool is missing (instead of a bare ENOENT). */
function requireTool(tool) {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' })
  if (r.error) {
    fail(`'${tool}' was not found on PATH. The guests need gcc and GNU binutils ` +
      `(on Debian/Ubuntu: sudo apt-get install gcc binutils).`)
  }
}

function sourcesIn(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.c') || f.endsWith('.S')).map((f) => join(dir, f))
}

function newestMtime(paths) {
  let newest = 0
  for (const p of paths) newest = Math.max(newest, statSync(p).mtimeMs)
  return newest
}

function filesIn(dir) {
  return readdirSync(dir).map((f) => join(dir, f)).filter((p) => statSync(p).isFile())
}

function listGuests() {
  const all = readdirSync(guestsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_GUESTS.has(d.name))
    .map((d) => d.name)
    .filter((name) => sourcesIn(join(guestsDir, name)).length > 0)
    .sort()
  for (const name of only) {
    if (!all.includes(name)) fail(`unknown guest '${name}' (known: ${all.join(', ')})`)
  }
  return only.length ? all.filter((n) => only.includes(n)) : all
}

function run(cmd, argv) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) {
        if (out.trim()) console.warn(out.trimEnd()) // compiler warnings
        resolvePromise(out)
      }
      else reject(new Error(`${cmd} ${argv.map((a) => relative(root, a) || a).join(' ')}\n${out}`))
    })
  })
}

/** Runs async jobs with at most `limit` in flight. */
async function pool(jobs, limit) {
  const results = []
  let next = 0
  async function worker() {
    while (next < jobs.length) {
      const i = next++
      results[i] = await jobs[i]()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker))
  return results
}

async function buildGuest(name, limit) {
  const dir = join(guestsDir, name)
  const recipe = RECIPES[name] ?? {}
  const bzImage = recipe.format === 'bzimage'
  const elf32 = join(buildDir, bzImage ? `${name}.bzImage` : `${name}.elf`)
  const elf64 = join(buildDir, `${name}64.elf`)
  const inputs = [...filesIn(dir), ...filesIn(libDir), scriptPath]
  if (!force && existsSync(elf32) && existsSync(elf64)) {
    const built = Math.min(statSync(elf32).mtimeMs, statSync(elf64).mtimeMs)
    if (built >= newestMtime(inputs)) {
      log(`  ${name}: up to date`)
      return
    }
  }
  // Per-process scratch names and a final rename keep concurrent builds (parallel test
  // files each asking for their guest) from reading each other's half-written files.
  const objDir = join(buildDir, 'obj', `${name}-${process.pid}`)
  const tmp32 = `${elf32}.${process.pid}.tmp`
  const tmp64 = `${elf64}.${process.pid}.tmp`
  mkdirSync(objDir, { recursive: true })
  const libSources = recipe.lib ? recipe.lib.map((f) => join(libDir, f)) : sourcesIn(libDir)
  const sources = [...libSources, ...sourcesIn(dir)]
  const objects = sources.map((src) => join(objDir, `${relative(guestsDir, src).replace(/[\\/]/g, '_')}.o`))
  const linkScript = existsSync(join(dir, 'link.ld')) ? join(dir, 'link.ld') : join(libDir, 'link.ld')
  try {
    await pool(sources.map((src, i) => () => run('gcc', [...CFLAGS, ...(recipe.defines ?? []), '-I', libDir, '-c', src, '-o', objects[i]])), limit)
    await run('ld', [...LDFLAGS, '-T', linkScript, '-o', tmp64, ...objects])
    // QEMU's multiboot loader rejects ELF64 files unless told the a.out-kludge addresses;
    // the ELF32 copy is what both QEMU and our loader boot. A bzImage is the raw bytes.
    if (bzImage) await run('objcopy', ['-O', 'binary', tmp64, tmp32])
    else await run('objcopy', ['-O', 'elf32-i386', tmp64, tmp32])
    renameSync(tmp64, elf64)
    renameSync(tmp32, elf32)
  } finally {
    rmSync(objDir, { recursive: true, force: true })
    try {
      rmdirSync(join(buildDir, 'obj')) // only succeeds once no other build is using it
    } catch {
      // another build still has its scratch folder there
    }
    rmSync(tmp32, { force: true })
    rmSync(tmp64, { force: true })
  }
  log(`  ${name}: ${relative(root, elf32)} (${statSync(elf32).size} bytes)`)
}

async function main() {
  const started = Date.now()
  requireTool('gcc')
  requireTool('ld')
  requireTool('objcopy')
  mkdirSync(buildDir, { recursive: true })
  const guests = listGuests()
  log(`build-guests: ${guests.join(', ')}`)
  const limit = Math.max(1, cpus().length)
  try {
    for (const name of guests) await buildGuest(name, limit)
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err))
  }
  log(`build-guests: done in ${Date.now() - started} ms`)
}

await main()
