#include "support/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

namespace registrar::testing {

RawClient::RawClient(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect failed");
}

RawClient::~RawClient() {
  if (fd_ >= 0) close(fd_);
}

bool RawClient::send(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += size_t(n);
  }
  return true;
}

std::string RawClient::read_some(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) return std::exchange(pending_, {});
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, int(timeout.count())) <= 0) return {};
  char buf[65536];
  ssize_t n = recv(fd_, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

std::string RawClient::read_until_close(std::chrono::milliseconds timeout) {
  std::string out = std::exchange(pending_, {});
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (poll(&p, 1, int(std::max<int64_t>(1, left.count()))) <= 0) break;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

std::string RawClient::read_response(std::chrono::milliseconds timeout) {
  std::string data = std::exchange(pending_, {});
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    auto end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t length = 0;
      auto cl = data.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 16));
      size_t total = end + 4 + length;
      if (data.size() >= total) {
        pending_ = data.substr(total);
        return data.substr(0, total);
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return data;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return data;
    data.append(buf, size_t(n));
  }
}

bool RawClient::closed_within(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
  return false;
}

int status_of(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
  return std::stoi(raw.substr(9, 3));
}

}  // namespace registrar::testing
