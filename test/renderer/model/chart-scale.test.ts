import { describe, expect, it } from 'vitest'
import { compactNumber, niceCeil, rateRange } from '../../../renderer/src/model/chart-scale'

describe('the Statistics chart y axis', () => {
  it('gives all-zero or missing data a 0..1 axis instead of a lone 0', () => {
    expect(rateRange(0)).toEqual([0, 1])
    expect(rateRange(null)).toEqual([0, 1])
    expect(rateRange(Number.NaN)).toEqual([0, 1])
  })

  it('rounds the top up to 1, 2 or 5 times a power of ten above the largest value', () => {
    expect(rateRange(0.3)).toEqual([0, 0.5])
    expect(rateRange(9)).toEqual([0, 10])
    expect(rateRange(57_029)).toEqual([0, 100_000])
    expect(rateRange(1_500)).toEqual([0, 2_000])
    expect(niceCeil(2)).toBe(2)
    expect(niceCeil(2.01)).toBe(5)
  })

  it('labels ticks compactly', () => {
    expect([0, 0.5, 950, 1_000, 12_500, 3_000_000, 2.5e9].map(compactNumber)).toEqual(['0', '0.5', '950', '1 K', '12.5 K', '3 M', '2.5 G'])
  })
})
