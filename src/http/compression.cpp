#include "http/compression.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace registrar::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The q value of one coding's parameters ("q=0.5"); 1 when absent, 0 when unreadable.
double q_value(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string v(p.substr(2));
      char* end = nullptr;
      double q = std::strtod(v.c_str(), &end);
      return end == v.c_str() + v.size() ? q : 0.0;
    }
  }
  return 1.0;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    std::string_view params =
        semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip") || coding == "*")
      if (q_value(params) > 0) return true;
  }
  return false;
}

std::string gzip(std::string_view data, GzipMode mode) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  int strategy = mode == GzipMode::kHuffmanOnly ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY;
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, strategy) != Z_OK)
    throw std::runtime_error("gzip: deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate failed");
  out.resize(written);
  return out;
}

std::optional<std::string> gunzip(std::string_view data) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated input
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || z.avail_in != 0) return std::nullopt;
  return out;
}

namespace {

class GzipStream final : public BodyStream {
 public:
  GzipStream(std::shared_ptr<BodyStream> inner, GzipMode mode) : inner_(std::move(inner)) {
    int strategy = mode == GzipMode::kHuffmanOnly ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY;
    if (deflateInit2(&z_, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, strategy) != Z_OK)
      throw std::runtime_error("gzip: deflateInit2 failed");
  }
  ~GzipStream() override { deflateEnd(&z_); }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  std::optional<std::string> next() override {
    while (!finished_) {
      std::optional<std::string> piece = inner_->next();
      std::string out =
          deflate_piece(piece ? *piece : std::string(), piece ? Z_NO_FLUSH : Z_FINISH);
      if (!piece) finished_ = true;
      // deflate keeps small inputs back until it has a block; an empty piece is not sent.
      if (!out.empty()) return out;
    }
    return std::nullopt;
  }

 private:
  std::string deflate_piece(std::string_view in, int flush) {
    std::string out;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    char buf[64 * 1024];
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = sizeof buf;
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) throw std::runtime_error("gzip: deflate failed");
      out.append(buf, sizeof buf - z_.avail_out);
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) break;
    }
    return out;
  }

  std::shared_ptr<BodyStream> inner_;
  z_stream z_{};
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<BodyStream> gzip_stream(std::shared_ptr<BodyStream> inner, GzipMode mode) {
  return std::make_shared<GzipStream>(std::move(inner), mode);
}

void compress_if_accepted(const Request& request, Response& response, size_t min_bytes,
                          GzipMode mode) {
  if (response.stream) {
    if (response.headers.has("Content-Encoding")) return;
    response.headers.set("Vary", "Accept-Encoding");
    auto accept = request.headers.get("Accept-Encoding");
    if (!accept || !accepts_gzip(*accept)) return;
    response.stream = gzip_stream(std::move(response.stream), mode);
    response.headers.set("Content-Encoding", "gzip");
    return;
  }
  // The size check comes first: z_stream counts in uInt, and 4 GiB bodies are not served here.
  if (response.body.size() < min_bytes || response.body.size() >= (size_t{1} << 32)) return;
  if (response.headers.has("Content-Encoding")) return;
  response.headers.set("Vary", "Accept-Encoding");
  auto accept = request.headers.get("Accept-Encoding");
  if (!accept || !accepts_gzip(*accept)) return;
  response.body = gzip(response.body, mode);
  response.headers.set("Content-Encoding", "gzip");
}

}  // namespace registrar::http
