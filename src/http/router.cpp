#include "http/router.h"

#include <algorithm>

#include <stdexcept>

#include "core/log.h"

namespace registrar::http {

struct Responder::State {
  Deliver deliver;
  RenderFailure render;
  bool done = false;
  std::mutex mu;
  ~State() {
    if (!done && deliver) {
      log::error("handler_dropped_request", {{"detail", "async handler never responded"}});
      core::Error e(core::ErrorKind::kInternal, "the handler did not respond");
      deliver(render ? render(std::make_exception_ptr(e))
                     : Response::problem(500, "Internal Server Error", e.what()));
    }
  }
};

Responder::Responder(Deliver deliver, RenderFailure render) : state_(std::make_shared<State>()) {
  state_->deliver = std::move(deliver);
  state_->render = std::move(render);
}

void Responder::fail(std::exception_ptr error) const {
  Deliver deliver;
  {
    std::lock_guard lock(state_->mu);
    if (state_->done) return;
    state_->done = true;  // before rendering: the request stays alive until we deliver
    deliver = std::move(state_->deliver);
  }
  if (state_->render) return deliver(state_->render(error));
  Failure f = failure_of(error, "", nullptr);
  deliver(Response::problem(f.status, "", f.message, f.field));
}

void Responder::operator()(Response response) const {
  Deliver deliver;
  {
    std::lock_guard lock(state_->mu);
    if (state_->done) return;
    state_->done = true;
    deliver = std::move(state_->deliver);
  }
  deliver(std::move(response));
}

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literal;
  std::unique_ptr<Node> param;  // a {name} segment
  std::string param_name;
  std::map<Method, Route*> routes;
  std::vector<std::unique_ptr<Route>> owned;
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segs;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t pos = 1;
  if (path.empty() || path == "/") return segs;
  segs.reserve(size_t(std::count(path.begin(), path.end(), '/')));  // one allocation per match
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    segs.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return segs;
}

}  // namespace

Route& Router::insert(Route route) {
  if (route.pattern.empty() || route.pattern[0] != '/')
    throw std::logic_error("route pattern must start with '/': " + route.pattern);
  Node* node = root_.get();
  for (std::string_view seg : split_path(route.pattern)) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      std::string name(seg.substr(1, seg.size() - 2));
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = name;
      } else if (node->param_name != name) {
        throw std::logic_error("conflicting parameter names at " + route.pattern);
      }
      node = node->param.get();
    } else {
      auto it = node->literal.find(seg);
      if (it == node->literal.end())
        it = node->literal.emplace(std::string(seg), std::make_unique<Node>()).first;
      node = it->second.get();
    }
  }
  if (route.doc.tag.empty()) route.doc.tag = tag_;
  if (auto it = node->routes.find(route.method); it != node->routes.end()) {
    // Name both owners: with configurable prefixes, the two may be different modules.
    auto owner = [](const Route& r) { return r.doc.tag.empty() ? std::string() : r.doc.tag + " "; };
    throw std::logic_error("duplicate route " + std::string(method_name(route.method)) + " " +
                           route.pattern + ": " + owner(route) + "adds it, " + owner(*it->second) +
                           "serves " + it->second->pattern + " already");
  }
  node->owned.push_back(std::make_unique<Route>(std::move(route)));
  Route* r = node->owned.back().get();
  node->routes[r->method] = r;
  order_.push_back(r);
  return *r;
}

Route& Router::add(Method method, std::string pattern, Handler handler) {
  Route r;
  r.method = method;
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  return insert(std::move(r));
}

Route& Router::add_async(Method method, std::string pattern, AsyncHandler handler) {
  Route r;
  r.method = method;
  r.pattern = std::move(pattern);
  r.async_handler = std::move(handler);
  r.exec = Exec::kInline;
  return insert(std::move(r));
}

namespace {
using Params = std::vector<std::pair<std::string, std::string>>;

template <typename NodeT>
const NodeT* walk(const NodeT* node, const std::vector<std::string_view>& segs, size_t i,
                  Params& params) {
  if (i == segs.size()) return node->routes.empty() ? nullptr : node;
  auto it = node->literal.find(segs[i]);
  if (it != node->literal.end()) {
    if (auto* found = walk(it->second.get(), segs, i + 1, params)) return found;
  }
  if (node->param && !segs[i].empty()) {
    params.emplace_back(node->param_name, std::string(segs[i]));
    if (auto* found = walk(node->param.get(), segs, i + 1, params)) return found;
    params.pop_back();
  }
  return nullptr;
}
}  // namespace

Router::Match Router::match(Method method, std::string_view path) const {
  Match m;
  auto segs = split_path(path);
  const Node* node = walk(root_.get(), segs, 0, m.params);
  if (!node) return m;
  auto it = node->routes.find(method);
  auto get = node->routes.find(Method::kGet);
  // HEAD is answered by a GET route only when running it has no side effect.
  const bool head_by_get = get != node->routes.end() && !get->second->side_effects;
  if (it == node->routes.end() && method == Method::kHead && head_by_get) it = get;
  if (it != node->routes.end()) {
    m.route = it->second;
    return m;
  }
  for (auto& [meth, r] : node->routes) m.allowed.push_back(meth);
  if (head_by_get && !node->routes.count(Method::kHead)) m.allowed.push_back(Method::kHead);
  m.errors = node->routes.begin()->second->errors;
  m.params.clear();
  return m;
}

