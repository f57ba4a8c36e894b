// The names --log takes and their help, apart from the logs themselves so that option
// parsing loads none of them. transaction-log.ts's LOG_KINDS has one entry per name here
// (test/app-log-dns.test.ts checks both lists).
export const LOG_KIND_HELP: ReadonlyMap<string, string> = new Map([
  ['dns', 'DNS, mDNS and LLMNR: a query joined with its response (transaction id + 5-tuple) and the response time; a query unanswered after 10 s is written unanswered'],
  ['http', 'HTTP/1.x: a request (method, host, URI, user agent) joined with its response on the connection (status code and reason, in order), and the response time; unanswered after 30 s'],
  ['tls', 'TLS: a ClientHello joined with its ServerHello on the connection: version and cipher chosen, SNI, ALPN offered and chosen, JA3/JA3S; no ServerHello after 30 s is written as such'],
]);
