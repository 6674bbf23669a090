/**
 * HV_MESSAGE (TLFS 14.8 / 16): a 256-byte SIM slot = 16-byte header + 240-byte payload.
 * Header layout DECISION (inventory 4.10): MessageType u32 at 0, PayloadSize u8 at 4,
 * MessageFlags u8 at 5 (bit 0 MessagePending), reserved 6-7, OriginationId u64 at 8 — the
 * layout unmodified Linux/Windows guests read. Kept in this one module so it can switch.
 * A message buffer is the hypervisor-side storage a message sits in while queued (14.1).
 */

export const HV_MESSAGE_SIZE = 256
export const HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT = 240
export const HV_MESSAGE_TYPE_HYPERVISOR_MASK = 0x80000000
export const HV_SYNIC_SINT_COUNT = 16
export const HV_EVENT_FLAGS_COUNT = 2048

export const MSG_TYPE = 0
export const MSG_PAYLOAD_SIZE = 4
export const MSG_FLAGS = 5
export const MSG_ORIGINATION_ID = 8
export const MSG_PAYLOAD = 16
export const HV_MESSAGE_FLAG_PENDING = 1

/** A queued message (one of the sender's buffers, 14.1). `busy` from enqueue until copied into a slot. */
export class HvMessageBuffer {
  readonly data = new Uint8Array(HV_MESSAGE_SIZE)
  readonly view = new DataView(this.data.buffer)
  busy = false
  /** Called right after the copy into the SIM slot (e.g. timers stamp DeliveryTime). */
  onCopied: ((slot: DataView) => void) | null = null
  /** Called when the buffer becomes free again (copied or discarded). */
  onFreed: (() => void) | null = null

  fill(type: number, originationId: bigint, payload: Uint8Array | null, payloadSize: number): void {
    this.data.fill(0)
    this.view.setUint32(MSG_TYPE, type >>> 0, true)
    this.data[MSG_PAYLOAD_SIZE] = payloadSize
    this.view.setBigUint64(MSG_ORIGINATION_ID, originationId, true)
    if (payload) this.data.set(payload.subarray(0, payloadSize), MSG_PAYLOAD)
  }

  release(): void {
    this.busy = false
    this.onFreed?.()
  }
}

/** A decoded message as the root's receive queue hands it out. */
export interface HvMessage {
  readonly messageType: number
  readonly payloadSize: number
  readonly originationId: bigint
  readonly payload: Uint8Array
}

export function decodeMessage(bytes: Uint8Array): HvMessage {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const size = Math.min(bytes[MSG_PAYLOAD_SIZE], HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT)
  return {
    messageType: v.getUint32(MSG_TYPE, true),
    payloadSize: size,
    originationId: v.getBigUint64(MSG_ORIGINATION_ID, true),
    payload: bytes.slice(MSG_PAYLOAD, MSG_PAYLOAD + size),
  }
}
