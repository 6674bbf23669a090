import { describe, expect, it } from 'vitest'
import * as S from '../../../../core/hypervisor/hv-status'
import { decodeEventLogBuffer, decodeEventLogHeader } from '../../../../core/hypervisor/event-log/event-log-decode'
import {
  HV_EVENTLOG_BUFFER_INDEX_NONE, HV_EVENTLOG_ENABLE_SYSTEM_SUCCESS, HvEventLogBufferState as B, HvEventLogGroup as G,
  HvTraceEvent as E,
} from '../../../../core/hypervisor/event-log/event-log-types'
import { HvServicesWrapper } from '../../../../core/hypervisor/system/services-wrapper'
import { makeChild, makeHv, rootPages } from '../helpers'

const GLOBAL = 0
const LOCAL = 1

function setup() {
  const { hv } = makeHv({ logicalProcessorCount: 2 })
  hv.wrapper().HvDepositMemory(hv.root.id, rootPages(64))
  const svc = new HvServicesWrapper(hv)
  const messages: Array<{ type: number; first: number; bytes: Uint8Array }> = []
  hv.eventLog.onBuffersReady((bytes, info) => messages.push({ type: info.type, first: info.firstIndex, bytes }))
  return { hv, svc, messages }
}

describe('event logging (TLFS ch. 19)', () => {
  it('refuses non-root callers and bad geometry (ideas 36-39)', () => {
    const { hv, svc } = setup()
    const c = makeChild(hv)
    const child = new HvServicesWrapper(hv, hv.partition(c)!)
    expect(child.HvInitializeEventLogBufferGroup(GLOBAL, 4, 1, 2, 0)).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(child.HvFlushEventLogBuffer(GLOBAL, 0)).toBe(S.HV_STATUS_ACCESS_DENIED)
    for (const args of [[0, 4, 0, 2, 0], [0, 4, 513, 2, 0], [0, 0, 1, 1, 0], [0, 513, 1, 2, 0], [0, 4, 1, 2, 2], [2, 4, 1, 2, 0]]) {
      expect(svc.HvInitializeEventLogBufferGroup(args[0], args[1], args[2], args[3], args[4])).toBe(S.HV_STATUS_INVALID_PARAMETER)
    }
    expect(svc.HvCreateEventLogBuffer(GLOBAL, 0)).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvMapEventLogBuffer(GLOBAL, 0).status).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvSetEventLogGroupSources(GLOBAL, 1n)).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvInitializeEventLogBufferGroup(GLOBAL, 4, 1, 2, 0)).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.HvInitializeEventLogBufferGroup(GLOBAL, 4, 1, 2, 0)).toBe(S.HV_STATUS_OBJECT_IN_USE)
    expect(svc.HvCreateEventLogBuffer(GLOBAL, 4)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvCreateEventLogBuffer(GLOBAL, 2)).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.HvCreateEventLogBuffer(GLOBAL, 2)).toBe(S.HV_STATUS_INVALID_PARAMETER)
  })

  it('walks the buffer state machine and returns pool pages (ideas 41-44, 51)', () => {
    const { hv, svc } = setup()
    const before = hv.root.pagesAvailable
    svc.HvInitializeEventLogBufferGroup(GLOBAL, 4, 2, 1, 0)
    svc.HvCreateEventLogBuffer(GLOBAL, 1)
    expect(hv.root.pagesAvailable).toBe(before - 1 - 2)
    const m = svc.HvMapEventLogBuffer(GLOBAL, 1)
    expect(m.status).toBe(S.HV_STATUS_SUCCESS)
    expect(m.gpaPages.length).toBe(2)
    const h = decodeEventLogHeader(svc.readEventLogBuffer(m.gpaPages))!
    expect([h.bufferState, h.type, h.bufferIndex, h.bufferSize]).toEqual([B.HvEventLogBufferStateFree, GLOBAL, 1, 8192])
    expect(svc.HvMapEventLogBuffer(GLOBAL, 1).status).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvDeleteEventLogBuffer(GLOBAL, 1)).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvReleaseEventLogBuffer(GLOBAL, 1)).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvFlushEventLogBuffer(GLOBAL, 1)).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvUnmapEventLogBuffer(GLOBAL, 1)).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.readRootPage(m.gpaPages[0])).toBeUndefined()
    expect(svc.HvSetEventLogGroupSources(GLOBAL, 1n)).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.HvFinalizeEventLogBufferGroup(GLOBAL)).toBe(S.HV_STATUS_OPERATION_DENIED) // a buffer remains
    expect(svc.HvDeleteEventLogBuffer(GLOBAL, 1)).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.HvFinalizeEventLogBufferGroup(GLOBAL)).toBe(S.HV_STATUS_OPERATION_DENIED) // sources still on
    svc.HvSetEventLogGroupSources(GLOBAL, 0n)
    expect(svc.HvFinalizeEventLogBufferGroup(GLOBAL)).toBe(S.HV_STATUS_SUCCESS)
    expect(hv.root.pagesAvailable).toBe(before)
  })

  it('logs partition/VP lifecycle system events, completes buffers at the threshold and sends one message (ideas 45, 46, 48, 50)', () => {
    const { hv, svc, messages } = setup()
    // 1-page buffers hold (4096 - 88) / 40 = 100 three-parameter entries.
    svc.HvInitializeEventLogBufferGroup(GLOBAL, 3, 1, 2, 0)
    const pages: number[][] = []
    for (let i = 0; i < 3; i++) {
      svc.HvCreateEventLogBuffer(GLOBAL, i)
      pages.push(svc.HvMapEventLogBuffer(GLOBAL, i).gpaPages)
    }
    svc.HvSetEventLogGroupSources(GLOBAL, HV_EVENTLOG_ENABLE_SYSTEM_SUCCESS)
    const c = makeChild(hv)
    const first = decodeEventLogBuffer(svc.readEventLogBuffer(pages[0]))
    expect(first.map((e) => e.type)).toEqual([E.HV_TR_OB_CREATE_PARTITION])
    expect(first[0].params).toEqual([c, 0n])
    expect(first[0].size % 8).toBe(0)
    expect(decodeEventLogHeader(svc.readEventLogBuffer(pages[0]))!.nextBufferOffset).toBe(88 + 32)
    const root = hv.wrapper()
    // 2 × 100 entries fill buffers 0 and 1; the 201st event starts buffer 2.
    let n = 1
    while (n < 201) {
      root.HvCreateVp(c, 0)
      root.HvDeleteVp(c, 0)
      n += 2
    }
    expect(messages.length).toBe(1)
    expect(messages[0].first).toBe(0)
    const mv = new DataView(messages[0].bytes.buffer)
    expect([mv.getUint32(0, true), mv.getUint32(16, true), mv.getUint32(20, true)]).toEqual([0x80000040, GLOBAL, 0])
    const h0 = decodeEventLogHeader(svc.readEventLogBuffer(pages[0]))!
    const h1 = decodeEventLogHeader(svc.readEventLogBuffer(pages[1]))!
    expect([h0.bufferState, h0.nextBufferIndex, h1.bufferState, h1.nextBufferIndex]).toEqual([B.HvEventLogBufferStateReady, 1, B.HvEventLogBufferStateReady, HV_EVENTLOG_BUFFER_INDEX_NONE])
    expect(decodeEventLogBuffer(svc.readEventLogBuffer(pages[1])).length).toBe(100)
    // Fill buffer 2 too; with none free, the next events are lost and counted.
    for (let i = 0; i < 60; i++) {
      root.HvCreateVp(c, 0)
      root.HvDeleteVp(c, 0)
    }
    expect(svc.HvReleaseEventLogBuffer(GLOBAL, 0)).toBe(S.HV_STATUS_SUCCESS)
    root.HvCreateVp(c, 0)
    const h = decodeEventLogHeader(svc.readEventLogBuffer(pages[0]))!
    expect(h.bufferState).toBe(B.HvEventLogBufferStateInUse)
    expect(h.eventsLost).toBe(201 + 120 - 300)
  })

  it('flushes an InUse buffer with a message below the threshold (idea 47) and unmap refuses InUse (idea 49)', () => {
    const { hv, svc, messages } = setup()
    svc.HvInitializeEventLogBufferGroup(LOCAL, 4, 1, 4, 0)
    svc.HvCreateEventLogBuffer(LOCAL, 3)
    const { gpaPages } = svc.HvMapEventLogBuffer(LOCAL, 3)
    svc.HvSetEventLogGroupSources(LOCAL, G.ObjectManager)
    makeChild(hv)
    expect(svc.HvUnmapEventLogBuffer(LOCAL, 3)).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(svc.HvFlushEventLogBuffer(LOCAL, 3)).toBe(S.HV_STATUS_SUCCESS)
    expect(messages.map((m) => [m.type, m.first])).toEqual([[LOCAL, 3]])
    expect(decodeEventLogHeader(svc.readEventLogBuffer(gpaPages))!.bufferState).toBe(B.HvEventLogBufferStateReady)
    expect(svc.HvUnmapEventLogBuffer(LOCAL, 3)).toBe(S.HV_STATUS_SUCCESS)
  })
})
