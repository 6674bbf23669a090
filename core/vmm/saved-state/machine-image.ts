/**
 * What a saved VM holds (ARCHITECTURE "A saved VM"), as container sections: "config" (the
 * VM's hardware and boot configuration, JSON), "kernel" / "initrd" (needed again on a guest
 * reset), "hypervisor" (the HvSavePartitionState stream, TLFS 17), "memory" (non-zero pages),
 * "devices" (chipset saveState JSON) and "machine" (guest time and the VMM's own pending
 * interrupt state, JSON). `decodeMachineImage` validates everything it can without a
 * machine, so a bad file is refused before anything is built.
 */
import type { ClockKind } from '../machine-api'
import { decodeContainer, encodeContainer, SavedStateError, type ContainerSection } from './container'
import { checkMemoryImage } from './memory-image'

export interface SavedMachineConfig {
  memoryMiB: number
  cpus: number
  cmdline?: string
  clock: ClockKind
  onTripleFault: 'stop' | 'reset'
}

export interface SavedMachineState {
  /** Guest time (ns) at the save. */
  clockNs: number
  pendingIoApicVectors: number[]
  resetRequested: boolean
  retiredBeforeReset: number
}

export interface MachineImage {
  config: SavedMachineConfig
  kernel: Uint8Array
  initrd?: Uint8Array
  hypervisor: Uint8Array
  memory: Uint8Array
  devices: Record<string, unknown>
  machine: SavedMachineState
}

function jsonBytes(v: unknown): Uint8Array {
  const bin = unescape(encodeURIComponent(JSON.stringify(v))) // UTF-8 as a binary string
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function parseJson(b: Uint8Array, what: string): unknown {
  try {
    let bin = ''
    for (let i = 0; i < b.length; i += 0x2000) bin += String.fromCharCode(...b.subarray(i, i + 0x2000))
    return JSON.parse(decodeURIComponent(escape(bin)))
  } catch {
    throw new SavedStateError(`the ${what} section is not valid JSON`)
  }
}

export function encodeMachineImage(img: MachineImage): Uint8Array {
  const sections: ContainerSection[] = [
    { name: 'config', data: jsonBytes(img.config) },
    { name: 'kernel', data: img.kernel },
  ]
  if (img.initrd) sections.push({ name: 'initrd', data: img.initrd })
  sections.push(
    { name: 'hypervisor', data: img.hypervisor },
    { name: 'memory', data: img.memory },
    { name: 'devices', data: jsonBytes(img.devices) },
    { name: 'machine', data: jsonBytes(img.machine) },
  )
  return encodeContainer(sections)
}

function checkConfig(raw: unknown): SavedMachineConfig {
  const c = raw as Partial<SavedMachineConfig> | null
  if (!c || typeof c !== 'object') throw new SavedStateError('the config section is malformed')
  if (!Number.isInteger(c.memoryMiB) || c.memoryMiB! < 2 || c.memoryMiB! > 4096) throw new SavedStateError('the saved memory size is invalid')
  if (!Number.isInteger(c.cpus) || c.cpus! < 1 || c.cpus! > 64) throw new SavedStateError('the saved processor count is invalid')
  if (c.clock !== 'virtual' && c.clock !== 'host') throw new SavedStateError('the saved clock kind is invalid')
  if (c.onTripleFault !== 'stop' && c.onTripleFault !== 'reset') throw new SavedStateError('the saved triple-fault action is invalid')
  if (c.cmdline !== undefined && typeof c.cmdline !== 'string') throw new SavedStateError('the saved command line is invalid')
  return { memoryMiB: c.memoryMiB!, cpus: c.cpus!, cmdline: c.cmdline, clock: c.clock, onTripleFault: c.onTripleFault }
}

function checkMachineState(raw: unknown): SavedMachineState {
  const m = raw as Partial<SavedMachineState> | null
  if (!m || typeof m !== 'object' || typeof m.clockNs !== 'number' || !Number.isFinite(m.clockNs) || m.clockNs < 0) {
    throw new SavedStateError('the machine section is malformed')
  }
  if (!Array.isArray(m.pendingIoApicVectors) || !m.pendingIoApicVectors.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    throw new SavedStateError('the machine section has bad pending interrupts')
  }
  if (typeof m.resetRequested !== 'boolean' || typeof m.retiredBeforeReset !== 'number') throw new SavedStateError('the machine section is malformed')
  return m as SavedMachineState
}

export function decodeMachineImage(bytes: Uint8Array): MachineImage {
  const { sections } = decodeContainer(bytes)
  const need = (name: string): Uint8Array => {
    const s = sections.get(name)
    if (!s) throw new SavedStateError(`the "${name}" section is missing`)
    return s
  }
  const config = checkConfig(parseJson(need('config'), 'config'))
  const memory = need('memory')
  checkMemoryImage(memory, (config.memoryMiB * 1024 * 1024) / 4096)
  const devices = parseJson(need('devices'), 'devices')
  if (!devices || typeof devices !== 'object' || Array.isArray(devices)) throw new SavedStateError('the devices section is malformed')
  return {
    config, kernel: need('kernel'), initrd: sections.get('initrd'), hypervisor: need('hypervisor'), memory,
    devices: devices as Record<string, unknown>, machine: checkMachineState(parseJson(need('machine'), 'machine')),
  }
}
