/**
 * Checkpoints of one VM as a pure data model (Hyper-V Manager "Checkpoints" pane): named
 * saved states in a tree with parent links and a current position ("Now" sits under the
 * checkpoint the VM last came from). Taking a checkpoint adds a child of the current one and
 * moves there; reverting moves the position back to a checkpoint (its saved state is what
 * the VM restores); deleting a checkpoint reparents its children. The tree refers to saved
 * states by an opaque `stateRef` (e.g. a file name) that core/host stores; it serializes to
 * plain JSON and validates anything it loads.
 */

export interface Checkpoint {
  readonly id: string
  name: string
  readonly parentId: string | null
  /** Milliseconds since the epoch (caller-supplied, so the model stays pure). */
  readonly createdAt: number
  /** Where core/host keeps this checkpoint's saved-state container. */
  readonly stateRef: string
}

export interface CheckpointTreeData {
  version: 1
  checkpoints: Checkpoint[]
  /** The checkpoint the running state descends from (null: none taken or all deleted). */
  current: string | null
  nextId: number
}

export class CheckpointError extends Error {}

export class CheckpointTree {
  private readonly byId = new Map<string, Checkpoint>()
  private currentId: string | null = null
  private nextId = 1

  static fromJSON(raw: unknown): CheckpointTree {
    const d = raw as Partial<CheckpointTreeData> | null
    if (!d || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.checkpoints) || !Number.isInteger(d.nextId)) {
      throw new CheckpointError('checkpoint list is malformed or of an unknown version')
    }
    const t = new CheckpointTree()
    for (const c of d.checkpoints) {
      if (!c || typeof c.id !== 'string' || typeof c.name !== 'string' || typeof c.stateRef !== 'string' || typeof c.createdAt !== 'number') {
        throw new CheckpointError('a checkpoint entry is malformed')
      }
      if (t.byId.has(c.id)) throw new CheckpointError(`checkpoint id ${c.id} appears twice`)
      t.byId.set(c.id, { id: c.id, name: c.name, parentId: c.parentId ?? null, createdAt: c.createdAt, stateRef: c.stateRef })
    }
    for (const c of t.byId.values()) {
      if (c.parentId !== null && !t.byId.has(c.parentId)) throw new CheckpointError(`checkpoint ${c.id} has a missing parent`)
      // Walking up must end at a root: no cycles.
      const seen = new Set<string>()
      for (let p: Checkpoint | undefined = c; p; p = p.parentId === null ? undefined : t.byId.get(p.parentId)) {
        if (seen.has(p.id)) throw new CheckpointError('checkpoint parents form a cycle')
        seen.add(p.id)
      }
    }
    if (d.current !== null && d.current !== undefined && !t.byId.has(d.current)) throw new CheckpointError('current checkpoint does not exist')
    t.currentId = d.current ?? null
    t.nextId = d.nextId!
    return t
  }

  toJSON(): CheckpointTreeData {
    return { version: 1, checkpoints: [...this.byId.values()].map((c) => ({ ...c })), current: this.currentId, nextId: this.nextId }
  }

  get current(): Checkpoint | null {
    return this.currentId === null ? null : this.byId.get(this.currentId)!
  }

  get(id: string): Checkpoint | undefined {
    return this.byId.get(id)
  }

  all(): Checkpoint[] {
    return [...this.byId.values()]
  }

  children(id: string | null): Checkpoint[] {
    return this.all().filter((c) => c.parentId === id)
  }

  /** Path from a root down to `id` (inclusive). */
  lineage(id: string): Checkpoint[] {
    const out: Checkpoint[] = []
    for (let c = this.byId.get(id); c; c = c.parentId === null ? undefined : this.byId.get(c.parentId)) out.unshift(c)
    return out
  }

  /** Record a new checkpoint of the current state; it becomes the current position. */
  take(name: string, stateRef: string, createdAt: number): Checkpoint {
    const trimmed = name.trim()
    if (!trimmed) throw new CheckpointError('a checkpoint needs a name')
    const c: Checkpoint = { id: `cp${this.nextId++}`, name: trimmed, parentId: this.currentId, createdAt, stateRef }
    this.byId.set(c.id, c)
    this.currentId = c.id
    return c
  }

  /** Move the current position to `id`; returns the saved state the VM must restore. */
  revert(id: string): Checkpoint {
    const c = this.byId.get(id)
    if (!c) throw new CheckpointError(`no checkpoint ${id}`)
    this.currentId = id
    return c
  }

  rename(id: string, name: string): void {
    const c = this.byId.get(id)
    if (!c) throw new CheckpointError(`no checkpoint ${id}`)
    if (!name.trim()) throw new CheckpointError('a checkpoint needs a name')
    c.name = name.trim()
  }

  /** Delete one checkpoint: its children move up to its parent; returns the stateRef to discard. */
  delete(id: string): string {
    const c = this.byId.get(id)
    if (!c) throw new CheckpointError(`no checkpoint ${id}`)
    for (const child of this.children(id)) this.byId.set(child.id, { ...child, parentId: c.parentId })
    this.byId.delete(id)
    if (this.currentId === id) this.currentId = c.parentId
    return c.stateRef
  }
}
