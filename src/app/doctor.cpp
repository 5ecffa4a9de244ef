#include "app/doctor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "core/error.h"
#include "http/client.h"

namespace registrar::app {

void DoctorReport::add(DoctorStatus status, std::string check, std::string detail) {
  lines_.push_back({status, std::move(check), std::move(detail)});
}

int DoctorReport::exit_code() const {
  for (const auto& l : lines_)
    if (l.status == DoctorStatus::kFail) return 1;
  return 0;
}

void DoctorReport::secret_file(const std::string& check, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail(check, path + ": does not exist");
  if (!S_ISREG(st.st_mode)) return fail(check, path + ": not a regular file");
  if (::access(path.c_str(), R_OK) != 0) return fail(check, path + ": not readable by this user");
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return fail(check,
                path + ": mode " + mode + " lets group or others in (chmod 600 " + path + ")");
  ok(check, path + " (mode " + mode + ")");
}

void DoctorReport::reachable(const std::string& check, const std::string& url,
                             const std::string& ca_file, bool verify_tls,
                             std::chrono::milliseconds timeout) {
  http::ClientRequest req;
  req.method = http::Method::kGet;
  req.url = url;
  req.ca_file = ca_file;
  req.verify_tls = verify_tls;
  req.timeout = req.connect_timeout = req.read_timeout = timeout;
  req.max_response_bytes = 64 * 1024;
  auto started = std::chrono::steady_clock::now();
  try {
    http::Response r = http::fetch(req);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    ok(check, url + " answered " + std::to_string(r.status) + " in " + std::to_string(ms) + " ms");
  } catch (const std::exception& e) {
    fail(check, url + ": " + e.what());
  }
}

std::string format_doctor_line(const DoctorLine& line, size_t width) {
  const char* status = line.status == DoctorStatus::kOk     ? "ok  "
                       : line.status == DoctorStatus::kWarn ? "warn"
                                                            : "FAIL";
  std::string name = line.check;
  if (name.size() < width) name.append(width - name.size(), ' ');
  return std::string(status) + "  " + name + "  " + line.detail;
}

}  // namespace registrar::app
