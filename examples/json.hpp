// saerl/examples/json.hpp — JSON: the value and writer of examples/json_value.hpp, and a reader
// of the whole of RFC 8259.
//
//   saerl::Json v;
//   saerl::Status s = saerl::parse_json(text.data(), text.size(), v);  // "3:14: expected ..."
//
// Reading: every escape (\uXXXX too, surrogate pairs joined, an unpaired one refused), strings
// must be UTF-8, at most kJsonMaxDepth arrays and objects open at once, a key twice in one
// object and a number beyond a double's range are errors (a value would be lost). Errors
// name the place as line:column (column in bytes, both from 1).
#pragma once
#include "json_value.hpp"

namespace saerl {
namespace detail {

struct JsonReader {
  const char *begin, *p, *end;
  Status error;

  bool fail(const char* at, const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 3, 4)))
#endif
  {
    int line = 1, column = 1;
    for (const char* q = begin; q < at; ++q) column = *q == '\n' ? (++line, 1) : column + 1;
    char what[160];
    va_list args;
    va_start(args, format);
    std::vsnprintf(what, sizeof what, format, args);
    va_end(args);
    error = Status::error(StatusCode::invalid_argument, "%d:%d: %s", line, column, what);
    return false;
  }
  // What stands at q, for messages: 'x', byte 0x01, or the end of the text.
  const char* found(const char* q, char* buf, size_t n) const {
    const unsigned char c = q < end ? static_cast<unsigned char>(*q) : 0;
    if (q >= end) std::snprintf(buf, n, "the end of the text");
    else if (c > 0x20 && c < 0x7F) std::snprintf(buf, n, "'%c'", c);
    else std::snprintf(buf, n, "byte 0x%02x", c);
    return buf;
  }
  bool expected(const char* what) {
    char buf[24];
    return fail(p, "expected %s, found %s", what, found(p, buf, sizeof buf));
  }
  void space() { while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p; }
  static bool digit(const char* q, const char* e) { return q < e && *q >= '0' && *q <= '9'; }

  bool value(Json& v, int depth) {
    space();
    if (p == end) return expected("a value");
    if (*p == '{' || *p == '[') return container(v, depth + 1);
    if (*p == '"') return v = json_of(Json::Kind::string), string(v.text);
    if (*p == '-' || digit(p, end)) return v = json_of(Json::Kind::number), number(v.number);
    const char* words[] = {"null", "true", "false"};
    for (int w = 0; w < 3; ++w) {
      const size_t n = std::strlen(words[w]);
      if (size_t(end - p) >= n && std::memcmp(p, words[w], n) == 0) {
        p += n;
        v = w == 0 ? json_null() : json_bool(w == 1);
        return true;
      }
    }
    return expected("a value");
  }

  bool container(Json& v, int depth) {
    const bool object = *p == '{';
    if (depth > kJsonMaxDepth) return fail(p, "more than %d arrays and objects nested", kJsonMaxDepth);
    v = json_of(object ? Json::Kind::object : Json::Kind::array);
    std::vector<const char*> key_at;  // where each key starts, for the message of a duplicate
    ++p;
    space();
    if (p < end && *p == (object ? '}' : ']')) return ++p, true;
    for (;;) {
      space();
      if (object) {
        if (p == end || *p != '"') return expected("a key string");
        key_at.push_back(p);
        v.keys.emplace_back();
        if (!string(v.keys.back())) return false;
        space();
        if (p == end || *p != ':') return expected("':' after the key");
        ++p;
      }
      v.items.emplace_back();
      if (!value(v.items.back(), depth)) return false;
      space();
      if (p < end && *p == ',') {
        ++p;
        continue;
      }
      if (p < end && *p == (object ? '}' : ']')) break;
      return expected(object ? "',' or '}' after an object member" : "',' or ']' after an array element");
    }
    ++p;
    return !object || sort_members(v, key_at);
  }

