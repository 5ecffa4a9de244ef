// parse_json_strict (jose_internal.h): nlohmann's SAX parser driving a DOM builder that notices
// duplicate members as they arrive. Every JOSE header and JWT payload goes through it, once per
// bearer token checked, so it avoids the callback parser (a std::function call per token plus a
// copy of every member name) that the straightforward version used.
#include <string>
#include <vector>

#include "crypto/jose_internal.h"

namespace registrar::crypto::detail {

namespace {

class StrictDomBuilder {
 public:
  explicit StrictDomBuilder(Json& root) : root_(root) {}

  bool null() { return put(nullptr); }
  bool boolean(bool v) { return put(v); }
  bool number_integer(Json::number_integer_t v) { return put(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(v); }
  bool number_float(Json::number_float_t v, const std::string&) { return put(v); }
  bool string(std::string& v) { return put(std::move(v)); }
  bool binary(Json::binary_t&) { return false; }  // not produced by the JSON reader

  bool start_object(std::size_t) {
    put(Json::object());
    stack_.push_back(last_);
    return true;
  }
  bool key(std::string& name) {
    if (duplicate_) return true;
    auto& members = stack_.back()->get_ref<Json::object_t&>();
    auto [it, inserted] = members.try_emplace(std::move(name));
    slot_ = &it->second;
    // After a duplicate nothing more is stored, but the parse goes on so that a document that
    // is also malformed further on is reported as malformed, as the DOM parser would.
    if (!inserted) duplicate_ = true;
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    put(Json::array());
    stack_.push_back(last_);
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

  bool duplicate() const { return duplicate_; }

 private:
  // Stores a value where the parser is: the root, the next array element, or the member whose
  // key was just read. Pointers on the stack stay valid: a container's own siblings are only
  // appended after it is closed and popped. `out` is only meaningful when the result is kOk.
  template <class V>
  bool put(V&& value) {
    if (duplicate_) {
      last_ = nullptr;  // containers opened from now on are only counted on the stack
    } else if (stack_.empty()) {
      root_ = Json(std::forward<V>(value));
      last_ = &root_;
    } else if (Json* top = stack_.back(); top->is_array()) {
      auto& elements = top->get_ref<Json::array_t&>();
      elements.emplace_back(std::forward<V>(value));
      last_ = &elements.back();
    } else {
      *slot_ = Json(std::forward<V>(value));
      last_ = slot_;
    }
    return true;
  }

  Json& root_;
  std::vector<Json*> stack_;  // open objects and arrays, innermost last
  Json* slot_ = nullptr;      // the member whose value comes next
  Json* last_ = nullptr;      // the value stored last
  bool duplicate_ = false;
};

}  // namespace

JsonParse parse_json_strict(std::string_view text, Json& out) {
  out = Json();
  StrictDomBuilder builder(out);
  bool ok = Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json,
                            /*strict=*/true, /*ignore_comments=*/false);
  if (!ok) {
    out = Json(Json::value_t::discarded);
    return JsonParse::kInvalid;
  }
  return builder.duplicate() ? JsonParse::kDuplicateMember : JsonParse::kOk;
}

}  // namespace registrar::crypto::detail
