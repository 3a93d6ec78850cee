// saerl/examples/json_value.hpp — a JSON value (null, bool, number, string, array, object)
// and its writer, whose output diffs well between runs; examples/json.hpp adds the reader.
//
//   saerl::Json f = saerl::json_object();
//   f.set("density", saerl::json_number(0.01));
//   std::string out = saerl::write_json(f);  // {\n  "density": 0.01\n}\n
//
// Writing: object keys in sorted order (objects keep them sorted), two-space indentation,
// arrays of numbers on one line, numbers as the shortest of %.15g, %.16g, %.17g that reads back
// to the same double (integers without a decimal point). JSON has no NaN or infinity: such a
// number is refused by check_json (Results refuses it at set time); write_json writes null.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "../core/base/status.hpp"

namespace saerl {

constexpr int kJsonMaxDepth = 64;

struct Json {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool flag = false;              // boolean
  double number = 0;              // number
  std::string text;               // string
  std::vector<Json> items;        // array elements, or object values
  std::vector<std::string> keys;  // object keys, sorted and unique, parallel to items

  bool is_object() const { return kind == Kind::object; }
  // The member named key, or nullptr (also when this is not an object).
  const Json* get(const std::string& key) const {
    const size_t i = find(key);
    return i < keys.size() && keys[i] == key ? &items[i] : nullptr;
  }
  Json* get(const std::string& key) { return const_cast<Json*>(static_cast<const Json*>(this)->get(key)); }
  // Adds or replaces a member, in sorted place; false (nothing changed) when this is not an object.
  bool set(const std::string& key, Json value) {
    if (!is_object()) return false;
    const size_t i = find(key);
    if (i < keys.size() && keys[i] == key) {
      items[i] = std::move(value);
    } else {
      keys.insert(keys.begin() + std::ptrdiff_t(i), key);
      items.insert(items.begin() + std::ptrdiff_t(i), std::move(value));
    }
    return true;
  }
  // Appends to an array; false (nothing changed) when this is not an array.
  bool push(Json value) {
    if (kind != Kind::array) return false;
    items.push_back(std::move(value));
    return true;
  }

