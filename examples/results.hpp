// saerl/examples/results.hpp — results.json as a set of dotted keys ("dqn.checkmate_rate",
// "sae.topk.fvu") whose values are numbers, strings or null, read back and merged, so that
// each command adds its keys to what earlier commands wrote.
//
//   saerl::Results r;
//   r.load("out/results.json");             // a missing file is an empty set
//   r.set("sae.topk.fvu", 0.031);
//   r.save("out/results.json");             // nested JSON, written atomically
//
// Only the JSON this file writes is read back: objects of objects of scalars.
#pragma once
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../core/status.hpp"

namespace saerl {

struct Results {
  static constexpr int kMaxEntries = 256;
  static constexpr int kMaxDepth = 8;  // objects nested below the top one; deeper parts stay in the name
  struct Entry {
    char key[64];
    char value[48];  // JSON text of the value: 0.123, "text", null
  };
  Entry entries[kMaxEntries];
  int count = 0;

  Entry* find(const char* key) {
    for (int i = 0; i < count; ++i)
      if (std::strcmp(entries[i].key, key) == 0) return &entries[i];
    return nullptr;
  }
  Entry* slot(const char* key) {
    Entry* e = find(key);
    if (e || count == kMaxEntries) return e;
    e = &entries[count++];
    std::snprintf(e->key, sizeof e->key, "%.63s", key);
    return e;
  }
  void set(const char* key, double v) {
    if (Entry* e = slot(key)) std::snprintf(e->value, sizeof e->value, "%.6g", v);
  }
  void set_null(const char* key) {
    if (Entry* e = slot(key)) std::snprintf(e->value, sizeof e->value, "null");
  }
  void set_text(const char* key, const char* text) {
    if (Entry* e = slot(key)) std::snprintf(e->value, sizeof e->value, "\"%.40s\"", text);
  }

  // Reads a file written by save(); a missing file leaves the set empty.
  Status load(const char* path) {
    count = 0;
    std::FILE* f = std::fopen(path, "r");
    if (!f) return Status::success();
    static char text[64 * 1024];
    size_t n = std::fread(text, 1, sizeof text - 1, f);
    std::fclose(f);
    text[n] = '\0';
    const char* p = text;
    char prefix[64] = "";
    if (!parse_object(p, prefix) ) {
      count = 0;
      return Status::error(StatusCode::invalid_argument, "%s: not a results file written by saerl", path);
    }
    return Status::success();
  }

  // Writes nested objects: keys sharing a dotted prefix share an object (keys sorted).
  Status save(const char* path) {
    sort();
    char tmp[1100];
    std::snprintf(tmp, sizeof tmp, "%s.tmp", path);
    std::FILE* f = std::fopen(tmp, "w");
    if (!f) return Status::error(StatusCode::io_error, "%s: cannot write", tmp);
    std::fputs("{", f);
    const char* open[kMaxDepth];
    int open_len[kMaxDepth], depth = 0;
    for (int i = 0; i < count; ++i) {
      const char* key = entries[i].key;
      // close objects whose prefix this key does not share
      while (depth > 0 && !(std::strncmp(key, open[depth - 1], size_t(open_len[depth - 1])) == 0 &&
                            key[open_len[depth - 1]] == '.')) {
        std::fprintf(f, "\n%*s}", 2 * depth, "");
        --depth;
      }
      const char* rest = key + (depth ? open_len[depth - 1] + 1 : 0);
      bool first = i == 0 || (depth > 0 && open_start_[depth - 1] == i);
      // open objects for the remaining dotted parts
      for (const char* dot = std::strchr(rest, '.'); dot && depth < kMaxDepth; dot = std::strchr(rest, '.')) {
        std::fprintf(f, "%s\n%*s\"%.*s\": {", first ? "" : ",", 2 * (depth + 1), "", int(dot - rest), rest);
        open[depth] = key;
        open_len[depth] = int(dot - key);
        open_start_[depth] = i;
        ++depth;
        first = true;
        rest = dot + 1;
      }
      std::fprintf(f, "%s\n%*s\"%s\": %s", first ? "" : ",", 2 * (depth + 1), "", rest, entries[i].value);
    }
    while (depth > 0) std::fprintf(f, "\n%*s}", 2 * depth--, "");
    std::fputs("\n}\n", f);
    bool ok = !std::ferror(f);
    ok = std::fclose(f) == 0 && ok;
    if (!ok || std::rename(tmp, path) != 0) {
      std::remove(tmp);
      return Status::error(StatusCode::io_error, "%s: cannot write", path);
    }
    return Status::success();
  }

 private:
  int open_start_[kMaxDepth] = {0};

  void sort() {  // insertion sort by key: a few hundred entries at most
    for (int i = 1; i < count; ++i)
      for (int j = i; j > 0 && std::strcmp(entries[j - 1].key, entries[j].key) > 0; --j) {
        Entry t = entries[j];
        entries[j] = entries[j - 1];
        entries[j - 1] = t;
      }
  }

  static void skip_space(const char*& p) {
    while (*p && std::isspace(static_cast<unsigned char>(*p))) ++p;
  }
  static bool parse_string(const char*& p, char* out, size_t cap) {
    if (*p != '"') return false;
    ++p;
    size_t n = 0;
    while (*p && *p != '"') {
      if (n + 1 < cap) out[n++] = *p;
      ++p;
    }
    if (*p != '"') return false;
    ++p;
    out[n] = '\0';
    return true;
  }
  // An object's members become entries "prefix.name"; nested objects recurse.
  bool parse_object(const char*& p, const char* prefix, int depth = 0) {
    skip_space(p);
    if (*p != '{' || depth > kMaxDepth) return false;
    ++p;
    skip_space(p);
    if (*p == '}') return ++p, true;
    for (;;) {
      skip_space(p);
      char name[64], key[160];
      if (!parse_string(p, name, sizeof name)) return false;
      std::snprintf(key, sizeof key, "%.80s%s%.63s", prefix, *prefix ? "." : "", name);
      skip_space(p);
      if (*p++ != ':') return false;
      skip_space(p);
      if (*p == '{') {
        if (!parse_object(p, key, depth + 1)) return false;
      } else {
        const char* start = p;
        if (*p == '"') {
          char s[48];
          if (!parse_string(p, s, sizeof s)) return false;
        } else {
          while (*p && *p != ',' && *p != '}' && !std::isspace(static_cast<unsigned char>(*p))) ++p;
          if (p == start) return false;
        }
        if (p - start >= static_cast<long>(sizeof entries[0].value)) return false;  // would be cut: refuse
        if (Entry* e = slot(key)) std::snprintf(e->value, sizeof e->value, "%.*s", int(p - start), start);
      }
      skip_space(p);
      if (*p == ',') { ++p; continue; }
      if (*p == '}') return ++p, true;
      return false;
    }
  }
};

}  // namespace saerl
