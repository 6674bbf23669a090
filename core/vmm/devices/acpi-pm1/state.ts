/** Saved state of the ACPI PM1 registers. */
export interface AcpiPm1State {
  version: 1
  status: number
  enable: number
  control: number
}

export function checkAcpiPm1State(s: unknown): AcpiPm1State {
  const o = s as Partial<AcpiPm1State> | null
  if (!o || typeof o !== 'object' || o.version !== 1) throw new Error('acpi-pm1 state: unsupported or missing version')
  for (const k of ['status', 'enable', 'control'] as const) {
    const v = o[k]
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffff) throw new Error(`acpi-pm1 state: bad ${k}`)
  }
  return o as AcpiPm1State
}