std::vector<const Route*> Router::routes() const {
  return std::vector<const Route*>(order_.begin(), order_.end());
}

void Router::add_authenticator(std::string name, std::shared_ptr<Authenticator> authenticator) {
  if (name.empty() || !authenticator)
    throw std::logic_error("an authenticator needs a name and an implementation");
  if (!authenticators_.emplace(name, std::move(authenticator)).second)
    throw std::logic_error("authenticator \"" + name + "\" is registered twice");
}

namespace {
// True when `prefix` covers `path` in whole segments.
bool covers(std::string_view prefix, std::string_view path) {
  if (prefix.empty() || prefix == "/") return true;
  if (prefix.back() == '/') prefix.remove_suffix(1);
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}
}  // namespace

void Router::set_error_format(std::string path_prefix, std::shared_ptr<const ErrorFormat> format) {
  for (auto& [prefix, f] : formats_)
    if (prefix == path_prefix) {
      f = std::move(format);
      return;
    }
  formats_.emplace_back(std::move(path_prefix), std::move(format));
}

namespace {
// The entry of the longest prefix covering `path`, or null.
template <typename T>
const T* longest_cover(const std::vector<std::pair<std::string, std::shared_ptr<const T>>>& table,
                       std::string_view path) {
  const T* best = nullptr;
  size_t best_length = 0;
  bool found = false;
  for (const auto& [prefix, value] : table) {
    if (covers(prefix, path) && (!found || prefix.size() > best_length)) {
      best = value.get();
      best_length = prefix.size();
      found = true;
    }
  }
  return best;
}

template <typename T>
void set_prefix(std::vector<std::pair<std::string, std::shared_ptr<const T>>>& table,
                std::string prefix, std::shared_ptr<const T> value) {
  for (auto& [p, v] : table)
    if (p == prefix) {
      v = std::move(value);
      return;
    }
  table.emplace_back(std::move(prefix), std::move(value));
}
}  // namespace

void Router::set_cors(std::string path_prefix, std::shared_ptr<const CorsPolicy> policy) {
  set_prefix(cors_, std::move(path_prefix), std::move(policy));
}

const CorsPolicy* Router::cors_for(std::string_view path) const {
  return cors_.empty() ? nullptr : longest_cover(cors_, path);
}

void Router::on_response(std::string path_prefix, ResponseHook hook) {
  set_prefix(hooks_, std::move(path_prefix),
             hook ? std::make_shared<const ResponseHook>(std::move(hook)) : nullptr);
}

const ResponseHook* Router::response_hook_for(std::string_view path) const {
  return hooks_.empty() ? nullptr : longest_cover(hooks_, path);
}

void Router::reserve_prefix(std::string path_prefix, std::vector<const Route*> owned,
                            std::string owner) {
  reserved_.push_back({std::move(path_prefix), std::move(owned), std::move(owner)});
}

const ErrorFormat& Router::error_format_for(std::string_view path) const {
  const ErrorFormat* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, format] : formats_) {
    if (covers(prefix, path) && (!best || prefix.size() > best_length)) {
      best = format.get();
      best_length = prefix.size();
    }
  }
  if (best) return *best;
  static const std::shared_ptr<const ErrorFormat> problem = problem_format();
  return *problem;
}

void Router::resolve() const {
  for (const Route* r : order_) {
    for (const auto& reservation : reserved_) {
      const auto& owned = reservation.owned;
      if (covers(reservation.prefix, r->pattern) &&
          std::find(owned.begin(), owned.end(), r) == owned.end())
        throw std::logic_error("route " + std::string(method_name(r->method)) + " " + r->pattern +
                               (r->doc.tag.empty() ? "" : " (" + r->doc.tag + ")") +
                               " lies under " + reservation.prefix + ", reserved for " +
                               reservation.owner);
    }
    r->errors = r->error_format ? r->error_format.get() : &error_format_for(r->pattern);
    r->cors = cors_for(r->pattern);
    r->on_response = response_hook_for(r->pattern);
    r->authenticator = nullptr;
    if (r->auth.empty()) continue;
    auto it = authenticators_.find(r->auth);
    if (it == authenticators_.end()) {
      std::string known;
      for (const auto& [name, a] : authenticators_) known += (known.empty() ? "" : ", ") + name;
      throw std::logic_error(
          "route " + std::string(method_name(r->method)) + " " + r->pattern +
          " uses authenticator \"" + r->auth +
          "\", which no module registered (registered: " + (known.empty() ? "none" : known) + ")");
    }
    r->authenticator = it->second.get();
  }
}

}  // namespace registrar::http