  // Puts an object's members in key order (a file we wrote is in order already); a key twice is an error.
  bool sort_members(Json& v, const std::vector<const char*>& key_at) {
    std::vector<size_t> order(v.keys.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (!std::is_sorted(v.keys.begin(), v.keys.end()))
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v.keys[a] < v.keys[b]; });
    for (size_t i = 1; i < order.size(); ++i)
      if (v.keys[order[i - 1]] == v.keys[order[i]])
        return fail(key_at[order[i]], "the key \"%.60s\" a second time in one object", v.keys[order[i]].c_str());
    Json sorted = json_object();
    for (size_t i : order) {
      sorted.keys.push_back(std::move(v.keys[i]));
      sorted.items.push_back(std::move(v.items[i]));
    }
    v = std::move(sorted);
    return true;
  }

  // -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?, then strtod on exactly those bytes
  bool number(double& x) {
    const char* start = p;
    if (*p == '-') ++p;
    if (!digit(p, end)) return expected("a digit");
    if (*p == '0' && digit(p + 1, end)) return fail(p, "a number with a leading zero");
    while (digit(p, end)) ++p;
    if (p < end && *p == '.') {
      ++p;
      if (!digit(p, end)) return expected("a digit after the decimal point");
      while (digit(p, end)) ++p;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
      ++p;
      if (p < end && (*p == '+' || *p == '-')) ++p;
      if (!digit(p, end)) return expected("a digit in the exponent");
      while (digit(p, end)) ++p;
    }
    x = std::strtod(std::string(start, p).c_str(), nullptr);
    return std::isfinite(x) || fail(start, "a number beyond the range of a double");
  }

  bool hex4(unsigned& u) {
    u = 0;
    for (int i = 0; i < 4; ++i, ++p) {
      const char c = p < end ? *p : 0;
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return expected("four hex digits after \\u");
      u = u * 16 + unsigned(d);
    }
    return true;
  }

  bool string(std::string& out) {
    const char* open = p++;
    for (;;) {
      if (p == end) return fail(open, "a string that never ends");
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') return ++p, true;
      if (c < 0x20) return fail(p, "a control character (byte 0x%02x) in a string; write it as \\u00%02x", c, c);
      if (c != '\\') {
        const int n = utf8_length(p, end);
        if (n == 0) return fail(p, "a string that is not UTF-8 (byte 0x%02x)", c);
        out.append(p, size_t(n));
        p += n;
        continue;
      }
      const char* escape = p++;
      const char e = p < end ? *p++ : 0;
      const char* plain = e != 0 ? std::strchr(kEscapeLetters, e) : nullptr;
      if (plain) {
        out += kEscaped[plain - kEscapeLetters];
        continue;
      }
      if (e != 'u') return fail(escape, "an unknown escape in a string");
      unsigned u = 0, low = 0;
      if (!hex4(u)) return false;
      if (u >= 0xDC00 && u <= 0xDFFF) return fail(escape, "a \\u escape of a lone low surrogate");
      if (u >= 0xD800 && u <= 0xDBFF) {  // a high surrogate: a low one must follow
        if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return fail(escape, "a high surrogate without its low half");
        p += 2;
        if (!hex4(low)) return false;
        if (low < 0xDC00 || low > 0xDFFF) return fail(escape, "a high surrogate without its low half");
        u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
      }
      append_utf8(out, u);
    }
  }

  static void append_utf8(std::string& out, unsigned u) {
    if (u < 0x80) {
      out += char(u);
    } else if (u < 0x800) {
      out += char(0xC0 | (u >> 6));
      out += char(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
      out += char(0xE0 | (u >> 12));
      out += char(0x80 | ((u >> 6) & 0x3F));
      out += char(0x80 | (u & 0x3F));
    } else {
      out += char(0xF0 | (u >> 18));
      out += char(0x80 | ((u >> 12) & 0x3F));
      out += char(0x80 | ((u >> 6) & 0x3F));
      out += char(0x80 | (u & 0x3F));
    }
  }
};

}  // namespace detail

// Parses the whole of text[0, n) (whitespace around the value allowed) into out. On an error
// out is unspecified and the message says where: "3:14: expected ':' after the key, found '='".
inline Status parse_json(const char* text, size_t n, Json& out) {
  detail::JsonReader r{text, text, text + n, Status::success()};
  if (!r.value(out, 0)) return r.error;
  r.space();
  if (r.p != r.end) {
    r.expected("the end of the text after the value");
    return r.error;
  }
  return Status::success();
}

}  // namespace saerl
