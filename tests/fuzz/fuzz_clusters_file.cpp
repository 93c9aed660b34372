// Fuzz target: the CLUSTERS.h5 readers (store/clusters_file.hpp), as `conceptlens align`,
// `compare`, `cluster` (a rerun keeps complete outputs) and `sweep` read clusterings: the whole
// file, one K's assignment, and the flat clusters cut from an accepted linkage. The input is an
// HDF5 recipe (h5_recipe.hpp).
#include "cluster/flat_clusters.hpp"
#include "fuzz_support.hpp"
#include "h5_recipe.hpp"
#include "store/clusters_file.hpp"

using namespace conceptlens;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::filesystem::path path = fuzz::scratch() / "clusters.h5";
  fuzz::write_h5_recipe(fuzz::text_of(data, size), path);
  fuzz::accepted([&] {
    const store::ClustersFile file = store::read_clusters_file(path);
    const auto n = static_cast<std::size_t>(file.linkage.n);
    if (file.linkage.n < 1 || file.linkage.merges.size() != n - 1 || file.sentence.size() != n ||
        file.word.size() != n) {
      fuzz::fail("a clustering whose linkage or points do not hold n points");
    }
    for (const auto& [k, labels] : file.labels) {
      if (labels.size() != n) fuzz::fail("labels of another length than n");
      const std::vector<std::int32_t> cut = cluster::flat_clusters(file.linkage, k);
      if (cut.size() != n) fuzz::fail("flat clusters of another length than n");
      for (const std::int32_t label : cut) {
        if (label < 0 || label >= k) fuzz::fail("a flat cluster outside [0, K)");
      }
    }
  });
  for (const std::int64_t k : {2, 7}) {  // each read opens the file again: HDF5 opens are the cost here
    fuzz::accepted([&] {
      const store::ClusterAssignment assignment = store::read_cluster_assignment(path, k);
      if (assignment.cluster.size() != assignment.sentence.size() || assignment.word.size() != assignment.sentence.size()) {
        fuzz::fail("an assignment whose columns differ in length");
      }
    });
  }
  return 0;
}
