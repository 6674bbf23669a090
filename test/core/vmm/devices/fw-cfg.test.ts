import { describe, expect, it } from 'vitest'
import { FwCfg } from '../../../../core/vmm/devices/fw-cfg/fw-cfg'
import { PortBus } from '../../../../core/vmm/io/port-bus'

function readItem(bus: PortBus, key: number, n: number): number[] {
  bus.write(0x510, 2, key)
  return Array.from({ length: n }, () => bus.read(0x511, 1))
}

describe('fw_cfg', () => {
  it('serves signature, ID, RAM size, CPUs, command line and the file directory', () => {
    const bus = new PortBus()
    const fw = new FwCfg({ memoryBytes: 0x12345000, cpus: 2, cmdline: 'quiet' })
    fw.registerOn(bus)
    expect(String.fromCharCode(...readItem(bus, 0, 4))).toBe('QEMU')
    expect(readItem(bus, 1, 4)).toEqual([1, 0, 0, 0])
    expect(readItem(bus, 3, 8)).toEqual([0x00, 0x50, 0x34, 0x12, 0, 0, 0, 0])
    expect(readItem(bus, 5, 2)).toEqual([2, 0])
    expect(readItem(bus, 0x14, 4)).toEqual([6, 0, 0, 0])
    expect(String.fromCharCode(...readItem(bus, 0x15, 6))).toBe('quiet\0')
    fw.addFile('etc/b', Uint8Array.of(9, 8, 7))
    const key = fw.addFile('etc/a', Uint8Array.of(1))
    const dir = readItem(bus, 0x19, 4 + 128)
    expect(dir.slice(0, 4)).toEqual([0, 0, 0, 2])
    expect(dir.slice(4, 8)).toEqual([0, 0, 0, 1]) // etc/a first (sorted), size 1
    expect((dir[8] << 8) | dir[9]).toBe(key)
    expect(String.fromCharCode(...dir.slice(12, 17))).toBe('etc/a')
    expect(readItem(bus, key, 2)).toEqual([1, 0]) // past the end reads 0
    expect(readItem(bus, 0x1234, 1)).toEqual([0])
  })
})
