/**
 * Resource-aware admission: a budget of cpu (millicores) and memory (bytes) that attempts reserve
 * before they are delivered and release when they end. Never more concurrent tools than their
 * declared cpu and memory fit into the budget.
 */

/** Resources of one attempt, or a budget. Disk is not admitted locally (null: not declared). */
export interface Resources {
  /** Cpu, millicores. @asType integer */
  cpuMillicores: number;
  /** Memory, bytes. @asType integer */
  memBytes: number;
  /** Ephemeral storage, bytes; null: not declared. @asType integer @nullable */
  diskBytes: number | null;
  /** Wall-clock limit of the attempt, seconds (not admitted: enforced by the work manager); null: none. @asType integer @nullable */
  timeSeconds: number | null;
}

/** A shared budget. Work managers reserve from it; `onRelease` wakes the ones waiting. */
export class ResourceBudget {
  private usedCpu = 0;
  private usedMem = 0;
  private readonly listeners = new Set<() => void>();

  /**
   * @param capacity total cpu millicores and memory bytes (disk is ignored).
   */
  constructor(readonly capacity: Pick<Resources, 'cpuMillicores' | 'memBytes'>) {}

  /** Reserves `r` if it fits now. @returns true when reserved. */
  tryReserve(r: Pick<Resources, 'cpuMillicores' | 'memBytes'>): boolean {
    if (this.usedCpu + r.cpuMillicores > this.capacity.cpuMillicores || this.usedMem + r.memBytes > this.capacity.memBytes) return false;
    this.usedCpu += r.cpuMillicores;
    this.usedMem += r.memBytes;
    return true;
  }

  /**
   * Reserves `r` whether it fits or not: for attempts that already run (a restarted work manager
   * adopting them), which hold their resources whatever the budget says. Later admissions wait
   * until enough is released.
   */
  reserve(r: Pick<Resources, 'cpuMillicores' | 'memBytes'>): void {
    this.usedCpu += r.cpuMillicores;
    this.usedMem += r.memBytes;
  }

  /** Returns a reservation and wakes the listeners. */
  release(r: Pick<Resources, 'cpuMillicores' | 'memBytes'>): void {
    this.usedCpu -= r.cpuMillicores;
    this.usedMem -= r.memBytes;
    for (const l of this.listeners) l();
  }

  /** What is reserved now. */
  get used(): { cpuMillicores: number; memBytes: number } {
    return { cpuMillicores: this.usedCpu, memBytes: this.usedMem };
  }

  /** Calls `listener` after each release. @returns a function that removes it. */
  onRelease(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
