#!/usr/bin/env node
// `npm run guests:linux`: a reproducible Linux guest from Debian's packages (issue 9 item 1).
// Downloads (does not install) linux-image-cloud-amd64's kernel package and busybox-static with
// apt-get, unpacks them with dpkg-deb, and builds our own initramfs (newc cpio, gzip):
//   /init (below), /bin/busybox and its applets, /proc /sys /dev /tmp, a shell on the console,
//   and the kernel package's button.ko + evdev.ko with a busybox acpid rule, so that Shut Down
//   (the ACPI power button, docs/decisions.md #6) powers the guest off: without a userspace
//   handler Linux does nothing on a power-button press (docs/linux.md, "Shut Down").
// Output (git-ignored): resources/guests/build/linux/{vmlinuz,initramfs.cpio.gz,cmdline,version}.
// Set HV_LINUX_KERNEL / HV_BUSYBOX to use files you already have instead.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'resources/guests/build/linux')
const quiet = process.argv.includes('--quiet')
const log = (s) => quiet || console.log(`guests:linux: ${s}`)

const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
mkdir -p /var/log /var/run
for m in /lib/modules/*.ko; do [ -e "$m" ] && insmod "$m" 2>/dev/null; done
for i in 1 2 3 4 5; do [ -e /dev/input/event0 ] && break; sleep 1; done
acpid -c /etc/acpi -l /var/log/acpid.log
echo "HV Manager Linux guest $(uname -r) ready"
setsid cttyhack sh -l
echo "shell exited; powering off"
poweroff -f
`
export const CMDLINE = 'console=ttyS0 panic=-1'
// busybox acpid maps the KEY_POWER input event to /etc/acpi/PWRF/00000080 and runs it.
const POWER_BUTTON_ACTION = `#!/bin/sh
echo "power button pressed: powering off" > /dev/console
poweroff -f
`
/** Kernel modules from the kernel package that the power-button path needs (no dependencies). */
const MODULES = ['kernel/drivers/acpi/button.ko', 'kernel/drivers/input/evdev.ko']
/** Bumped when the initramfs recipe changes, so an existing build is redone. */
const RECIPE = 'acpid-1'

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts })
}

/** Fetch a Debian package's .deb into `dir` (no installation) and unpack it into dir/root. */
function debUnpack(pkg, dir) {
  try {
    sh('apt-get', ['download', pkg], { cwd: dir })
  } catch {
    log(`apt-get download ${pkg} failed; running apt-get update once`)
    sh('apt-get', ['update', '-qq'])
    sh('apt-get', ['download', pkg], { cwd: dir })
  }
  const deb = readdirSync(dir).find((f) => f.startsWith(pkg.replace(/:.*/, '')) && f.endsWith('.deb'))
  if (!deb) throw new Error(`no .deb for ${pkg}`)
  const rootDir = join(dir, 'root')
  mkdirSync(rootDir, { recursive: true })
  sh('dpkg-deb', ['-x', join(dir, deb), rootDir])
  return rootDir
}

function kernelPackage() {
  const deps = sh('apt-cache', ['depends', 'linux-image-cloud-amd64'])
  const m = /Depends:\s*(linux-image-[\w.+-]+-cloud-amd64)/.exec(deps)
  if (!m) throw new Error('cannot resolve linux-image-cloud-amd64 (run apt-get update?)')
  return m[1]
}

// ---- newc cpio
function cpio(entries) {
  const chunks = []
  let ino = 1
  const pad4 = (n) => (4 - (n % 4)) % 4
  const hex = (n) => n.toString(16).padStart(8, '0')
  const push = (name, mode, data, rdev = [0, 0]) => {
    const nameBytes = Buffer.from(name + '\0')
    const header = '070701' + [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0].map(hex).join('')
    chunks.push(Buffer.from(header), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length)), data, Buffer.alloc(pad4(data.length)))
  }
  for (const e of entries) push(e.name, e.mode, e.data ?? Buffer.alloc(0), e.rdev)
  push('TRAILER!!!', 0, Buffer.alloc(0))
  return Buffer.concat(chunks)
}

function main() {
  mkdirSync(out, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'hv-linux-'))
  try {
    let kernel = process.env.HV_LINUX_KERNEL
    let version = 'custom'
    /** Module files to ship; none for a custom kernel (it needs the button driver built in). */
    let modules = []
    if (!kernel) {
      const pkg = kernelPackage()
      version = pkg.replace(/^linux-image-/, '')
      if (existsSync(join(out, 'version')) && readFileSync(join(out, 'version'), 'utf8').trim() === `${version} ${RECIPE}` && existsSync(join(out, 'initramfs.cpio.gz'))) {
        log(`${version} is up to date`)
        return
      }
      log(`downloading ${pkg}`)
      const kdir = join(work, 'kernel')
      mkdirSync(kdir)
      const r = debUnpack(pkg, kdir)
      kernel = join(r, 'boot', readdirSync(join(r, 'boot')).find((f) => f.startsWith('vmlinuz-')))
      modules = MODULES.map((m) => join(r, 'lib', 'modules', version, m))
    }
    let busybox = process.env.HV_BUSYBOX
    if (!busybox) {
      const bdir = join(work, 'busybox')
      mkdirSync(bdir)
      log('downloading busybox-static')
      busybox = join(debUnpack('busybox-static', bdir), 'bin', 'busybox')
    }
    const dirMode = 0o040755
    const initramfs = cpio([
      { name: 'bin', mode: dirMode }, { name: 'dev', mode: dirMode }, { name: 'proc', mode: dirMode },
      { name: 'sys', mode: dirMode }, { name: 'tmp', mode: 0o041777 }, { name: 'root', mode: 0o040700 },
      { name: 'etc', mode: dirMode },
      { name: 'dev/console', mode: 0o020600, rdev: [5, 1] }, // the kernel opens it for init's stdio
      { name: 'bin/busybox', mode: 0o100755, data: readFileSync(busybox) },
      { name: 'bin/sh', mode: 0o120777, data: Buffer.from('busybox') },
      { name: 'etc/profile', mode: 0o100644, data: Buffer.from('export PS1="~ # "\nexport PATH=/bin:/sbin:/usr/bin:/usr/sbin\n') },
      { name: 'init', mode: 0o100755, data: Buffer.from(INIT) },
      { name: 'var', mode: dirMode }, { name: 'lib', mode: dirMode }, { name: 'lib/modules', mode: dirMode },
      ...modules.map((m) => ({ name: `lib/modules/${m.split('/').pop()}`, mode: 0o100644, data: readFileSync(m) })),
      { name: 'etc/acpi', mode: dirMode }, { name: 'etc/acpi/PWRF', mode: dirMode },
      { name: 'etc/acpi/PWRF/00000080', mode: 0o100755, data: Buffer.from(POWER_BUTTON_ACTION) },
    ])
    copyFileSync(kernel, join(out, 'vmlinuz'))
    writeFileSync(join(out, 'initramfs.cpio.gz'), gzipSync(initramfs, { level: 9 }))
    writeFileSync(join(out, 'cmdline'), CMDLINE + '\n')
    writeFileSync(join(out, 'version'), `${version} ${RECIPE}\n`)
    log(`wrote ${out} (kernel ${version}, initramfs ${(initramfs.length / 1024) | 0} KiB before gzip)`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

main()
