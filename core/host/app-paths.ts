/**
 * Where the app's files live: the app root (the folder holding package.json, found by
 * walking up from this module so it works from TS sources, the esbuild bundle in out/cli and
 * electron-vite's out/main), the built renderer (out/renderer) and the bundled guests
 * (resources/guests/build, or `<resourcesPath>/guests` in a packaged Electron app).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const appName = 'hv-manager'

export function findAppRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start)
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === appName) return dir
      } catch {
        // An unreadable package.json is not ours; keep walking up.
      }
    }
    const parent = dirname(dir)
    if (parent === dir) return process.cwd()
    dir = parent
  }
}

export function rendererDir(appRoot = findAppRoot()): string {
  return join(appRoot, 'out', 'renderer')
}

/** `resourcesPath` is Electron's process.resourcesPath when packaged. */
export function guestsDir(appRoot = findAppRoot(), resourcesPath?: string): string {
  if (resourcesPath) {
    const packaged = join(resourcesPath, 'guests')
    if (existsSync(packaged)) return packaged
  }
  return join(appRoot, 'resources', 'guests', 'build')
}

export function readAppVersion(appRoot = findAppRoot()): string {
  try {
    const v = (JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version?: unknown }).version
    return typeof v === 'string' ? v : '0.0.0'
  } catch {
    return '0.0.0'
  }
}
