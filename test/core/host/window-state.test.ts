/**
 * Remembered window positions (core/host/window-state.ts): the file round trip through real
 * files in a temp folder (atomic write, corrupt or hand-edited files read as defaults without
 * throwing, the debounced keeper) and `placeWindow` against sets of displays (same monitor,
 * monitor gone, monitor smaller, window straddling two monitors, minimum sizes).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  MAX_WINDOW_ENTRIES, WINDOW_STATE_FILE, WindowStateKeeper, loadWindowStates, parseWindowStates, placeWindow, saveWindowStates,
  type Rect, type SavedWindow,
} from '../../../core/host/window-state'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hv-winstate-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const file = () => join(dir, WINDOW_STATE_FILE)
const win = (x: number, y: number, width: number, height: number, maximized = false): SavedWindow => ({ x, y, width, height, maximized })
const defaults = { width: 1240, height: 780, minWidth: 800, minHeight: 500 }
const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1050 }
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 }

describe('window-state.json', () => {
  it('round-trips every window through the file and leaves no temp file', async () => {
    const states = { main: win(100, 80, 1300, 820, true), 'connect:vm-1': win(2000, 40, 820, 600) }
    await saveWindowStates(dir, states)
    expect(await loadWindowStates(dir)).toEqual(states)
    expect(readdirSync(dir)).toEqual([WINDOW_STATE_FILE])
  })

  it('reads a missing, unreadable or corrupt file as no saved windows', async () => {
    expect(await loadWindowStates(dir)).toEqual({})
    writeFileSync(file(), '{"main": {"x": 1, "y"')
    expect(await loadWindowStates(dir)).toEqual({})
    writeFileSync(file(), '[1,2,3]')
    expect(await loadWindowStates(dir)).toEqual({})
    rmSync(file())
    mkdirSync(file()) // a folder where the file should be
    expect(await loadWindowStates(dir)).toEqual({})
  })

  it('keeps the well-formed entries of a hand-edited file and drops the rest', () => {
    const parsed = parseWindowStates(JSON.stringify({
      main: win(10, 20, 900, 600),
      'connect:ok-1': win(-1920, 0, 820, 600, true),
      'connect:bad id!': win(0, 0, 800, 600),
      other: win(0, 0, 800, 600),
      'connect:a': { x: 0, y: 0, width: 0, height: 600, maximized: false },
      'connect:b': { x: 0.5, y: 0, width: 800, height: 600, maximized: false },
      'connect:c': { x: 0, y: 0, width: 800, height: 1e9, maximized: false },
      'connect:d': { x: 0, y: 0, width: 800, height: 600, maximized: 'yes' },
      'connect:e': { x: 0, y: 0, width: 800, height: 600 },
      'connect:f': null,
    }))
    expect(parsed).toEqual({ main: win(10, 20, 900, 600), 'connect:ok-1': win(-1920, 0, 820, 600, true) })
  })

  it('keeps at most the most recently saved windows and writes once per burst of moves', async () => {
    const keeper = await WindowStateKeeper.open(dir, 20)
    for (let i = 0; i < MAX_WINDOW_ENTRIES + 5; i++) keeper.update(`connect:vm-${i}`, win(i, i, 820, 600))
    keeper.update('main', win(5, 6, 1000, 700))
    keeper.update('main', win(7, 8, 1001, 701))
    keeper.update('bogus key', win(0, 0, 800, 600))
    expect(readdirSync(dir)).toEqual([]) // debounced: nothing yet
    await new Promise((r) => setTimeout(r, 80))
    const onDisk = JSON.parse(readFileSync(file(), 'utf8')) as Record<string, SavedWindow>
    expect(Object.keys(onDisk)).toHaveLength(MAX_WINDOW_ENTRIES)
    expect(onDisk.main).toEqual(win(7, 8, 1001, 701))
    expect(onDisk['connect:vm-0']).toBeUndefined()
    expect(onDisk[`connect:vm-${MAX_WINDOW_ENTRIES + 4}`]).toEqual(win(MAX_WINDOW_ENTRIES + 4, MAX_WINDOW_ENTRIES + 4, 820, 600))
    expect(onDisk['bogus key']).toBeUndefined()
  })

  it('flush writes at once and a write failure is reported, not thrown', async () => {
    const keeper = await WindowStateKeeper.open(dir, 60_000)
    keeper.update('main', win(1, 2, 900, 600))
    await keeper.flush()
    expect((await loadWindowStates(dir)).main).toEqual(win(1, 2, 900, 600))
    const errors: unknown[] = []
    const broken = new WindowStateKeeper(join(dir, 'missing', 'folder'), {}, 60_000, (e) => errors.push(e))
    broken.update('main', win(1, 2, 900, 600))
    await expect(broken.flush()).resolves.toBeUndefined()
    expect(errors).toHaveLength(1)
  })
})

describe('placeWindow', () => {
  it('uses the defaults, centred by the window system, when nothing was saved', () => {
    expect(placeWindow(undefined, [laptop], defaults)).toEqual({ width: 1240, height: 780, maximized: false })
    expect(placeWindow(win(10, 10, 900, 600), [], defaults)).toEqual({ width: 1240, height: 780, maximized: false })
  })

  it('restores a window that still fits its monitor exactly, maximized flag included', () => {
    expect(placeWindow(win(2100, 50, 1500, 900, true), [laptop, rightMonitor], defaults)).toEqual({ x: 2100, y: 50, width: 1500, height: 900, maximized: true })
  })

  it('centres a window on the primary display when its monitor is gone', () => {
    const p = placeWindow(win(2100, 50, 1500, 900), [laptop], defaults)
    expect(p).toEqual({ x: 210, y: 75, width: 1500, height: 900, maximized: false })
  })

  it('shrinks and moves a window onto a monitor that is now smaller', () => {
    const small: Rect = { x: 1920, y: 0, width: 1280, height: 720 }
    const p = placeWindow(win(2800, 300, 2000, 1200), [laptop, small], defaults)
    expect(p).toEqual({ x: 1920, y: 0, width: 1280, height: 720, maximized: false })
  })

  it('pulls a window hanging off an edge back inside the display it overlaps most', () => {
    // Mostly on the right monitor, partly past its bottom-right corner.
    const p = placeWindow(win(3900, 1000, 1000, 600), [laptop, rightMonitor], defaults)
    expect(p).toEqual({ x: 1920 + 2560 - 1000, y: 1400 - 600, width: 1000, height: 600, maximized: false })
    // Straddling both, more on the laptop: stays on the laptop.
    const q = placeWindow(win(1300, 100, 1000, 600), [laptop, rightMonitor], defaults)
    expect(q).toEqual({ x: 1920 - 1000, y: 100, width: 1000, height: 600, maximized: false })
  })

  it('handles monitors left of or above the primary (negative coordinates)', () => {
    const left: Rect = { x: -1280, y: -200, width: 1280, height: 1024 }
    expect(placeWindow(win(-1200, -150, 900, 600), [laptop, left], defaults)).toEqual({ x: -1200, y: -150, width: 900, height: 600, maximized: false })
  })

  it('enforces the minimum size over a tiny saved size or a tiny screen', () => {
    expect(placeWindow(win(10, 10, 200, 100), [laptop], defaults)).toEqual({ x: 10, y: 10, width: 800, height: 500, maximized: false })
    const tiny: Rect = { x: 0, y: 0, width: 640, height: 480 }
    expect(placeWindow(win(0, 0, 1000, 700), [tiny], defaults)).toEqual({ x: 0, y: 0, width: 800, height: 500, maximized: false })
  })
})
