/**
 * The default per-user folder for the VM inventory, shared by the CLI (`serve`) and the
 * Electron app so both manage the same VMs: `<config dir>/hv-manager/inventory`.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = homedir()
  let base: string
  if (platform === 'win32') base = env.APPDATA ?? join(home, 'AppData', 'Roaming')
  else if (platform === 'darwin') base = join(home, 'Library', 'Application Support')
  else base = env.XDG_CONFIG_HOME ?? join(home, '.config')
  return join(base, 'hv-manager', 'inventory')
}
