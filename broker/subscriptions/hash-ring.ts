// Consistent hashing of key hashes onto the consumers of a key_shared subscription: each member owns the arcs
// ending at its points on a 32-bit ring, so a member joining or leaving moves only the keys of the arcs it gains
// or loses (about 1/n of them), and every other key keeps its consumer.
import { murmur3 } from '../../protocol/index.js';

/** Points per member: enough for an even split (±10% at 100 points) at a cost of a binary search per lookup. */
const POINTS_PER_MEMBER = 100;

export class HashRing<M> {
  private points: Uint32Array = new Uint32Array(0);
  private owners: M[] = [];
  private readonly members = new Map<M, string>();

  get size(): number {
    return this.members.size;
  }

  /** Adds a member under an identity unique among the members (its points derive from it). */
  add(member: M, identity: string): void {
    this.members.set(member, identity);
    this.rebuild();
  }

  remove(member: M): void {
    if (this.members.delete(member)) this.rebuild();
  }

  /** The member owning `hash`: the one with the first point at or after it (wrapping). Undefined when empty. */
  ownerOf(hash: number): M | undefined {
    const n = this.points.length;
    if (n === 0) return undefined;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === n ? 0 : lo];
  }

  private rebuild(): void {
    const all: Array<{ point: number; member: M; identity: string }> = [];
    for (const [member, identity] of this.members) {
      for (let i = 0; i < POINTS_PER_MEMBER; i++) all.push({ point: murmur3(Buffer.from(`${identity}#${i}`, 'utf8')), member, identity });
    }
    // Ties (two identical points) are broken by identity so the ring does not depend on insertion order.
    all.sort((a, b) => a.point - b.point || (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
    this.points = Uint32Array.from(all, (p) => p.point);
    this.owners = all.map((p) => p.member);
  }
}
