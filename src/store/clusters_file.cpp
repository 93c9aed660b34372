#include "store/clusters_file.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "store/hdf5.hpp"
#include "util/error.hpp"

#ifndef CONCEPTLENS_VERSION
#error "CONCEPTLENS_VERSION must be defined by the build (see src/CMakeLists.txt)"
#endif

namespace conceptlens::store {
namespace {

constexpr const char* kLinkage = "/linkage";
constexpr const char* kLabels = "/labels";
constexpr const char* kSentence = "/points/sentence";
constexpr const char* kWord = "/points/word";
constexpr const char* kText = "/points/text";

std::string labels_path(std::int64_t k) { return std::string(kLabels) + "/k" + std::to_string(k); }

/// Validates CLUSTERS.h5 content; every error names the file and the dataset.
class Reader {
 public:
  explicit Reader(const std::filesystem::path& path) : path_(path), file_(h5::File::open_read_only(path)) {}

  ClustersFile read() {
    ClustersFile content;
    read_n();
    content.method = file_.read_string_attribute("/", "method");
    content.mode = file_.read_string_attribute("/", "mode");
    content.d = file_.read_int_attribute("/", "d");
    content.layer = file_.read_int_attribute("/", "layer");
    content.source = file_.read_string_attribute("/", "source");
    if (file_.has_attribute("/", "fingerprint")) content.fingerprint = file_.read_string_attribute("/", "fingerprint");
    content.linkage = read_linkage();
    content.labels = read_labels();
    content.sentence = read_point_positions(kSentence);
    content.word = read_point_positions(kWord);
    content.text = read_point_text();
    return content;
  }

  ClusterAssignment read_assignment(std::int64_t k) {
    read_n();
    const std::vector<std::int64_t> ks = list_ks();
    if (std::find(ks.begin(), ks.end(), k) == ks.end()) {
      std::string have;
      for (const std::int64_t each : ks) have += (have.empty() ? "" : ", ") + std::to_string(each);
      fail("no clustering at K=" + std::to_string(k) + ", the file has K = " + (have.empty() ? "none" : have));
    }
    return {path_, k, read_labels_at(k), read_point_positions(kSentence), read_point_positions(kWord),
            read_point_text()};
  }

 private:
  void read_n() {
    n_ = file_.read_int_attribute("/", "n");
    if (n_ < 1) fail("attribute 'n' on '/' is " + std::to_string(n_) + ": expected the number of points (>= 1)");
  }

  [[noreturn]] void fail(const std::string& what) const { throw InputError(path_.string() + ": " + what); }

  /// Reads a dataset that must exist, naming what the contract expects if it is missing.
  template <typename T>
  h5::Array<T> require(const std::string& dataset, const std::string& expected) const {
    if (!file_.exists(dataset)) {
      fail("missing dataset '" + dataset + "': expected " + expected + " (is this a CLUSTERS.h5 file?)");
    }
    return file_.read_dataset<T>(dataset);
  }

  void check_shape(const std::string& dataset, const std::vector<std::uint64_t>& found,
                   const std::vector<std::uint64_t>& expected, const std::string& formula) const {
    if (found != expected) {
      fail("dataset '" + dataset + "' has shape " + h5::shape_text(found) + ": expected " + formula + " = " +
           h5::shape_text(expected) + " (n = " + std::to_string(n_) + " from the attribute 'n')");
    }
  }

