// The report (src/report): plot geometry, HTML escaping, summary.json reading, summary.csv rows,
// the page's plots, tables and concept browser, determinism, and errors naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "report/line_plot.hpp"
#include "report/report.hpp"
#include "report/report_page.hpp"
#include "report/summary.hpp"
#include "report/summary_csv.hpp"
#include "report/text.hpp"
#include "report_sample.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using conceptlens::InputError;
using conceptlens::shortest;
using conceptlens::testing::expect_error;
using conceptlens::testing::read_file;
using conceptlens::testing::ReportSample;
using conceptlens::testing::sample_summary;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::write_file;
using conceptlens::testing::write_sample_json;
using conceptlens::testing::write_sample_results;
using namespace conceptlens::report;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The `<polyline .../>` elements of an SVG or page.
std::vector<std::string> polylines(const std::string& text) {
  std::vector<std::string> found;
  const std::regex element("<polyline[^>]*>");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), element); it != std::sregex_iterator(); ++it) {
    found.push_back(it->str());
  }
  return found;
}

std::string points_of(const std::string& polyline) {
  std::smatch match;
  EXPECT_TRUE(std::regex_search(polyline, match, std::regex("points=\"([^\"]*)\""))) << polyline;
  return match.size() > 1 ? match[1].str() : "";
}

bool dashed(const std::string& polyline) { return polyline.find("stroke-dasharray") != std::string::npos; }

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Study sample_study(const fs::path& dir, const ReportSample& sample = {}) {
  write_sample_results(dir, sample);
  return read_summary(dir);
}

}  // namespace

// ---------------------------------------------------------------- text

