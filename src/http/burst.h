// Work deferred to the end of an I/O thread's current burst of ready requests.
//
// A handler that does one expensive, self-contained computation (a signature verification) can
// split it off: `heavy` runs once the other requests that were ready at the same moment have been
// read and parsed, back to back with theirs, and `then` (typically answering a Responder) after
// every `heavy` of the burst. Run back to back, the verifications find their code and data in the
// caches that a request's parsing and the kernel's socket work would otherwise have evicted; a
// verification right after another costs what it costs in a tight loop, the first about 15 %
// more (docs/performance.md, identity).
//
// Called on an I/O thread (from an inline or async handler), the work is queued there and run by
// that thread. Called anywhere else (a worker, a test), both run at once, in order. Neither may
// throw: an exception is logged and dropped (a Responder left unanswered still sends its 500).
#pragma once

#include <functional>
#include <memory>

namespace registrar::http {

void defer_to_burst_end(std::function<void()> heavy, std::function<void()> then);

// The same as one object, for a caller on every request's path: one allocation where two
// std::functions and the state they share take four or five.
class DeferredWork {
 public:
  virtual ~DeferredWork() = default;
  virtual void heavy() = 0;
  virtual void then() = 0;
};
void defer_to_burst_end(std::unique_ptr<DeferredWork> work);

}  // namespace registrar::http