  cluster::Linkage read_linkage() const {
    const auto rows = static_cast<std::uint64_t>(n_ - 1);
    const h5::Array<double> array = require<double>(kLinkage, "float64 [n-1, 4]");
    check_shape(kLinkage, array.dims, {rows, 4}, "[n-1, 4]");
    cluster::Linkage linkage;
    linkage.n = n_;
    linkage.merges.reserve(rows);
    // size of every cluster id, 0 once it has been merged into a larger cluster
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(2 * n_ - 1), 0);
    for (std::int64_t i = 0; i < n_; ++i) sizes[static_cast<std::size_t>(i)] = 1;
    for (std::uint64_t r = 0; r < rows; ++r) {
      const double* row = &array.values[r * 4];
      const std::string where = "dataset '" + std::string(kLinkage) + "' row " + std::to_string(r) + ": ";
      const std::int64_t available = n_ + static_cast<std::int64_t>(r);  // ids below this exist
      cluster::Merge merge;
      merge.a = integral(row[0], where + "column 0 (a)");
      merge.b = integral(row[1], where + "column 1 (b)");
      merge.size = integral(row[3], where + "column 3 (size)");
      merge.height = row[2];
      if (!std::isfinite(merge.height) || merge.height < 0) {
        fail(where + "height " + std::to_string(merge.height) + ": expected a finite distance >= 0");
      }
      if (merge.a >= merge.b) {
        fail(where + "cluster ids (" + std::to_string(merge.a) + ", " + std::to_string(merge.b) +
             "): expected a < b");
      }
      for (std::int64_t id : {merge.a, merge.b}) {
        if (id < 0 || id >= available) {
          fail(where + "cluster id " + std::to_string(id) + " is out of range: expected ids in [0, " +
               std::to_string(available) + ")");
        }
        if (sizes[static_cast<std::size_t>(id)] == 0) {
          fail(where + "cluster " + std::to_string(id) + " was already merged by an earlier row");
        }
      }
      const std::int64_t expected_size = sizes[static_cast<std::size_t>(merge.a)] + sizes[static_cast<std::size_t>(merge.b)];
      if (merge.size != expected_size) {
        fail(where + "size " + std::to_string(merge.size) + ": expected " + std::to_string(expected_size) +
             " (the sizes of clusters " + std::to_string(merge.a) + " and " + std::to_string(merge.b) + ")");
      }
      sizes[static_cast<std::size_t>(merge.a)] = 0;
      sizes[static_cast<std::size_t>(merge.b)] = 0;
      sizes[static_cast<std::size_t>(available)] = merge.size;
      linkage.merges.push_back(merge);
    }
    return linkage;
  }

  std::int64_t integral(double value, const std::string& where) const {
    if (!(std::abs(value) < 9.0e15) || value != std::trunc(value)) {
      fail(where + " holds " + std::to_string(value) + ": expected an integral value");
    }
    return static_cast<std::int64_t>(value);
  }

  /// Parses "k<K>"; 0 if `name` is not of that form.
  static std::int64_t parse_k(std::string_view name) {
    if (name.size() < 2 || name.size() > 19 || name[0] != 'k') return 0;
    std::int64_t k = 0;
    for (char ch : name.substr(1)) {
      if (ch < '0' || ch > '9') return 0;
      k = k * 10 + (ch - '0');
    }
    return k;
  }

  /// The K of every member of /labels (checked: named k<K>, 1 <= K <= n), ascending.
  std::vector<std::int64_t> list_ks() const {
    if (!file_.exists(kLabels)) fail("missing group '/labels': expected datasets /labels/k<K> (is this a CLUSTERS.h5 file?)");
    std::vector<std::int64_t> ks;
    for (const std::string& name : file_.list_group(kLabels)) {
      const std::int64_t k = parse_k(name);
      if (k < 1 || k > n_ || std::string(kLabels) + "/" + name != labels_path(k)) {  // not "k07"
        fail("unexpected member '" + std::string(kLabels) + "/" + name +
             "': expected datasets named k<K> with 1 <= K <= n = " + std::to_string(n_));
      }
      ks.push_back(k);
    }
    std::sort(ks.begin(), ks.end());
    return ks;
  }

  std::vector<std::int32_t> read_labels_at(std::int64_t k) const {
    const std::string dataset = labels_path(k);
    h5::Array<std::int32_t> array = file_.read_dataset<std::int32_t>(dataset);
    check_shape(dataset, array.dims, {static_cast<std::uint64_t>(n_)}, "[n]");
    for (std::size_t i = 0; i < array.values.size(); ++i) {
      if (array.values[i] < 0 || array.values[i] >= k) {
        fail("dataset '" + dataset + "' gives point " + std::to_string(i) + " the label " +
             std::to_string(array.values[i]) + ": expected labels in [0, " + std::to_string(k) + ")");
      }
    }
    return std::move(array.values);
  }