TEST(ReportText, EscapesHtml) {
  EXPECT_EQ(escape_html("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(escape_html("plain words, ünïcode"), "plain words, ünïcode");
  EXPECT_EQ(escape_html("&amp;"), "&amp;amp;");
  EXPECT_EQ(escape_html(""), "");
}

TEST(ReportText, FormatsNumbersTheSameEverywhere) {
  EXPECT_EQ(fixed(12.5, 1), "12.5");
  EXPECT_EQ(fixed(1.0 / 3.0, 2), "0.33");
  EXPECT_EQ(fixed(-0.0001, 2), "0.00");
  EXPECT_EQ(fixed(-1.5, 1), "-1.5");
  EXPECT_EQ(fixed(100, 0), "100");
  EXPECT_EQ(shortest(0.45), "0.45");
  EXPECT_EQ(shortest(1.0), "1");
  EXPECT_EQ(shortest(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(conceptlens::csv_row({"plain", "a,b", "say \"hi\"", ""}), "plain,\"a,b\",\"say \"\"hi\"\"\",\n");
}

// ---------------------------------------------------------------- the line plot

TEST(LinePlot, PointsLandOnTheFrame) {
  const Series series{"POS", {{12, 100}, {0, 0}, {6, 50}}, false, "#123456"};
  const PlotOptions options;  // 640 x 360, legend 190 wide
  const PlotFrame frame = plot_frame({series}, options);
  EXPECT_EQ(frame.x_min, 0);
  EXPECT_EQ(frame.x_max, 12);
  EXPECT_EQ(frame.left, 56);
  EXPECT_EQ(frame.right, 640 - 190 - 16);
  EXPECT_EQ(frame.top, 34);
  EXPECT_EQ(frame.bottom, 360 - 46);
  EXPECT_DOUBLE_EQ(frame.x(0), frame.left);
  EXPECT_DOUBLE_EQ(frame.x(12), frame.right);
  EXPECT_DOUBLE_EQ(frame.x(6), (frame.left + frame.right) / 2);
  EXPECT_DOUBLE_EQ(frame.y(0), frame.bottom);
  EXPECT_DOUBLE_EQ(frame.y(100), frame.top);
  EXPECT_DOUBLE_EQ(frame.y(50), (frame.top + frame.bottom) / 2);
  EXPECT_DOUBLE_EQ(frame.y(150), frame.top);  // clamped
  EXPECT_DOUBLE_EQ(frame.y(-5), frame.bottom);

  const std::string svg = line_plot_svg({series}, options);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("viewBox=\"0 0 640.00 360.00\""), std::string::npos);
  const auto lines = polylines(svg);
  ASSERT_EQ(lines.size(), 1u);
  // sorted by layer: (0, 0), (6, 50), (12, 100)
  EXPECT_EQ(points_of(lines[0]), "56.00,314.00 245.00,174.00 434.00,34.00");
  EXPECT_NE(lines[0].find("stroke=\"#123456\""), std::string::npos);
  EXPECT_FALSE(dashed(lines[0]));
  EXPECT_EQ(count(svg, "<circle"), 3u);
  EXPECT_NE(svg.find("cx=\"245.00\" cy=\"174.00\""), std::string::npos);
  // axes: 13 x ticks 0..12, y ticks 0, 20, ..., 100, labels, title
  EXPECT_EQ(x_ticks(frame).size(), 13u);
  for (const std::string tick : {">0<", ">12<", ">20<", ">100<"}) EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  EXPECT_NE(svg.find(">layer</text>"), std::string::npos);
  EXPECT_NE(svg.find(">% of concepts aligned</text>"), std::string::npos);
  EXPECT_EQ(svg.find("no data"), std::string::npos);
}

TEST(LinePlot, OnlyTheBaseSeriesIsDashed) {
  const std::vector<Series> series = {{"POS (human)", {{0, 80}, {1, 60}}, false, ""},
                                      {"sentiment (task)", {{0, 10}, {1, 70}}, false, ""},
                                      {"base model: bert", {{0, 95}, {1, 40}}, true, "#000000"}};
  const std::string svg = line_plot_svg(series, {});
  const auto lines = polylines(svg);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(dashed(lines[0]));
  EXPECT_FALSE(dashed(lines[1]));
  EXPECT_TRUE(dashed(lines[2]));
  EXPECT_NE(lines[0].find(palette_color(0)), std::string::npos);
  EXPECT_NE(lines[1].find(palette_color(1)), std::string::npos);
  EXPECT_NE(lines[2].find("#000000"), std::string::npos);
  // the legend shows the dash too: one dashed polyline, one dashed legend line
  EXPECT_EQ(count(svg, "stroke-dasharray"), 2u);
  for (const Series& each : series) EXPECT_NE(svg.find(">" + each.name + "</text>"), std::string::npos) << each.name;
}

TEST(LinePlot, EmptyPlotHasAxesAndSaysNoData) {
  for (const std::vector<Series>& series : {std::vector<Series>{}, std::vector<Series>{{"POS", {}, false, ""}}}) {
    const PlotFrame frame = plot_frame(series, {});
    EXPECT_EQ(frame.x_min, 0);
    EXPECT_EQ(frame.x_max, 1);
    const std::string svg = line_plot_svg(series, {});
    EXPECT_TRUE(polylines(svg).empty());
    EXPECT_EQ(count(svg, "<circle"), 0u);
    EXPECT_NE(svg.find(">no data</text>"), std::string::npos);
    EXPECT_NE(svg.find(">layer</text>"), std::string::npos);
    EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  }
}

TEST(LinePlot, OneLayerIsAPointOnAnAxisFromZero) {
  const Series at_six{"POS", {{6, 40}}, false, ""};
  PlotFrame frame = plot_frame({at_six}, {});
  EXPECT_EQ(frame.x_min, 0);
  EXPECT_EQ(frame.x_max, 6);
  std::string svg = line_plot_svg({at_six}, {});
  auto lines = polylines(svg);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(points_of(lines[0]), fixed(frame.right, 2) + "," + fixed(frame.y(40), 2));
  EXPECT_EQ(count(svg, "<circle"), 1u);  // the marker makes a lone point visible

  const Series at_zero{"POS", {{0, 40}}, false, ""};
  frame = plot_frame({at_zero}, {});
  EXPECT_EQ(frame.x_max, 1);
  svg = line_plot_svg({at_zero}, {});
  lines = polylines(svg);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(points_of(lines[0]), fixed(frame.left, 2) + "," + fixed(frame.y(40), 2));
}

TEST(LinePlot, ManyLayersGetRoundTicks) {
  PlotFrame frame;
  frame.x_min = 0;
  frame.x_max = 48;
  const std::vector<double> ticks = x_ticks(frame);
  ASSERT_EQ(ticks.size(), 10u);  // 0, 5, ..., 45
  EXPECT_EQ(ticks[1], 5);
}

TEST(LinePlot, EscapesNamesAndTitle) {
  PlotOptions options;
  options.title = "bert <base> & \"co\"";
  const std::string svg = line_plot_svg({{"a<b>&c", {{0, 1}, {1, 2}}, false, ""}}, options);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("data-series=\"a&lt;b&gt;&amp;c\""), std::string::npos);
  EXPECT_NE(svg.find(">a&lt;b&gt;&amp;c</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>bert &lt;base&gt; &amp; &quot;co&quot;</title>"), std::string::npos);
}

TEST(LinePlot, IsDeterministic) {
  const std::vector<Series> series = {{"x", {{0, 1.0 / 3.0}, {2, 2.0 / 3.0}}, false, ""}};
  EXPECT_EQ(line_plot_svg(series, {}), line_plot_svg(series, {}));
}

// ---------------------------------------------------------------- summary.json

TEST(ReportSummary, ReadsAndOrdersTheResults) {
  const ScratchDir dir;
  ReportSample sample;
  sample.ks = {6, 4};
  const Study study = sample_study(dir.path(), sample);
  EXPECT_EQ(study.name, "demo");
  EXPECT_EQ(study.threshold, 0.9);
  EXPECT_EQ(study.ks, (std::vector<std::int64_t>{6, 4}));
  ASSERT_EQ(study.models.size(), 2u);
  EXPECT_EQ(study.models[1].base, "tiny-bert");
  ASSERT_EQ(study.corpora.size(), 2u);
  EXPECT_EQ(study.corpora[0].sentences, 872);
  EXPECT_EQ(study.corpora[0].selected, 8717);
  ASSERT_EQ(study.results.size(), 2u * 2u * 2u * 3u);
  // by model, corpus, k, layer
  EXPECT_EQ(study.results[0].model, "tiny-bert");
  EXPECT_EQ(study.results[0].corpus, "sst2");
  EXPECT_EQ(study.results[0].k, 4);
  EXPECT_EQ(study.results[0].layer, 0);
  EXPECT_EQ(study.results[2].layer, 2);
  EXPECT_EQ(study.results[3].k, 6);
  EXPECT_EQ(study.results.back().model, "tiny-bert-sst2");
  EXPECT_EQ(study.results.back().corpus, "ewt");
  EXPECT_FALSE(study.results[0].base.has_value());
  ASSERT_TRUE(study.results.back().base.has_value());
  EXPECT_EQ(study.results.back().base->file, "tiny-bert-sst2/ewt/compare/layer-2-k6.json");
  // the corpus's label sets first, then "predicted"
  const auto sets = study.concept_sets("tiny-bert-sst2", "sst2");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "sentiment");
  EXPECT_EQ(sets[0].kind, "task");
  EXPECT_EQ(sets[1].name, "predicted");
  const Result& tuned = study.results[12];
  EXPECT_EQ(tuned.model, "tiny-bert-sst2");
  ASSERT_EQ(tuned.sets.size(), 2u);
  EXPECT_EQ(tuned.sets[0].name, "sentiment");
  EXPECT_EQ(tuned.sets[1].name, "predicted");
  EXPECT_EQ(study.all_set_names(), (std::vector<std::string>{"sentiment", "POS", "predicted"}));
  // other settings are kept for the page
  ASSERT_EQ(study.other_settings.size(), 1u);
  EXPECT_EQ(study.other_settings[0], (std::pair<std::string, std::string>{"level", "token"}));
}

TEST(ReportSummary, ReadsTheConceptsOfAResult) {
  const ScratchDir dir;
  const Study study = sample_study(dir.path());
  const Result& tuned = study.results[8];  // tiny-bert-sst2, sst2, layer 2
  ASSERT_EQ(tuned.model, "tiny-bert-sst2");
  ASSERT_EQ(tuned.layer, 2);
  const ConceptTable table = read_concepts(dir.path(), tuned);
  EXPECT_EQ(table.sets, (std::vector<std::string>{"sentiment", "predicted"}));
  EXPECT_TRUE(table.has_base);
  ASSERT_EQ(table.concepts.size(), 4u);
  const Concept& one = table.concepts[1];
  EXPECT_EQ(one.cluster, 1);
  EXPECT_EQ(one.size, 8);
  EXPECT_EQ(one.top_words.front(), "<script>alert(1)</script>");
  ASSERT_EQ(one.labels.size(), 2u);
  EXPECT_TRUE(one.labels[0].present);
  EXPECT_EQ(one.labels[0].label, "negative");
  EXPECT_EQ(one.labels[0].share, 0.95);
  EXPECT_TRUE(one.labels[0].aligned);
  EXPECT_TRUE(one.base.present);
  EXPECT_EQ(one.base.reference_cluster, 2);
  EXPECT_FALSE(one.base.aligned);  // 1 of 4 concepts aligned with the base at layer 2

  const Result& pos = study.results[3];  // tiny-bert, ewt, layer 0: POS, the last concept skipped
  ASSERT_EQ(pos.corpus, "ewt");
  const ConceptTable pos_table = read_concepts(dir.path(), pos);
  EXPECT_FALSE(pos_table.has_base);
  EXPECT_EQ(pos_table.concepts.back().labels[0].skipped, "unk");
}

TEST(ReportSummary, CurvesFollowTheSummary) {
  const ScratchDir dir;
  const Study study = sample_study(dir.path());
  const std::vector<Series> tuned = curves(study, "tiny-bert-sst2", "sst2", 4);
  ASSERT_EQ(tuned.size(), 3u);
  EXPECT_EQ(tuned[0].name, "sentiment (task)");
  EXPECT_EQ(tuned[1].name, "predicted");
  EXPECT_EQ(tuned[2].name, "base model: tiny-bert");
  EXPECT_FALSE(tuned[0].dashed);
  EXPECT_FALSE(tuned[1].dashed);
  EXPECT_TRUE(tuned[2].dashed);
  ASSERT_EQ(tuned[0].points.size(), 3u);
  EXPECT_EQ(tuned[0].points[0].y, 0);  // sentiment concepts appear in the top layers
  EXPECT_EQ(tuned[0].points[1].y, 50);
  EXPECT_EQ(tuned[0].points[2].x, 2);
  EXPECT_EQ(tuned[0].points[2].y, 100);
  EXPECT_EQ(tuned[2].points[0].y, 100);  // the base model's concepts fade
  EXPECT_EQ(tuned[2].points[2].y, 25);
  // a set keeps its colour across plots; a pre-trained model has no dashed line
  const std::vector<Series> base = curves(study, "tiny-bert", "sst2", 4);
  ASSERT_EQ(base.size(), 1u);
  EXPECT_EQ(base[0].color, tuned[0].color);
  EXPECT_EQ(curves(study, "tiny-bert", "ewt", 4)[0].color, palette_color(1));
  EXPECT_EQ(plot_keys(study).size(), 4u);
}

// ---------------------------------------------------------------- summary.csv

TEST(SummaryCsv, OneRowPerResultAndSetAndOneForTheBase) {
  const std::string summary = R"({
    "study": "s", "threshold": 0.9, "ks": [10],
    "models": [{"name": "bert", "base": ""}, {"name": "bert-sst2", "base": "bert"}],
    "corpora": [{"name": "sst2", "label_sets": [{"name": "sentiment", "kind": "task"}]}],
    "results": [
      {"model": "bert-sst2", "corpus": "sst2", "layer": 1, "k": 10,
       "alignment": {"sentiment": {"kind": "task", "aligned": 4, "fraction": 0.4, "coverage": 1.0},
                     "predicted": {"kind": "predicted", "aligned": 5, "fraction": 0.5}},
       "base": {"aligned": 3, "fraction": 0.3, "reference_aligned": 2, "reference_fraction": 0.2}},
      {"model": "bert", "corpus": "sst2", "layer": 12, "k": 10,
       "alignment": {"sentiment, \"quoted\"": {"kind": "task", "aligned": 1, "fraction": 0.1, "coverage": 0.5}}}
    ]})";
  const Study study = parse_summary(summary, "summary.json");
  EXPECT_EQ(summary_csv(study),
            "model,corpus,layer,k,set,kind,aligned,fraction,coverage\n"
            "bert,sst2,12,10,\"sentiment, \"\"quoted\"\"\",task,1,0.1,0.5\n"
            "bert-sst2,sst2,1,10,sentiment,task,4,0.4,1\n"
            "bert-sst2,sst2,1,10,predicted,predicted,5,0.5,\n"
            "bert-sst2,sst2,1,10,base,base,3,0.3,\n");
}

