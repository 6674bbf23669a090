/**
 * The Statistics chart's y axis: rates are never negative, so the scale runs from 0 to a
 * round number above the largest value (at least 1, so an all-zero or single-sample series
 * still gets a readable axis instead of a lone "0"), and tick labels are compact (12.5 K,
 * 3 M) so they fit the axis' width whatever the magnitude.
 */

/** The smallest 1, 2 or 5 × 10^k that is ≥ `v` (v > 0). */
export function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

/** The y range for rates whose largest value is `max` (null or NaN when there is no data yet). */
export function rateRange(max: number | null): [number, number] {
  if (max === null || !Number.isFinite(max) || max <= 0) return [0, 1]
  return [0, niceCeil(max * 1.1)]
}

/** A tick label: up to 3 significant digits with K/M/G, e.g. 0, 0.5, 950, 12.5 K, 3 M. */
export function compactNumber(n: number): string {
  const a = Math.abs(n)
  const units: [number, string][] = [[1e9, ' G'], [1e6, ' M'], [1e3, ' K']]
  for (const [scale, unit] of units) if (a >= scale) return `${trim(n / scale)}${unit}`
  return trim(n)
}

function trim(n: number): string {
  return String(Number(n.toPrecision(3)))
}
