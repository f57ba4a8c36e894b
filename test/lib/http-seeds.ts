// HTTP/1.x segments built byte by byte for the tests: what curl and python's http.server
// do not send (bare LF, lower-case and unknown methods, HTTP/0.9, a status line without a
// reason, a header block that goes on in a later segment, a port found by content only)
// and hostile lines (a bare CR, a control character, a name that is no token, a folded
// line, two Host headers, a token too long for tcpdump, a line without CR LF, a capture
// cut inside the request line). Nothing here decodes: tshark and tcpdump judge it.
import { tcpFrame, seedFrame, writeSeedCapture, type SeedFrame, type Endpoints } from './dns-frames.js';

export interface HttpSeed {
  name: string;
  payload: string;
  /** TCP port of the server (80 unless said). */
  port?: number;
  /** Bytes captured of the frame (a cut capture), all if absent. */
  caplen?: number;
  /** Fields tshark knowingly reads otherwise, and why (the test requires exactly these). */
  tshark?: { fields: string[]; why: string };
}

const R = '\r\n';

export function httpSeeds(): HttpSeed[] {
  const long = 'X'.repeat(130);
  return [
    { name: 'request with headers', payload: `GET /a/b?c=d HTTP/1.1${R}Host: example.org${R}User-Agent: seed/1${R}Accept: */*${R}${R}` },
    { name: 'response with reason and body', payload: `HTTP/1.1 200 OK${R}Server: seed${R}Content-Type: text/plain${R}Content-Length: 5${R}${R}hello` },
    { name: 'bare LF lines', payload: 'GET /lf HTTP/1.1\nHost: lf.example\nUser-Agent: lf\n\n' },
    { name: 'lower-case method', payload: `get /lower HTTP/1.1${R}Host: x${R}${R}`,
      tshark: { fields: ['http.request.method', 'http.request.uri', 'http.request.version', 'http.host'], why: 'any token is a method (RFC 9110 §9.1, case-sensitive): a well-formed request line with "get" is one; tshark knows a list of methods' } },
    { name: 'PATCH (not among tcpdump names)', payload: `PATCH /p HTTP/1.1${R}Host: p.example${R}${R}` },
    { name: 'status line without reason', payload: `HTTP/1.0 404${R}${R}` },
    { name: 'status code of two digits', payload: `HTTP/1.1 20 OK${R}${R}`,
      tshark: { fields: ['http.response.version'], why: 'a status code is 3 digits (RFC 9112 §4): no status line, where tshark reads the version of a broken one' } },
    { name: 'HTTP/0.9 request', payload: `GET /${R}` },
    { name: 'request line without CR LF', payload: 'GET /a HTTP/1.1' },
    { name: 'header block going on in a later segment', payload: `POST /upload HTTP/1.1${R}Host: up.example${R}Content-Type: text/plain${R}Content-Le` },
    { name: 'bare CR in a header', payload: `GET /cr HTTP/1.1${R}Host: cr.example\rX: y${R}${R}` },
    { name: 'control character in a header', payload: `GET /ctl HTTP/1.1${R}Host: a\x01b${R}${R}`,
      tshark: { fields: ['http.host'], why: 'a field value is VCHAR, obs-text, SP and HTAB (RFC 9110 §5.5): the line is malformed and not kept, tshark keeps the value' } },
    { name: 'header name that is no token', payload: `GET /name HTTP/1.1${R}Bad Name: v${R}Host: after.example${R}${R}` },
    { name: 'folded header line', payload: `GET /fold HTTP/1.1${R}User-Agent: a${R} b${R}Host: h${R}${R}` },
    { name: 'two Host headers', payload: `GET /two HTTP/1.1${R}Host: first.example${R}Host: second.example${R}${R}`,
      tshark: { fields: ['http.host'], why: 'more than one Host is malformed (RFC 9112 §3.2): the first is kept and the request flagged, tshark lists both' } },
    { name: 'OWS around a value', payload: `GET /ows HTTP/1.1${R}Host: \t spaced.example \t${R}User-Agent:${R}${R}`,
      tshark: { fields: ['http.host'], why: 'OWS before and after a field value is not part of it (RFC 9110 §5.5); tshark keeps the trailing blanks' } },
    { name: 'method longer than tcpdump\'s token', payload: `${long} / HTTP/1.1${R}${R}` },
    { name: 'non-ASCII in the target', payload: `GET /\xff\xfe HTTP/1.1${R}Host: x${R}${R}` },
    { name: 'body text on port 80', payload: 'Hello world, this is a body\r\nnot a request\r\n' },
    { name: 'request on 8080', payload: `OPTIONS * HTTP/1.1${R}Host: alt.example${R}${R}`, port: 8080 },
    { name: 'request on 8000 (found by content)', payload: `DELETE /thing HTTP/1.1${R}Host: content.example${R}${R}`, port: 8000 },
    { name: 'capture cut in the request line', payload: `GET /cut/here/and/more HTTP/1.1${R}Host: x${R}${R}`, caplen: 54 + 12 },
    { name: 'capture cut in the headers', payload: `GET /cut HTTP/1.1${R}Host: cut.example${R}User-Agent: long agent${R}${R}`, caplen: 54 + 30 },
  ];
}

const ENDS: Endpoints = { src: '192.0.2.30', dst: '192.0.2.80', sport: 41000, dport: 80 };

/** The seeds as Ethernet frames from a client port to the server port. */
export function httpSeedFrames(): SeedFrame[] {
  return httpSeeds().map((s, i) => {
    const frame = tcpFrame({ ...ENDS, sport: ENDS.sport + i, dport: s.port ?? 80 }, Uint8Array.from(Buffer.from(s.payload, 'latin1')), false, 1000 + i * 10000);
    return seedFrame(frame, s.caplen);
  });
}

/** Writes the seed frames into `dir`/http-seeds.pcap (cut where a seed says) and returns its path. */
export function httpSeedCapture(dir: string): string {
  return writeSeedCapture(dir, 'http-seeds.pcap', httpSeedFrames());
}