TEST(SummaryCsv, CoversTheSample) {
  const ScratchDir dir;
  const Study study = sample_study(dir.path());
  const std::string csv = summary_csv(study);
  // 2 corpora x 3 layers x (1 set) for the base model; (2 + 1) x 3 + (1 + 1) x 3 for the tuned one
  EXPECT_EQ(count(csv, "\n"), 1u + 6u + 9u + 6u);
  EXPECT_NE(csv.find("\ntiny-bert-sst2,sst2,2,4,sentiment,task,4,1,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ntiny-bert-sst2,sst2,2,4,base,base,1,0.25,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ntiny-bert,ewt,0,4,POS,human,3,0.75,0.75\n"), std::string::npos) << csv;
}

// ---------------------------------------------------------------- the page

TEST(ReportPage, HasOnePlotPerModelCorpusAndK) {
  for (const std::vector<std::int64_t>& ks : {std::vector<std::int64_t>{4}, std::vector<std::int64_t>{4, 6}}) {
    const ScratchDir dir;
    ReportSample sample;
    sample.ks = ks;
    write_sample_results(dir.path(), sample);
    const ReportFiles files = write_report(dir.path());
    EXPECT_EQ(files.html, dir.path() / "report.html");
    EXPECT_EQ(files.csv, dir.path() / "summary.csv");
    const std::string html = read_file(files.html);
    const std::size_t plots = 2 * 2 * ks.size();
    EXPECT_EQ(count(html, "<svg"), plots);
    EXPECT_EQ(count(html, "</svg>"), plots);
    // polylines: base model 1 per plot; tuned: 3 on sst2 (sentiment, predicted, base), 2 on ewt
    const auto lines = polylines(html);
    EXPECT_EQ(lines.size(), ks.size() * (1 + 1 + 3 + 2));
    std::size_t dashed_lines = 0;
    for (const std::string& line : lines) {
      EXPECT_FALSE(points_of(line).empty()) << line;
      dashed_lines += dashed(line) ? 1 : 0;
    }
    EXPECT_EQ(dashed_lines, 2 * ks.size());  // the tuned model on each corpus
    EXPECT_EQ(count(html, "<details>"), 2 * 2 * 3 * ks.size());
    for (const std::int64_t k : ks) {
      EXPECT_NE(html.find(">tiny-bert-sst2 on sst2, K = " + std::to_string(k) + "</text>"), std::string::npos);
    }
  }
}

