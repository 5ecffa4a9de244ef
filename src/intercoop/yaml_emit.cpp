// The emitter follows PyYAML's (emitter.py) state machine and writers step by step, specialised to
// what SafeDumper produces from plain data with default_flow_style=False: block collections, flow
// only for empty ones, no tags, no anchors. Columns count code points, as Python's do, so the text
// works on UTF-32.
#include "intercoop/yaml_emit.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "core/utf8.h"

namespace registrar::intercoop::yaml {
namespace {

constexpr int kBestIndent = 2;
constexpr int kBestWidth = 80;

bool is_break(char32_t c) {
  return c == U'\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}
bool is_space_or_break(char32_t c) {  // PyYAML's '\0 \t\r\n\x85\u2028\u2029'
  return c == 0 || c == U' ' || c == U'\t' || c == U'\r' || is_break(c);
}

std::u32string decode(const std::string& text) {
  std::u32string out;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    int n = c < 0x80             ? 1
            : (c & 0xE0) == 0xC0 ? 2
            : (c & 0xF0) == 0xE0 ? 3
            : (c & 0xF8) == 0xF0 ? 4
                                 : 0;
    if (n == 0 || end - p < n) throw YamlError("string is not valid UTF-8");
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int i = 1; i < n; ++i) {
      if ((p[i] & 0xC0) != 0x80) throw YamlError("string is not valid UTF-8");
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      throw YamlError("string is not valid UTF-8");
    out += cp;
    p += n;
  }
  return out;
}

// A scalar as the serializer hands it to the emitter: its text, whether the plain form reads back
// as the same type (implicit[0]) and the style the representer asked for (0 or '|').
struct Scalar {
  std::u32string text;
  bool plain_implicit = true;
  char style = 0;
};

// emitter.py's ScalarAnalysis: which styles can carry the text unchanged.
struct Analysis {
  bool empty = false;
  bool multiline = false;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
  bool allow_block = true;
};

Analysis analyze(const std::u32string& s) {
  Analysis a;
  if (s.empty()) {
    a.empty = true;
    a.allow_block = false;
    return a;
  }
  bool block_indicators = false, line_breaks = false, special_characters = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  if (s.compare(0, 3, U"---") == 0 || s.compare(0, 3, U"...") == 0) block_indicators = true;
  bool preceded_by_whitespace = true;
  bool followed_by_whitespace = s.size() == 1 || is_space_or_break(s[1]);
  bool previous_space = false, previous_break = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t ch = s[i];
    if (i == 0) {
      if (std::u32string_view(U"#,[]{}&*!|>'\"%@`").find(ch) != std::u32string_view::npos)
        block_indicators = true;
      if ((ch == U'?' || ch == U':') && followed_by_whitespace) block_indicators = true;
      if (ch == U'-' && followed_by_whitespace) block_indicators = true;
    } else {
      if (ch == U':' && followed_by_whitespace) block_indicators = true;
      if (ch == U'#' && preceded_by_whitespace) block_indicators = true;
    }
    if (is_break(ch)) line_breaks = true;
    if (!(ch == U'\n' || (ch >= 0x20 && ch <= 0x7E))) {
      bool printable_unicode =
          (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD) ||
           (ch >= 0x10000 && ch < 0x10FFFF)) &&
          ch != 0xFEFF;
      if (!printable_unicode) special_characters = true;  // allow_unicode: the rest is fine
    }
    if (ch == U' ') {
      if (i == 0) leading_space = true;
      if (i == s.size() - 1) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(ch)) {
      if (i == 0) leading_break = true;
      if (i == s.size() - 1) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_whitespace = is_space_or_break(ch);
    followed_by_whitespace = i + 2 >= s.size() || is_space_or_break(s[i + 2]);
  }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break)
    a.allow_block_plain = false;
  if (trailing_space) a.allow_block = false;
  if (break_space) a.allow_block_plain = a.allow_single_quoted = false;
  if (space_break || special_characters)
    a.allow_block_plain = a.allow_single_quoted = a.allow_block = false;
  if (line_breaks) a.allow_block_plain = false;
  if (block_indicators) a.allow_block_plain = false;
  return a;
}

Scalar scalar_of(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return {U"null"};
    case Value::value_t::boolean:
      return {v.get<bool>() ? U"true" : U"false"};
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      return {decode(v.dump())};
    case Value::value_t::number_float:
      return {decode(python_float_text(v.get<double>()))};
    case Value::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      // yamlns: a string with a newline asks for the literal style.
      return {decode(s), resolve_plain(s) == ScalarType::kStr,
              s.find('\n') != std::string::npos ? '|' : char(0)};
    }
    default:
      throw YamlError("cannot write a value of type " + std::string(v.type_name()));
  }
}

