// saerl/examples/export_c.hpp — `saerl export-c`: a trained DQN and one SAE's encoder as a C++
// header of const arrays, for firmware that cannot read files (examples/mcu/).
//
//   std::string text;
//   c_model_header(*net, *enc, *qnet, *qenc, labels, "tiny", text);   // then write it out
//
// The header defines, in namespace saerl_model, the preset's types and four constant
// objects: kNet (the float policy network), kEncoder (the float SAE encoder), kNetInt8 and
// kEncoderInt8 (their int8 quantizations, core/analysis/quantize.hpp), and kLabels, one line per
// feature saying what it fires on. Every object is a constant aggregate, so a compiler for a
// microcontroller places it in flash. Floats are written as hexadecimal literals (%a): the
// header holds exactly the trained bits.
#pragma once
#include <cstdio>
#include <string>

#include "../core/analysis/quantize.hpp"
#include "../sae/sae_encoder.hpp"

namespace saerl {

namespace detail {

inline void append_hex_float(std::string& out, double v, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%af%s", v, suffix);
  out += buf;
}

// "{a, b, c}" of n floats (hexadecimal, exact) or integers.
inline void append_array(std::string& out, const float* v, int n) {
  out += '{';
  for (int i = 0; i < n; ++i) {
    if (i % 8 == 0) out += "\n    ";
    append_hex_float(out, double(v[i]), ",");
  }
  out += "}";
}

inline void append_array(std::string& out, const int8_t* v, int n) {
  out += '{';
  for (int i = 0; i < n; ++i) {
    if (i % 24 == 0) out += "\n    ";
    out += std::to_string(int(v[i]));
    out += ',';
  }
  out += "}";
}

inline void append_string_literal(std::string& out, const char* s) {
  out += '"';
  for (; *s; ++s) {
    if (*s == '"' || *s == '\\') out += '\\';
    out += *s >= ' ' && *s <= '~' ? *s : '?';
  }
  out += '"';
}

template <int... S>
void append_sizes(std::string& out) {
  const int sizes[] = {S...};
  for (int i = 0; i < int(sizeof...(S)); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
}

}  // namespace detail

template <int... S, int D, int M>
void c_model_header(const Mlp<float, S...>& net, const SaeEncoder<float, D, M>& enc, const QuantizedMlp<S...>& qnet,
                    const QuantizedSaeEncoder<D, M>& qenc, const char* const* labels, int hidden_layer,
                    const char* preset, std::string& out) {
  using detail::append_array;
  out += "// saerl_model.hpp: written by `saerl export-c`; do not edit.\n";
  out += "// A trained DQN policy and one SAE's encoder, in float and int8, as constant objects\n";
  out += "// (in flash on a microcontroller). Include with the saerl root on the include path.\n";
  out += "#pragma once\n#include \"core/analysis/quantize.hpp\"\n#include \"sae/sae_encoder.hpp\"\n\n";
  out += "namespace saerl_model {\n\n";
  out += "constexpr const char* kPreset = ";
  detail::append_string_literal(out, preset);
  out += ";\nconstexpr const char* kVariant = ";
  detail::append_string_literal(out, sae_variant_name(enc.variant));
  const std::string layer = std::to_string(hidden_layer), d = std::to_string(D), m = std::to_string(M);
  out += ";\n// the SAE reads z_" + layer + ": the output of that layer before its ReLU\n";
  out += "constexpr int kHiddenLayer = " + layer + ";\n";
  out += "using Net = saerl::Mlp<float, ";
  detail::append_sizes<S...>(out);
  out += ">;\nusing NetInt8 = saerl::QuantizedMlp<";
  detail::append_sizes<S...>(out);
  out += ">;\nusing Encoder = saerl::SaeEncoder<float, " + d + ", " + m + ">;\n";
  out += "using EncoderInt8 = saerl::QuantizedSaeEncoder<" + d + ", " + m + ">;\n\n";

  out += "inline const Net kNet = {";
  append_array(out, net.params, Mlp<float, S...>::kParams);
  out += "};\n\ninline const NetInt8 kNetInt8 = {";
  append_array(out, qnet.weights, QuantizedMlp<S...>::kWeights);
  out += ",";
  append_array(out, qnet.scales, Mlp<float, S...>::kUnits);
  out += ",";
  append_array(out, qnet.biases, Mlp<float, S...>::kUnits);
  out += "};\n\n";

  const char* variant = sae_variant_name(enc.variant);
  for (int int8 = 0; int8 < 2; ++int8) {
    out += int8 ? "inline const EncoderInt8 kEncoderInt8 = {" : "inline const Encoder kEncoder = {";
    if (int8) {
      append_array(out, qenc.w_enc, M * D);
      out += ",";
      append_array(out, qenc.scale, M);
    } else {
      append_array(out, enc.w_enc, D * M);
    }
    out += ",";
    append_array(out, enc.b_enc, M);
    out += ",";
    append_array(out, enc.b_dec, D);
    out += ",";
    append_array(out, enc.threshold, M);
    out += ",\n    ";
    detail::append_hex_float(out, double(enc.batch_threshold), ", saerl::SaeVariant::");
    out += variant;
    out += ", " + std::to_string(enc.k) + "};\n\n";
  }

  out += "inline const char* const kLabels[" + m + "] = {\n";
  for (int j = 0; j < M; ++j) {
    out += "    ";
    detail::append_string_literal(out, labels[j] ? labels[j] : "");
    out += ",\n";
  }
  out += "};\n\n}  // namespace saerl_model\n";
}

}  // namespace saerl
