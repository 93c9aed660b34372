#include "triggers/trigger_results.hpp"

#include <nlohmann/json.hpp>

#include "align/result_files.hpp"
#include "util/text_format.hpp"

namespace conceptlens::triggers {

double ConceptFlips::flip_rate() const {
  return tried > 0 ? static_cast<double>(flipped) / static_cast<double>(tried) : 0.0;
}

double ConceptFlips::baseline_flip_rate() const {
  const auto attempts = tried * static_cast<std::int64_t>(baseline.size());
  return attempts > 0 ? static_cast<double>(baseline_flipped) / static_cast<double>(attempts) : 0.0;
}

std::string triggers_json(const TriggerReport& report) {
  using Json = nlohmann::ordered_json;
  Json concepts = Json::array();
  for (const ConceptFlips& c : report.concepts) {
    Json baseline = Json::array();
    for (const auto& words : c.baseline) baseline.push_back(join_words(words));
    concepts.push_back(Json{{"cluster", c.polarity.cluster},
                            {"class", c.polarity.label_class},
                            {"share", c.polarity.share},
                            {"words", c.polarity.words},
                            {"trigger", join_words(c.polarity.trigger)},
                            {"tried", c.tried},
                            {"flipped", c.flipped},
                            {"flip_rate", c.flip_rate()},
                            {"baseline_triggers", baseline},
                            {"baseline_flipped", c.baseline_flipped},
                            {"baseline_flip_rate", c.baseline_flip_rate()}});
  }
  const Json json{{"model", report.model},
                  {"labels", report.labels},
                  {"k", report.k},
                  {"threshold", report.threshold},
                  {"position", position_name(report.position)},
                  {"trigger_words", report.trigger_words},
                  {"baseline_draws", report.baseline_draws},
                  {"seed", report.seed},
                  {"sentences", report.sentences},
                  {"concepts", concepts}};
  return json.dump(2) + "\n";
}

std::string triggers_csv(const TriggerReport& report) {
  std::string csv =
      csv_row({"cluster", "class", "share", "trigger", "tried", "flipped", "flip_rate", "baseline_flip_rate", "words"});
  for (const ConceptFlips& c : report.concepts) {
    csv += csv_row({std::to_string(c.polarity.cluster), c.polarity.label_class, shortest(c.polarity.share),
                    join_words(c.polarity.trigger), std::to_string(c.tried), std::to_string(c.flipped),
                    shortest(c.flip_rate()), shortest(c.baseline_flip_rate()), join_words(c.polarity.words)});
  }
  return csv;
}

void write_triggers(const TriggerReport& report, const std::filesystem::path& json_path) {
  align::write_json_and_csv(json_path, triggers_json(report), triggers_csv(report));
}

}  // namespace conceptlens::triggers
