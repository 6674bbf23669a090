/**
 * QEMU fw_cfg, I/O port interface (docs/specs/fw_cfg.rst): 16-bit selector at 0x510,
 * byte-wide data at 0x511, and the well-known selector keys. The file directory (key
 * 0x19) is big-endian: a u32 count, then per file {u32 size, u16 select, u16 reserved,
 * char name[56]}.
 */

export const FW_CFG_SELECTOR_PORT = 0x510
export const FW_CFG_DATA_PORT = 0x511

export const FwCfgKey = {
  SIGNATURE: 0x0000, ID: 0x0001, UUID: 0x0002, RAM_SIZE: 0x0003, NOGRAPHIC: 0x0004, NB_CPUS: 0x0005,
  MAX_CPUS: 0x000f, CMDLINE_SIZE: 0x0014, CMDLINE_DATA: 0x0015, FILE_DIR: 0x0019, FILE_FIRST: 0x0020,
} as const
/** Selector bit 14: "write" (ignored: writes through the data port are not supported). */
export const FW_CFG_WRITE_CHANNEL = 0x4000
export const FW_CFG_FILE_NAME_SIZE = 56
/** ID bit 0: the traditional interface (no DMA). */
export const FW_CFG_VERSION_TRADITIONAL = 1
