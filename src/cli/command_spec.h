#pragma once
// What each subcommand accepts, in one table: the parser (Args) reads its options from here, and
// `atrium CMD --help` and `atrium --help` are printed from here, so the two cannot disagree.
#include <string>
#include <vector>

namespace atrium::cli {

struct OptionSpec {
  std::string name;   // without the leading --
  std::string value;  // the value's placeholder (FILE, N, ...); empty for a flag
  std::string help;
};

struct CommandSpec {
  std::string name;                   // "serve", "worklist", ...
  std::vector<std::string> synopsis;  // one line per form, without "atrium NAME"
  std::string summary;                // one line for `atrium --help`
  std::vector<OptionSpec> options;
};

const std::vector<CommandSpec>& allCommands();
// Throws std::out_of_range for a name that is not a command.
const CommandSpec& commandSpec(const std::string& name);
// The first synopsis line with the command, for error messages: "atrium echo HOST:PORT [options]".
std::string shortUsage(const CommandSpec& spec);
// The "usage:" lines, one per form.
std::string usageText(const CommandSpec& spec);
// The full text of `atrium NAME --help`.
std::string helpText(const CommandSpec& spec);
// The text of `atrium --help`.
std::string overviewText();
// "atrium 0.1.0 (git v0.1.0-12-gabcdef), DCMTK 3.6.7": what `atrium --version` prints.
std::string versionText();

}  // namespace atrium::cli
