#pragma once
// Small labelled corpora and clusterings for the alignment tests: written to files and read
// back the way `conceptlens align` reads them.
#include <cstdint>
#include <string>
#include <vector>

#include "align/label_index.hpp"
#include "corpus/corpus_file.hpp"
#include "corpus/labels.hpp"
#include "store/clusters_file.hpp"
#include "test_support.hpp"

namespace conceptlens::testing {

/// A corpus (C.in) and its labels (L.label) in a scratch directory, read and indexed.
struct LabelledCorpus {
  ScratchDir dir;
  corpus::Corpus corpus;
  corpus::WordLabels labels;
  align::LabelIndex index;

  /// One string per sentence: its words, and its labels.
  LabelledCorpus(const std::vector<std::string>& sentences, const std::vector<std::string>& label_lines) {
    std::string in;
    std::string label;
    for (const std::string& line : sentences) in += line + "\n";
    for (const std::string& line : label_lines) label += line + "\n";
    write_file(dir / "C.in", in);
    write_file(dir / "L.label", label);
    corpus = corpus::read_corpus(dir / "C.in");
    labels = corpus::read_labels(dir / "L.label", corpus::LabelFormat::label, corpus);
    index = align::index_labels(corpus, labels);
  }
};

/// A point of a clustering: the corpus word it is, and its cluster.
struct Point {
  std::int32_t sentence;
  std::int32_t word;
  std::int32_t cluster;
};

inline store::ClusterAssignment assignment(std::int64_t k, const std::vector<Point>& points,
                                           const std::filesystem::path& path = "C.h5") {
  store::ClusterAssignment a;
  a.path = path;
  a.k = k;
  for (const Point& p : points) {
    a.sentence.push_back(p.sentence);
    a.word.push_back(p.word);
    a.cluster.push_back(p.cluster);
  }
  return a;
}

/// The same, with the word of each point from `corpus` (what /points/text holds; "" for a
/// position outside the corpus).
inline store::ClusterAssignment assignment(const corpus::Corpus& corpus, std::int64_t k,
                                           const std::vector<Point>& points,
                                           const std::filesystem::path& path = "C.h5") {
  store::ClusterAssignment a = assignment(k, points, path);
  for (const Point& p : points) {
    std::string word;
    if (p.sentence >= 0 && p.sentence < corpus.sentences()) {
      const auto words = corpus::split_words(corpus.lines[static_cast<std::size_t>(p.sentence)]);
      if (p.word >= 0 && static_cast<std::size_t>(p.word) < words.size()) word = words[static_cast<std::size_t>(p.word)];
    }
    a.text.push_back(word);
  }
  return a;
}

/// Every word of sentences [first, last) of `corpus`, in corpus order, in `cluster`.
inline std::vector<Point> sentence_points(const corpus::Corpus& corpus, std::int32_t first, std::int32_t last,
                                          std::int32_t cluster) {
  std::vector<Point> points;
  for (std::int32_t s = first; s < last; ++s) {
    const auto words = static_cast<std::int32_t>(corpus::split_words(corpus.lines[static_cast<std::size_t>(s)]).size());
    for (std::int32_t w = 0; w < words; ++w) points.push_back({s, w, cluster});
  }
  return points;
}

/// Writes a CLUSTERS.h5 holding `clusterings` (all over the same points) and a chain linkage
/// (the alignment readers do not look at it).
inline void write_clusters(const std::filesystem::path& path, const std::vector<store::ClusterAssignment>& clusterings) {
  store::ClustersFile file;
  const auto n = static_cast<std::int64_t>(clusterings.front().cluster.size());
  file.linkage.n = n;
  for (std::int64_t r = 0; r + 1 < n; ++r) {
    file.linkage.merges.push_back({r == 0 ? 0 : r + 1, r == 0 ? 1 : n + r - 1, static_cast<double>(r + 1), r + 2});
  }
  for (const store::ClusterAssignment& c : clusterings) file.labels[c.k] = c.cluster;
  file.sentence = clusterings.front().sentence;
  file.word = clusterings.front().word;
  file.text = clusterings.front().text;
  file.mode = "matrix";
  file.d = 2;
  file.source = "test";
  store::write_clusters_file(path, file);
}

}  // namespace conceptlens::testing
