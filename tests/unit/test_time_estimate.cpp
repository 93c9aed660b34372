// The time estimates of a sweep (sweep/time_estimate.hpp): the clustering model against the
// runs measured in README.md (quiet machine, the rates of the same runs), the estimate of the
// bundled demo study and how it follows the ranks, complete stages, and the calibration by a
// previous run-log.json.
#include "sweep/time_estimate.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sweep/job_file.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::sweep {
namespace {

namespace fs = std::filesystem;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::write_file;

const fs::path kJobs = fs::path(CONCEPTLENS_SOURCE_DIR) / "jobs";

/// The rates of README.md's benchmark runs: dgemm 51 GFLOP/s on one thread, 29.6 GB/s of read
/// bandwidth for one process (14.1 GB/s each for two), float32 candidate products at 93 GFLOP/s.
MachineRates readme_rates(double memory) { return {150e9, 51e9, memory, 93e9, 2}; }

/// Within a factor of 1.5 of what was measured.
void expect_close(double modelled, double measured, const std::string& what) {
  EXPECT_GT(modelled, measured / 1.5) << what;
  EXPECT_LT(modelled, measured * 1.5) << what;
}

TEST(TimeEstimate, ClusteringModelMatchesTheMeasuredRuns) {
  using cluster::DistanceSource;
  // README.md, "Benchmarks" and "Scaling": n = 20,000, d = 768
  expect_close(cluster_layer_seconds(DistanceSource::matrix, 20000, 768, 1, readme_rates(29.6e9)), 11.72,
               "matrix, 1 rank (11.72 s)");
  expect_close(cluster_layer_seconds(DistanceSource::vector, 20000, 768, 1, readme_rates(29.6e9)), 6.40,
               "vector, 1 rank (6.40 s)");
  expect_close(cluster_layer_seconds(DistanceSource::vector, 20000, 768, 2, readme_rates(14.1e9)), 4.24,
               "vector, 2 ranks (4.24 s)");
  // "Scaling": n = 50,000 and 200,000 on 2 ranks (not used to set the constants)
  expect_close(cluster_layer_seconds(DistanceSource::vector, 50000, 768, 2, readme_rates(14.1e9)), 20.10,
               "vector, n = 50,000, 2 ranks (20.10 s)");
  expect_close(cluster_layer_seconds(DistanceSource::vector, 200000, 768, 2, readme_rates(14.1e9)), 264.05,
               "vector, n = 200,000, 2 ranks (264.05 s)");
}

class DemoEstimate : public ::testing::Test {
 protected:
  EstimateSetting setting(int ranks) const {
    EstimateSetting s;
    s.ranks = ranks;
    s.available_per_rank = std::uint64_t{8} << 30;
    s.rates = readme_rates(14.1e9);
    return s;
  }
  SweepPlan plan(const fs::path& out) const { return plan_sweep(read_job_file(kJobs / "demo.toml"), out); }

