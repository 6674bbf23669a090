/**
 * The sections of a VM's configuration as the Settings dialog's tree lists them (Hyper-V
 * Manager's Hardware and Management groups), with the one-line summary shown under each
 * entry and the form fields each owns (so a validation message can be traced to its section).
 */
import type { ConfigForm, FormErrors } from './config-form'

export const configSections = ['processors', 'memory', 'boot', 'com', 'debugging', 'clock', 'name', 'checkpoints', 'autostart', 'autostop'] as const
export type ConfigSection = (typeof configSections)[number]

export const sectionInfo: Record<ConfigSection, { title: string; group: 'Hardware' | 'Management'; fields: (keyof ConfigForm)[] }> = {
  processors: { title: 'Processor', group: 'Hardware', fields: ['cpus', 'reserve', 'limit', 'weight', 'compatibilityMode'] },
  memory: { title: 'Memory', group: 'Hardware', fields: ['memoryMiB'] },
  boot: { title: 'Boot', group: 'Hardware', fields: ['bootKind', 'guest', 'kernelPath', 'initrdPath', 'cmdline', 'imagePath'] },
  com: { title: 'COM Ports', group: 'Hardware', fields: ['comPorts'] },
  debugging: { title: 'Debugging', group: 'Hardware', fields: ['debug'] },
  clock: { title: 'Clock and Faults', group: 'Hardware', fields: ['clock', 'onTripleFault'] },
  name: { title: 'Name and Notes', group: 'Management', fields: ['name', 'notes'] },
  checkpoints: { title: 'Checkpoints', group: 'Management', fields: ['checkpointsEnabled', 'checkpointType', 'fallbackToStandard', 'checkpointLocation'] },
  autostart: { title: 'Automatic Start Action', group: 'Management', fields: ['automaticStartAction', 'automaticStartDelay'] },
  autostop: { title: 'Automatic Stop Action', group: 'Management', fields: ['automaticStopAction'] },
}

/** Sections whose settings change the machine, so they need the VM Off (contract settingsNeedingOff). */
export const sectionNeedsOff = (s: ConfigSection): boolean => sectionInfo[s].group === 'Hardware'

export const startActionLabels = {
  nothing: 'Nothing',
  'start-if-running': 'Automatically start if it was running when the service stopped',
  'always-start': 'Always start this virtual machine automatically',
} as const
export const stopActionLabels = {
  save: 'Save the virtual machine state',
  'turn-off': 'Turn off the virtual machine',
  'shut-down': 'Shut down the guest operating system',
} as const

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p

/** The short line under a tree entry, e.g. "2 virtual processors", "64 MB", "hvshell". */
export function sectionSummary(s: ConfigSection, f: ConfigForm): string {
  switch (s) {
    case 'processors': {
      const count = f.cpus.trim() === '1' ? '1 virtual processor' : `${f.cpus.trim()} virtual processors`
      const limit = f.limit.trim() !== '100' ? `, limit ${f.limit.trim()} %` : ''
      return `${count}${limit}${f.compatibilityMode ? ', compatibility mode' : ''}`
    }
    case 'memory': return `${f.memoryMiB.trim()} MB`
    case 'boot':
      if (f.bootKind === 'bundled') return `Bundled: ${f.guest}`
      if (f.bootKind === 'linux') return f.kernelPath ? `Linux: ${baseName(f.kernelPath)}` : 'Linux kernel'
      return f.imagePath ? `Image: ${baseName(f.imagePath)}` : 'Kernel image'
    case 'com': return f.comPorts === 2 ? 'COM1 and COM2' : 'COM1'
    case 'debugging': return f.debug ? 'Debug session on' : 'Off'
    case 'clock': return `${f.clock === 'virtual' ? 'Virtual' : 'Host'} clock, triple fault: ${f.onTripleFault}`
    case 'name': return f.name
    case 'checkpoints':
      if (!f.checkpointsEnabled) return 'Disabled'
      return f.checkpointType === 'production' ? (f.fallbackToStandard ? 'Production (standard fallback)' : 'Production') : 'Standard'
    case 'autostart': {
      const delay = f.automaticStartDelay.trim() !== '0' ? `, ${f.automaticStartDelay.trim()} s delay` : ''
      return { nothing: 'None', 'start-if-running': 'Restart if previously running', 'always-start': 'Always start' }[f.automaticStartAction] + delay
    }
    case 'autostop': return { save: 'Save', 'turn-off': 'Turn off', 'shut-down': 'Shut down' }[f.automaticStopAction]
  }
}

/** The first section (in tree order) with a validation message, if any. */
export function firstSectionWithError(e: FormErrors): ConfigSection | null {
  return configSections.find((s) => sectionInfo[s].fields.some((k) => e[k] !== undefined)) ?? null
}
