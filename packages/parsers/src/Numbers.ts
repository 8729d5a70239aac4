/**
 * Numbers read in place from a text. Every record holds a few (pid, port, duration, slow-log header
 * values), and slicing the text only to hand the slice to Number() costs more than reading the digits.
 */

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

/**
 * Number(s.slice(start, end)), without the slice for "ddd" and "ddd.ddd": with at most 15 digits, the
 * digits form an exact integer, and dividing it by an exact power of ten rounds once, to the double
 * Number() reads. Anything else (signs, exponents, blanks, longer numbers) goes to Number().
 */
export function numberAt(s: string, start: number, end: number): number {
  let digits = 0
  let value = 0
  let point = -1
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48)
      digits++
    } else if (c === 46 && point < 0 && i > start && i + 1 < end) point = i
    else return Number(s.slice(start, end))
  }
  if (digits === 0 || digits > 15) return Number(s.slice(start, end))
  return point < 0 ? value : value / POWERS_OF_TEN[end - point - 1]!
}
