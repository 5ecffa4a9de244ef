// core::Background and core::BatchQueue: ordering, timers on a manual clock, periodic jobs that
// never overlap, cancel waiting for a run in progress, stop draining and refusing, exceptions in
// tasks, batch sizes and concurrency under concurrent submitters, the gathering delay, and every
// item completed exactly once. No test sleeps for a duration it then asserts on.
#include "core/background.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/batch_queue.h"

namespace registrar::core {
namespace {

using namespace std::chrono_literals;

// Counts events; wait_for(n) blocks until n have happened (generous timeout: a failure, not a
// measurement).
class Counter {
 public:
  void add() {
    std::lock_guard lk(mu_);
    ++n_;
    cv_.notify_all();
  }
  bool wait_for(int n) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, 30s, [&] { return n_ >= n; });
  }
  int value() {
    std::lock_guard lk(mu_);
    return n_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_ = 0;
};

// A gate tasks wait at until the test opens it.
class Gate {
 public:
  void open() {
    std::lock_guard lk(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Waits until `n` timers are armed (a periodic job is re-armed only after its run has returned).
void wait_armed(const Background& bg, size_t n) {
  while (bg.armed_timers() != n) std::this_thread::yield();
}

Background::Options options(int threads, const TimerClock* clock = nullptr) {
  Background::Options o;
  o.threads = threads;
  o.name = "test";
  o.clock = clock;
  return o;
}

TEST(BackgroundTest, OneThreadRunsScheduledTasksInOrder) {
  Background bg(options(1));
  std::vector<int> seen;  // only the one worker touches it until stop() has joined
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(bg.schedule([&seen, i] { seen.push_back(i); }));
  bg.stop();
  ASSERT_EQ(seen.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen[size_t(i)], i);
}

TEST(BackgroundTest, ATaskThatThrowsDoesNotKillThePool) {
  Background bg(options(1));
  Counter done;
  ASSERT_TRUE(bg.schedule([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(bg.schedule([] { throw 42; }));
  ASSERT_TRUE(bg.schedule([&] { done.add(); }));
  EXPECT_TRUE(done.wait_for(1));
}

TEST(BackgroundTest, StopRunsWhatIsQueuedAndRefusesNewWork) {
  Background bg(options(1));
  Gate gate;
  Counter ran;
  ASSERT_TRUE(bg.schedule([&] { gate.wait(); }));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(bg.schedule([&] { ran.add(); }));
  std::thread stopper([&] { bg.stop(); });
  while (!bg.stopping()) std::this_thread::yield();

  auto token = std::make_shared<int>(1);
  bool called = false;
  EXPECT_FALSE(bg.schedule([token, &called] { called = true; }));
  EXPECT_EQ(token.use_count(), 1) << "a refused task is destroyed before schedule returns";
  Job refused = bg.every(1s, [token] {});
  EXPECT_FALSE(refused);
  EXPECT_EQ(token.use_count(), 1);

  gate.open();
  stopper.join();
  EXPECT_EQ(ran.value(), 10);
  EXPECT_FALSE(called);
  bg.stop();  // idempotent
}

TEST(BackgroundTest, AfterFiresWhenTheClockReachesTheDeadline) {
  ManualTimerClock clock;
  Background bg(options(2, &clock));
  Counter fired;
  Job later = bg.after(10s, [&] { fired.add(); });
  Job sooner = bg.after(5s, [&] { fired.add(); });
  clock.advance(4s);
  // Make sure the workers looked at the timers after the advance: a task behind them in FIFO.
  Counter probe;
  ASSERT_TRUE(bg.schedule([&] { probe.add(); }));
  ASSERT_TRUE(bg.schedule([&] { probe.add(); }));
  ASSERT_TRUE(probe.wait_for(2));
  EXPECT_EQ(fired.value(), 0);
  clock.advance(1s);
  EXPECT_TRUE(fired.wait_for(1));
  clock.advance(5s);
  EXPECT_TRUE(fired.wait_for(2));
}

TEST(BackgroundTest, CancelledTimerNeverFiresAndReleasesItsCaptures) {
  ManualTimerClock clock;
  Background bg(options(1, &clock));
  auto token = std::make_shared<int>(1);
  std::atomic<bool> fired = false;
  Job job = bg.after(1s, [token, &fired] { fired = true; });
  EXPECT_EQ(token.use_count(), 2);
  job.cancel();
  EXPECT_EQ(token.use_count(), 1);
  clock.advance(2s);
  bg.stop();
  EXPECT_FALSE(fired);
}

TEST(BackgroundTest, StopCancelsTimersAndPeriodicJobs) {
  ManualTimerClock clock;
  Background bg(options(2, &clock));
  std::atomic<int> runs = 0;
  Counter first;
  Job timer = bg.after(1h, [&] { runs += 100; });
  Job periodic = bg.every(1s, [&] {
    ++runs;
    first.add();
  });
  ASSERT_TRUE(first.wait_for(1));  // every() runs at once
  bg.stop();
  clock.advance(2h);
  EXPECT_EQ(runs.load(), 1);
  periodic.cancel();  // after stop: returns at once
}

TEST(BackgroundTest, EveryRunsAgainAnIntervalAfterEachRunEnds) {
  ManualTimerClock clock;
  Background bg(options(3, &clock));
  Counter runs;
  Job job = bg.every(1s, [&] { runs.add(); });
  ASSERT_TRUE(runs.wait_for(1));
  for (int i = 2; i <= 5; ++i) {
    wait_armed(bg, 1);
    clock.advance(1s);
    ASSERT_TRUE(runs.wait_for(i));
  }
  job.cancel();
  clock.advance(10s);
  Counter probe;
  ASSERT_TRUE(bg.schedule([&] { probe.add(); }));
  ASSERT_TRUE(probe.wait_for(1));
  EXPECT_EQ(runs.value(), 5);
}

TEST(BackgroundTest, APeriodicJobNeverOverlapsItself) {
  // On the steady clock with the shortest interval and more threads than the job could use.
  Background bg(options(4));
  std::atomic<int> running = 0, most = 0;
  Counter runs;
  Job job = bg.every(TimerClock::Duration(1), [&] {
    int now = ++running;
    most = std::max(most.load(), now);
    std::this_thread::yield();
    --running;
    runs.add();
  });
  ASSERT_TRUE(runs.wait_for(200));
  job.cancel();
  EXPECT_EQ(most.load(), 1);
}

TEST(BackgroundTest, ALateClockDoesNotStartASecondRunWhileOneIsInProgress) {
  ManualTimerClock clock;
  Background bg(options(3, &clock));
  Gate gate;
  std::atomic<int> running = 0, most = 0;
  Counter started;
  Job job = bg.every(1s, [&] {
    int now = ++running;
    most = std::max(most.load(), now);
    started.add();
    if (started.value() == 1) gate.wait();
    --running;
  });
  ASSERT_TRUE(started.wait_for(1));
  for (int i = 0; i < 10; ++i) clock.advance(1s);
  Counter probe;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bg.schedule([&] { probe.add(); }));
  ASSERT_TRUE(probe.wait_for(2));  // the two free threads looked at the timers
  EXPECT_EQ(started.value(), 1);
  EXPECT_EQ(bg.armed_timers(), 0u) << "not re-armed while the run is in progress";
  gate.open();
  wait_armed(bg, 1);
  clock.advance(1s);
  ASSERT_TRUE(started.wait_for(2));
  job.cancel();
  EXPECT_EQ(most.load(), 1);
}

TEST(BackgroundTest, CancelWaitsForTheRunInProgress) {
  Background bg(options(2));
  Gate gate;
  Counter started;
  std::atomic<bool> finished = false, cancel_returned = false;
  Job job = bg.every(1h, [&] {
    started.add();
    gate.wait();
    finished = true;
  });
  ASSERT_TRUE(started.wait_for(1));
  std::thread canceller([&] {
    job.cancel();
    cancel_returned = true;
    EXPECT_TRUE(finished) << "cancel returned while the run was still in progress";
  });
  // cancel_returned cannot become true while the run is blocked; check a few scheduling rounds.
  for (int i = 0; i < 100; ++i) std::this_thread::yield();
  EXPECT_FALSE(cancel_returned);
  gate.open();
  canceller.join();
  EXPECT_TRUE(cancel_returned);
}

TEST(BackgroundTest, AJobMayCancelItselfFromItsOwnRun) {
  Background bg(options(1));
  Counter runs;
  Job job;
  Gate assigned;
  job = bg.every(TimerClock::Duration(1), [&] {
    assigned.wait();
    runs.add();
    job.cancel();  // returns at once: it would otherwise wait for itself
  });
  assigned.open();
  ASSERT_TRUE(runs.wait_for(1));
  bg.stop();
  EXPECT_EQ(runs.value(), 1);
}

// ---- BatchQueue ----

struct Item {
  int id = 0;
  size_t weight = 1;
};

TEST(BatchQueueTest, BatchSizesAndConcurrencyAreHonouredUnderConcurrentSubmitters) {
  Background bg(options(4));
  BatchOptions o;
  o.max_batch = 8;
  o.max_concurrent = 2;
  std::mutex mu;
  std::map<int, int> completions;
  std::vector<size_t> sizes;
  std::atomic<int> in_flight = 0, most = 0;
  {
    BatchQueue<Item> q(bg, o, [&](std::vector<Item>& batch) {
      int now = ++in_flight;
      most = std::max(most.load(), now);
      std::this_thread::yield();
      {
        std::lock_guard lk(mu);
        sizes.push_back(batch.size());
        for (auto& item : batch) ++completions[item.id];
      }
      --in_flight;
    });
    std::vector<std::thread> submitters;
    for (int t = 0; t < 8; ++t)
      submitters.emplace_back([&, t] {
        for (int i = 0; i < 500; ++i) ASSERT_TRUE(q.submit(Item{t * 1000 + i}));
      });
    for (auto& s : submitters) s.join();
    q.stop();
    EXPECT_FALSE(q.submit(Item{-1}));
  }
  ASSERT_EQ(completions.size(), 4000u);
  for (auto& [id, n] : completions) EXPECT_EQ(n, 1) << id;
  for (size_t s : sizes) {
    EXPECT_GE(s, 1u);
    EXPECT_LE(s, 8u);
  }
  EXPECT_LE(most.load(), 2);
}

TEST(BatchQueueTest, WeightsBoundABatchButATooHeavyItemGoesAlone) {
  Background bg(options(1));
  BatchOptions o;
  o.max_batch = 10;
  std::vector<std::vector<int>> batches;
  Gate gate;
  ASSERT_TRUE(bg.schedule([&] { gate.wait(); }));  // hold the only thread while we submit
  BatchQueue<Item> q(
      bg, o,
      [&](std::vector<Item>& batch) {
        std::vector<int> ids;
        for (auto& i : batch) ids.push_back(i.id);
        batches.push_back(ids);
      },
      [](const Item& i) { return i.weight; });
  for (auto [id, w] : std::vector<std::pair<int, size_t>>{{1, 4}, {2, 4}, {3, 4}, {4, 25}, {5, 1}})
    ASSERT_TRUE(q.submit(Item{id, w}));
  gate.open();
  q.stop();
  std::vector<std::vector<int>> want{{1, 2}, {3}, {4}, {5}};
  EXPECT_EQ(batches, want);
}

TEST(BatchQueueTest, TheDelayGathersItemsIntoOneBatch) {
  ManualTimerClock clock;
  Background bg(options(2, &clock));
  BatchOptions o;
  o.max_batch = 100;
  o.delay = 10ms;
  std::mutex mu;
  std::vector<size_t> sizes;
  Counter batches;
  BatchQueue<Item> q(bg, o, [&](std::vector<Item>& batch) {
    {
      std::lock_guard lk(mu);
      sizes.push_back(batch.size());
    }
    batches.add();
  });
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.submit(Item{i}));
  Counter probe;
  ASSERT_TRUE(bg.schedule([&] { probe.add(); }));
  ASSERT_TRUE(bg.schedule([&] { probe.add(); }));
  ASSERT_TRUE(probe.wait_for(2));
  EXPECT_EQ(batches.value(), 0) << "nothing before the window closes";
  clock.advance(10ms);
  ASSERT_TRUE(batches.wait_for(1));
  // A full batch does not wait for the window.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(q.submit(Item{i}));
  ASSERT_TRUE(batches.wait_for(2));
  std::lock_guard lk(mu);
  EXPECT_EQ(sizes, (std::vector<size_t>{5, 100}));
}

TEST(BatchQueueTest, StopProcessesWhatIsQueuedWithoutWaitingForTheWindow) {
  ManualTimerClock clock;
  Background bg(options(1, &clock));
  BatchOptions o;
  o.delay = 1h;
  std::atomic<int> processed = 0;
  BatchQueue<Item> q(bg, o, [&](std::vector<Item>& b) { processed += int(b.size()); });
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.submit(Item{i}));
  q.stop();
  EXPECT_EQ(processed.load(), 3);
  Item late{7};
  EXPECT_FALSE(q.submit(std::move(late)));
}

TEST(BatchQueueTest, OnIdleRunsWhenTheQueueEmptiesAndNeverDuringABatch) {
  Background bg(options(3));
  std::atomic<int> busy = 0, overlap = 0, idle_calls = 0;
  Counter processed;
  BatchQueue<Item> q(
      bg, BatchOptions{},
      [&](std::vector<Item>& b) {
        if (++busy > 1) ++overlap;
        --busy;
        for (size_t i = 0; i < b.size(); ++i) processed.add();
      },
      nullptr,
      [&] {
        if (++busy > 1) ++overlap;
        --busy;
        return ++idle_calls < 50;  // some idle work, then done
      });
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(q.submit(Item{i}));
  ASSERT_TRUE(processed.wait_for(200));
  q.stop();
  EXPECT_GE(idle_calls.load(), 1);
  EXPECT_EQ(overlap.load(), 0);
}

TEST(BatchQueueTest, AThrowingBatchIsLoggedAndTheQueueCarriesOn) {
  Background bg(options(1));
  Counter ok;
  BatchOptions o;
  o.max_batch = 1;
  BatchQueue<Item> q(bg, o, [&](std::vector<Item>& b) {
    if (b[0].id == 0) throw std::runtime_error("boom");
    ok.add();
  });
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.submit(Item{i}));
  EXPECT_TRUE(ok.wait_for(2));
}

TEST(BatchQueueTest, WhenTheBackgroundRefusesTheSubmitterProcessesItself) {
  Background bg(options(1));
  bg.stop();
  std::thread::id ran_on;
  BatchQueue<Item> q2(bg, BatchOptions{},
                      [&](std::vector<Item>&) { ran_on = std::this_thread::get_id(); });
  ASSERT_TRUE(q2.submit(Item{1}));
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

}  // namespace
}  // namespace registrar::core
