#include "intercoop/yaml_parse.h"

#include <yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace registrar::intercoop::yaml {
namespace {

constexpr size_t kMaxDepth = 256;
// Aliases copy what they name; the budget stops a document of nested aliases (a "billion laughs")
// from expanding into gigabytes.
constexpr size_t kMaxNodes = 1'000'000;

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

std::string where(const yaml_mark_t& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

struct Parser {
  yaml_parser_t p;
  Parser() {
    if (!yaml_parser_initialize(&p)) throw YamlError("cannot initialise the YAML parser");
  }
  ~Parser() { yaml_parser_delete(&p); }
};

struct Event {
  yaml_event_t e;
  ~Event() { yaml_event_delete(&e); }
};

size_t node_count(const Value& v) {
  size_t n = 1;
  if (v.is_structured())
    for (const auto& child : v) n += node_count(child);
  return n;
}

// A collection being built.
struct Frame {
  Value value;
  std::string anchor;
  std::optional<std::string> key;  // a mapping's key waiting for its value
  bool merge_key = false;          // ... and that key is `<<`
  std::vector<Value> merges;       // mappings merged in, in PyYAML's order
};

class Builder {
 public:
  Value run(std::string_view text) {
    Parser parser;
    yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    std::optional<Value> document;
    while (true) {
      Event ev;
      if (!yaml_parser_parse(&parser.p, &ev.e)) fail(parser.p);
      yaml_event_t& e = ev.e;
      switch (e.type) {
        case YAML_STREAM_END_EVENT:
          return document ? std::move(*document) : Value(nullptr);
        case YAML_DOCUMENT_START_EVENT:
          if (document) throw YamlError("expected a single document in the stream");
          break;
        case YAML_SCALAR_EVENT: {
          const auto& s = e.data.scalar;
          std::string_view text(reinterpret_cast<char*>(s.value), s.length);
          if (at_key() && !s.tag && s.style == YAML_PLAIN_SCALAR_STYLE && s.plain_implicit) {
            ScalarType type = resolve_plain(text);
            if (type == ScalarType::kMerge) {
              stack_.back().key = "<<";
              stack_.back().merge_key = true;
              break;
            }
            if (type == ScalarType::kValue) {  // flatten_mapping makes a `=` key a string
              stack_.back().key = "=";
              stack_.back().merge_key = false;
              break;
            }
          }
          add(scalar(s.tag, text, s.style == YAML_PLAIN_SCALAR_STYLE, s.plain_implicit != 0),
              s.anchor, e.start_mark, document);
          break;
        }
        case YAML_ALIAS_EVENT: {
          std::string name(reinterpret_cast<char*>(e.data.alias.anchor));
          auto it = anchors_.find(name);
          if (it == anchors_.end())
            throw YamlError("found undefined alias '" + name + "' at " + where(e.start_mark));
          budget(it->second.second);
          add(it->second.first, nullptr, e.start_mark, document);
          break;
        }
        case YAML_SEQUENCE_START_EVENT:
          check_collection_tag(e.data.sequence_start.tag, "seq", e.start_mark);
          open(Value::array(), e.data.sequence_start.anchor, e.start_mark);
          break;
        case YAML_MAPPING_START_EVENT:
          check_collection_tag(e.data.mapping_start.tag, "map", e.start_mark);
          open(Value::object(), e.data.mapping_start.anchor, e.start_mark);
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
          Frame frame = std::move(stack_.back());
          stack_.pop_back();
          std::string anchor = std::move(frame.anchor);
          place(finish(std::move(frame)), anchor, e.start_mark, document);
          break;
        }
        default:
          break;
      }
    }
  }

 private:
  [[noreturn]] static void fail(const yaml_parser_t& p) {
    std::string message;
    if (p.context) message += std::string(p.context) + " at " + where(p.context_mark) + ": ";
    message += p.problem ? p.problem : "invalid YAML";
    message += " at " + where(p.problem_mark);
    throw YamlError(message);
  }

  bool at_key() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().key;
  }

  void budget(size_t nodes) {
    nodes_ += nodes;
    if (nodes_ > kMaxNodes) throw YamlError("document too large (aliases expand too far)");
  }

  static Value scalar(const yaml_char_t* tag_ptr, std::string_view text, bool plain,
                      bool plain_implicit) {
    std::string_view tag = tag_ptr ? reinterpret_cast<const char*>(tag_ptr) : "";
    if (tag.empty() || tag == "!") {
      // PyYAML types an untagged plain scalar by its text, and (unlike YAML 1.1) a `!` one too;
      // a quoted one is a string.
      bool resolve = (plain && plain_implicit) || tag == "!";
      return construct(resolve ? resolve_plain(text) : ScalarType::kStr, text);
    }
    if (tag.substr(0, kTagPrefix.size()) == kTagPrefix) {
      std::string_view name = tag.substr(kTagPrefix.size());
      if (name == "str") return Value(std::string(text));
      if (name == "null") return Value(nullptr);
      if (name == "bool") return construct(ScalarType::kBool, text);
      if (name == "int") return construct(ScalarType::kInt, text);
      if (name == "float") return construct(ScalarType::kFloat, text);
      if (name == "timestamp") return construct(ScalarType::kTimestamp, text);
    }
    throw YamlError("could not determine a constructor for the tag '" + std::string(tag) + "'");
  }

  static void check_collection_tag(const yaml_char_t* tag_ptr, std::string_view kind,
                                   const yaml_mark_t& mark) {
    if (!tag_ptr) return;
    std::string_view tag = reinterpret_cast<const char*>(tag_ptr);
    if (tag == "!" || tag == std::string(kTagPrefix) + std::string(kind)) return;
    throw YamlError("could not determine a constructor for the tag '" + std::string(tag) + "' at " +
                    where(mark));
  }

