/**
 * PCI Local Bus Specification 3.0, 3.2.2.3.2 "Configuration mechanism #1" (CONFIG_ADDRESS
 * 0xCF8, CONFIG_DATA 0xCFC-0xCFF) and the identity of an Intel 440FX host bridge.
 */

export const PCI_CONFIG_ADDRESS = 0xcf8
export const PCI_CONFIG_DATA = 0xcfc
export const PCI_ENABLE = 0x80000000

export const HOST_BRIDGE = { vendor: 0x8086, device: 0x1237, revision: 0x02, classCode: 0x060000 } as const
/** Type 0 header offsets. */
export const PciCfg = { VENDOR: 0x00, DEVICE: 0x02, COMMAND: 0x04, STATUS: 0x06, REVISION: 0x08, CLASS: 0x09, HEADER_TYPE: 0x0e } as const
