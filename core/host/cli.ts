/**
 * The `hv-manager` command line (bundled by scripts/build-core.mjs into out/cli/hv-manager.js).
 * Verbs: `serve` (serve-command.ts) and `run` (run-command.ts); see USAGE.
 */
import { readAppVersion } from './app-paths'
import { runCommand } from './run-command'
import { serveCommand } from './serve-command'
import { tuneV8ForGuestCode } from './v8-tuning'

const USAGE = `usage: hv-manager <verb> [options]
  serve [--port N] [--host 127.0.0.1] [--data-dir DIR] [--no-default-vm]
                                                        serve the manager UI (open the printed URL)
  run <kernel> [options]                                 boot a guest headless (hv-manager run --help)
  --version                                              print the version`

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  try {
    switch (verb) {
      case 'serve':
        return await serveCommand(rest)
      case 'run':
        return await runCommand(rest)
      case '--version':
      case 'version':
        process.stdout.write(`${readAppVersion()}\n`)
        return 0
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE + '\n')
        return verb === undefined ? 2 : 0
      default:
        process.stderr.write(`hv-manager: unknown verb '${verb}'\n${USAGE}\n`)
        return 2
    }
  } catch (e) {
    process.stderr.write(`hv-manager ${verb}: ${(e as Error).message}\n`)
    return 1
  }
}

tuneV8ForGuestCode()
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`hv-manager: ${String(e)}\n`)
    process.exit(1)
  },
)
