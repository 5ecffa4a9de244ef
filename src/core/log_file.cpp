#include "core/log_file.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/clock.h"

namespace registrar::log {

namespace {

// The writer's own troubles go to stderr: the log is what failed.
void tell_stderr(const std::string& text) {
  const std::string line = text + "\n";
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

std::string dropped_notice(uint64_t lines) {
  std::string out = "{\"time\":\"";
  core::append_rfc3339(out, core::SystemClock::instance().now(), true);
  out +=
      "\",\"level\":\"warn\",\"event\":\"log_lines_dropped\",\"lines\":" + std::to_string(lines) +
      ",\"why\":\"the log file could not be written as fast as lines came\"}\n";
  return out;
}

}  // namespace

LogFile::LogFile(const std::string& path, Options options)
    : options_(options),
      fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)) {
  if (fd_ < 0)
    throw std::runtime_error("cannot open log file '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    regular_file_ = true;
    synced_to_ = dropped_to_ = uint64_t(st.st_size);
  }
  writer_ = std::thread([this] { run(); });
  ::pthread_setname_np(writer_.native_handle(), "log-writer");  // for top -H and perf
}

LogFile::~LogFile() {
  {
    core::MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  ::close(fd_);
}

void LogFile::append(std::string_view line, bool urgent) {
  bool wake = false;
  {
    core::MutexLock lock(mu_);
    if (pending_.size() + line.size() + 1 > options_.max_pending_bytes) {
      ++stats_.dropped_lines;
      ++dropped_unreported_;
      return;
    }
    // The writer is woken when the first line arrives (it then waits up to kMaxDelay for more),
    // when a batch is full, and for urgent lines; not for every line.
    wake = pending_.empty() || urgent;
    const bool was_short = pending_.size() < options_.batch_bytes;
    pending_.append(line);
    pending_ += '\n';
    appended_bytes_ += line.size() + 1;
    if (was_short && pending_.size() >= options_.batch_bytes) wake = true;
    if (urgent) urgent_ = true;
  }
  if (wake) wake_.notify_one();
}

void LogFile::flush() {
  core::MutexLock lock(mu_);
  const uint64_t target = appended_bytes_;
  if (written_to_ >= target) return;
  urgent_ = true;
  wake_.notify_one();
  while (written_to_ < target) written_.wait(mu_);
}

LogFile::Stats LogFile::stats() const {
  core::MutexLock lock(mu_);
  return stats_;
}

void LogFile::run() {
  std::string batch;
  core::MutexLock lock(mu_);
  for (;;) {
    while (!stop_ && pending_.empty()) wake_.wait(mu_);
    // Gather for a while: one write of many lines costs about what one write of a line does.
    const auto deadline = std::chrono::steady_clock::now() + kMaxDelay;
    while (!stop_ && !urgent_ && pending_.size() < options_.batch_bytes &&
           wake_.wait_until(mu_, deadline)) {
    }
    if (pending_.empty() && stop_) break;
    batch.swap(pending_);
    pending_.clear();
    const uint64_t end = appended_bytes_;
    const uint64_t dropped = dropped_unreported_;
    dropped_unreported_ = 0;
    urgent_ = false;
    lock.unlock();

    bool ok = dropped == 0 || write_all(dropped_notice(dropped));
    ok = write_all(batch) && ok;
    const int error = ok ? 0 : errno;
    recycle_page_cache();

    lock.lock();
    if (ok) {
      stats_.written_bytes += batch.size();
    } else {
      const uint64_t failures = ++stats_.failed_writes;
      if ((failures & (failures - 1)) == 0)  // the 1st, 2nd, 4th, 8th...
        tell_stderr("registrar: cannot write the log file (" + std::to_string(failures) +
                    " failed writes so far): " + std::strerror(error));
    }
    written_to_ = end;
    written_.notify_all();
    batch.clear();
  }
}

bool LogFile::write_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

void LogFile::recycle_page_cache() {
  if (!regular_file_) return;
  const off_t end = ::lseek(fd_, 0, SEEK_CUR);  // O_APPEND: the end of the file, just written
  if (end < 0) return;
  if (uint64_t(end) < synced_to_) synced_to_ = dropped_to_ = 0;  // truncated (copytruncate)
  if (uint64_t(end) < synced_to_ + kRecycleBytes) return;
  // What was written since the last time starts on its way to the disk, without waiting.
  ::sync_file_range(fd_, off_t(synced_to_), off_t(uint64_t(end) - synced_to_),
                    SYNC_FILE_RANGE_WRITE);
  // What started then has had a round to get there: wait for the rest of it, then let the
  // kernel reuse its pages.
  if (synced_to_ > dropped_to_) {
    const off_t from = off_t(dropped_to_), length = off_t(synced_to_ - dropped_to_);
    const bool on_disk = ::sync_file_range(fd_, from, length,
                                           SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                               SYNC_FILE_RANGE_WAIT_AFTER) == 0;
    if (on_disk && ::posix_fadvise(fd_, from, length, POSIX_FADV_DONTNEED) == 0) {
      core::MutexLock lock(mu_);
      stats_.recycled_bytes += uint64_t(length);
    }
    dropped_to_ = synced_to_;
  }
  synced_to_ = uint64_t(end);
}

}  // namespace registrar::log
