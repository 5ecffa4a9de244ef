// EntityFileCache: a key is built once, kept up to the byte bound (least recently used out),
// a failed build is not kept, concurrent requests for one key share one build.
#include "sync/entity_file_cache.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace registrar::sync {
namespace {

EntityFile file_of(size_t bytes, char fill = 'x') {
  return {std::string(bytes, fill), "sig"};
}

TEST(EntityFileCacheTest, AKeyIsBuiltOnceAndServedAfterwards) {
  EntityFileCache cache(1000);
  int built = 0;
  auto build = [&] {
    ++built;
    return file_of(10);
  };
  auto a = cache.get("k", build);
  auto b = cache.get("k", build);
  EXPECT_EQ(built, 1);
  EXPECT_EQ(a, b);  // the same shared file
  EXPECT_EQ(a->plain, std::string(10, 'x'));
  cache.get("other", build);
  EXPECT_EQ(built, 2);
  EXPECT_EQ(cache.builds(), 2u);
}

TEST(EntityFileCacheTest, TheLeastRecentlyUsedGoesWhenTheBoundIsReached) {
  // Each entry costs its key (1 byte), its file (100) and its signature (3).
  EntityFileCache cache(250);
  cache.get("a", [] { return file_of(100); });
  cache.get("b", [] { return file_of(100); });
  cache.get("a", [] { return file_of(100); });  // a used after b
  cache.get("c", [] { return file_of(100); });  // b goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.bytes(), 208u);
  int built = 0;
  cache.get("a", [&] { return ++built, file_of(100); });
  EXPECT_EQ(built, 0);
  cache.get("b", [&] { return ++built, file_of(100); });
  EXPECT_EQ(built, 1);
  // Too large to keep: served, not kept.
  auto big = cache.get("big", [] { return file_of(300); });
  EXPECT_EQ(big->plain.size(), 300u);
  EXPECT_LE(cache.bytes(), 250u);
  cache.get("big", [&] { return ++built, file_of(300); });
  EXPECT_EQ(built, 2);
}

TEST(EntityFileCacheTest, AFailedBuildIsNotKept) {
  EntityFileCache cache(1000);
  EXPECT_THROW(cache.get("k", []() -> EntityFile { throw std::runtime_error("database gone"); }),
               std::runtime_error);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.get("k", [] { return file_of(5); })->plain, "xxxxx");
  EXPECT_EQ(cache.builds(), 2u);
}

TEST(EntityFileCacheTest, ConcurrentRequestsShareOneBuild) {
  EntityFileCache cache(1 << 20);
  std::atomic<int> built{0};
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<const EntityFile>> got(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      got[i] = cache.get("k", [&] {
        ++built;
        return file_of(1000, 'y');
      });
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(built.load(), 1);
  for (const auto& f : got) EXPECT_EQ(f, got[0]);
}

}  // namespace
}  // namespace registrar::sync
