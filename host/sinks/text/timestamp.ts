// tcpdump's timestamp column (-t, -tt, -ttt, -tttt, -ttttt, default) in microseconds or,
// with --nano, nanoseconds. Written digit by digit into the TextBuffer: no Date object per
// packet (the local-time offset is looked up once per hour of capture time).
import type { TextBuffer } from './buffer.js';

/** 0: -t (none), 1: default (local HH:MM:SS.frac), 2: -tt (epoch), 3: -ttt (delta from the
 *  previous packet), 4: -tttt (local date and time), 5: -ttttt (delta from the first). */
export type TimestampMode = 0 | 1 | 2 | 3 | 4 | 5;

export class TimestampFormatter {
  readonly mode: TimestampMode;
  readonly nano: boolean;
  /** Previous / first packet time, in the printed resolution's units split as sec+frac. */
  private prevSec = -1;
  private prevFrac = 0;
  private firstSec = -1;
  private firstFrac = 0;
  private hourStart = 1;
  private hourEnd = 0;
  private offsetSec = 0;

  constructor(mode: TimestampMode, nano: boolean) {
    this.mode = mode;
    this.nano = nano;
  }

  /** Local-time offset (seconds east of UTC) for an instant; cached per hour. */
  private offsetAt(sec: number): number {
    if (sec < this.hourStart || sec >= this.hourEnd) {
      this.hourStart = sec - (sec % 3600);
      this.hourEnd = this.hourStart + 3600;
      this.offsetSec = -new Date(this.hourStart * 1000).getTimezoneOffset() * 60;
    }
    return this.offsetSec;
  }

  /** Writes the column followed by one space (nothing at all for -t). */
  write(out: TextBuffer, sec: number, nsec: number): void {
    const mode = this.mode;
    if (mode === 0) return;
    // Microsecond output truncates, as libpcap does when it reads a nanosecond file.
    const frac = this.nano ? nsec : Math.floor(nsec / 1000);
    const fracDigits = this.nano ? 9 : 6;
    const unit = this.nano ? 1e9 : 1e6;
    switch (mode) {
      case 2:
        out.dec(sec).ch(46).decPad(frac, fracDigits);
        break;
      case 1:
      case 4: {
        const local = sec + this.offsetAt(sec);
        const days = Math.floor(local / 86400);
        const sod = local - days * 86400;
        if (mode === 4) writeDate(out, days);
        writeClock(out, sod).ch(46).decPad(frac, fracDigits);
        break;
      }
      case 3:
      case 5: {
        let bs = sec;
        let bf = frac;
        if (mode === 3 && this.prevSec >= 0) { bs = this.prevSec; bf = this.prevFrac; }
        if (mode === 5 && this.firstSec >= 0) { bs = this.firstSec; bf = this.firstFrac; }
        // tcpdump prints a sign column (' ' or '-') and the delta through gmtime(), so
        // whole days drop out: 280 days and 16 hours print as " 16:27:55.117830".
        const neg = sec < bs || (sec === bs && frac < bf);
        let ds = neg ? bs - sec : sec - bs;
        let df = neg ? bf - frac : frac - bf;
        if (df < 0) { df += unit; ds -= 1; }
        out.ch(neg ? 45 : 32);
        const dd = Math.floor(ds / 86400);
        writeClock(out, ds - dd * 86400).ch(46).decPad(df, fracDigits);
        break;
      }
    }
    out.ch(32);
    if (this.firstSec < 0) { this.firstSec = sec; this.firstFrac = frac; }
    this.prevSec = sec;
    this.prevFrac = frac;
  }
}

function writeClock(out: TextBuffer, sod: number): TextBuffer {
  const h = Math.floor(sod / 3600);
  const m = Math.floor((sod - h * 3600) / 60);
  const s = sod - h * 3600 - m * 60;
  return out.decPad(h, 2).ch(58).decPad(m, 2).ch(58).decPad(s, 2);
}

/** YYYY-MM-DD followed by a space, from days since 1970-01-01 (Hinnant's civil_from_days). */
function writeDate(out: TextBuffer, days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out.decPad(y, 4).ch(45).decPad(m, 2).ch(45).decPad(d, 2).ch(32);
}
