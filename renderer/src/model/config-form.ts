/**
 * The VM settings as the wizard and the Settings dialog edit them (strings where the user
 * types), their validation with messages per field, and the conversion to a contract
 * VmConfig. The host validates again; these checks only give instant, specific feedback.
 */
import { limits, type BundledGuest, type ClockKind, type TripleFaultAction, type VmConfig } from '../../../contract'

export type BootKind = 'bundled' | 'linux' | 'image'

export interface ConfigForm {
  name: string
  notes: string
  memoryMiB: string
  cpus: string
  bootKind: BootKind
  guest: string
  kernelPath: string
  initrdPath: string
  cmdline: string
  imagePath: string
  comPorts: 1 | 2
  clock: ClockKind
  onTripleFault: TripleFaultAction
  /** The hypervisor debug session (TLFS ch. 20); on unless turned off. */
  debug: boolean
}

export type FormErrors = Partial<Record<keyof ConfigForm, string>>

export function defaultForm(existingNames: string[], guests: BundledGuest[]): ConfigForm {
  let name = 'New Virtual Machine'
  for (let i = 2; existingNames.includes(name); i++) name = `New Virtual Machine ${i}`
  return {
    name,
    notes: '',
    memoryMiB: '64',
    cpus: '1',
    bootKind: 'bundled',
    guest: guests.find((g) => g.name === 'hello')?.name ?? guests[0]?.name ?? 'hello',
    kernelPath: '',
    initrdPath: '',
    cmdline: 'console=ttyS0',
    imagePath: '',
    comPorts: 2,
    clock: 'host',
    onTripleFault: 'stop',
    debug: true,
  }
}

export function formFromConfig(c: VmConfig): ConfigForm {
  const b = c.boot
  const linux = b.kind === 'kernel' && (b.initrdPath !== undefined || b.cmdline !== undefined)
  return {
    name: c.name,
    notes: c.notes,
    memoryMiB: String(c.memoryMiB),
    cpus: String(c.cpus),
    bootKind: b.kind === 'bundled' ? 'bundled' : linux ? 'linux' : 'image',
    guest: b.kind === 'bundled' ? b.guest : 'hello',
    kernelPath: b.kind === 'kernel' && linux ? b.kernelPath : '',
    initrdPath: b.kind === 'kernel' ? (b.initrdPath ?? '') : '',
    cmdline: b.kind === 'kernel' ? (b.cmdline ?? '') : '',
    imagePath: b.kind === 'kernel' && !linux ? b.kernelPath : '',
    comPorts: c.comPorts,
    clock: c.clock,
    onTripleFault: c.onTripleFault,
    debug: c.debug ?? true,
  }
}

const wholeNumber = (s: string): number | null => (/^\s*\d+\s*$/.test(s) ? Number(s) : null)

export function validateName(f: ConfigForm, otherNames: string[]): FormErrors {
  const e: FormErrors = {}
  const n = f.name
  if (!n.trim()) e.name = 'Enter a name for the virtual machine.'
  else if (n !== n.trim()) e.name = 'The name must not start or end with spaces.'
  else if (n.length > limits.nameMaxLength) e.name = `The name can have at most ${limits.nameMaxLength} characters.`
  else if (/[\u0000-\u001f\u007f]/.test(n)) e.name = 'The name must not contain control characters.'
  else if (otherNames.some((o) => o.toLowerCase() === n.toLowerCase())) e.name = `A virtual machine named "${n}" already exists.`
  if (f.notes.length > limits.notesMaxLength) e.notes = `Notes can have at most ${limits.notesMaxLength} characters.`
  return e
}

export function validateMemory(f: ConfigForm): FormErrors {
  const m = wholeNumber(f.memoryMiB)
  if (m === null || m < limits.memoryMiBMin || m > limits.memoryMiBMax) {
    return { memoryMiB: `Memory must be a whole number of MB from ${limits.memoryMiBMin} to ${limits.memoryMiBMax}.` }
  }
  return {}
}

export function validateProcessors(f: ConfigForm): FormErrors {
  const c = wholeNumber(f.cpus)
  if (c === null || c < limits.cpusMin || c > limits.cpusMax) {
    return { cpus: `The number of virtual processors must be from ${limits.cpusMin} to ${limits.cpusMax}.` }
  }
  return {}
}

export function validateBoot(f: ConfigForm, guests: BundledGuest[]): FormErrors {
  if (f.bootKind === 'bundled') {
    if (!f.guest) return { guest: 'Choose a bundled guest.' }
    if (guests.length && !guests.some((g) => g.name === f.guest)) return { guest: `The bundled guest "${f.guest}" is not installed on this host.` }
    return {}
  }
  const e: FormErrors = {}
  if (f.bootKind === 'linux') {
    if (!f.kernelPath.trim()) e.kernelPath = 'Choose the kernel image (bzImage).'
    if (f.cmdline.length > limits.cmdlineMaxLength) e.cmdline = `The command line can have at most ${limits.cmdlineMaxLength} characters.`
    else if (/[\u0000-\u001f\u007f]/.test(f.cmdline)) e.cmdline = 'The command line must not contain control characters.'
  } else if (!f.imagePath.trim()) e.imagePath = 'Choose the multiboot or ELF image.'
  return e
}

export function validateAll(f: ConfigForm, otherNames: string[], guests: BundledGuest[]): FormErrors {
  return { ...validateName(f, otherNames), ...validateMemory(f), ...validateProcessors(f), ...validateBoot(f, guests) }
}

export function configFromForm(f: ConfigForm): VmConfig {
  const boot: VmConfig['boot'] =
    f.bootKind === 'bundled'
      ? { kind: 'bundled', guest: f.guest }
      : f.bootKind === 'linux'
        ? { kind: 'kernel', kernelPath: f.kernelPath.trim(), ...(f.initrdPath.trim() ? { initrdPath: f.initrdPath.trim() } : {}), cmdline: f.cmdline }
        : { kind: 'kernel', kernelPath: f.imagePath.trim() }
  return {
    name: f.name,
    memoryMiB: Number(f.memoryMiB),
    cpus: Number(f.cpus),
    boot,
    clock: f.clock,
    comPorts: f.comPorts,
    onTripleFault: f.onTripleFault,
    notes: f.notes,
    debug: f.debug,
  }
}
