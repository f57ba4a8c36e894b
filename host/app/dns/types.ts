// DNS RR types, classes, opcodes and rcodes by number (IANA "Domain Name System (DNS)
// Parameters"), with the names tcpdump prints for them (print-domain.c's ns_type2str).
// The types the decoders read (assembly/app/dns.ts and its twin) are the app layout's, so
// that both sides have them from one place; the others only the printers use.
export {
  DNS_T_A as T_A, DNS_T_NS as T_NS, DNS_T_CNAME as T_CNAME, DNS_T_SOA as T_SOA, DNS_T_PTR as T_PTR, DNS_T_MX as T_MX,
  DNS_T_TXT as T_TXT, DNS_T_AAAA as T_AAAA, DNS_T_SRV as T_SRV, DNS_T_DNAME as T_DNAME, DNS_T_OPT as T_OPT,
} from '../app-layout.js';
export const T_A6 = 38;
export const T_NSEC = 47;
export const T_NSEC3 = 50;
export const T_TSIG = 250;
export const T_UNSPECA = 104;
export const T_URI = 256;

export const C_IN = 1;

/** tcpdump's names (ns_type2str); others print as "Type<N>". */
export const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [3, 'MD'], [4, 'MF'], [5, 'CNAME'], [6, 'SOA'], [7, 'MB'], [8, 'MG'], [9, 'MR'],
  [10, 'NULL'], [11, 'WKS'], [12, 'PTR'], [13, 'HINFO'], [14, 'MINFO'], [15, 'MX'], [16, 'TXT'],
  [17, 'RP'], [18, 'AFSDB'], [19, 'X25'], [20, 'ISDN'], [21, 'RT'], [22, 'NSAP'], [23, 'NSAP_PTR'],
  [24, 'SIG'], [25, 'KEY'], [26, 'PX'], [27, 'GPOS'], [28, 'AAAA'], [29, 'LOC'], [30, 'NXT'],
  [31, 'EID'], [32, 'NIMLOC'], [33, 'SRV'], [34, 'ATMA'], [35, 'NAPTR'], [36, 'KX'], [37, 'CERT'],
  [38, 'A6'], [39, 'DNAME'], [40, 'SINK'], [41, 'OPT'], [42, 'APL'], [43, 'DS'], [44, 'SSHFP'],
  [45, 'IPSECKEY'], [46, 'RRSIG'], [47, 'NSEC'], [48, 'DNSKEY'], [99, 'SPF'], [100, 'UINFO'],
  [101, 'UID'], [102, 'GID'], [103, 'UNSPEC'], [104, 'UNSPECA'], [249, 'TKEY'], [250, 'TSIG'],
  [251, 'IXFR'], [252, 'AXFR'], [253, 'MAILB'], [254, 'MAILA'], [255, 'ANY'], [256, 'URI'],
]);

/** tcpdump's class names (ns_class2str); others print as "(Class N)". */
export const CLASS_NAMES: ReadonlyMap<number, string> = new Map([[1, 'IN'], [3, 'CHAOS'], [4, 'HS'], [255, 'ANY']]);

export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `Type${t}`;
}
