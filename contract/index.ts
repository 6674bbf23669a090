/**
 * The HV Manager contract: the only thing the renderer, the Electron shell and the host share.
 */
export * from './types'
export * from './channels'
export * from './errors'
export * from './validate'
export * from './wire'
export * from './bytes'
export * from './bridge'
export * from './menu'
