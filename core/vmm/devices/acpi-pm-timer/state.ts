/** The PM timer has no state of its own: its value is a function of guest time. */

export interface AcpiPmTimerState {
  version: 1
}
