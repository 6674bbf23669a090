/**
 * Remembered window positions (issue 8 item 7): `<data dir>/window-state.json` maps a window
 * key ('main', 'connect:<vm id>') to its normal (un-maximized) bounds and whether it was
 * maximized. Loading never throws: a missing, corrupt or hand-edited file gives defaults for
 * the entries it cannot vouch for. `placeWindow` decides where a window opens so it is always
 * on a display that exists now. Plain Node: Electron's main process only feeds it
 * `screen.getAllDisplays()` work areas and window bounds (electron/main.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from './atomic-file'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export interface SavedWindow extends Rect {
  maximized: boolean
}

export type WindowStates = Record<string, SavedWindow>

export interface WindowDefaults {
  width: number
  height: number
  minWidth: number
  minHeight: number
}

/** Where to open a window; no x/y means "let the window system centre it". */
export interface Placement {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

export const WINDOW_STATE_FILE = 'window-state.json'
/** Connect windows of deleted VMs would otherwise pile up: the least recently saved go first. */
export const MAX_WINDOW_ENTRIES = 64
/** Far beyond any real desktop (16K across several monitors); larger numbers are corrupt. */
const COORD_LIMIT = 100_000
const keyPattern = /^(main|connect:[A-Za-z0-9-]{1,64})$/

export function isWindowKey(key: string): boolean {
  return keyPattern.test(key)
}

function coord(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= COORD_LIMIT
}

function size(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= COORD_LIMIT
}

function savedWindow(v: unknown): SavedWindow | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null
  const o = v as Record<string, unknown>
  if (!coord(o.x) || !coord(o.y) || !size(o.width) || !size(o.height) || typeof o.maximized !== 'boolean') return null
  return { x: o.x, y: o.y, width: o.width, height: o.height, maximized: o.maximized }
}

/** The entries of a window-state file that are well formed; anything else is dropped. */
export function parseWindowStates(text: string): WindowStates {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return {}
  }
  const out: WindowStates = {}
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out
  for (const [key, value] of Object.entries(data)) {
    const w = savedWindow(value)
    if (w && isWindowKey(key) && Object.keys(out).length < MAX_WINDOW_ENTRIES) out[key] = w
  }
  return out
}

export async function loadWindowStates(dataDir: string): Promise<WindowStates> {
  try {
    return parseWindowStates(await readFile(join(dataDir, WINDOW_STATE_FILE), 'utf8'))
  } catch {
    return {}
  }
}

export async function saveWindowStates(dataDir: string, states: WindowStates): Promise<void> {
  await writeFileAtomic(join(dataDir, WINDOW_STATE_FILE), `${JSON.stringify(states, null, 2)}\n`)
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(v, hi))
}

/**
 * Where a window opens: its saved bounds, moved and shrunk onto the display it overlaps most
 * (so a monitor that is gone, moved or now smaller never leaves it off screen), else centred
 * on the first display (callers pass the primary first). Minimum sizes win over small screens,
 * as the window system enforces them anyway.
 */
export function placeWindow(saved: SavedWindow | undefined, displays: readonly Rect[], defaults: WindowDefaults): Placement {
  const fallback: Placement = { width: defaults.width, height: defaults.height, maximized: false }
  if (!saved || displays.length === 0) return fallback
  let best: Rect | null = null
  let bestArea = 0
  for (const d of displays) {
    const a = overlap(saved, d)
    if (a > bestArea) {
      best = d
      bestArea = a
    }
  }
  const area = best ?? displays[0]!
  const width = Math.max(defaults.minWidth, Math.min(saved.width, area.width))
  const height = Math.max(defaults.minHeight, Math.min(saved.height, area.height))
  if (!best) {
    // Its monitor is gone: same size, centred on the primary display.
    const x = area.x + Math.max(0, Math.floor((area.width - width) / 2))
    const y = area.y + Math.max(0, Math.floor((area.height - height) / 2))
    return { x, y, width, height, maximized: saved.maximized }
  }
  const x = clamp(saved.x, area.x, Math.max(area.x, area.x + area.width - width))
  const y = clamp(saved.y, area.y, Math.max(area.y, area.y + area.height - height))
  return { x, y, width, height, maximized: saved.maximized }
}

/**
 * The file's contents in memory, written back (atomically) a moment after the last change so
 * a window being dragged writes once, not per pixel; `flush` writes at once (close, quit).
 */
export class WindowStateKeeper {
  private timer: ReturnType<typeof setTimeout> | null = null
  private writing: Promise<void> = Promise.resolve()
  private dirty = false

  constructor(
    private readonly dataDir: string,
    private readonly states: WindowStates,
    private readonly delayMs = 500,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  static async open(dataDir: string, delayMs?: number, onError?: (e: unknown) => void): Promise<WindowStateKeeper> {
    return new WindowStateKeeper(dataDir, await loadWindowStates(dataDir), delayMs, onError)
  }

  get(key: string): SavedWindow | undefined {
    return this.states[key]
  }

  /** Records a window's bounds (ignored when the key or numbers are not what the file allows). */
  update(key: string, state: SavedWindow): void {
    const w = savedWindow(state)
    if (!w || !isWindowKey(key)) return
    delete this.states[key]
    this.states[key] = w
    const keys = Object.keys(this.states)
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_WINDOW_ENTRIES))) delete this.states[old]
    this.dirty = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.flush(), this.delayMs)
  }

  /** Writes pending changes now; resolves when they are on disk. Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!this.dirty) return this.writing
    this.dirty = false
    const snapshot = { ...this.states }
    this.writing = this.writing.then(() => saveWindowStates(this.dataDir, snapshot)).catch((e: unknown) => {
      this.onError(e)
    })
    return this.writing
  }
}
