#include "core/log_file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "support/temp_dir.h"

namespace registrar::log {
namespace {

using testing::read_file;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Lines from several threads are all written, whole, each thread's in its order.
TEST(LogFile, LinesFromManyThreadsAreWrittenWholeAndInOrder) {
  testing::TempDir dir;
  const std::string path = dir.file("a.log");
  constexpr int kThreads = 4, kLines = 5000;
  {
    LogFile file(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&file, t] {
        for (int i = 0; i < kLines; ++i)
          file.append("{\"thread\":" + std::to_string(t) + ",\"seq\":" + std::to_string(i) + "}");
      });
    for (auto& th : threads) th.join();
    file.flush();
    EXPECT_EQ(lines_of(read_file(path)).size(), size_t(kThreads * kLines));
    EXPECT_EQ(file.stats().dropped_lines, 0u);
  }
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines_of(read_file(path))) {
    auto j = nlohmann::json::parse(line);  // throws on a torn line
    const int t = j["thread"].get<int>();
    ASSERT_EQ(j["seq"].get<int>(), next[t]) << line;
    ++next[t];
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kLines);
}

// Nobody has to call flush(): the writer writes what waits, soon.
TEST(LogFile, LinesReachTheFileWithoutAFlush) {
  testing::TempDir dir;
  const std::string path = dir.file("b.log");
  LogFile file(path);
  file.append("{\"event\":\"first\"}");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (read_file(path).empty() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(read_file(path), "{\"event\":\"first\"}\n");
}

// Past every kRecycleBytes the data written before is pushed to disk and dropped from the
// page cache; the file itself is whole.
TEST(LogFile, PagesAreGivenBackOnceOnDisk) {
  testing::TempDir dir;
  const std::string path = dir.file("c.log");
  const std::string line(999, 'x');
  const uint64_t total = 3 * LogFile::kRecycleBytes + (1u << 20);
  {
    LogFile file(path);
    for (uint64_t n = 0; n < total; n += line.size() + 1) {
      file.append(line);
      if (n % (1u << 20) < 1000) file.flush();  // batches small enough to recycle between
    }
    file.flush();
    const auto stats = file.stats();
    EXPECT_GE(stats.written_bytes, total);
    EXPECT_GE(stats.recycled_bytes, LogFile::kRecycleBytes);
    EXPECT_EQ(stats.failed_writes, 0u);
  }
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(uint64_t(st.st_size) % (line.size() + 1), 0u);
  EXPECT_GE(uint64_t(st.st_size), total);
}

// After `logrotate copytruncate` the file starts again from nothing: recycling starts again too.
TEST(LogFile, RecyclingGoesOnAfterTheFileIsTruncated) {
  testing::TempDir dir;
  const std::string path = dir.file("e.log");
  const std::string line(999, 'z');
  LogFile file(path);
  auto write_mib = [&](uint64_t mib) {
    for (uint64_t n = 0; n < (mib << 20); n += line.size() + 1) {
      file.append(line);
      if (n % (1u << 20) < 1000) file.flush();
    }
    file.flush();
  };
  write_mib(3 * LogFile::kRecycleBytes >> 20);
  const uint64_t before = file.stats().recycled_bytes;
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  write_mib(3 * LogFile::kRecycleBytes >> 20);
  EXPECT_GE(file.stats().recycled_bytes, before + LogFile::kRecycleBytes);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_LT(uint64_t(st.st_size), 4 * LogFile::kRecycleBytes);  // appended at the new end
}

// A writer stuck on its output (here a pipe nobody reads) never makes append() wait: past the
// limit lines are dropped, counted, and the count is written when writing resumes.
TEST(LogFile, AStuckWriterDropsLinesPastTheLimitAndSaysHowMany) {
  testing::TempDir dir;
  const std::string path = dir.file("fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  LogFile::Options options;
  options.max_pending_bytes = 4096;
  options.batch_bytes = 1;
  LogFile file(path, options);
  const std::string line(99, 'y');
  for (int i = 0; i < 3000; ++i) file.append(line);  // 300 KB; a pipe holds 64 KiB
  const uint64_t dropped = file.stats().dropped_lines;
  EXPECT_GT(dropped, 1000u);

  // Lines dropped while a batch was being written are reported with the next one: the notices
  // add up to the count.
  auto reported = [](const std::string& text) {
    uint64_t sum = 0;
    for (const std::string& l : lines_of(text)) {
      if (l.rfind("{\"time\"", 0) != 0 || l.back() != '}') continue;  // not whole yet
      const auto notice = nlohmann::json::parse(l);
      EXPECT_EQ(notice["event"], "log_lines_dropped");
      EXPECT_EQ(notice["level"], "warn");
      sum += notice["lines"].get<uint64_t>();
    }
    return sum;
  };
  std::string got;
  char buf[65536];
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (reported(got) < dropped && std::chrono::steady_clock::now() < give_up) {
    pollfd p{reader, POLLIN, 0};
    ::poll(&p, 1, 100);
    const ssize_t n = ::read(reader, buf, sizeof buf);
    if (n > 0) got.append(buf, size_t(n));
  }
  EXPECT_EQ(reported(got), dropped);
  file.append("after");
  file.flush();  // the pipe was drained: this fits
  ::close(reader);
}

// A file that cannot be written (a full disk) costs the lines, not the writer: flush() returns
// and the failures are counted.
TEST(LogFile, WriteFailuresAreCountedAndFlushStillReturns) {
  LogFile file("/dev/full");
  file.append("{\"event\":\"lost\"}");
  file.flush();
  file.append("{\"event\":\"lost too\"}");
  file.flush();
  EXPECT_EQ(file.stats().failed_writes, 2u);
  EXPECT_EQ(file.stats().written_bytes, 0u);
}

TEST(LogFile, AnUnwritablePathIsAnErrorNamingIt) {
  try {
    LogFile file("/nonexistent-dir/registrar.log");
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/registrar.log"), std::string::npos);
  }
}

// Through log::: an error is in the file when log::error returns; an info line once flushed.
TEST(LogFile, ErrorsAreWrittenBeforeTheCallReturns) {
  testing::TempDir dir;
  const std::string path = dir.file("d.log");
  init(Level::kInfo, path);
  error("something_failed", {{"why", "test"}});
  const std::string after_error = read_file(path);
  info("something_happened");
  flush();
  const std::string after_flush = read_file(path);
  init(Level::kInfo, "");  // back to stderr for the other tests
  ASSERT_EQ(lines_of(after_error).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(after_error)["event"], "something_failed");
  ASSERT_EQ(lines_of(after_flush).size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines_of(after_flush)[1])["event"], "something_happened");
}

}  // namespace
}  // namespace registrar::log
