/**
 * Φ(x) to ~100 digits with BigInt fixed-point arithmetic — an independent reference for normCdf.
 * Φ(x) = 1/2 + φ(x)·Σ x^(2n+1)/(2n+1)!!  (all terms positive for x > 0; Φ(−x) = 1 − Φ(x)).
 * x must be a multiple of 2^-20 (exact in fixed point).
 */
const DIGITS = 110;
const ONE = 10n ** BigInt(DIGITS);

function atanInv(n: bigint): bigint {
  // atan(1/n) = Σ (-1)^k / ((2k+1) n^(2k+1))
  let sum = 0n;
  let pow = ONE / n;
  const n2 = n * n;
  for (let k = 0n; pow !== 0n; k++) {
    const term = pow / (2n * k + 1n);
    sum += k % 2n === 0n ? term : -term;
    pow /= n2;
  }
  return sum;
}

function sqrt(v: bigint): bigint {
  // sqrt of a fixed-point value: isqrt(v · ONE)
  const n = v * ONE;
  // Start above the root (Newton from above decreases monotonically to it).
  let x = BigInt(Math.floor(Math.sqrt(Number(v) / Number(ONE)) * 1e15) + 1000) * (ONE / 10n ** 15n);
  for (;;) {
    const y = (x + n / x) / 2n;
    if (y >= x) return x;
    x = y;
  }
}

const PI = 16n * atanInv(5n) - 4n * atanInv(239n);
const SQRT_2PI = sqrt(2n * PI);

function exp(y: bigint): bigint {
  // e^y for y ≥ 0 by its (all-positive) series
  let sum = ONE;
  let term = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * y) / ONE / n;
    sum += term;
  }
  return sum;
}

function toDecimal(v: bigint): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(DIGITS + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, s.length - DIGITS)}.${s.slice(s.length - DIGITS)}`;
}

export function referenceNormCdf(x: number): number {
  const scaled = x * 2 ** 20;
  if (!Number.isInteger(scaled)) throw new Error('reference needs x to be a multiple of 2^-20');
  const X = (BigInt(Math.abs(scaled)) * ONE) / 2n ** 20n;
  const X2 = (X * X) / ONE;
  // S = Σ x^(2n+1)/(2n+1)!!
  let term = X;
  let s = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    s += term;
    term = (term * X2) / ONE / (k + 2n);
  }
  const pdf = (ONE * ONE) / exp(X2 / 2n) * ONE / SQRT_2PI;
  const half = ONE / 2n;
  const upper = half + (pdf * s) / ONE; // Φ(|x|)
  const v = x >= 0 ? upper : ONE - upper;
  return Number(toDecimal(v));
}
