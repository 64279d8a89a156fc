/**
 * Sorting for the judge's samples: a distribution (bucket) sort by value,
 * then one insertion pass, with the engine's native sort as the fallback for
 * skewed data. About three times faster than `Float64Array.prototype.sort` on
 * 1,000 latency-like values, and exact: the bucket of a value is a
 * non-decreasing function of it (rounding is monotone), so the insertion pass
 * only reorders values within a bucket.
 */

/** Below this size insertion sort alone is fastest. */
const SMALL = 40;
/** Buckets larger than this are sorted natively before the insertion pass. */
const BIG_BUCKET = 24;

let tmp = new Float64Array(0);
let bucketOf = new Int32Array(0);
let cursor = new Int32Array(0);
/** Reused output buffers of {@link cleanSorted} (one per slot). */
const slots = [new Float64Array(0), new Float64Array(0)];

function insertionSort(a: Float64Array, len: number): void {
  for (let i = 1; i < len; i++) {
    const v = a[i];
    let j = i - 1;
    if (!(a[j] > v)) continue;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * Writes src[0..len) (no NaN, minimum `min`, maximum `max`) into out[0..len)
 * sorted ascending. `src` and `out` must be different arrays. Equal to the
 * native numeric sort except for the relative order of −0 and +0, which
 * compare equal everywhere in the judge.
 */
function sortInto(
  src: Float64Array,
  out: Float64Array,
  len: number,
  min: number,
  max: number,
): void {
  const scale = len / (max - min);
  if (len < SMALL || min === max || !Number.isFinite(scale)) {
    out.set(src.subarray(0, len));
    if (len < SMALL) insertionSort(out, len);
    else if (min !== max) out.subarray(0, len).sort();
    return;
  }
  const buckets = len;
  if (bucketOf.length < len) bucketOf = new Int32Array(len);
  if (cursor.length < buckets + 1) cursor = new Int32Array(buckets + 1);
  const c = cursor;
  c.fill(0, 0, buckets + 1);
  const last = buckets - 1;
  for (let i = 0; i < len; i++) {
    let b = ((src[i] - min) * scale) | 0;
    if (b > last) b = last;
    bucketOf[i] = b;
    c[b + 1]++;
  }
  let big = 0;
  let acc = 0;
  for (let b = 1; b <= buckets; b++) {
    const k = c[b];
    if (k > big) big = k;
    acc += k;
    c[b] = acc;
  }
  // c[b] is now the start of bucket b; the scatter advances it to its end
  for (let i = 0; i < len; i++) out[c[bucketOf[i]]++] = src[i];
  if (big > BIG_BUCKET) {
    let s = 0;
    for (let b = 0; b < buckets; b++) {
      const e = c[b];
      if (e - s > BIG_BUCKET) out.subarray(s, e).sort();
      s = e;
    }
  }
  insertionSort(out, len);
}

/** Sorts a[0..len) in place (no NaN; its minimum and maximum given). */
export function sortFiniteInPlace(
  a: Float64Array,
  len: number,
  min: number,
  max: number,
): void {
  if (tmp.length < len) tmp = new Float64Array(len);
  tmp.set(a.subarray(0, len));
  sortInto(tmp, a, len, min, max);
}

/**
 * The finite values of `values` sorted ascending: NaN and ±∞ are removed
 * (`remove`) or counted as 0 (`replace`) in the same pass that copies them.
 * With a `slot` (0 or 1), the result is a view of a buffer reused by the next
 * call with that slot (the judge's canary and baseline); without one, a new
 * array.
 */
export function cleanSorted(
  values: ArrayLike<number>,
  strategy: 'remove' | 'replace' = 'remove',
  slot?: 0 | 1,
): Float64Array {
  const n = values.length;
  if (tmp.length < n) tmp = new Float64Array(n);
  const src = tmp;
  let len = 0;
  let min = Infinity;
  let max = -Infinity;
  const replace = strategy === 'replace';
  for (let i = 0; i < n; i++) {
    let v = values[i];
    if (typeof v !== 'number' || !(v - v === 0)) {
      // NaN, ±∞ or not a number at all
      if (!replace) continue;
      v = 0;
    }
    src[len++] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let out: Float64Array;
  if (slot === undefined) out = new Float64Array(len);
  else {
    if (slots[slot].length < len) slots[slot] = new Float64Array(len);
    out = slots[slot];
  }
  sortInto(src, out, len, min, max);
  return out.length === len ? out : out.subarray(0, len);
}

/** Ascending copy (NaN last, as the native sort). */
export function sortedFloat64(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  let min = Infinity;
  let max = -Infinity;
  let finite = true;
  for (let i = 0; i < n; i++) {
    const v = +values[i];
    out[i] = v;
    if (!(v - v === 0)) finite = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!finite) return out.sort();
  sortFiniteInPlace(out, n, min, max);
  return out;
}
