#include "core/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "core/random.h"

namespace registrar::core {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw Error(ErrorKind::kInternal, what + " " + path + ": " + std::strerror(errno));
}

// Opens a new file, mode 0600 whatever the umask allows beyond it, refusing symlinks and
// existing files. -1 with errno set on failure.
int open_new(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

}  // namespace

bool create_secret_file(const std::string& path, std::string_view content) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return false;
  const std::string tmp = path + ".tmp-" + random_token(8);
  int fd = open_new(tmp);
  if (fd < 0) fail("cannot create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      fail("cannot write", tmp);
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail("cannot write", tmp);
  }
  // link() never replaces: of two processes creating the same secret, one wins and the other
  // reads the winner's (rename would let the second silently replace the first).
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int saved = errno;
  ::unlink(tmp.c_str());
  if (linked == 0) return true;
  if (saved == EEXIST) return false;
  errno = saved;
  fail("cannot create", path);
}

void create_private_file(const std::string& path) {
  int fd = open_new(path);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno != EEXIST) fail("cannot create", path);
}

std::optional<std::string> secret_file_exposure(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if ((st.st_mode & 077) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
  return path + " has mode " + mode + ": group or others may read it; make it 0600 (or 0400)";
}

}  // namespace registrar::core
