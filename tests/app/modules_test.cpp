// How modules are put together: start order by dependencies, and the service registry's rules.
#include <gtest/gtest.h>

#include "app/module.h"
#include "core/config.h"
#include "services/registry.h"

namespace registrar::app {
namespace {

class Named : public Module {
 public:
  Named(std::string name, std::vector<std::string> deps)
      : name_(std::move(name)), deps_(std::move(deps)) {}
  std::string name() const override { return name_; }
  std::vector<std::string> dependencies() const override { return deps_; }

 private:
  std::string name_;
  std::vector<std::string> deps_;
};

std::vector<std::unique_ptr<Module>> modules(
    std::vector<std::pair<std::string, std::vector<std::string>>> spec) {
  std::vector<std::unique_ptr<Module>> out;
  for (auto& [name, deps] : spec) out.push_back(std::make_unique<Named>(name, deps));
  return out;
}

std::string names(const std::vector<std::unique_ptr<Module>>& ms) {
  std::string out;
  for (auto& m : ms) out += (out.empty() ? "" : " ") + m->name();
  return out;
}

TEST(ModuleOrder, DependenciesStartFirstOtherwiseListOrder) {
  EXPECT_EQ(names(in_dependency_order(
                modules({{"ibr", {"identity", "ids"}}, {"ids", {"identity"}}, {"identity", {}}}))),
            "identity ids ibr");
  EXPECT_EQ(names(in_dependency_order(modules({{"b", {}}, {"a", {}}, {"c", {"a"}}}))), "b a c");
}

TEST(ModuleOrder, AMissingDependencyIsNamed) {
  try {
    in_dependency_order(modules({{"ids", {"identity"}}, {"authz", {}}}));
    FAIL();
  } catch (const core::ConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("module ids depends on module identity"), std::string::npos) << what;
  }
}

TEST(ModuleOrder, ACycleIsRefusedWithItsPath) {
  try {
    in_dependency_order(modules({{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}}));
    FAIL();
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a -> b -> c -> a"), std::string::npos) << e.what();
  }
}

struct Clock {
  static constexpr const char* kName = "test.clock";
  int ticks = 0;
};
struct Pen {
  static constexpr const char* kName = "test.pen";
};

TEST(ServiceRegistry, FindsProvidedServicesAndNamesMissingOnes) {
  services::Registry registry;
  Clock clock;
  registry.provide(clock, "timekeeper");
  EXPECT_EQ(&registry.find<Clock>(), &clock);
  EXPECT_EQ(registry.find_optional<Pen>(), nullptr);
  try {
    registry.find<Pen>();
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("test.pen"), std::string::npos);
  }
  Clock another;
  EXPECT_THROW(registry.provide(another, "impostor"), core::Error);
}

TEST(ServiceRegistry, AModuleFindsOnlyWhatItsDependenciesProvide) {
  services::Registry registry;
  Clock clock;
  Pen pen;
  registry.provide(clock, "timekeeper");
  registry.begin_start("writer", {});
  registry.provide(pen, "writer");
  EXPECT_EQ(&registry.find<Pen>(), &pen);  // its own
  try {
    registry.find<Clock>();
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("without naming timekeeper in its dependencies()"),
              std::string::npos)
        << e.what();
  }
  registry.begin_start("reader", {"timekeeper"});
  EXPECT_EQ(&registry.find<Clock>(), &clock);
  registry.begin_start("", {});
  EXPECT_EQ(&registry.find<Clock>(), &clock);
}

}  // namespace
}  // namespace registrar::app
