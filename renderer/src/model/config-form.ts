/**
 * The VM settings as the wizard and the Settings dialog edit them (strings where the user
 * types), their validation with messages per field, and the conversion to a contract
 * VmConfig. The host validates again; these checks only give instant, specific feedback.
 */
import {
  defaultCheckpointSettings, defaultProcessorSettings, limits,
  type AutomaticStartAction, type AutomaticStopAction, type BundledGuest, type CheckpointType, type ClockKind, type TripleFaultAction, type VmConfig,
} from '../../../contract'

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
  /** Processor resource control (percent of one logical processor per VP) and weight, as typed. */
  reserve: string
  limit: string
  weight: string
  compatibilityMode: boolean
  checkpointsEnabled: boolean
  checkpointType: CheckpointType
  fallbackToStandard: boolean
  /** '' = the VM's own folder. */
  checkpointLocation: string
  automaticStartAction: AutomaticStartAction
  automaticStartDelay: string
  automaticStopAction: AutomaticStopAction
}

/** The later settings' defaults (Hyper-V's): absent from a VmConfig means these. */
const managementDefaults = {
  reserve: String(defaultProcessorSettings.reserve),
  limit: String(defaultProcessorSettings.limit),
  weight: String(defaultProcessorSettings.weight),
  compatibilityMode: defaultProcessorSettings.compatibilityMode,
  checkpointsEnabled: defaultCheckpointSettings.enabled,
  checkpointType: defaultCheckpointSettings.type,
  fallbackToStandard: defaultCheckpointSettings.fallbackToStandard,
  checkpointLocation: '',
  automaticStartAction: 'start-if-running' as AutomaticStartAction,
  automaticStartDelay: '0',
  automaticStopAction: 'save' as AutomaticStopAction,
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
    ...managementDefaults,
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
    reserve: String(c.processor?.reserve ?? defaultProcessorSettings.reserve),
    limit: String(c.processor?.limit ?? defaultProcessorSettings.limit),
    weight: String(c.processor?.weight ?? defaultProcessorSettings.weight),
    compatibilityMode: c.processor?.compatibilityMode ?? defaultProcessorSettings.compatibilityMode,
    checkpointsEnabled: c.checkpoints?.enabled ?? defaultCheckpointSettings.enabled,
    checkpointType: c.checkpoints?.type ?? defaultCheckpointSettings.type,
    fallbackToStandard: c.checkpoints?.fallbackToStandard ?? defaultCheckpointSettings.fallbackToStandard,
    checkpointLocation: c.checkpoints?.location ?? '',
    automaticStartAction: c.automaticStartAction ?? managementDefaults.automaticStartAction,
    automaticStartDelay: String(c.automaticStartDelaySeconds ?? 0),
    automaticStopAction: c.automaticStopAction ?? managementDefaults.automaticStopAction,
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

/** Processor resource control: the ranges of TLFS ch. 18 and reserve ≤ limit. */
export function validateProcessorControl(f: ConfigForm): FormErrors {
  const e: FormErrors = {}
  const reserve = wholeNumber(f.reserve)
  const limit = wholeNumber(f.limit)
  const weight = wholeNumber(f.weight)
  if (reserve === null || reserve > limits.processorPercentMax) e.reserve = 'The reserve must be a whole percentage from 0 to 100.'
  if (limit === null || limit < 1 || limit > limits.processorPercentMax) e.limit = 'The limit must be a whole percentage from 1 to 100.'
  if (weight === null || weight < limits.processorWeightMin || weight > limits.processorWeightMax) {
    e.weight = `The relative weight must be a whole number from ${limits.processorWeightMin} to ${limits.processorWeightMax}.`
  }
  if (!e.reserve && !e.limit && reserve! > limit!) e.reserve = `The reserve (${reserve} %) cannot be more than the limit (${limit} %).`
  return e
}

export function validateManagement(f: ConfigForm): FormErrors {
  const e: FormErrors = {}
  const loc = f.checkpointLocation.trim()
  if (loc && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(loc)) e.checkpointLocation = 'Enter a full folder path (for example /var/lib/hv-checkpoints), or leave it empty for the VM\'s own folder.'
  else if (/[\u0000-\u001f\u007f]/.test(loc)) e.checkpointLocation = 'The folder must not contain control characters.'
  const delay = wholeNumber(f.automaticStartDelay)
  if (delay === null || delay > limits.startDelayMaxSeconds) e.automaticStartDelay = `The startup delay must be a whole number of seconds from 0 to ${limits.startDelayMaxSeconds}.`
  return e
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
  return {
    ...validateName(f, otherNames), ...validateMemory(f), ...validateProcessors(f), ...validateProcessorControl(f), ...validateBoot(f, guests),
    ...validateManagement(f),
  }
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
    ...laterSettings(f),
  }
}

/** The later sections, only where they differ from the defaults (so untouched VMs keep their files as they were). */
function laterSettings(f: ConfigForm): Partial<VmConfig> {
  const out: Partial<VmConfig> = {}
  const processor = { reserve: Number(f.reserve), limit: Number(f.limit), weight: Number(f.weight), compatibilityMode: f.compatibilityMode }
  if (JSON.stringify(processor) !== JSON.stringify(defaultProcessorSettings)) out.processor = processor
  const loc = f.checkpointLocation.trim()
  const checkpoints = { enabled: f.checkpointsEnabled, type: f.checkpointType, fallbackToStandard: f.fallbackToStandard, ...(loc ? { location: loc } : {}) }
  if (JSON.stringify(checkpoints) !== JSON.stringify(defaultCheckpointSettings)) out.checkpoints = checkpoints
  if (f.automaticStartAction !== managementDefaults.automaticStartAction) out.automaticStartAction = f.automaticStartAction
  if (Number(f.automaticStartDelay) !== 0) out.automaticStartDelaySeconds = Number(f.automaticStartDelay)
  if (f.automaticStopAction !== managementDefaults.automaticStopAction) out.automaticStopAction = f.automaticStopAction
  return out
}