TEST(ReportPage, IsSelfContainedAndEscaped) {
  const ScratchDir dir;
  write_sample_results(dir.path());
  write_report(dir.path());
  const std::string html = read_file(dir.path() / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
  // no scripts, links, images or fonts from anywhere; the only URL is the SVG namespace
  for (const std::string banned : {"<script", "<link", "<img", "<iframe", "src=", "href=", "@import", "url("}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
  EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  // the words with HTML characters, escaped in every concept browser table that lists them
  EXPECT_EQ(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;, AT&amp;T, &quot;quoted&quot;, it&#39;s"), 12u);
  // settings, tables and the browser
  EXPECT_NE(html.find("<title>ConceptLens report: demo</title>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"l\">threshold &#952;</td><td class=\"l\">0.9</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"l\">level</td><td class=\"l\">token</td>"), std::string::npos);
  EXPECT_NE(html.find("<th colspan=\"3\">base model: tiny-bert</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>4 / 4</td><td>100.0</td><td>100.0</td>"), std::string::npos);  // sentiment, layer 2
  EXPECT_NE(html.find("<summary>tiny-bert-sst2 &#183; sst2 &#183; layer 2 &#183; K = 4 (4 concepts)</summary>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"l yes\">negative 95.0% &#10003;</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"l skip\">skipped (unk)</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"l yes\">#3 100.0% &#10003;</td>"), std::string::npos);  // base match
}

TEST(ReportPage, ShowsThePolarityConceptsAsTriggersBesideRandomOnes) {
  const ScratchDir dir;
  write_sample_results(dir.path());
  const Study study = read_summary(dir.path());
  const auto top = std::find_if(study.results.begin(), study.results.end(),
                                [](const Result& r) { return !r.triggers.empty(); });
  ASSERT_NE(top, study.results.end());
  EXPECT_EQ(top->model, "tiny-bert-sst2");
  EXPECT_EQ(top->layer, 2);
  ASSERT_EQ(top->triggers.size(), 1u);
  EXPECT_EQ(top->triggers[0].set, "sentiment");
  ASSERT_EQ(top->triggers[0].concepts.size(), 2u);
  EXPECT_EQ(top->triggers[0].concepts[0].trigger, "great & fun");
  EXPECT_EQ(top->triggers[0].concepts[1].flipped, 3);
  write_report(dir.path());
  const std::string html = read_file(dir.path() / "report.html");
  EXPECT_NE(html.find("<h2>Polarity concepts as adversarial triggers</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h3>tiny-bert-sst2 on sst2, layer 2, K = 4: sentiment (prepend)</h3>"), std::string::npos);
  // shaded when the trigger flips more than the random ones
  EXPECT_NE(html.find("<td>0</td><td class=\"l\">positive</td><td class=\"l\">great &amp; fun</td><td>40</td>"
                      "<td>30</td><td class=\"yes\">75.0</td><td>10.0</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>60</td><td>3</td><td>5.0</td><td>5.0</td>"), std::string::npos);
  // all concepts: 33 of 100 flipped; random triggers (0.1 * 40 + 0.05 * 60) / 100
  EXPECT_NE(html.find("all 2 concepts</th><td>100</td><td>33</td><td>33.0</td><td>7.0</td>"), std::string::npos);
}

TEST(ReportPage, IsDeterministic) {
  const ScratchDir dir;
  write_sample_results(dir.path());
  write_report(dir.path());
  const std::string html = read_file(dir.path() / "report.html");
  const std::string csv = read_file(dir.path() / "summary.csv");
  write_report(dir.path());
  EXPECT_EQ(read_file(dir.path() / "report.html"), html);
  EXPECT_EQ(read_file(dir.path() / "summary.csv"), csv);
  EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"report.html", "summary.csv", "summary.json",
                                                            "tiny-bert", "tiny-bert-sst2"}));

  // the results in another order (and keys in another order) give the same bytes
  nlohmann::ordered_json summary = sample_summary(dir.path(), {}, false);
  auto& results = summary["results"];
  std::reverse(results.begin(), results.end());
  nlohmann::ordered_json reordered;
  for (const char* key : {"results", "corpora", "models", "level", "ks", "threshold", "study"}) reordered[key] = summary[key];
  write_sample_json(dir.path() / "summary.json", reordered);
  write_report(dir.path());
  EXPECT_EQ(read_file(dir.path() / "report.html"), html);
  EXPECT_EQ(read_file(dir.path() / "summary.csv"), csv);
}