  std::map<std::int64_t, std::vector<std::int32_t>> read_labels() const {
    std::map<std::int64_t, std::vector<std::int32_t>> labels;
    for (const std::int64_t k : list_ks()) labels.emplace(k, read_labels_at(k));
    return labels;
  }

  std::vector<std::int32_t> read_point_positions(const std::string& dataset) const {
    h5::Array<std::int32_t> array = require<std::int32_t>(dataset, "int32 [n]");
    check_shape(dataset, array.dims, {static_cast<std::uint64_t>(n_)}, "[n]");
    for (std::size_t i = 0; i < array.values.size(); ++i) {
      if (array.values[i] < -1) {
        fail("dataset '" + dataset + "' holds " + std::to_string(array.values[i]) + " at point " +
             std::to_string(i) + ": expected a position >= 0, or -1 for unknown");
      }
    }
    return std::move(array.values);
  }

  /// The words of /points/text; empty when the file has none.
  std::vector<std::string> read_point_text() const {
    if (!file_.exists(kText)) return {};
    std::vector<std::string> text = file_.read_strings_dataset(kText);
    if (text.size() != static_cast<std::size_t>(n_)) {
      fail("dataset '" + std::string(kText) + "' has " + std::to_string(text.size()) + " words: expected n = " +
           std::to_string(n_) + " (one per point)");
    }
    return text;
  }

  const std::filesystem::path& path_;
  h5::File file_;
  std::int64_t n_ = 0;
};

}  // namespace

void write_clusters_file(const std::filesystem::path& path, const ClustersFile& content) {
  const std::int64_t n = content.linkage.n;
  CONCEPTLENS_CHECK(n >= 1);
  CONCEPTLENS_CHECK(content.linkage.merges.size() == static_cast<std::size_t>(n - 1));
  CONCEPTLENS_CHECK(content.sentence.size() == static_cast<std::size_t>(n));
  CONCEPTLENS_CHECK(content.word.size() == static_cast<std::size_t>(n));
  CONCEPTLENS_CHECK(content.text.empty() || content.text.size() == static_cast<std::size_t>(n));
  const auto points = static_cast<std::uint64_t>(n);

  h5::File file = h5::File::create(path);
  std::vector<double> rows;
  rows.reserve(content.linkage.merges.size() * 4);
  for (const cluster::Merge& merge : content.linkage.merges) {
    rows.insert(rows.end(), {static_cast<double>(merge.a), static_cast<double>(merge.b), merge.height,
                             static_cast<double>(merge.size)});
  }
  file.write_dataset(kLinkage, rows, {points - 1, 4});
  file.create_group(kLabels);
  for (const auto& [k, labels] : content.labels) {
    CONCEPTLENS_CHECK(k >= 1 && k <= n && labels.size() == points);
    file.write_dataset(labels_path(k), labels, {points});
  }
  file.write_dataset(kSentence, content.sentence, {points});
  file.write_dataset(kWord, content.word, {points});
  if (!content.text.empty()) file.write_strings_dataset(kText, content.text);

  file.write_string_attribute("/", "method", content.method);
  file.write_string_attribute("/", "mode", content.mode);
  file.write_int_attribute("/", "n", n);
  file.write_int_attribute("/", "d", content.d);
  file.write_int_attribute("/", "layer", content.layer);
  file.write_string_attribute("/", "source", content.source);
  file.write_string_attribute("/", "fingerprint", content.fingerprint);
  file.write_string_attribute("/", "tool_version", CONCEPTLENS_VERSION);
  file.close();
}

ClustersFile read_clusters_file(const std::filesystem::path& path) { return Reader(path).read(); }

ClusterAssignment read_cluster_assignment(const std::filesystem::path& path, std::int64_t k) {
  return Reader(path).read_assignment(k);
}

}  // namespace conceptlens::store
