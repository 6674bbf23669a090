/** Display formats of the VM list, as Hyper-V Manager shows them. */

/** Uptime as `hh:mm:ss`, or `d.hh:mm:ss` past a day. */
export function formatUptime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(total / 86400)
  const pad = (n: number): string => String(n).padStart(2, '0')
  const hms = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`
  return d > 0 ? `${d}.${hms}` : hms
}

export function formatMemory(mib: number): string {
  return `${mib} MB`
}

export const UNKNOWN = '—'