// ---------------------------------------------------------------- errors

class ReportErrors : public ::testing::Test {
 protected:
  void SetUp() override { write_sample_results(dir_.path()); }
  fs::path summary() const { return dir_.path() / "summary.json"; }
  void rewrite(const std::function<void(nlohmann::ordered_json&)>& change) {
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(read_file(summary()));
    change(json);
    write_sample_json(summary(), json);
  }
  void expect_input_error(const std::string& prefix, std::initializer_list<std::string> parts) {
    expect_error<InputError>([&] { write_report(dir_.path()); }, prefix, parts);
    EXPECT_FALSE(fs::exists(dir_.path() / "report.html"));
    EXPECT_FALSE(fs::exists(dir_.path() / "summary.csv"));
    for (const std::string& name : files_in(dir_.path())) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
  }
  ScratchDir dir_;
};

TEST_F(ReportErrors, MissingResultsDirectory) {
  const fs::path missing = dir_.path() / "nowhere";
  expect_error<InputError>([&] { write_report(missing); }, missing.string() + ": ", {"not found"});
}

TEST_F(ReportErrors, MissingSummary) {
  fs::remove(summary());
  expect_input_error(summary().string() + ": ", {"file not found"});
}

TEST_F(ReportErrors, CorruptSummary) {
  write_file(summary(), "{\"study\": \"demo\", \"results\": [");
  expect_input_error(summary().string() + ": ", {"not valid JSON"});
  write_file(summary(), "[1, 2]");
  expect_input_error(summary().string() + ": ", {"expected a JSON object"});
}