  void open(Value empty, const yaml_char_t* anchor, const yaml_mark_t& mark) {
    if (stack_.size() >= kMaxDepth) throw YamlError("document nested too deeply at " + where(mark));
    if (at_key())
      throw YamlError("a mapping key must be a string, found a collection at " + where(mark));
    budget(1);
    Frame frame;
    frame.value = std::move(empty);
    if (anchor) frame.anchor = reinterpret_cast<const char*>(anchor);
    stack_.push_back(std::move(frame));
  }

  // The mapping with its `<<` merges applied: merged keys first, its own keys override.
  static Value finish(Frame frame) {
    if (frame.merges.empty()) return std::move(frame.value);
    Value merged = Value::object();
    for (auto& piece : frame.merges)
      for (auto& [k, v] : piece.items()) merged[k] = v;
    for (auto& [k, v] : frame.value.items()) merged[k] = v;
    return merged;
  }

  // A scalar or an alias: counted, then placed.
  void add(Value value, const yaml_char_t* anchor, const yaml_mark_t& mark,
           std::optional<Value>& document) {
    budget(1);
    place(std::move(value), anchor ? reinterpret_cast<const char*>(anchor) : "", mark, document);
  }

  // Remembers `value` under its anchor and puts it where the open collection (or the document)
  // expects the next node: a sequence item, a mapping key (which must be a string), a value.
  void place(Value value, const std::string& anchor, const yaml_mark_t& mark,
             std::optional<Value>& document) {
    if (!anchor.empty()) anchors_[anchor] = {value, node_count(value)};
    if (stack_.empty()) {
      document = std::move(value);
      return;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
    } else if (!top.key) {
      if (!value.is_string())
        throw YamlError("a mapping key must be a string, found " + value.dump() + " at " +
                        where(mark));
      top.key = value.get<std::string>();
      top.merge_key = false;
    } else {
      if (top.merge_key) {
        merge(top, std::move(value), mark);
      } else {
        top.value[*top.key] = std::move(value);
      }
      top.key.reset();
    }
  }

  // PyYAML's flatten_mapping: a mapping, or a sequence of mappings where earlier ones win.
  static void merge(Frame& top, Value value, const yaml_mark_t& mark) {
    if (value.is_object()) {
      top.merges.push_back(std::move(value));
      return;
    }
    if (value.is_array()) {
      for (auto it = value.rbegin(); it != value.rend(); ++it) {
        if (!it->is_object()) throw YamlError("expected a mapping for merging at " + where(mark));
        top.merges.push_back(std::move(*it));
      }
      return;
    }
    throw YamlError("expected a mapping or list of mappings for merging at " + where(mark));
  }

  std::vector<Frame> stack_;
  std::map<std::string, std::pair<Value, size_t>> anchors_;
  size_t nodes_ = 0;
};

// The fast path: a block mapping of `key: value` lines, printable ASCII, each value a plain scalar
// of common characters or a single-quoted one without quotes inside. That is what a peer's
// yaml.safe_dump writes for a package's container and for a flat payload of ASCII values, and
// reading it here costs a tenth of libyaml's parser set-up, tokens and events. Anything else —
// comments, blank lines, other indicators, flow or nested collections, `''` escapes, duplicate
// keys, folded lines, a key that is not a string, non-ASCII text, a scalar construct() refuses —
// returns nullopt for libyaml to read, so every result and every error is the general reader's.
// Plain scalars are typed by the same resolve_plain/construct, so `01001`, `yes` and `1.0` read
// alike on both paths (FlatMappingFastPath tests hold them to each other).
bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool plain_char(char c) {
  return key_char(c) || c == ' ' || c == '.' || c == '@' || c == '/' || c == '+' || c == '=';
}

std::optional<Value> load_flat_mapping(std::string_view text) {
  Value out = Value::object();
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    // The key: a letter or `_` first, then key characters, then `: ` and the value.
    if (line.empty() || !key_char(line[0]) || line[0] == '-' || (line[0] >= '0' && line[0] <= '9'))
      return std::nullopt;
    size_t colon = 1;
    while (colon < line.size() && key_char(line[colon])) ++colon;
    // libyaml gives up on a simple key whose `:` is more than 1,024 characters on.
    if (colon > 512 || colon + 2 >= line.size() || line[colon] != ':' || line[colon + 1] != ' ')
      return std::nullopt;
    std::string_view key = line.substr(0, colon), value = line.substr(colon + 2);
    Value key_value = construct(resolve_plain(key), key);
    if (!key_value.is_string() || out.contains(key_value.get<std::string>())) return std::nullopt;
    Value v;
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      std::string_view inner = value.substr(1, value.size() - 2);
      for (char c : inner)
        if (c < 0x20 || c > 0x7E || c == '\'') return std::nullopt;
      v = Value(std::string(inner));
    } else {
      // A plain scalar: no indicator first (`-` only before a non-space), no trailing space.
      char first = value.front();
      if (first == ' ' || first == '@' || (first == '-' && (value.size() < 2 || value[1] == ' ')) ||
          value.back() == ' ')
        return std::nullopt;
      for (char c : value)
        if (!plain_char(c)) return std::nullopt;
      v = construct(resolve_plain(value), value);
    }
    out[key_value.get<std::string>()] = std::move(v);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

Value load(std::string_view text) {
  try {
    if (auto flat = load_flat_mapping(text)) return std::move(*flat);
  } catch (const std::exception&) {
    // construct() refused a scalar: the general reader gives the error with its position.
  }
  return Builder().run(text);
}

Value load_general(std::string_view text) {
  return Builder().run(text);
}

}  // namespace registrar::intercoop::yaml
