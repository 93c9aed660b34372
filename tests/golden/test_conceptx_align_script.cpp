// tests/golden/conceptx_align.py — our independent restatement of ConceptX's align_autotags, the
// script that produces the golden numbers of the real-data test — agrees with align() on a
// hand-made case and on random cases full of ties, UNK labels and "|||" labels, at token and
// type level. Skipped where /usr/bin/python3 has no h5py (a user's machine without the Debian
// packages of DESIGN.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "align/cluster_counts.hpp"
#include "align/label_alignment.hpp"
#include "alignment_cases.hpp"

#ifndef CONCEPTLENS_GOLDEN_DIR
#error "CONCEPTLENS_GOLDEN_DIR must name tests/golden (see tests/CMakeLists.txt)"
#endif

namespace conceptlens::align {
namespace {

using conceptlens::testing::assignment;
using conceptlens::testing::LabelledCorpus;
using conceptlens::testing::Point;

/// Runs a shell command; its standard output, and its exit status in `status`.
std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    status = -1;
    return out;
  }
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, got);
  status = ::pclose(pipe);
  return out;
}

bool python_with_h5py() {
  int status = 0;
  run("/usr/bin/python3 -c 'import h5py' 2>/dev/null", status);
  return status == 0;
}

/// Aligns with align() and with the script, and expects the same per cluster and in total.
void expect_script_agrees(const LabelledCorpus& data, const store::ClusterAssignment& clustering,
                          const AlignOptions& options) {
  const auto clusters_path = data.dir / "C.h5";
  conceptlens::testing::write_clusters(clusters_path, {clustering});
  const Alignment ours = align(
      count_points(clustering, data.index, 0, static_cast<std::int64_t>(clustering.cluster.size())), data.index, options);

  char numbers[128];
  std::snprintf(numbers, sizeof numbers, " --threshold %.17g --max-unk %.17g --min-types %lld", options.threshold,
                options.max_unk, static_cast<long long>(options.min_types));
  const std::string command = "/usr/bin/python3 " CONCEPTLENS_GOLDEN_DIR "/conceptx_align.py --clusters '" +
                              clusters_path.string() + "' --k " + std::to_string(clustering.k) + " --corpus '" +
                              data.corpus.path.string() + "' --labels '" + data.labels.path.string() + "' --level " +
                              std::string(level_name(options.level)) + numbers;
  int status = 0;
  const std::string output = run(command, status);
  ASSERT_EQ(status, 0) << command;
  const auto theirs = nlohmann::json::parse(output);

  const std::string where = std::string(level_name(options.level)) + " level, threshold " +
                            std::to_string(options.threshold) + ", min_types " + std::to_string(options.min_types);
  ASSERT_EQ(theirs["per_cluster"].size(), ours.clusters.size()) << where;
  for (std::size_t c = 0; c < ours.clusters.size(); ++c) {
    const auto& cluster = theirs["per_cluster"][c];
    EXPECT_EQ(ours.clusters[c].label, cluster[0].get<std::string>()) << where << ", cluster " << c;
    EXPECT_EQ(ours.clusters[c].share, cluster[1].get<double>()) << where << ", cluster " << c;
    EXPECT_EQ(ours.clusters[c].aligned, cluster[2].get<bool>()) << where << ", cluster " << c;
  }
  EXPECT_EQ(ours.aligned, theirs["aligned"].get<std::int64_t>()) << where;
  for (const auto& [label, clusters] : ours.per_label) {
    const std::int64_t expected = theirs["per_label"].contains(label) ? theirs["per_label"][label].get<std::int64_t>() : 0;
    EXPECT_EQ(static_cast<std::int64_t>(clusters.size()), expected) << where << ", label " << label;
  }
}

TEST(ConceptxScript, AgreesOnTheHandMadeTypeCase) {
  if (!python_with_h5py()) GTEST_SKIP() << "/usr/bin/python3 with h5py is not available";
  const LabelledCorpus data({"run book bed a1", "run walk jump swim fly book", "table chair desk lamp sofa bed",
                             "cat cat dog dog fox", "a1 a2 a3 a4 a5 a6", "x y z w", "u v"},
                            {"NN NN NN Y", "VB VB VB VB VB VB", "NN NN NN NN NN VB", "NN NN NN NN NN",
                             "X|||Y X|||Y X|||Y X|||Y X|||Y X|||Y", "B A A B", "O_UNK O_UNK"});
  std::vector<Point> points;
  for (std::int32_t s = 1; s < 7; ++s) {
    const std::vector<Point> more = conceptlens::testing::sentence_points(data.corpus, s, s + 1, s - 1);
    points.insert(points.end(), more.begin(), more.end());
  }
  const store::ClusterAssignment clustering = assignment(data.corpus, 6, points);
  for (const Level level : {Level::token, Level::type}) {
    for (const double threshold : {0.9, 0.8, 0.4}) {
      expect_script_agrees(data, clustering, AlignOptions{.threshold = threshold, .level = level});
    }
  }
}

TEST(ConceptxScript, AgreesOnRandomCases) {
  if (!python_with_h5py()) GTEST_SKIP() << "/usr/bin/python3 with h5py is not available";
  const std::vector<std::string> tags = {"NN", "VB", "JJ", "DT", "IN", "O_UNK", "X_UNK"};
  for (const unsigned seed : {1u, 2u, 3u}) {
    std::mt19937 random(seed);
    // 40 types, each with a main tag it mostly carries; clusters mostly follow the type
    std::vector<std::string> sentences;
    std::vector<std::string> labels;
    for (int s = 0; s < 80; ++s) {
      std::string line;
      std::string label;
      const int length = 1 + static_cast<int>(random() % 12);
      for (int w = 0; w < length; ++w) {
        const auto type = static_cast<unsigned>(random() % 40);
        const std::string& main = tags[type % tags.size()];
        const auto roll = static_cast<unsigned>(random() % 20);
        std::string tag = roll < 16 ? main : tags[random() % tags.size()];
        if (roll == 19) tag += "|||" + tags[random() % tags.size()];
        line += (w ? " w" : "w") + std::to_string(type);
        label += (w ? " " : "") + tag;
      }
      sentences.push_back(line);
      labels.push_back(label);
    }
    const LabelledCorpus data(sentences, labels);
    std::vector<Point> points = conceptlens::testing::sentence_points(data.corpus, 0, 80, 0);
    std::shuffle(points.begin(), points.end(), random);
    points.resize(points.size() * 3 / 4);  // a token selection: not every word is a point
    for (Point& p : points) {
      const std::string& word = data.corpus.lines[static_cast<std::size_t>(p.sentence)];
      const auto type = std::stoi(std::string(corpus::split_words(word)[static_cast<std::size_t>(p.word)]).substr(1));
      p.cluster = random() % 10 < 8 ? type % 12 : static_cast<std::int32_t>(random() % 12);
    }
    const store::ClusterAssignment clustering = assignment(data.corpus, 12, points);
    for (const Level level : {Level::token, Level::type}) {
      for (const double threshold : {0.9, 0.6, 0.5}) {
        expect_script_agrees(data, clustering, AlignOptions{.threshold = threshold, .level = level, .min_types = 2});
        expect_script_agrees(data, clustering,
                             AlignOptions{.threshold = threshold, .max_unk = 0.2, .level = level, .min_types = 3});
      }
    }
  }
}

}  // namespace
}  // namespace conceptlens::align
