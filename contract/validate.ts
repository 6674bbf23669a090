/**
 * Hand-written runtime validation of every command's arguments. Both the Electron IPC
 * handlers and the WebSocket server run untrusted input through `validateArgs` before the
 * host sees it; a failure is an INVALID_ARGUMENT error naming the offending field.
 * Unknown fields are refused too, so a misspelt option cannot be silently ignored.
 */
import type { Channel, CommandArgs } from './channels'
import { isChannel } from './channels'
import { ErrorCode, fail, ok, type Result } from './errors'
import {
  AutomaticStartActions, AutomaticStopActions, CheckpointTypes, ClockKinds, TripleFaultActions,
  StopAllModes, type BootSource, type CheckpointSettings, type HostSettings, type ProcessorSettings, type VmConfig,
} from './types'

export const limits = {
  nameMaxLength: 100,
  memoryMiBMin: 1,
  memoryMiBMax: 65536,
  cpusMin: 1,
  cpusMax: 64,
  pathMaxLength: 4096,
  cmdlineMaxLength: 4096,
  consoleInputMaxBytes: 65536,
  ports: 2,
  notesMaxLength: 4000,
  fileNameMaxLength: 128,
  /** Base64 characters per upload chunk (fits well inside the WebSocket's 1 MiB frames). */
  uploadChunkMaxChars: 512 * 1024,
  uploadMaxBytes: 512 * 1024 * 1024,
  checkpointNameMaxLength: 100,
  /** Percent of one logical processor (TLFS ch. 18: 0x10000 = 100 %). */
  processorPercentMax: 100,
  processorWeightMin: 1,
  processorWeightMax: 10000,
  /** Hyper-V's automatic start delay is at most a day. */
  startDelayMaxSeconds: 86400,
  /** Stop All's Shut Down wait: below the clients' 30 s request timeout, since the command answers when all are done. */
  stopAllTimeoutMaxSeconds: 20,
} as const

class Invalid extends Error {}

type Obj = Record<string, unknown>

function object(value: unknown, where: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Invalid(`${where} must be an object`)
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new Invalid(`${where} has an unknown field "${key}"`)
  }
  return value as Obj
}

function string(value: unknown, where: string, min: number, max: number): string {
  if (typeof value !== 'string') throw new Invalid(`${where} must be a string`)
  if (value.length < min) throw new Invalid(min === 1 ? `${where} must not be empty` : `${where} is too short`)
  if (value.length > max) throw new Invalid(`${where} must be at most ${max} characters`)
  return value
}

function integer(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Invalid(`${where} must be an integer`)
  if (value < min || value > max) throw new Invalid(`${where} must be between ${min} and ${max}`)
  return value
}

// Control characters in names and paths would corrupt the UI and file names.
const controlChars = /[\u0000-\u001f\u007f]/

function vmId(value: unknown, where = 'id'): string {
  const id = string(value, where, 1, 64)
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Invalid(`${where} must contain only letters, digits and '-'`)
  return id
}

function port(value: unknown): number {
  return integer(value, 'port', 0, limits.ports - 1)
}

function byteString(value: unknown, where: string, max: number): string {
  const s = string(value, where, 0, max)
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) throw new Invalid(`${where} must be a byte string (char codes 0..255)`)
  }
  return s
}

function filePath(value: unknown, where: string): string {
  const p = string(value, where, 1, limits.pathMaxLength)
  if (controlChars.test(p)) throw new Invalid(`${where} must not contain control characters`)
  return p
}

function bootSource(value: unknown): BootSource {
  const o = object(value, 'config.boot', ['kind', 'guest', 'kernelPath', 'initrdPath', 'cmdline'])
  if (o.kind === 'bundled') {
    object(value, 'config.boot', ['kind', 'guest'])
    const guest = string(o.guest, 'config.boot.guest', 1, 64)
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(guest) || guest.includes('..')) {
      throw new Invalid('config.boot.guest must be a bundled guest name like "hello"')
    }
    return { kind: 'bundled', guest }
  }
  if (o.kind === 'kernel') {
    const boot: BootSource = { kind: 'kernel', kernelPath: filePath(o.kernelPath, 'config.boot.kernelPath') }
    if (o.initrdPath !== undefined) boot.initrdPath = filePath(o.initrdPath, 'config.boot.initrdPath')
    if (o.cmdline !== undefined) {
      const cmdline = string(o.cmdline, 'config.boot.cmdline', 0, limits.cmdlineMaxLength)
      if (controlChars.test(cmdline)) throw new Invalid('config.boot.cmdline must not contain control characters')
      boot.cmdline = cmdline
    }
    return boot
  }
  throw new Invalid('config.boot.kind must be "bundled" or "kernel"')
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(`${where} must be true or false`)
  return value
}

