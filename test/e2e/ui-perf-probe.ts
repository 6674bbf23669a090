/**
 * Responsiveness probes for the e2e performance tests, installed into the page before it
 * loads: input latency per click/keydown (from the event's own timestamp — when Chromium
 * received the input — to the first task after the next animation frame, i.e. after the
 * frame that shows the handlers' DOM changes was produced), the Event Timing API's
 * durations for the same inputs, Long Tasks, and the gaps between animation frames.
 */
import type { BrowserContext, Page } from 'playwright-core'

export interface ProbeResult {
  /** Input latency samples in ms (event timestamp → after the next frame). */
  latency: number[]
  /** Event Timing entries (≥ 16 ms only, as the API reports) for click/keydown/pointerdown, in ms. */
  eventTiming: number[]
  /** Long tasks (> 50 ms) since the last reset, in ms. */
  longTasks: number[]
  /** Gaps between consecutive animation frames since the last reset, in ms. */
  frameGaps: number[]
}

/** The page side, as a string so it runs before the app's own scripts. */
const probeSource = `(() => {
  const p = { latency: [], eventTiming: [], longTasks: [], frameGaps: [] }
  window.__hvProbe = p
  const measure = (e) => {
    const t0 = e.timeStamp
    requestAnimationFrame(() => setTimeout(() => p.latency.push(performance.now() - t0), 0))
  }
  addEventListener('click', measure, true)
  addEventListener('keydown', measure, true)
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (['click', 'keydown', 'pointerdown'].includes(e.name)) p.eventTiming.push(e.duration)
    }).observe({ type: 'event', durationThreshold: 16, buffered: true })
  } catch {}
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) p.longTasks.push(e.duration) }).observe({ type: 'longtask', buffered: true })
  } catch {}
  let last = 0
  const frame = (t) => {
    if (last) p.frameGaps.push(t - last)
    last = t
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
})()`

export async function installProbe(page: Page): Promise<void> {
  await page.addInitScript(probeSource)
}

/** Returns what the probe collected and empties it. */
export async function takeProbe(page: Page): Promise<ProbeResult> {
  return page.evaluate(() => {
    const p = (globalThis as unknown as { __hvProbe: ProbeResult }).__hvProbe
    const out = { latency: [...p.latency], eventTiming: [...p.eventTiming], longTasks: [...p.longTasks], frameGaps: [...p.frameGaps] }
    p.latency.length = p.eventTiming.length = p.longTasks.length = p.frameGaps.length = 0
    return out
  })
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

export function summary(values: number[]): string {
  const f = (n: number): string => n.toFixed(1)
  return `n=${values.length} p50=${f(percentile(values, 0.5))} p95=${f(percentile(values, 0.95))} max=${f(Math.max(...values))} ms`
}

/** Starts a CPU profile of the page; the returned function stops it and lists the top functions by self time. */
export async function startProfile(ctx: BrowserContext, page: Page): Promise<() => Promise<string>> {
  const cdp = await ctx.newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.start')
  return async () => {
    const { profile } = await cdp.send('Profiler.stop')
    const perNode = new Map<number, number>()
    profile.samples?.forEach((id, i) => perNode.set(id, (perNode.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)))
    const self = new Map<string, number>()
    for (const n of profile.nodes) {
      const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`
      self.set(k, (self.get(k) ?? 0) + (perNode.get(n.id) ?? 0) / 1000)
    }
    return [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0)} ms ${k}`).join('\n')
  }
}
