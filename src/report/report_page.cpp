#include "report/report_page.hpp"

#include <algorithm>

#include "report/text.hpp"
#include "util/error.hpp"

namespace conceptlens::report {
namespace {

constexpr const char* kBaseColor = "#000000";
constexpr const char* kDash = "&#8211;";    // en dash: no value
constexpr const char* kCheck = "&#10003;";  // check mark: aligned

constexpr const char* kStyle = R"(body{font-family:sans-serif;margin:16px 24px;color:#111;background:#fff}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:19px;margin:22px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:15px;margin:14px 0 6px}
p.lead{margin:0 0 10px;color:#333;max-width:1100px}
.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.plots{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0;border:1px solid #ddd;padding:4px;background:#fff;flex:0 1 560px;min-width:320px}
svg.plot{display:block;width:100%;height:auto}
table{border-collapse:collapse;font-size:13px;margin:4px 0 10px}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;vertical-align:top}
th{background:#f2f2f2}
.l{text-align:left}
td.yes{background:#dff2df}
td.skip{color:#888}
details{margin:2px 0}
summary{cursor:pointer;font-size:14px}
)";

std::string percent(double fraction) { return fixed(100 * fraction, 1); }

std::string count_of(std::int64_t count, std::int64_t k) { return std::to_string(count) + " / " + std::to_string(k); }

std::string td(const std::string& html, const std::string& cls = "") {
  return (cls.empty() ? std::string("<td>") : "<td class=\"" + cls + "\">") + html + "</td>";
}

std::string set_title(const LabelSetInfo& set) {
  return set.kind.empty() || set.kind == set.name ? set.name : set.name + " (" + set.kind + ")";
}

std::string base_title(const Study& study, const std::string& model) {
  return "base model: " + study.model(model).base;
}

const SetResult* find_set(const Result& result, const std::string& name) {
  for (const SetResult& set : result.sets) {
    if (set.name == name) return &set;
  }
  return nullptr;
}

bool same_plot(const Result& result, const PlotKey& key) {
  return result.model == key.model && result.corpus == key.corpus && result.k == key.k;
}

std::string settings_section(const Study& study) {
  std::string html = "<section id=\"settings\">\n<h2>Study</h2>\n<div class=\"row\">\n";
  html += "<table>\n<tr><th class=\"l\">setting</th><th class=\"l\">value</th></tr>\n";
  html += "<tr><td class=\"l\">study</td><td class=\"l\">" + escape_html(study.name) + "</td></tr>\n";
  html += "<tr><td class=\"l\">threshold &#952;</td><td class=\"l\">" + escape_html(shortest(study.threshold)) + "</td></tr>\n";
  std::string ks;
  for (const std::int64_t k : study.ks) ks += (ks.empty() ? "" : ", ") + std::to_string(k);
  html += "<tr><td class=\"l\">K (concepts per layer)</td><td class=\"l\">" + escape_html(ks) + "</td></tr>\n";
  html += "<tr><td class=\"l\">results</td><td class=\"l\">" + std::to_string(study.results.size()) + "</td></tr>\n";
  for (const auto& [key, value] : study.other_settings) {
    html += "<tr><td class=\"l\">" + escape_html(key) + "</td><td class=\"l\">" + escape_html(value) + "</td></tr>\n";
  }
  html += "</table>\n";

  html += "<table>\n<tr><th class=\"l\">model</th><th class=\"l\">family</th><th class=\"l\">base model</th></tr>\n";
  for (const ModelInfo& model : study.models) {
    html += "<tr><td class=\"l\">" + escape_html(model.name) + "</td><td class=\"l\">" + escape_html(model.family) +
            "</td><td class=\"l\">" +
            (model.base.empty() ? std::string("(pre-trained)") : escape_html(model.base)) + "</td></tr>\n";
  }
  html += "</table>\n";

  html += "<table>\n<tr><th class=\"l\">corpus</th><th>sentences</th><th>words</th><th>selected</th>"
          "<th class=\"l\">label sets</th></tr>\n";
  for (const CorpusInfo& corpus : study.corpora) {
    std::string sets;
    for (const LabelSetInfo& set : corpus.label_sets) sets += (sets.empty() ? "" : ", ") + set_title(set);
    html += "<tr><td class=\"l\">" + escape_html(corpus.name) + "</td>" +
            td(corpus.sentences < 0 ? kDash : std::to_string(corpus.sentences)) +
            td(corpus.words < 0 ? kDash : std::to_string(corpus.words)) +
            td(corpus.selected < 0 ? kDash : std::to_string(corpus.selected)) + td(escape_html(sets), "l") + "</tr>\n";
  }
  html += "</table>\n</div>\n</section>\n";
  return html;
}

std::string plot_title(const PlotKey& key) { return key.model + " on " + key.corpus + ", K = " + std::to_string(key.k); }

std::string curves_section(const Study& study, const std::vector<PlotKey>& keys) {
  std::string html = "<section id=\"curves\">\n<h2>Concepts aligned per layer</h2>\n";
  html += "<p class=\"lead\">Per layer, the percentage of the K latent concepts aligned with each concept set "
          "(solid lines) and, for a fine-tuned model, with a concept of its base model at the same layer "
          "(dashed line).</p>\n";
  std::string model;
  for (const PlotKey& key : keys) {
    if (key.model != model) {
      if (!model.empty()) html += "</div>\n";
      model = key.model;
      const std::string& base = study.model(model).base;
      html += "<h3>" + escape_html(model) +
              (base.empty() ? std::string() : " <small>(fine-tuned from " + escape_html(base) + ")</small>") +
              "</h3>\n<div class=\"plots\">\n";
    }
    PlotOptions options;
    options.title = plot_title(key);
    html += "<figure>\n" + line_plot_svg(curves(study, key.model, key.corpus, key.k), options) + "</figure>\n";
  }
  if (!model.empty()) html += "</div>\n";
  if (keys.empty()) html += "<p>No results.</p>\n";
  return html + "</section>\n";
}

std::string numbers_table(const Study& study, const PlotKey& key) {
  const std::vector<LabelSetInfo> sets = study.concept_sets(key.model, key.corpus);
  bool has_base = false;
  for (const Result& result : study.results) has_base = has_base || (same_plot(result, key) && result.base);

  std::string html = "<h3>" + escape_html(plot_title(key)) + "</h3>\n<table>\n<tr><th rowspan=\"2\">layer</th>"
                     "<th rowspan=\"2\">points</th>";
  for (const LabelSetInfo& set : sets) html += "<th colspan=\"3\">" + escape_html(set_title(set)) + "</th>";
  if (has_base) html += "<th colspan=\"3\">" + escape_html(base_title(study, key.model)) + "</th>";
  html += "</tr>\n<tr>";
  for (std::size_t i = 0; i < sets.size(); ++i) html += "<th>aligned</th><th>%</th><th>coverage %</th>";
  if (has_base) html += "<th>aligned</th><th>%</th><th>base concepts aligned</th>";
  html += "</tr>\n";
  for (const Result& result : study.results) {
    if (!same_plot(result, key)) continue;
    html += "<tr>" + td(std::to_string(result.layer)) + td(result.points < 0 ? kDash : std::to_string(result.points));
    for (const LabelSetInfo& info : sets) {
      const SetResult* set = find_set(result, info.name);
      if (set == nullptr) {
        html += td(kDash) + td(kDash) + td(kDash);
        continue;
      }
      html += td(count_of(set->aligned, result.k)) + td(percent(set->fraction)) +
              td(set->coverage ? percent(*set->coverage) : kDash);
    }
    if (has_base) {
      if (result.base) {
        html += td(count_of(result.base->aligned, result.k)) + td(percent(result.base->fraction)) +
                td(count_of(result.base->reference_aligned, result.k) + " (" +
                   percent(result.base->reference_fraction) + "%)");
      } else {
        html += td(kDash) + td(kDash) + td(kDash);
      }
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string numbers_section(const Study& study, const std::vector<PlotKey>& keys) {
  std::string html = "<section id=\"numbers\">\n<h2>Numbers</h2>\n";
  html += "<p class=\"lead\">aligned: concepts aligned / K; coverage: the share of the set's labels that are the "
          "aligned label of some concept; base concepts aligned: the base model's concepts that have a "
          "fine-tuned concept.</p>\n";
  for (const PlotKey& key : keys) html += numbers_table(study, key);
  return html + "</section>\n";
}

std::string label_cell(const ConceptLabel& label) {
  if (!label.present) return td(kDash, "skip");
  if (!label.skipped.empty()) return td("skipped (" + escape_html(label.skipped) + ")", "l skip");
  return td(escape_html(label.label) + " " + percent(label.share) + "%" + (label.aligned ? std::string(" ") + kCheck : ""),
            label.aligned ? "l yes" : "l");
}

std::string base_cell(const BaseMatch& base) {
  if (!base.present) return td(kDash, "skip");
  return td("#" + std::to_string(base.reference_cluster) + " " + percent(base.overlap) + "%" +
                (base.aligned ? std::string(" ") + kCheck : ""),
            base.aligned ? "l yes" : "l");
}

std::string concepts_section(const Study& study, const std::vector<ConceptTable>& concepts) {
  std::string html = "<section id=\"concepts\">\n<h2>Concept browser</h2>\n";
  html += "<p class=\"lead\">Every latent concept of each model, corpus, layer and K: its size (occurrences), most "
          "frequent words, and per concept set its majority label and that label's share (" +
          std::string(kCheck) + " = aligned, share &gt; &#952;); for a fine-tuned model, the base concept holding "
          "most of its occurrences.</p>\n";
  for (std::size_t r = 0; r < study.results.size(); ++r) {
    const Result& result = study.results[r];
    const ConceptTable& table = concepts[r];
    html += "<details>\n<summary>" + escape_html(result.model) + " &#183; " + escape_html(result.corpus) +
            " &#183; layer " + std::to_string(result.layer) + " &#183; K = " + std::to_string(result.k) + " (" +
            std::to_string(table.concepts.size()) + " concepts)</summary>\n";
    html += "<table>\n<tr><th>concept</th><th>size</th><th class=\"l\">top words</th>";
    for (const std::string& set : table.sets) html += "<th class=\"l\">" + escape_html(set) + "</th>";
    if (table.has_base) html += "<th class=\"l\">" + escape_html(base_title(study, result.model)) + "</th>";
    html += "</tr>\n";
    for (const Concept& concept_ : table.concepts) {
      std::string words;
      for (const std::string& word : concept_.top_words) words += (words.empty() ? "" : ", ") + word;
      html += "<tr>" + td(std::to_string(concept_.cluster)) + td(std::to_string(concept_.size)) +
              td(escape_html(words), "l");
      for (const ConceptLabel& label : concept_.labels) html += label_cell(label);
      if (table.has_base) html += base_cell(concept_.base);
      html += "</tr>\n";
    }
    html += "</table>\n</details>\n";
  }
  return html + "</section>\n";
}

}  // namespace

std::vector<Series> curves(const Study& study, const std::string& model, const std::string& corpus, std::int64_t k) {
  const std::vector<std::string> all_sets = study.all_set_names();
  std::vector<Series> series;
  for (const LabelSetInfo& info : study.concept_sets(model, corpus)) {
    Series curve;
    curve.name = set_title(info);
    const auto index = std::find(all_sets.begin(), all_sets.end(), info.name) - all_sets.begin();
    curve.color = palette_color(static_cast<std::size_t>(index));
    for (const Result& result : study.results) {
      if (result.model != model || result.corpus != corpus || result.k != k) continue;
      if (const SetResult* set = find_set(result, info.name)) curve.points.push_back({double(result.layer), 100 * set->fraction});
    }
    series.push_back(std::move(curve));
  }
  Series base;
  base.dashed = true;
  base.color = kBaseColor;
  for (const Result& result : study.results) {
    if (result.model != model || result.corpus != corpus || result.k != k || !result.base) continue;
    base.points.push_back({double(result.layer), 100 * result.base->fraction});
  }
  if (!base.points.empty()) {
    base.name = base_title(study, model);
    series.push_back(std::move(base));
  }
  return series;
}

std::vector<PlotKey> plot_keys(const Study& study) {
  std::vector<PlotKey> keys;
  for (const Result& result : study.results) {
    if (keys.empty() || !same_plot(result, keys.back())) keys.push_back({result.model, result.corpus, result.k});
  }
  return keys;
}

std::string report_html(const Study& study, const std::vector<ConceptTable>& concepts) {
  CONCEPTLENS_CHECK(concepts.size() == study.results.size());
  const std::vector<PlotKey> keys = plot_keys(study);
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>ConceptLens report: " +
                     escape_html(study.name) + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<h1>ConceptLens report: " + escape_html(study.name) + "</h1>\n";
  html += "<p class=\"lead\">Latent concepts (Ward clusters of the words' representations, K per layer) and how they "
          "line up with human-defined concepts, task concepts and the base model's concepts, layer by layer "
          "(Durrani et al. 2022, <i>On the Transformation of Latent Space in Fine-Tuned NLP Models</i>). A concept "
          "is aligned with a concept set when its majority label's share is &gt; &#952; = " +
          escape_html(shortest(study.threshold)) + ", and with the base model when &#8805; &#952; of its "
          "occurrences fall in one base concept.</p>\n";
  html += settings_section(study);
  html += curves_section(study, keys);
  html += numbers_section(study, keys);
  html += concepts_section(study, concepts);
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace conceptlens::report