TEST_F(ReportErrors, MissingOrMistypedKeyIsNamed) {
  // in the file's (stage) order, results[7] is tiny-bert-sst2 on sst2 at layer 1
  rewrite([](auto& json) { json["results"][7]["alignment"]["sentiment"].erase("fraction"); });
  expect_input_error(summary().string() + ": ", {"results[7].alignment.sentiment", "missing key 'fraction'"});
  write_sample_results(dir_.path());
  rewrite([](auto& json) { json["results"][0]["layer"] = "six"; });
  expect_input_error(summary().string() + ": ", {"results[0]", "'layer' must be an integer", "\"six\""});
  write_sample_results(dir_.path());
  rewrite([](auto& json) { json.erase("ks"); });
  expect_input_error(summary().string() + ": ", {"missing key 'ks'"});
  write_sample_results(dir_.path());
  rewrite([](auto& json) { json["results"][1]["alignment"]["sentiment"]["fraction"] = 1.5; });
  expect_input_error(summary().string() + ": ", {"results[1].alignment.sentiment", "'fraction'", "expected 0 to 1"});
}

TEST_F(ReportErrors, InconsistentTriggers) {
  rewrite([](auto& json) { json["results"][8]["triggers"]["sentiment"]["concepts"][1]["flipped"] = 61; });
  expect_input_error(summary().string() + ": ", {"results[8].triggers.sentiment.concepts[1]", "61 flipped of 60 tried"});
  write_sample_results(dir_.path());
  rewrite([](auto& json) { json["results"][8]["triggers"]["sentiment"].erase("concepts"); });
  expect_input_error(summary().string() + ": ", {"results[8].triggers.sentiment", "missing key 'concepts'"});
}

