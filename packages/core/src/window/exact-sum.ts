/**
 * An exact running sum of finite doubles, kept as a floating-point
 * expansion (Shewchuk, "Adaptive Precision Floating-Point Arithmetic",
 * 1997): non-overlapping components whose exact sum is the true sum. A
 * sliding window adds and removes every value once; with a plain or even a
 * compensated (Neumaier) sum the rounding errors of values long gone stay
 * in the total (1e16 enters, 1 enters, 1e16 leaves: a naive sum says 0).
 * Here removal is exact, so the result is the true window sum rounded once.
 * Components stay few (about one per 53 bits of dynamic range) because the
 * expansion is compressed whenever it grows.
 */
export class ExactSum {
  private parts = new Float64Array(8);
  private scratch = new Float64Array(8);
  private size = 0;

  /** Adds `x` (finite) exactly. Returns false if an intermediate overflowed, leaving the sum unusable. */
  add(x: number): boolean {
    const parts = this.parts;
    let q = x;
    let k = 0;
    for (let i = 0; i < this.size; i++) {
      const e = parts[i]!;
      // Two-Sum: s + err === q + e exactly.
      const s = q + e;
      const bv = s - q;
      const err = q - (s - bv) + (e - bv);
      q = s;
      if (err !== 0) parts[k++] = err;
    }
    if (q !== 0) {
      if (k === parts.length) this.grow();
      this.parts[k++] = q;
    }
    this.size = k;
    if (k > 4) this.compress();
    return Number.isFinite(q);
  }

  /** Forgets every value: the sum is exactly 0 again. */
  clear(): void {
    this.size = 0;
  }

  /** The sum rounded to a double (faithfully: within one ulp, and exact when it is representable). */
  value(): number {
    this.compress();
    let total = 0;
    for (let i = 0; i < this.size; i++) total += this.parts[i]!;
    return total;
  }

  private grow(): void {
    const next = new Float64Array(this.parts.length * 2);
    next.set(this.parts);
    this.parts = next;
    this.scratch = new Float64Array(next.length);
  }

  // Shewchuk's Compress: same value, fewer and non-adjacent components, smallest first.
  private compress(): void {
    const m = this.size;
    if (m < 2) return;
    const e = this.parts;
    const g = this.scratch;
    let bottom = m - 1;
    let q = e[m - 1]!;
    for (let i = m - 2; i >= 0; i--) {
      const s = q + e[i]!;
      const small = e[i]! - (s - q);
      q = s;
      if (small !== 0) {
        g[bottom--] = q;
        q = small;
      }
    }
    g[bottom] = q;
    let top = 0;
    for (let i = bottom + 1; i < m; i++) {
      const s = g[i]! + q;
      const small = q - (s - g[i]!);
      q = s;
      if (small !== 0) e[top++] = small;
    }
    e[top++] = q;
    this.size = q === 0 && top === 1 ? 0 : top;
  }
}
