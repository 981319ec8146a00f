#include "app/option_suggestions.hpp"

#include <algorithm>
#include <vector>

namespace lift3d::app {
namespace {

// Edits (insert, delete, replace, swap of neighbours) from one spelling to the other: a swapped
// pair of letters is the commonest typo ("--frmae").
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// Every "--long" name `command` accepts, its parents' included.
std::vector<std::string> long_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent())
    for (const CLI::Option* option : app->get_options())
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  return names;
}

}  // namespace

std::optional<std::string> closest_option(const CLI::App& command, const std::string& typed) {
  const std::string bare = typed.substr(0, typed.find('='));
  if (bare.rfind("-", 0) != 0) return std::nullopt;
  const std::size_t allowed = std::clamp<std::size_t>(bare.size() / 3, 1, 3);
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& name : long_names(command)) {
    const std::size_t distance = edit_distance(bare, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

namespace {

// The nearest subcommand of `cli` to a stray word ("infr" -> "infer").
std::optional<std::string> closest_subcommand(const CLI::App& cli, const std::string& typed) {
  std::optional<std::string> best;
  std::size_t best_distance = std::clamp<std::size_t>(typed.size() / 3, 1, 3) + 1;
  for (const CLI::App* sub : cli.get_subcommands([](const CLI::App*) { return true; })) {
    const std::size_t distance = edit_distance(typed, sub->get_name());
    if (distance < best_distance) {
      best = sub->get_name();
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

std::optional<std::string> unexpected_arguments(const CLI::App& cli) {
  const std::vector<CLI::App*> chosen = cli.get_subcommands();
  const CLI::App& command = chosen.empty() ? cli : *chosen.back();
  std::vector<std::string> stray = cli.remaining();
  for (const CLI::App* sub : chosen)
    for (const std::string& argument : sub->remaining()) stray.push_back(argument);
  if (stray.empty()) return std::nullopt;
  std::string message;
  for (const std::string& typed : stray) {
    const bool is_option = typed.rfind("-", 0) == 0;
    message += message.empty() ? "" : "; ";
    message += (is_option ? "unknown option " : "unexpected argument ") + typed;
    const std::optional<std::string> nearest =
        is_option ? closest_option(command, typed) : chosen.empty() ? closest_subcommand(cli, typed) : std::nullopt;
    if (nearest) message += " (did you mean " + *nearest + "?)";
  }
  return message;
}

}  // namespace lift3d::app
