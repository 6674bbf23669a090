import { describe, expect, it } from 'vitest'
import { canTransition, Lifecycle, LifecycleError } from '../../../core/vmm/lifecycle'
import type { VmState } from '../../../core/vmm/machine-api'

const STATES: VmState[] = ['Off', 'Starting', 'Running', 'Paused', 'Saving', 'Saved', 'Restoring', 'Stopping']
const LEGAL = new Set([
  'Off>Starting', 'Off>Restoring', 'Starting>Running', 'Starting>Off', 'Running>Paused', 'Running>Saving', 'Running>Stopping',
  'Paused>Running', 'Paused>Saving', 'Paused>Stopping', 'Saving>Saved', 'Saving>Running', 'Saving>Paused', 'Saved>Restoring',
  'Saved>Off', 'Restoring>Running', 'Restoring>Paused', 'Restoring>Off', 'Restoring>Saved', 'Stopping>Off',
])

describe('VM lifecycle state machine', () => {
  for (const from of STATES) {
    for (const to of STATES) {
      const legal = LEGAL.has(`${from}>${to}`)
      it(`${from} → ${to} is ${legal ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(legal)
        const l = new Lifecycle()
        // walk to `from` through legal steps
        const path: Record<VmState, VmState[]> = {
          Off: [], Starting: ['Starting'], Running: ['Starting', 'Running'], Paused: ['Starting', 'Running', 'Paused'],
          Saving: ['Starting', 'Running', 'Saving'], Saved: ['Starting', 'Running', 'Saving', 'Saved'],
          Restoring: ['Restoring'], Stopping: ['Starting', 'Running', 'Stopping'],
        }
        for (const s of path[from]) l.transition(s)
        expect(l.state).toBe(from)
        if (legal) {
          l.transition(to)
          expect(l.state).toBe(to)
        } else {
          expect(() => l.transition(to)).toThrow(LifecycleError)
          expect(l.state).toBe(from)
        }
      })
    }
  }

  it('names both states in a refusal and notifies listeners on change', () => {
    const l = new Lifecycle()
    const seen: VmState[] = []
    l.onChange((s) => seen.push(s))
    expect(() => l.transition('Running')).toThrow(/Off.*Running/)
    l.transition('Starting')
    l.transition('Off', true)
    expect(seen).toEqual(['Starting', 'Off'])
  })
})
