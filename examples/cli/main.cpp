// saerl — the command-line program: train a DQN on the rook checkmate, take its hidden layer
// apart with sparse autoencoders, label the features, report. Run `saerl --help`.
// Each command lives in examples/cli/<command>.cpp; this file finds it and parses its options.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "../../core/base/parallel.hpp"
#include "cleanup.hpp"
#include "commands.hpp"

namespace saerl {

const char* g_program = "saerl";  // argv[0]: how the sweep starts its runs
std::string g_command_line;       // for results.json's run.command

namespace {

void print_usage(std::FILE* f) {
  int count = 0;
  const Command* table = command_table(&count);
  std::fputs("usage: saerl <command> [options]      saerl <command> --help: its options\n\ncommands:\n", f);
  for (int i = 0; i < count; ++i) std::fprintf(f, "  %-10s %s\n", table[i].name, table[i].summary);
  std::fputs("\nexit status: 0 done; 1 training diverged (a NaN or infinity: the message names the step and the\n"
             "tensor, and the last checkpoint is kept); 2 a bad option or a file that cannot be read or\n"
             "written. A failed run never overwrites a model.\n", f);
}

void print_command_help(const Command& c) {
  std::printf("usage: saerl %s [options]\n\n%s\n\noptions:\n", c.name, c.details);
  print_option_help(stdout, c.options);
  std::printf("  %-24s %s\n\nexample:\n  %s\n", "--help", "this text", c.example);
}

}  // namespace
}  // namespace saerl

int main(int argc, char** argv) {
  using namespace saerl;
  g_program = argv[0];
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it is printed, also into a pipe or file
  remove_temp_files_on_signals();          // Ctrl-C or SIGTERM leaves no *.tmp behind
  for (int i = 0; i < argc; ++i) g_command_line += (i ? " " : "") + std::string(i ? argv[i] : "saerl");
  if (argc < 2) return fail("no command given (see saerl --help)");
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0) {
    print_usage(stdout);
    return 0;
  }
  int count = 0;
  const Command* table = command_table(&count);
  const Command* command = nullptr;
  for (int i = 0; i < count; ++i)
    if (std::strcmp(table[i].name, argv[1]) == 0) command = &table[i];
  if (!command) return fail("unknown command '%.40s' (see saerl --help)", argv[1]);
  Options o;
  const Status s = parse_options(argc, argv, 2, command->options, &o, command->name);
  if (!s.ok()) return fail("%s (see saerl %s --help)", s.message, command->name);
  if (o.help) {
    print_command_help(*command);
    return 0;
  }
  // training threads: --threads, or every core (results are the same at any count)
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  set_threads(int(o.threads > 0 ? o.threads : cores > 0 && cores <= kMaxThreads ? cores : 1));
  return command->run(o);
}
