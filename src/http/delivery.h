// Answers handed over together.
//
// A thread that answers many requests at once (a group commit that has just committed a batch)
// opens a DeliveryBatch around the Responder calls: the answers given meanwhile reach their I/O
// threads when the scope closes, in one hand-over per I/O thread instead of one each. Each
// hand-over wakes an I/O thread, and where that thread shares a core with the one answering (a
// small machine, the benchmarks' pinned server) it runs at once: one context switch and one
// contended lock per answer, then one per batch.
//
// Threads. Open it on any thread that is not an I/O thread (a Background thread); nesting is
// allowed (the outermost scope hands over). Answers are held only for requests served by this
// process's http::Server; a Responder built elsewhere (a test's) delivers at once as always.
#pragma once

namespace registrar::http {

class DeliveryBatch {
 public:
  DeliveryBatch();
  ~DeliveryBatch();  // hands over every answer held, in the order they were given
  DeliveryBatch(const DeliveryBatch&) = delete;
  DeliveryBatch& operator=(const DeliveryBatch&) = delete;

 private:
  bool outermost_;
};

}  // namespace registrar::http