function oneOf<T extends string>(value: unknown, where: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Invalid(`${where} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`)
  }
  return value as T
}

function processorSettings(value: unknown): ProcessorSettings {
  const o = object(value, 'config.processor', ['reserve', 'limit', 'weight', 'compatibilityMode'])
  const reserve = integer(o.reserve, 'config.processor.reserve', 0, limits.processorPercentMax)
  const limit = integer(o.limit, 'config.processor.limit', 0, limits.processorPercentMax)
  const weight = integer(o.weight, 'config.processor.weight', limits.processorWeightMin, limits.processorWeightMax)
  // TLFS ch. 18: a partition's CPU reserve may not exceed its cap (HvSetPartitionProperty refuses it).
  if (reserve > limit) throw new Invalid(`config.processor.reserve (${reserve} %) must not exceed the limit (${limit} %)`)
  if (limit === 0) throw new Invalid('config.processor.limit must be at least 1 % (0 % would never run the VM)')
  return { reserve, limit, weight, compatibilityMode: boolean(o.compatibilityMode, 'config.processor.compatibilityMode') }
}

/** A folder on the host; the host resolves nothing relative to its own working folder. */
function absoluteFolder(value: unknown, where: string): string {
  const folder = filePath(value, where)
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder)) throw new Invalid(`${where} must be an absolute folder path`)
  return folder
}

/** Hypervisor Settings; `checkpointsFolder` may be '' (inside each VM's folder). */
export function validateHostSettings(value: unknown, where = 'settings'): HostSettings {
  const o = object(value, where, ['virtualMachinesFolder', 'checkpointsFolder', 'automaticActions'])
  const checkpoints = o.checkpointsFolder === '' ? '' : absoluteFolder(o.checkpointsFolder, `${where}.checkpointsFolder`)
  return {
    virtualMachinesFolder: absoluteFolder(o.virtualMachinesFolder, `${where}.virtualMachinesFolder`),
    checkpointsFolder: checkpoints,
    automaticActions: boolean(o.automaticActions, `${where}.automaticActions`),
  }
}

function checkpointSettings(value: unknown): CheckpointSettings {
  const o = object(value, 'config.checkpoints', ['enabled', 'type', 'fallbackToStandard', 'location'])
  const settings: CheckpointSettings = {
    enabled: boolean(o.enabled, 'config.checkpoints.enabled'),
    type: oneOf(o.type, 'config.checkpoints.type', CheckpointTypes),
    fallbackToStandard: boolean(o.fallbackToStandard, 'config.checkpoints.fallbackToStandard'),
  }
  if (o.location !== undefined) {
    settings.location = absoluteFolder(o.location, 'config.checkpoints.location')
  }
  return settings
}

export function validateVmConfig(value: unknown): VmConfig {
  const o = object(value, 'config', [
    'name', 'memoryMiB', 'cpus', 'boot', 'clock', 'comPorts', 'onTripleFault', 'notes', 'debug',
    'processor', 'checkpoints', 'automaticStartAction', 'automaticStartDelaySeconds', 'automaticStopAction',
  ])
  const name = vmName(o.name)
  const memoryMiB = integer(o.memoryMiB, 'config.memoryMiB', limits.memoryMiBMin, limits.memoryMiBMax)
  const cpus = integer(o.cpus, 'config.cpus', limits.cpusMin, limits.cpusMax)
  const boot = bootSource(o.boot)
  if (typeof o.clock !== 'string' || !(ClockKinds as readonly string[]).includes(o.clock)) {
    throw new Invalid('config.clock must be "virtual" or "host"')
  }
  // The three later fields are optional on input so version-1 inventory files still load.
  const comPorts = o.comPorts === undefined ? 2 : integer(o.comPorts, 'config.comPorts', 1, 2)
  if (o.onTripleFault !== undefined && !(TripleFaultActions as readonly unknown[]).includes(o.onTripleFault)) {
    throw new Invalid('config.onTripleFault must be "stop" or "reset"')
  }
  const onTripleFault = (o.onTripleFault ?? 'stop') as VmConfig['onTripleFault']
  const notes = o.notes === undefined ? '' : string(o.notes, 'config.notes', 0, limits.notesMaxLength)
  if (o.debug !== undefined && typeof o.debug !== 'boolean') throw new Invalid('config.debug must be true or false')
  const config: VmConfig = { name, memoryMiB, cpus, boot, clock: o.clock as VmConfig['clock'], comPorts: comPorts as 1 | 2, onTripleFault, notes }
  if (o.debug !== undefined) config.debug = o.debug as boolean
  // Later optional sections: absent means Hyper-V's defaults, so older VM files load unchanged.
  if (o.processor !== undefined) config.processor = processorSettings(o.processor)
  if (o.checkpoints !== undefined) config.checkpoints = checkpointSettings(o.checkpoints)
  if (o.automaticStartAction !== undefined) config.automaticStartAction = oneOf(o.automaticStartAction, 'config.automaticStartAction', AutomaticStartActions)
  if (o.automaticStartDelaySeconds !== undefined) {
    config.automaticStartDelaySeconds = integer(o.automaticStartDelaySeconds, 'config.automaticStartDelaySeconds', 0, limits.startDelayMaxSeconds)
  }
  if (o.automaticStopAction !== undefined) config.automaticStopAction = oneOf(o.automaticStopAction, 'config.automaticStopAction', AutomaticStopActions)
  return config
}

