import { it } from 'vitest'
import { Driven, guestConfig } from './machine-harness'
it('probe', async () => {
  for (const mem of [2, 4]) {
    const d = new Driven(guestConfig('hello.elf', undefined, mem))
    await d.machine.start()
    const t0 = Date.now()
    const n = d.runToEnd(300)
    console.log(mem, n, 'turns', Date.now() - t0, 'ms', d.stop, d.machine.state, JSON.stringify(d.serial.slice(-200)))
    if (d.machine.state === 'Running') { const img = d.machine.captureSavedState(); console.log('container bytes', img.length) }
    d.machine.sendSerial(0, new Uint8Array([0x61, 0x62, 0x0d]))
    console.log(d.runToEnd(300), JSON.stringify(d.serial.slice(-50)))
  }
}, 120000)
