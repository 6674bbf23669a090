/** Saved state of fw_cfg: the selected key and offset (the items are rebuilt from config). */

export interface FwCfgState {
  version: 1
  selector: number
  offset: number
}

export function checkFwCfgState(s: unknown): FwCfgState {
  const o = s as Partial<FwCfgState> | null
  if (!o || typeof o !== 'object' || o.version !== 1 || !Number.isInteger(o.selector) || !Number.isInteger(o.offset)) {
    throw new Error('fw_cfg state: unsupported or malformed')
  }
  return o as FwCfgState
}
