/**
 * A test-only seam for the persistence kill tests: when the environment variable
 * `HV_TEST_CRASH_AT` names a crash point, the process kills itself with SIGKILL (no
 * handlers, no flushing, like a power cut for the process) the moment it reaches that point.
 * Unset (always, outside tests) it costs one comparison per call.
 *
 * Syntax: `HV_TEST_CRASH_AT=<point>[:<file name part>][#<n>]` — the n-th time (default 1)
 * the point is reached for a file whose path contains `<file name part>`. Points:
 * - `atomic:temp-partial` half the data is in the temp file (torn write)
 * - `atomic:before-rename` the temp file is complete and fsynced, the target is unchanged
 * - `atomic:after-rename` the target is replaced, its folder not yet fsynced
 * - `inventory:after-index` delete: the index no longer lists the VM, its files remain
 * - `import:staged` import: files copied into the staging folder, not yet registered
 * - `export:written` export: the temp folder is complete, not yet renamed into place
 * - `move:before-delete` move: the target acknowledged the import, the source still has the VM
 */
const spec = typeof process !== 'undefined' ? process.env.HV_TEST_CRASH_AT : undefined
const parsed = spec ? parse(spec) : null
let hits = 0

function parse(text: string): { point: string; file: string; n: number } {
  const m = /^([a-z-]+:[a-z-]+)(?::([^#]*))?(?:#(\d+))?$/.exec(text)
  if (!m) throw new Error(`HV_TEST_CRASH_AT="${text}" is not <point>[:<file>][#<n>]`)
  return { point: m[1]!, file: m[2] ?? '', n: m[3] ? Number(m[3]) : 1 }
}

/** Dies here if HV_TEST_CRASH_AT names this point (and `path` matches its file part). */
export function crashPoint(point: string, path = ''): void {
  if (!parsed || parsed.point !== point || !path.includes(parsed.file)) return
  if (++hits < parsed.n) return
  process.stderr.write(`HV_TEST_CRASH_AT: crashing at ${point} ${path}\n`)
  process.kill(process.pid, 'SIGKILL')
}