  ScratchDir dir_;
};

TEST_F(DemoEstimate, EveryStageHasATimeAndTheStudyTheirSum) {
  const SweepPlan demo = plan(dir_ / "results");
  const StudyEstimate estimate = estimate_study(demo, setting(2));
  ASSERT_EQ(estimate.stages.size(), demo.stages.size());
  double sum = estimate.fixed_seconds;
  for (std::size_t s = 0; s < demo.stages.size(); ++s) {
    EXPECT_GT(estimate.stages[s].seconds, 0) << demo.stages[s].id;
    EXPECT_EQ(estimate.stages[s].seconds, estimate.stages[s].model_seconds) << "no run-log.json: no calibration";
    sum += estimate.stages[s].seconds;
  }
  EXPECT_DOUBLE_EQ(estimate.wall_seconds, sum);
  EXPECT_DOUBLE_EQ(estimate.rank_hours, estimate.wall_seconds * 2 / 3600);
  // the bundled demo: about 25-35 s on 2 ranks, 15-20 s of them the triggers (README.md, "Sizing
  // a study"); the models say so within a factor 2
  EXPECT_GT(estimate.wall_seconds, 17.5);
  EXPECT_LT(estimate.wall_seconds, 70);

  const std::string text = describe_estimate(demo, setting(2), estimate);
  for (const char* part : {"time estimate on 2 rank(s)", "cluster/tiny-bert/sst2", "8717 points, d 128, vector mode",
                           "4 on the slowest group of 1 rank(s)", "align: 35 stages", "compare: 14 stages",
                           "triggers: 1 stages",
                           "rank-hours"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
}

TEST_F(DemoEstimate, ClusteringFollowsTheRankGroups) {
  const SweepPlan demo = plan(dir_ / "results");
  const auto cluster_seconds = [&](int ranks) {
    const StudyEstimate estimate = estimate_study(demo, setting(ranks));
    for (std::size_t s = 0; s < demo.stages.size(); ++s) {
      if (demo.stages[s].id == "cluster/tiny-bert/sst2") return estimate.stages[s].seconds;
    }
    return 0.0;
  };
  // 7 layers: one rank does all 7; 7 ranks one each; 4 ranks: groups of one, the slowest does 2
  EXPECT_NEAR(cluster_seconds(1) / cluster_seconds(7), 7.0, 1e-9);
  EXPECT_NEAR(cluster_seconds(1) / cluster_seconds(4), 3.5, 1e-9);
  EXPECT_LT(cluster_seconds(14), cluster_seconds(7));  // groups of two ranks share each layer
}

TEST_F(DemoEstimate, AClusteringThatCannotFitIsRefusedNamingTheStage) {
  Job job = read_job_file(kJobs / "demo.toml");
  job.memory_per_rank = "1MiB";
  const SweepPlan demo = plan_sweep(job, dir_ / "results");
  conceptlens::testing::expect_error<InputError>([&] { estimate_study(demo, setting(2)); },
                                                 (kJobs / "demo.toml").string() + ": cluster/tiny-bert/sst2: ",
                                                 {"does not fit the memory per rank"});
}

TEST_F(DemoEstimate, CompleteStagesCostNothing) {
  SweepPlan demo = plan(dir_ / "results");
  compute_keys(demo);
  const Stage& done = demo.stages.front();
  for (const fs::path& output : done.outputs) {
    fs::create_directories(output.parent_path());
    write_file(output, "finished");
  }
  stamp_stage(demo, done);
  const StudyEstimate estimate = estimate_study(demo, setting(2));
  EXPECT_EQ(estimate.stages.front().seconds, 0);
  EXPECT_GT(estimate.stages[1].seconds, 0);
}

TEST_F(DemoEstimate, APreviousRunLogCalibratesEachKind) {
  const SweepPlan demo = plan(dir_ / "results");
  const StudyEstimate plain = estimate_study(demo, setting(2));
  fs::create_directories(dir_ / "results");
  nlohmann::json log = {{"study", "demo"}, {"stages", nlohmann::json::array()}};
  log["stages"].push_back({{"id", "extract/a/b"}, {"status", "ran"}, {"seconds", 3.0}, {"model_seconds", 1.0}});
  log["stages"].push_back({{"id", "extract/c/d"}, {"status", "ran"}, {"seconds", 1.0}, {"model_seconds", 1.0}});
  log["stages"].push_back({{"id", "cluster/a/b"}, {"status", "kept"}, {"seconds", 0.0}, {"model_seconds", 0.0}});
  log["stages"].push_back({{"id", "align/a/b/layer-0-k5/POS"}, {"status", "ran"}, {"seconds", 0.5}, {"model_seconds", 1.0}});
  write_file(dir_ / "results/run-log.json", log.dump());

  const StudyEstimate calibrated = estimate_study(demo, setting(2));
  EXPECT_EQ(calibrated.calibrated_by, dir_ / "results/run-log.json");
  EXPECT_EQ(calibrated.calibration, (std::map<std::string, double>{{"extract", 2.0}, {"align", 0.5}}));
  for (std::size_t s = 0; s < demo.stages.size(); ++s) {
    const double factor = demo.stages[s].kind == StageKind::extract ? 2.0
                          : demo.stages[s].kind == StageKind::align ? 0.5
                                                                    : 1.0;
    EXPECT_DOUBLE_EQ(calibrated.stages[s].model_seconds, plain.stages[s].model_seconds) << demo.stages[s].id;
    EXPECT_DOUBLE_EQ(calibrated.stages[s].seconds, plain.stages[s].seconds * factor) << demo.stages[s].id;
  }
  EXPECT_NE(describe_estimate(demo, setting(2), calibrated).find("calibrated by"), std::string::npos);

  write_file(dir_ / "results/run-log.json", "{\"stages\": [{\"id\": 3}]}");  // damaged: ignored
  EXPECT_TRUE(estimate_study(demo, setting(2)).calibration.empty());
}

TEST(MachineRates, MeasuresEveryRate) {
  const MachineRates rates = measure_machine_rates(1, 0.2);
  EXPECT_GT(rates.gemm32, 1e8);
  EXPECT_GT(rates.gemm64, 1e8);
  EXPECT_GT(rates.memory, 1e8);
  EXPECT_GT(rates.candidates, 1e8);
  EXPECT_EQ(rates.threads, 1);
  EXPECT_NE(describe(rates).find("GFLOP/s"), std::string::npos);
}

}  // namespace
}  // namespace conceptlens::sweep