TEST_F(ReportErrors, InconsistentSummary) {
  rewrite([](auto& json) { json["results"][2]["model"] = "roberta"; });
  expect_input_error(summary().string() + ": ", {"results[2]", "model 'roberta' is not in 'models'"});
  write_sample_results(dir_.path());
  rewrite([](auto& json) {
    const auto first = json["results"][0];
    json["results"].push_back(first);
  });
  expect_input_error(summary().string() + ": ", {"two results for model 'tiny-bert', corpus 'sst2', layer 0, k 4"});
  write_sample_results(dir_.path());
  rewrite([](auto& json) { json["models"][1]["base"] = "bert-large"; });
  expect_input_error(summary().string() + ": ", {"names base 'bert-large', which is not listed"});
}

TEST_F(ReportErrors, MissingAlignFile) {
  const fs::path align = dir_.path() / "tiny-bert-sst2/sst2/align/layer-1-k4-predicted.json";
  ASSERT_TRUE(fs::exists(align));
  fs::remove(align);
  expect_input_error(align.string() + ": ", {"file not found"});
}

TEST_F(ReportErrors, MissingCompareFile) {
  const fs::path compare = dir_.path() / "tiny-bert-sst2/ewt/compare/layer-2-k4.json";
  fs::remove(compare);
  expect_input_error(compare.string() + ": ", {"file not found"});
}

TEST_F(ReportErrors, CorruptOrStaleAlignFile) {
  const fs::path align = dir_.path() / "tiny-bert/ewt/align/layer-0-k4-POS.json";
  write_file(align, "{\"k\": 4, \"per_cluster\": [");
  expect_input_error(align.string() + ": ", {"not valid JSON"});
  write_sample_json(align, nlohmann::ordered_json{{"k", 6}, {"per_cluster", nlohmann::ordered_json::array()}});
  expect_input_error(align.string() + ": ", {"holds K = 6", "K = 4"});
  const nlohmann::ordered_json entry{{"cluster", 0}, {"size", 3}};
  write_sample_json(align, nlohmann::ordered_json{{"k", 4}, {"per_cluster", nlohmann::ordered_json::array({entry})}});
  expect_input_error(align.string() + ": ", {"per_cluster[0]", "missing key 'label'"});
}