function vmName(value: unknown): string {
  const name = string(value, 'config.name', 1, limits.nameMaxLength)
  if (controlChars.test(name)) throw new Invalid('config.name must not contain control characters')
  if (name.trim() !== name || name.trim().length === 0) {
    throw new Invalid('config.name must not start or end with spaces')
  }
  return name
}

/** A checkpoint name: `min` 0 lets the host pick Hyper-V's default name. */
function checkpointName(value: unknown, min: number): string {
  const name = string(value, 'name', min, limits.checkpointNameMaxLength)
  if (controlChars.test(name)) throw new Invalid('name must not contain control characters')
  if (name.trim() !== name) throw new Invalid('name must not start or end with spaces')
  return name
}

/** A plain file name (no folders), for uploads. */
function fileName(value: unknown): string {
  const n = string(value, 'name', 1, limits.fileNameMaxLength)
  if (controlChars.test(n) || /[\\/:*?"<>|]/.test(n) || n === '.' || n === '..' || n.startsWith('.')) {
    throw new Invalid('name must be a plain file name (no folders, no leading dot, none of \\ / : * ? " < > |)')
  }
  return n
}

function base64(value: unknown, where: string, max: number): string {
  const s = string(value, where, 0, max)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new Invalid(`${where} must be base64`)
  return s
}

type Validators = { [C in Channel]: (args: unknown) => CommandArgs<C> }

const empty = (args: unknown): Record<string, never> => {
  // `undefined` is allowed for argument-less commands: callers often send nothing.
  if (args === undefined) return {}
  object(args, 'arguments', [])
  return {}
}

const byId = (args: unknown): { id: string } => {
  const o = object(args, 'arguments', ['id'])
  return { id: vmId(o.id) }
}

const validators: Validators = {
  'host:info': empty,
  'vm:list': empty,
  'vm:get': byId,
  'vm:create': (args) => {
    const o = object(args, 'arguments', ['config', 'location'])
    const config = validateVmConfig(o.config)
    return o.location === undefined ? { config } : { config, location: absoluteFolder(o.location, 'location') }
  },
  'vm:start': byId,
  'vm:turnOff': byId,
  'vm:delete': byId,
  'vm:pause': byId,
  'vm:resume': byId,
  'vm:reset': byId,
  'vm:shutDown': byId,
  'vm:update': (args) => {
    const o = object(args, 'arguments', ['id', 'config'])
    return { id: vmId(o.id), config: validateVmConfig(o.config) }
  },
  'vm:save': byId,
  'vm:checkpoint': (args) => {
    const o = object(args, 'arguments', ['id', 'name'])
    return { id: vmId(o.id), name: checkpointName(o.name, 0) }
  },
  'checkpoint:list': byId,
  'checkpoint:apply': (args) => {
    const o = object(args, 'arguments', ['id', 'checkpointId', 'createFirst'])
    if (typeof o.createFirst !== 'boolean') throw new Invalid('createFirst must be true or false')
    return { id: vmId(o.id), checkpointId: vmId(o.checkpointId, 'checkpointId'), createFirst: o.createFirst }
  },
  'checkpoint:rename': (args) => {
    const o = object(args, 'arguments', ['id', 'checkpointId', 'name'])
    return { id: vmId(o.id), checkpointId: vmId(o.checkpointId, 'checkpointId'), name: checkpointName(o.name, 1) }
  },
  'checkpoint:delete': (args) => {
    const o = object(args, 'arguments', ['id', 'checkpointId', 'subtree'])
    if (typeof o.subtree !== 'boolean') throw new Invalid('subtree must be true or false')
    return { id: vmId(o.id), checkpointId: vmId(o.checkpointId, 'checkpointId'), subtree: o.subtree }
  },
  'vm:hvStats': byId,
  'vm:eventLog': (args) => {
    const o = object(args, 'arguments', ['id', 'cursor'])
    return { id: vmId(o.id), cursor: integer(o.cursor ?? 0, 'cursor', 0, Number.MAX_SAFE_INTEGER) }
  },
  'debug:input': (args) => {
    const o = object(args, 'arguments', ['id', 'data'])
    return { id: vmId(o.id), data: byteString(o.data, 'data', limits.consoleInputMaxBytes) }
  },
  'file:upload': (args) => {
    const o = object(args, 'arguments', ['uploadId', 'name', 'offset', 'data', 'final'])
    if (typeof o.final !== 'boolean') throw new Invalid('final must be true or false')
    return {
      uploadId: vmId(o.uploadId, 'uploadId'),
      name: fileName(o.name),
      offset: integer(o.offset, 'offset', 0, limits.uploadMaxBytes),
      data: base64(o.data, 'data', limits.uploadChunkMaxChars),
      final: o.final,
    }
  },
  'shell:openFile': (args) => {
    const o = object(args, 'arguments', ['title'])
    return { title: string(o.title, 'title', 1, 200) }
  },
  'shell:openConnect': byId,
  'shell:openFolder': (args) => {
    const o = object(args, 'arguments', ['title', 'defaultPath'])
    const title = string(o.title, 'title', 1, 200)
    return o.defaultPath === undefined ? { title } : { title, defaultPath: filePath(o.defaultPath, 'defaultPath') }
  },
  'console:input': (args) => {
    const o = object(args, 'arguments', ['id', 'port', 'data'])
    return { id: vmId(o.id), port: port(o.port), data: byteString(o.data, 'data', limits.consoleInputMaxBytes) }
  },
  'console:history': (args) => {
    const o = object(args, 'arguments', ['id', 'port'])
    return { id: vmId(o.id), port: port(o.port) }
  },
  'vm:export': (args) => {
    const o = object(args, 'arguments', ['id', 'path'])
    return { id: vmId(o.id), path: filePath(o.path, 'path') }
  },
  'vm:import': (args) => ({ path: filePath(object(args, 'arguments', ['path']).path, 'path') }),
  'vm:package': byId,
  'package:read': (args) => {
    const o = object(args, 'arguments', ['packageId', 'offset'])
    return { packageId: vmId(o.packageId, 'packageId'), offset: integer(o.offset, 'offset', 0, Number.MAX_SAFE_INTEGER) }
  },
  'package:discard': (args) => ({ packageId: vmId(object(args, 'arguments', ['packageId']).packageId, 'packageId') }),
  'vm:completeMove': (args) => {
    const o = object(args, 'arguments', ['id', 'packageId'])
    return { id: vmId(o.id), packageId: vmId(o.packageId, 'packageId') }
  },
  'host:stopAll': (args) => {
    const o = object(args, 'arguments', ['mode', 'timeoutSeconds'])
    const mode = oneOf(o.mode, 'mode', StopAllModes)
    if (o.timeoutSeconds === undefined) return { mode }
    return { mode, timeoutSeconds: integer(o.timeoutSeconds, 'timeoutSeconds', 1, limits.stopAllTimeoutMaxSeconds) }
  },
  'host:getSettings': empty,
  'host:setSettings': (args) => ({ settings: validateHostSettings(object(args, 'arguments', ['settings']).settings) }),
}

/** Validates a command's channel and arguments; never throws. */
export function validateArgs<C extends Channel>(channel: C, args: unknown): Result<CommandArgs<C>>
export function validateArgs(channel: unknown, args: unknown): Result<unknown>
export function validateArgs(channel: unknown, args: unknown): Result<unknown> {
  if (!isChannel(channel)) {
    return fail(ErrorCode.UNKNOWN_CHANNEL, `Unknown command "${String(channel).slice(0, 64)}"`)
  }
  try {
    return ok(validators[channel](args))
  } catch (e) {
    if (e instanceof Invalid) return fail(ErrorCode.INVALID_ARGUMENT, `${channel}: ${e.message}`)
    return fail(ErrorCode.INVALID_ARGUMENT, `${channel}: arguments could not be read`)
  }
}
