#pragma once
// The output of `conceptlens triggers`: per polarity concept, how often its trigger flips the
// model's prediction to the concept's class, beside random triggers of the same word frequencies.
// JSON and a CSV beside it, deterministic (no timestamps, no host paths besides the model as
// given), written atomically.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "triggers/polarity_concepts.hpp"
#include "triggers/triggered_sentence.hpp"

namespace conceptlens::triggers {

struct ConceptFlips {
  PolarityConcept polarity;
  std::int64_t tried = 0;    ///< sentences the model does not assign the concept's class
  std::int64_t flipped = 0;  ///< of those, assigned it once the trigger is added
  std::vector<std::vector<std::string>> baseline;  ///< the random triggers
  std::int64_t baseline_flipped = 0;  ///< flips over all random triggers (each tried on the same sentences)

  double flip_rate() const;
  double baseline_flip_rate() const;
};

struct TriggerReport {
  std::string model;            ///< the checkpoint folder, as given
  std::string labels;           ///< the class label set's name
  std::int64_t k = 0;
  double threshold = 0.9;
  Position position = Position::prepend;
  std::int64_t trigger_words = 3;
  std::int64_t baseline_draws = 5;
  std::uint64_t seed = 0;
  std::int64_t sentences = 0;   ///< of the corpus
  std::vector<ConceptFlips> concepts;  ///< by cluster
};

/// {"model", "labels", "k", "threshold", "position", "trigger_words", "baseline_draws", "seed",
///  "sentences", "concepts": [{"cluster", "class", "share", "words", "trigger", "tried", "flipped",
///  "flip_rate", "baseline_triggers", "baseline_flipped", "baseline_flip_rate"}]}
std::string triggers_json(const TriggerReport& report);
/// cluster,class,share,trigger,tried,flipped,flip_rate,baseline_flip_rate,words
std::string triggers_csv(const TriggerReport& report);
/// Both files (T.json, T.csv beside it), atomically; OutputError naming the file.
void write_triggers(const TriggerReport& report, const std::filesystem::path& json_path);

}  // namespace conceptlens::triggers
