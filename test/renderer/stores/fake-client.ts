/** A scripted HvClient for store tests: answers per channel and lets the test push events. */
import type { Channel, CommandArgs, CommandResult, EventChannel, EventPayload } from '../../../contract'
import type { ConnectionState, HvClient } from '../../../renderer/src/transport/hv-client'

type Handler = (args: unknown) => unknown

export function fakeClient(handlers: Partial<Record<Channel, Handler>>) {
  const calls: { channel: Channel; args: unknown }[] = []
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const conn = new Set<(s: ConnectionState) => void>()
  const client: HvClient = {
    async invoke<C extends Channel>(channel: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
      calls.push({ channel, args })
      const h = handlers[channel]
      if (!h) throw new Error(`unexpected ${channel}`)
      return h(args) as CommandResult<C>
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set())
      listeners.get(channel)!.add(listener as (p: unknown) => void)
      return () => listeners.get(channel)!.delete(listener as (p: unknown) => void)
    },
    onConnection(listener) {
      conn.add(listener)
      return () => conn.delete(listener)
    },
  }
  return {
    client,
    calls,
    emit<E extends EventChannel>(channel: E, payload: EventPayload<E>) {
      for (const l of listeners.get(channel) ?? []) l(payload)
    },
    connection(s: ConnectionState) {
      for (const l of conn) l(s)
    },
  }
}
