// read_json (json_reader.h). nlohmann's own parser spent more on its lexer's buffers (grown
// afresh for every document, and a copy of every byte kept for error messages) than on the
// document itself; this one builds the same DOM in one pass over the text.
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/utf8.h"

namespace registrar::core {

using Json = nlohmann::json;

namespace {

// The open objects and arrays, innermost last; held inline up to a depth that real JOSE
// documents never reach.
class OpenContainers {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  Json* top() const { return size_ <= kInline ? inline_[size_ - 1] : spill_.back(); }
  void push(Json* j) {
    if (size_ < kInline) {
      inline_[size_] = j;
    } else {
      spill_.push_back(j);
    }
    ++size_;
  }
  void pop() {
    if (size_ > kInline) spill_.pop_back();
    --size_;
  }

 private:
  static constexpr size_t kInline = 16;
  std::array<Json*, kInline> inline_{};
  std::vector<Json*> spill_;
  size_t size_ = 0;
};

class Reader {
 public:
  Reader(std::string_view text, size_t max_depth)
      : p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  JsonRead document(Json& root);

 private:
  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool scalar(Json& slot);
  bool literal(std::string_view word) {
    if (size_t(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }
  bool string(std::string& out);  // *p_ is the opening quote
  bool escape(std::string& out);  // *p_ is the character after the backslash
  bool hex4(uint32_t& out);
  bool utf8_sequence();  // *p_ is a byte >= 0x80: checks and passes one well-formed sequence
  bool number(Json& slot);
  // After '{' or ',' in an object: reads `"name" :` and returns the member's slot, or null.
  Json* member(Json& object);

  const char* p_;
  const char* end_;
  const size_t max_depth_;
  bool duplicate_ = false;
};

JsonRead Reader::document(Json& root) {
  if (end_ - p_ >= 3 && std::string_view(p_, 3) == "\xEF\xBB\xBF") p_ += 3;
  OpenContainers open;
  Json* slot = &root;
  for (;;) {
    // A value goes into *slot.
    skip_ws();
    if (p_ == end_) return JsonRead::kInvalid;
    if (*p_ == '{' || *p_ == '[') {
      // A container inside the deepest one allowed is refused before any deeper byte is read.
      if (open.size() >= max_depth_) return JsonRead::kTooDeep;
      const bool object = *p_ == '{';
      ++p_;
      *slot = object ? Json::object() : Json::array();
      skip_ws();
      if (p_ != end_ && *p_ == (object ? '}' : ']')) {
        ++p_;
      } else {
        open.push(slot);
        if (object) {
          if (!(slot = member(*slot))) return JsonRead::kInvalid;
        } else {
          // Elements are appended only once the one before is complete (and popped), so a
          // pointer to an element, or into it, stays valid while it is open.
          slot = &slot->get_ref<Json::array_t&>().emplace_back();
        }
        continue;
      }
    } else if (!scalar(*slot)) {
      return JsonRead::kInvalid;
    }
    // A value is complete: close what it completes, up to the next value to read.
    for (;;) {
      skip_ws();
      if (open.empty()) {
        if (p_ != end_) return JsonRead::kInvalid;
        return duplicate_ ? JsonRead::kDuplicateMember : JsonRead::kOk;
      }
      if (p_ == end_) return JsonRead::kInvalid;
      Json* top = open.top();
      const bool object = top->is_object();
      const char c = *p_++;
      if (c == ',') {
        if (object) {
          if (!(slot = member(*top))) return JsonRead::kInvalid;
        } else {
          slot = &top->get_ref<Json::array_t&>().emplace_back();
        }
        break;
      }
      if (c != (object ? '}' : ']')) return JsonRead::kInvalid;
      open.pop();
    }
  }
}

Json* Reader::member(Json& object) {
  skip_ws();
  if (p_ == end_ || *p_ != '"') return nullptr;
  std::string name;
  if (!string(name)) return nullptr;
  skip_ws();
  if (p_ == end_ || *p_ != ':') return nullptr;
  ++p_;
  auto [it, inserted] = object.get_ref<Json::object_t&>().try_emplace(std::move(name));
  if (!inserted) {
    // The last value wins, as in nlohmann's parser. The earlier one is complete (and off the
    // stack of open containers), so it can be replaced.
    duplicate_ = true;
    it->second = Json();
  }
  return &it->second;
}

bool Reader::scalar(Json& slot) {
  switch (*p_) {
    case '"': {
      std::string s;
      if (!string(s)) return false;
      slot = std::move(s);
      return true;
    }
    case 't':
      slot = true;
      return literal("true");
    case 'f':
      slot = false;
      return literal("false");
    case 'n':
      slot = nullptr;
      return literal("null");
    default:
      return number(slot);
  }
}

bool Reader::string(std::string& out) {
  ++p_;                  // the opening quote
  const char* run = p_;  // the bytes since the last escape, copied in one piece
  while (p_ != end_) {
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      out.append(run, p_);
      ++p_;
      return true;
    }
    if (c == '\\') {
      out.append(run, p_);
      ++p_;
      if (!escape(out)) return false;
      run = p_;
    } else if (c < 0x20) {
      return false;  // control characters must be escaped
    } else if (c >= 0x80) {
      if (!utf8_sequence()) return false;
    } else {
      ++p_;
    }
  }
  return false;  // unterminated
}

bool Reader::hex4(uint32_t& out) {
  if (end_ - p_ < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = *p_++;
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = uint32_t(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = uint32_t(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = uint32_t(c - 'A' + 10);
    } else {
      return false;
    }
    out = out * 16 + d;
  }
  return true;
}

bool Reader::escape(std::string& out) {
  if (p_ == end_) return false;
  const char c = *p_++;
  switch (c) {
    case '"':
    case '\\':
    case '/':
      out += c;
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'u':
      break;
    default:
      return false;
  }
  uint32_t cp;
  if (!hex4(cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
  if (cp >= 0xD800 && cp <= 0xDBFF) {              // must be followed by its low half
    uint32_t low;
    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
    p_ += 2;
    if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  append_utf8(out, cp);
  return true;
}

// Well-formed UTF-8 (RFC 3629 §4): the second byte's range depends on the first, which rules out
// overlong forms, surrogates and code points beyond U+10FFFF.
bool Reader::utf8_sequence() {
  const auto b0 = static_cast<unsigned char>(*p_);
  int continuation;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    continuation = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    continuation = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    continuation = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return false;
  }
  if (end_ - p_ <= continuation) return false;
  for (int i = 1; i <= continuation; ++i) {
    const auto b = static_cast<unsigned char>(p_[i]);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) return false;
  }
  p_ += continuation + 1;
  return true;
}

bool Reader::number(Json& slot) {
  const char* start = p_;
  const bool negative = p_ != end_ && *p_ == '-';
  if (negative) ++p_;
  auto digit = [this] { return p_ != end_ && *p_ >= '0' && *p_ <= '9'; };
  if (!digit()) return false;
  if (*p_ == '0') {
    ++p_;
  } else {
    while (digit()) ++p_;
  }
  bool integral = true;
  if (p_ != end_ && *p_ == '.') {
    integral = false;
    ++p_;
    if (!digit()) return false;
    while (digit()) ++p_;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    integral = false;
    ++p_;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (!digit()) return false;
    while (digit()) ++p_;
  }
  if (integral) {
    uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(start + (negative ? 1 : 0), p_, magnitude);
    if (ec == std::errc() && end == p_) {
      constexpr uint64_t kMinMagnitude = uint64_t(1) << 63;  // of INT64_MIN
      if (!negative) {
        slot = magnitude;
        return true;
      }
      if (magnitude <= kMinMagnitude) {
        slot = magnitude == kMinMagnitude ? INT64_MIN : -static_cast<int64_t>(magnitude);
        return true;
      }
    }
    // Too large for a 64-bit integer: a double, as nlohmann reads it.
  }
  double value = 0;
  auto [end, ec] = std::from_chars(start, p_, value);
  if (ec == std::errc::result_out_of_range) {
    // Underflow reads as (nearly) zero, overflow is refused: strtod tells them apart. The text is
    // JSON number syntax, which the "C" locale's strtod reads the same in any locale but for the
    // decimal point, and registrar never changes the locale.
    value = std::strtod(std::string(start, p_).c_str(), nullptr);
  } else if (ec != std::errc() || end != p_) {
    return false;
  }
  if (!std::isfinite(value)) return false;
  slot = value;
  return true;
}

}  // namespace

JsonRead read_json(std::string_view text, Json& out, size_t max_depth) {
  out = Json();
  JsonRead result = Reader(text, max_depth).document(out);
  if (result == JsonRead::kInvalid || result == JsonRead::kTooDeep)
    out = Json(Json::value_t::discarded);
  return result;
}

Json read_json_or_discarded(std::string_view text) {
  Json out;
  read_json(text, out);
  return out;
}

std::string json_error_position(std::string_view text, JsonRead result) {
  if (result == JsonRead::kTooDeep)
    return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  // nlohmann's parser, on this rare path, says where. What it builds before the error nests no
  // deeper than the limit: read_json would have stopped at kTooDeep first.
  try {
    Json ignored = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return "at byte " + std::to_string(e.byte);
  } catch (const Json::out_of_range&) {
    // nlohmann throws this (not parse_error) for a number past a double's range, which read_json
    // refuses too. Found by tests/fuzz/json_reader_fuzz: it escaped as a 500 from json_body().
    return "a number too large for a double";
  }
  // The one text read_json refuses and nlohmann accepts: a NUL byte, where nlohmann stops.
  return "at byte " + std::to_string(text.find('\0') + 1) + ": a NUL byte";
}

}  // namespace registrar::core