 private:
  size_t find(const std::string& key) const {  // where key is or would go
    return is_object() ? size_t(std::lower_bound(keys.begin(), keys.end(), key) - keys.begin()) : keys.size();
  }
};

inline Json json_of(Json::Kind kind) {
  Json v;
  v.kind = kind;
  return v;
}
inline Json json_null() { return Json(); }
inline Json json_object() { return json_of(Json::Kind::object); }
inline Json json_array() { return json_of(Json::Kind::array); }
inline Json json_bool(bool b) {
  Json v = json_of(Json::Kind::boolean);
  v.flag = b;
  return v;
}
inline Json json_number(double x) {
  Json v = json_of(Json::Kind::number);
  v.number = x;
  return v;
}
inline Json json_string(std::string s) {
  Json v = json_of(Json::Kind::string);
  v.text = std::move(s);
  return v;
}
inline Json json_numbers(const double* x, size_t n) {
  Json v = json_array();
  for (size_t i = 0; i < n; ++i) v.items.push_back(json_number(x[i]));
  return v;
}

// x to `digits` significant digits (so that files stay small and diff well).
inline double round_significant(double x, int digits = 4) {
  if (!(x != 0) || !std::isfinite(x)) return std::isfinite(x) ? x : 0;
  const double scale = std::pow(10.0, digits - 1 - int(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

// An object of the given members: json_object_of({{"id", json_number(3)}, {"name", json_string("x")}}).
inline Json json_object_of(std::initializer_list<std::pair<const char*, Json>> members) {
  Json o = json_object();
  for (const auto& m : members) o.set(m.first, m.second);
  return o;
}

inline const char* json_kind_name(Json::Kind k) {
  const char* names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
  return names[int(k)];
}

// The length of the well-formed UTF-8 sequence at p (1..4), 0 if there is none: no overlong
// forms, no surrogates (U+D800..DFFF), nothing above U+10FFFF.
inline int utf8_length(const char* p, const char* end) {
  const unsigned char c = static_cast<unsigned char>(*p);
  if (c < 0x80) return 1;
  const int n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || end - p < n) return 0;
  const unsigned char c1 = static_cast<unsigned char>(p[1]);
  // the second byte's range is narrower after E0 (overlong), ED (surrogates), F0 (overlong), F4 (> U+10FFFF)
  const unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
  const unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  if (c1 < lo || c1 > hi) return 0;
  for (int i = 2; i < n; ++i)
    if ((static_cast<unsigned char>(p[i]) & 0xC0) != 0x80) return 0;
  return n;
}
inline bool valid_utf8(const std::string& s) {
  for (const char *p = s.data(), *end = p + s.size(); p < end;) {
    const int n = utf8_length(p, end);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

// Whether v can be written and read back as it is: finite numbers, UTF-8 strings and keys,
// objects' keys sorted and unique, at most max_depth arrays and objects deep. The message
// names the offending place, "[3].density" style.
inline Status check_json(const Json& v, int max_depth, const std::string& where = "") {
  auto bad = [&](const char* what) {
    return Status::error(StatusCode::invalid_argument, "%.100s%s%s", where.c_str(), where.empty() ? "" : ": ", what);
  };
  if (v.kind == Json::Kind::number && !std::isfinite(v.number))
    return bad("not a finite number (JSON has no NaN or infinity)");
  if (v.kind == Json::Kind::string && !valid_utf8(v.text)) return bad("a string that is not UTF-8");
  if (v.kind != Json::Kind::array && v.kind != Json::Kind::object) return Status::success();
  if (max_depth < 1) return bad("nested deeper than a reader accepts");
  const bool object = v.is_object();
  if (object ? v.keys.size() != v.items.size() : !v.keys.empty()) return bad("keys and values do not pair up");
  for (size_t i = 0; i < v.items.size(); ++i) {
    if (object && (!valid_utf8(v.keys[i]) || (i > 0 && !(v.keys[i - 1] < v.keys[i]))))
      return bad("keys not UTF-8, sorted and unique (use Json::set)");
    const std::string at =
        object ? where + (where.empty() ? "" : ".") + v.keys[i] : where + "[" + std::to_string(i) + "]";
    Status s = check_json(v.items[i], max_depth - 1, at);
    if (!s.ok()) return s;
  }
  return Status::success();
}

namespace detail {


// The two-character escapes: \n stands for a newline, and so on (\/ is read, never written).
constexpr char kEscapeLetters[] = "\"\\/bfnrt";
constexpr char kEscaped[] = "\"\\/\b\f\n\r\t";


inline void write_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  char buf[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  out += buf;
}

inline void write_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    const char* named = c != 0 && c != '/' ? std::strchr(kEscaped, c) : nullptr;
    char code[8];
    if (named) {
      out += '\\';
      out += kEscapeLetters[named - kEscaped];
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::snprintf(code, sizeof code, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
      out += code;
    } else {
      out += c;  // UTF-8 passes through
    }
  }
  out += '"';
}

// indent < 0: everything on one line
inline void write_value(std::string& out, const Json& v, int indent) {
  switch (v.kind) {
    case Json::Kind::null: out += "null"; return;
    case Json::Kind::boolean: out += v.flag ? "true" : "false"; return;
    case Json::Kind::number: write_number(out, v.number); return;
    case Json::Kind::string: write_string(out, v.text); return;
    default: break;
  }
  const bool object = v.is_object();
  const bool numbers =
      std::all_of(v.items.begin(), v.items.end(), [](const Json& x) { return x.kind == Json::Kind::number; });
  const bool one_line = indent < 0 || (!object && numbers) || v.items.empty();
  const std::string pad = one_line ? "" : "\n" + std::string(size_t(indent) + 2, ' ');
  out += object ? '{' : '[';
  for (size_t i = 0; i < v.items.size(); ++i) {
    out += i == 0 ? "" : one_line ? ", " : ",";
    out += pad;
    if (object) write_string(out, v.keys[i]), out += ": ";
    write_value(out, v.items[i], indent < 0 ? indent : indent + 2);
  }
  if (!one_line) out += "\n" + std::string(size_t(indent), ' ');
  out += object ? '}' : ']';
}

}  // namespace detail

// The JSON text of v: indented, ending in a newline; or, with one_line, on a single line.
inline std::string write_json(const Json& v, bool one_line = false) {
  std::string out;
  detail::write_value(out, v, one_line ? -1 : 0);
  if (!one_line) out += '\n';
  return out;
}

}  // namespace saerl
