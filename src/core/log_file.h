// A log file written by a thread of its own (log.file). Request threads only copy their line into
// a buffer; the writer thread writes the buffer out in large pieces, so that an I/O thread never
// waits on the disk, and gives the file's pages back to the kernel once they are on disk.
//
// Why the pages are given back: an access log at 100,000 requests/s writes 25 MB/s that nobody
// reads again. Left in the page cache it pushes out pages that are read (the database's), and on
// virtual machines whose free memory the host has taken back, every new page costs a fault in
// the host: about 40 µs per 4 KiB page on the reference machine, a quarter of an I/O thread.
// Written data is pushed to disk every kRecycleBytes (sync_file_range), and the range before that
// is dropped from the cache (posix_fadvise DONTNEED), so the same few pages are used again.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "core/thread_annotations.h"

namespace registrar::log {

class LogFile {
 public:
  struct Options {
    // Lines held in memory at most; past it new lines are dropped (and counted) rather than
    // make request threads wait for a stalled disk. The count is written once writing resumes.
    size_t max_pending_bytes = 64u << 20;
    // The writer wakes when this much is pending, or kMaxDelay after the first pending line.
    size_t batch_bytes = 64u << 10;
  };
  // The longest a line waits in memory before the writer writes it.
  static constexpr std::chrono::milliseconds kMaxDelay{50};
  // Written data is pushed to disk, and the data written before it dropped from the page cache,
  // every this many bytes.
  static constexpr uint64_t kRecycleBytes = 8u << 20;

  // Opens (creates, appends to) `path` and starts the writer. Throws std::runtime_error naming
  // the path when it cannot be opened.
  explicit LogFile(const std::string& path, Options options);
  explicit LogFile(const std::string& path) : LogFile(path, Options{}) {}
  // Writes what is pending and stops the writer.
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // Any thread. Queues `line` and a newline; `urgent` (warnings and errors) wakes the writer
  // at once.
  void append(std::string_view line, bool urgent = false) EXCLUDES(mu_);
  // Any thread but the writer. Returns once every line appended before the call is written (or
  // its write failed).
  void flush() EXCLUDES(mu_);

  struct Stats {
    uint64_t written_bytes = 0;
    uint64_t dropped_lines = 0;   // past max_pending_bytes
    uint64_t failed_writes = 0;   // write(2) errors (disk full, I/O error)
    uint64_t recycled_bytes = 0;  // dropped from the page cache after reaching the disk
  };
  Stats stats() const EXCLUDES(mu_);

 private:
  void run() EXCLUDES(mu_);
  // Writes `data` whole (retrying short writes); false on an error.
  bool write_all(std::string_view data);
  // Pushes what was written to disk and drops what reached it earlier from the page cache.
  void recycle_page_cache();

  const Options options_;
  const int fd_;
  bool regular_file_ = false;  // only a regular file's pages can be synced and dropped
  uint64_t synced_to_ = 0;     // writer thread only: offsets already pushed / dropped
  uint64_t dropped_to_ = 0;

  mutable core::Mutex mu_;
  core::CondVar wake_;     // the writer: something to write, a flush, or stop
  core::CondVar written_;  // flush(): a batch was written
  std::string pending_ GUARDED_BY(mu_);
  uint64_t appended_bytes_ GUARDED_BY(mu_) = 0;  // ever queued (dropped lines excluded)
  uint64_t written_to_ GUARDED_BY(mu_) = 0;      // of those, handed to write(2)
  bool urgent_ GUARDED_BY(mu_) = false;
  bool stop_ GUARDED_BY(mu_) = false;
  Stats stats_ GUARDED_BY(mu_);
  uint64_t dropped_unreported_ GUARDED_BY(mu_) = 0;
  std::thread writer_;
};

}  // namespace registrar::log
