// saerl/examples/results.hpp — results.json: one JSON object that every command of the program
// adds its figures to, by dotted path ("sae.topk.fvu" is {"sae": {"topk": {"fvu": ...}}}).
//
//   saerl::Results r;
//   r.load("out/results.json");                  // a missing file is an empty object
//   r.set("sae.topk.fvu", 0.031);
//   r.set_numbers("dqn.curve_rates", rates, n);  // [0.1, 0.5, 0.97]
//   r.set("sae.topk.list", list);                // any Json (examples/json.hpp): arrays of objects
//   r.number("sae.topk.fvu", -1);                // 0.031; -1 when absent or not a number
//   r.save("out/results.json");                  // sorted keys, written atomically
//
// Nothing is dropped or cut: any number of keys, any length, arrays and nesting (up to
// kJsonMaxDepth). A set that cannot be kept returns an error and also records it, and save()
// then returns that error and writes nothing: a NaN or infinity (set_null says "no value"
// explicitly), text that is not UTF-8, an empty part in a path ("a..b"), a path through a
// value that is not an object ("a.b" when "a" holds a number), a value that is not an object
// over one that is ("a" when "a" holds {"b": 1}: the other command's keys would go), too deep.
// A key of a file that holds a '.' is kept, but a path cannot name it.
#pragma once
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "../core/io/serialize.hpp"  // detail::write_atomically
#include "../core/base/status.hpp"
#include "json.hpp"

namespace saerl {

struct Results {
  Json root = json_object();
  Status error;  // the first set that failed since load(); save() returns it

  // Reads a file written by save() (or any JSON object); a missing file is an empty object.
  Status load(const char* path) {
    root = json_object();
    error = Status::success();
    errno = 0;
    std::FILE* f = std::fopen(path, "rb");
    if (!f && errno == ENOENT) return Status::success();
    if (!f) return Status::error(StatusCode::io_error, "%s: cannot open for reading", path);
    std::string text;
    char buf[16384];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    const bool bad = std::ferror(f) != 0;
    std::fclose(f);
    if (bad) return Status::error(StatusCode::io_error, "%s: cannot read", path);
    Json v;
    Status s = parse_json(text.data(), text.size(), v);
    if (!s.ok()) return Status::error(StatusCode::invalid_argument, "%s:%s", path, s.message);
    if (!v.is_object())
      return Status::error(StatusCode::invalid_argument, "%s: not a results file written by saerl (its top is %s, "
                           "not an object)", path, json_kind_name(v.kind));
    root = std::move(v);
    return Status::success();
  }

  // Writes path.tmp and renames it over path; writes nothing when a set has failed.
  Status save(const char* path) const {
    if (!error.ok()) return Status::error(error.code, "%s not written: %s", path, error.message);
    const std::string text = write_json(root);
    const detail::Chunk chunk{text.data(), text.size()};
    return detail::write_atomically(path, &chunk, 1);
  }

  Status set(const char* path, double x) { return set(path, json_number(x)); }
  Status set_text(const char* path, const char* text) {
    if (!text) return record(Status::error(StatusCode::invalid_argument, "results: cannot set %s: no text", path));
    return set(path, json_string(text));
  }
  Status set_null(const char* path) { return set(path, json_null()); }
  Status set_bool(const char* path, bool b) { return set(path, json_bool(b)); }
  Status set_numbers(const char* path, const double* x, size_t n) { return set(path, json_numbers(x, n)); }
  // Any value: objects replace objects, other values replace other values (see the header).
  Status set(const char* path, Json value) {
    std::vector<std::string> parts;
    Status s = split(path, parts);
    const int depth = int(parts.size());  // objects around the value, the top one included
    if (s.ok() && depth > kJsonMaxDepth)
      s = Status::error(StatusCode::invalid_argument, "results: %.60s has more than %d parts", path, kJsonMaxDepth);
    const Status checked = s.ok() ? check_json(value, kJsonMaxDepth - depth, path) : Status::success();
    if (!checked.ok()) s = Status::error(checked.code, "results: cannot set %s", checked.message);
    Json* node = &root;
    for (int i = 0; s.ok() && i < depth; ++i) {
      Json* child = node->get(parts[size_t(i)]);
      const bool last = i == depth - 1;
      if (child && !child->is_object() && !last)
        s = refuse(path, i, "a path through", child);
      else if (child && last && child->is_object() != value.is_object())
        s = refuse(path, i, value.is_object() ? "an object over" : "a value that is not an object over", child);
      else if (last)
        node->set(parts[size_t(i)], std::move(value));
      else if (!child)
        node->set(parts[size_t(i)], json_object()), child = node->get(parts[size_t(i)]);
      node = child;
    }
    return record(s);
  }

  // The value at path, or nullptr.
  const Json* find(const char* path) const {
    std::vector<std::string> parts;
    if (!split(path, parts).ok()) return nullptr;
    const Json* node = &root;
    for (size_t i = 0; node && i < parts.size(); ++i) node = node->get(parts[i]);
    return node;
  }
  double number(const char* path, double fallback) const {
    const Json* v = find(path);
    return v && v->kind == Json::Kind::number ? v->number : fallback;
  }
  std::string text(const char* path, const char* fallback) const {  // (fallback: not null)
    const Json* v = find(path);
    return v && v->kind == Json::Kind::string ? v->text : fallback;
  }

  // Every value that is not an object, with its dotted path, depth first in key order.
  struct Leaf {
    std::string path;
    const Json* value;
  };
  std::vector<Leaf> leaves() const {
    std::vector<Leaf> out;
    add_leaves(root, "", out);
    return out;
  }

 private:
  Status record(const Status& s) {
    if (!s.ok() && error.ok()) error = s;
    return s;
  }
  static Status split(const char* path, std::vector<std::string>& parts) {
    const std::string p = path ? path : "";
    for (size_t start = 0;;) {
      const size_t dot = std::min(p.find('.', start), p.size());
      if (dot == start)
        return Status::error(StatusCode::invalid_argument, "results: the path \"%.100s\" has an empty part", p.c_str());
      parts.push_back(p.substr(start, dot - start));
      if (dot == p.size()) break;
      start = dot + 1;
    }
    if (!valid_utf8(p)) return Status::error(StatusCode::invalid_argument, "results: a path that is not UTF-8");
    return Status::success();
  }
  static Status refuse(const char* path, int i, const char* what, const Json* holder) {
    std::string at;
    for (const char* c = path; *c && !(*c == '.' && i-- == 0); ++c) at += *c;
    return Status::error(StatusCode::invalid_argument, "results: cannot set %.60s: %s %.60s, which holds %s", path,
                         what, at.c_str(), json_kind_name(holder->kind));
  }
  static void add_leaves(const Json& v, const std::string& path, std::vector<Leaf>& out) {
    if (!v.is_object()) {
      out.push_back({path, &v});
      return;
    }
    for (size_t i = 0; i < v.keys.size(); ++i)
      add_leaves(v.items[i], path.empty() ? v.keys[i] : path + "." + v.keys[i], out);
  }
};

}  // namespace saerl
