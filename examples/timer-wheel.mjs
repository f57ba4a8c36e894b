// TimerWheel: a hierarchical timer wheel in the shared memory, for very many timers that
// are mostly cancelled before they fire (retransmissions, idle timeouts): schedule, cancel
// and reschedule are O(1), and time only moves when you advance it (in ticks of whatever
// unit you choose), so it runs as fast on a capture's clock as on the wall clock.
//
//   node examples/timer-wheel.mjs
// Prints each schedule/cancel/reschedule with the tick it is due at, then each timer as it
// fires, tick by tick.
import { createEngine, TimerWheel } from 'pktwasm';

const engine = createEngine();
const wheel = new TimerWheel(engine, { capacity: 1024 });

// Retransmission timers of five segments, in milliseconds (one tick = 1 ms here). 300 and
// 5000 ms lie beyond the first level of 256 slots: they cascade down as time passes.
const handles = new Map();
for (const [id, delay] of [[1, 40], [2, 200], [3, 300], [4, 5000], [5, 40]]) {
  handles.set(id, wheel.schedule(delay, id)); // the id comes back when it fires
  console.log(`schedule id=${id} delay=${delay} due=${wheel.now + delay}`);
}
wheel.cancel(handles.get(2)); // segment 2 was acknowledged: its timer never fires
console.log('cancel id=2');

let fired = 0;
for (let t = 1; t <= 6000; t++) {
  fired += wheel.advance(t, (id) => console.log(`tick ${t}: fired id=${id}`));
  if (t === 100) {
    // Segment 3 was sent again at t=100: push its deadline out, keeping the handle.
    wheel.reschedule(handles.get(3), 900);
    console.log(`reschedule id=3 delay=900 due=${wheel.expiry(handles.get(3))}`);
  }
}
const s = wheel.stats();
console.log(`${fired} fired, ${s.cancelled} cancelled, ${s.live} live at tick ${wheel.now}`);
