// Secret files are created 0600 from the first byte, never through a symlink, never over an
// existing file (security issue 17).
#include "core/secret_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "support/temp_dir.h"

namespace registrar::core {
namespace {

unsigned mode_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The umask most systems run with would leave 0644 on a plain create.
class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override { old_ = ::umask(022); }
  void TearDown() override { ::umask(old_); }
  testing::TempDir dir_;
  mode_t old_ = 0;
};

TEST_F(SecretFileTest, CreatesOwnerOnlyAndLeavesNoTemporary) {
  const std::string path = dir_.file("master.key");
  EXPECT_TRUE(create_secret_file(path, "s3cret\n"));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(contents(path), "s3cret\n");
  EXPECT_FALSE(secret_file_exposure(path));
  size_t files = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(SecretFileTest, NeverReplacesAnExistingFile) {
  const std::string path = dir_.file("secret");
  ASSERT_TRUE(create_secret_file(path, "first"));
  EXPECT_FALSE(create_secret_file(path, "second"));
  EXPECT_EQ(contents(path), "first");
}

TEST_F(SecretFileTest, NeverWritesThroughASymlink) {
  const std::string target = dir_.file("elsewhere");
  const std::string link = dir_.file("planted");
  // A dangling link: a plain open(O_CREAT) would create `elsewhere` with the secret in it.
  std::filesystem::create_symlink(target, link);
  EXPECT_FALSE(create_secret_file(link, "secret"));
  EXPECT_FALSE(std::filesystem::exists(target));
  create_private_file(link);  // exists (as a link): left alone, nothing created behind it
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(SecretFileTest, PrivateFileIsCreatedEmptyAndOwnerOnly) {
  const std::string path = dir_.file("registrar.db");
  create_private_file(path);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
  std::ofstream(path) << "data";
  create_private_file(path);  // an existing file is kept as it is
  EXPECT_EQ(contents(path), "data");
  EXPECT_THROW(create_private_file(dir_.file("no/such/dir/x")), Error);
}

TEST_F(SecretFileTest, ExposureNamesTheMode) {
  const std::string path = dir_.file("key");
  ASSERT_TRUE(create_secret_file(path, "k"));
  ::chmod(path.c_str(), 0644);
  auto warning = secret_file_exposure(path);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("0644"), std::string::npos) << *warning;
  ::chmod(path.c_str(), 0400);
  EXPECT_FALSE(secret_file_exposure(path));
}

}  // namespace
}  // namespace registrar::core
