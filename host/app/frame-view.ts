// What the app printers need of a frame to print its application layer: the descriptor's
// view of it (host/dissect/packet-view.ts has these), and where tcpdump stops reading.

export interface AppFrameView {
  readonly errors: number;
  readonly capLen: number;
  readonly l3Off: number;
  readonly ipLen: number;
  readonly payloadOff: number;
  readonly payloadLen: number;
}

/** Where tcpdump stops reading (snapend): the captured end or the IP packet's end. */
export function snapendOf(v: AppFrameView, f: number): number {
  return f + Math.min(v.capLen, v.l3Off + v.ipLen);
}