class Emitter {
 public:
  std::string run(const Value& root) {
    node(root, /*root=*/true, /*mapping=*/false, /*simple_key=*/false);
    write_indent();  // document end
    if (open_ended_) {
      write_indicator(U"...", true);
      write_indent();
    }
    return std::move(out_);
  }

 private:
  void node(const Value& v, bool root, bool mapping, bool simple_key) {
    if (v.is_array()) {
      if (v.empty()) return empty_flow(U"[", U"]");
      push_indent(false, /*indentless=*/mapping && !indention_);
      for (const auto& item : v) {
        write_indent();
        write_indicator(U"-", true, false, true);
        node(item, false, false, false);
      }
      pop_indent();
    } else if (v.is_object()) {
      if (v.empty()) return empty_flow(U"{", U"}");
      push_indent(false, false);
      for (const auto& [key, value] : v.items()) {
        write_indent();
        Scalar k = scalar_of(Value(key));
        Analysis a = analyze(k.text);
        // check_simple_key counts the tag too, written or not: "!!str" is 5 more characters.
        if (k.text.size() + 5 < 128 && !a.empty && !a.multiline) {
          scalar(k, a, false, true);
          write_indicator(U":", false);
        } else {  // a complex key: `? key` then `: value`
          write_indicator(U"?", true, false, true);
          scalar(k, a, false, false);
          write_indent();
          write_indicator(U":", true, false, true);
        }
        node(value, false, true, false);
      }
      pop_indent();
    } else {
      Scalar s = scalar_of(v);
      scalar(s, analyze(s.text), root, simple_key);
    }
  }

  void empty_flow(std::u32string_view open, std::u32string_view close) {
    write_indicator(open, true, true);
    write_indicator(close, false);
  }

  void scalar(const Scalar& s, const Analysis& a, bool root, bool simple_key) {
    push_indent(true, false);
    char style = '"';
    if (s.style == 0 && s.plain_implicit && !(simple_key && (a.empty || a.multiline)) &&
        a.allow_block_plain) {
      style = 0;
    } else if (s.style == '|' && !simple_key && a.allow_block) {
      style = '|';
    } else if (s.style == 0 && a.allow_single_quoted && !(simple_key && a.multiline)) {
      style = '\'';
    }
    bool split = !simple_key;
    if (style == 0) {
      if (root) open_ended_ = true;
      write_plain(s.text, split);
    } else if (style == '|') {
      write_literal(s.text);
    } else if (style == '\'') {
      write_single_quoted(s.text, split);
    } else {
      write_double_quoted(s.text, split);
    }
    pop_indent();
  }

  // --- emitter.py's low-level writers ---

