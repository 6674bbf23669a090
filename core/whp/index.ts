/** Public surface of core/whp: the WHv-style API the VMM uses to run a child partition. */
export * from './whp-api'
export * from './whp-types'
export * from './whp-vp-state'
export * from './whp-save-restore'
export * from './whp-interrupts'
