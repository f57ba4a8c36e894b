// What an application printer hands the text sink (host/sinks/text/app.ts): its part of
// tcpdump's line and how it ended. 'jump': tcpdump's printer ran past the captured bytes
// and longjmp'd out with " [|proto]" (the line ends there, as the sink's own jumps do);
// 'soft': the printer printed " [|proto]" itself and returned; 'none': a whole print.
export interface AppText {
  text: string;
  trunc: 'none' | 'soft' | 'jump';
}