  void push_indent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (!indent_) {
      indent_ = flow ? kBestIndent : 0;
    } else if (!indentless) {
      *indent_ += kBestIndent;
    }
  }
  void pop_indent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  void write(std::u32string_view text) {
    for (char32_t c : text) core::append_utf8(out_, c);
  }
  void write_counted(std::u32string_view text) {
    column_ += int(text.size());
    write(text);
  }

  void write_indicator(std::u32string_view indicator, bool need_whitespace, bool whitespace = false,
                       bool indention = false) {
    if (!whitespace_ && need_whitespace) write_counted(U" ");
    write_counted(indicator);
    whitespace_ = whitespace;
    indention_ = indention_ && indention;
    open_ended_ = false;
  }

  void write_indent() {
    int indent = indent_.value_or(0);
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) write_line_break();
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(size_t(indent - column_), ' ');
      column_ = indent;
    }
  }

  void write_line_break(char32_t br = U'\n') {
    write(std::u32string_view(&br, 1));
    whitespace_ = indention_ = true;
    column_ = 0;
  }

  void write_breaks(std::u32string_view breaks) {
    for (char32_t br : breaks) write_line_break(br);
  }

  void write_plain(const std::u32string& text, bool split) {
    if (text.empty()) return;
    if (!whitespace_) write_counted(U" ");
    whitespace_ = indention_ = false;
    bool spaces = false, breaks = false;
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      std::optional<char32_t> ch;
      if (end < t.size()) ch = t[end];
      if (spaces) {
        if (ch != U' ') {
          if (start + 1 == end && column_ > kBestWidth && split) {
            write_indent();
            whitespace_ = indention_ = false;
          } else {
            write_counted(t.substr(start, end - start));
          }
          start = end;
        }
      } else if (breaks) {
        if (!ch || !is_break(*ch)) {
          if (t[start] == U'\n') write_line_break();
          write_breaks(t.substr(start, end - start));
          write_indent();
          whitespace_ = indention_ = false;
          start = end;
        }
      } else if (!ch || *ch == U' ' || is_break(*ch)) {
        write_counted(t.substr(start, end - start));
        start = end;
      }
      if (ch) {
        spaces = *ch == U' ';
        breaks = is_break(*ch);
      }
    }
  }

  void write_single_quoted(const std::u32string& text, bool split) {
    write_indicator(U"'", true);
    bool spaces = false, breaks = false;
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      std::optional<char32_t> ch;
      if (end < t.size()) ch = t[end];
      if (spaces) {
        if (ch != U' ') {
          if (start + 1 == end && column_ > kBestWidth && split && start != 0 && end != t.size()) {
            write_indent();
          } else {
            write_counted(t.substr(start, end - start));
          }
          start = end;
        }
      } else if (breaks) {
        if (!ch || !is_break(*ch)) {
          if (t[start] == U'\n') write_line_break();
          write_breaks(t.substr(start, end - start));
          write_indent();
          start = end;
        }
      } else if (!ch || *ch == U' ' || is_break(*ch) || *ch == U'\'') {
        if (start < end) {
          write_counted(t.substr(start, end - start));
          start = end;
        }
      }
      if (ch == U'\'') {
        write_counted(U"''");
        start = end + 1;
      }
      if (ch) {
        spaces = *ch == U' ';
        breaks = is_break(*ch);
      }
    }
    write_indicator(U"'", false);
  }

  static std::u32string escape(char32_t ch) {
    switch (ch) {
      case 0:
        return U"\\0";
      case 0x07:
        return U"\\a";
      case 0x08:
        return U"\\b";
      case 0x09:
        return U"\\t";
      case 0x0A:
        return U"\\n";
      case 0x0B:
        return U"\\v";
      case 0x0C:
        return U"\\f";
      case 0x0D:
        return U"\\r";
      case 0x1B:
        return U"\\e";
      case U'"':
        return U"\\\"";
      case U'\\':
        return U"\\\\";
      case 0x85:
        return U"\\N";
      case 0xA0:
        return U"\\_";
      case 0x2028:
        return U"\\L";
      case 0x2029:
        return U"\\P";
      default:
        break;
    }
    char buf[16];
    if (ch <= 0xFF) {
      std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(ch));
    } else if (ch <= 0xFFFF) {
      std::snprintf(buf, sizeof buf, "\\u%04X", unsigned(ch));
    } else {
      std::snprintf(buf, sizeof buf, "\\U%08X", unsigned(ch));
    }
    return std::u32string(buf, buf + std::strlen(buf));
  }

  void write_double_quoted(const std::u32string& text, bool split) {
    write_indicator(U"\"", true);
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      std::optional<char32_t> ch;
      if (end < t.size()) ch = t[end];
      if (!ch || *ch == U'"' || *ch == U'\\' || *ch == 0x85 || *ch == 0x2028 || *ch == 0x2029 ||
          *ch == 0xFEFF ||
          !((*ch >= 0x20 && *ch <= 0x7E) || (*ch >= 0xA0 && *ch <= 0xD7FF) ||
            (*ch >= 0xE000 && *ch <= 0xFFFD))) {
        if (start < end) {
          write_counted(t.substr(start, end - start));
          start = end;
        }
        if (ch) {
          write_counted(escape(*ch));
          start = end + 1;
        }
      }
      if (0 < end && end + 1 < t.size() && (ch == U' ' || start >= end) &&
          column_ + int(end - start) > kBestWidth && split) {
        std::u32string data(t.substr(start, end > start ? end - start : 0));
        data += U'\\';
        if (start < end) start = end;
        write_counted(data);
        write_indent();
        whitespace_ = indention_ = false;
        if (t[start] == U' ') write_counted(U"\\");
      }
    }
    write_indicator(U"\"", false);
  }

  void write_literal(const std::u32string& text) {
    std::u32string hints;  // determine_block_hints
    if (!text.empty()) {
      if (text[0] == U' ' || is_break(text[0])) hints += U'0' + kBestIndent;
      if (!is_break(text.back())) {
        hints += U'-';
      } else if (text.size() == 1 || is_break(text[text.size() - 2])) {
        hints += U'+';
      }
    }
    write_indicator(U"|" + hints, true);
    if (!hints.empty() && hints.back() == U'+') open_ended_ = true;
    write_line_break();
    bool breaks = true;
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      std::optional<char32_t> ch;
      if (end < t.size()) ch = t[end];
      if (breaks) {
        if (!ch || !is_break(*ch)) {
          write_breaks(t.substr(start, end - start));
          if (ch) write_indent();
          start = end;
        }
      } else if (!ch || is_break(*ch)) {
        write(t.substr(start, end - start));  // PyYAML does not count these columns
        if (!ch) write_line_break();
        start = end;
      }
      if (ch) breaks = is_break(*ch);
    }
  }

  std::string out_;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  bool open_ended_ = false;
  std::optional<int> indent_;
  std::vector<std::optional<int>> indents_;
};

}  // namespace

std::string dump(const Value& value) {
  return Emitter().run(value);
}

}  // namespace registrar::intercoop::yaml
