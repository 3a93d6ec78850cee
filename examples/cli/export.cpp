// saerl export: DIR/dqn.bin, every DIR/sae-<variant>.bin and the activation dataset as
// .safetensors (PyTorch, SAELens names) or .npy files under DIR/export/ (examples/export.hpp).
#include <memory>

#include "../../core/io/mlp_io.hpp"
#include "../export.hpp"
#include "commands.hpp"

namespace saerl {
namespace {

template <class S>
int export_files(const Options& o) {
  ExportFormat format;
  if (!parse_export_format(o.format, &format)) return fail("--format: unknown format '%s' (safetensors | npy)", o.format);
  auto net = std::make_unique<typename S::Net>();
  Status s = load_mlp(*net, in_dir(o.out, "dqn.bin").c_str());
  if (s.ok()) s = export_run<typename S::SaeT, typename S::Game>(*net, o.out, format, stdout);
  return s.ok() ? 0 : fail(s);
}

}  // namespace

int cmd_export(const Options& o) {
  return with_setup(o, true, [&](auto setup) { return export_files<decltype(setup)>(o); });
}

}  // namespace saerl
