// Files that hold secrets (the master key, client secrets) and the SQLite database: created with
// mode 0600 from the first byte, never through a symbolic link, never over an existing file. A
// file written and then chmod-ed is readable by anyone for a moment, and a symlink planted at
// the path would send the secret wherever it points.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace registrar::core {

// Creates `path` holding `content`, mode 0600, atomically: other processes see either no file
// or the whole of it (written to a private temporary, fsync-ed, then hard-linked into place).
// False when something already exists at `path` (a file, or a symlink, dangling or not): the
// caller reads that one instead. Throws core::Error(kInternal) naming the path on any other
// failure. The directory must exist.
bool create_secret_file(const std::string& path, std::string_view content);

// Creates an empty `path` with mode 0600 unless something exists there already; for files
// another library opens afterwards (SQLite gives its -wal and -shm files the database's mode).
void create_private_file(const std::string& path);

// A warning when group or others may read or write the file `path` resolves to (mode & 077),
// naming the mode; nullopt when only the owner may, or when it cannot be examined.
std::optional<std::string> secret_file_exposure(const std::string& path);

}  // namespace registrar::core
