// Fuzz target: TOML job files (sweep/job_file.hpp), as `conceptlens sweep JOB.toml [--dry-run]`
// reads them, and what is made from an accepted job: the plan (sweep/sweep_plan.hpp: the
// models' config.json, the corpora, the stages and their keys, the --dry-run text) and the time
// estimate (sweep/time_estimate.hpp). The input is the job file; beside it lie what a job can
// name: models/base and models/ft (the bundled tiny BERTs' config.json), and the first
// sentences of the bundled EWT and SST-2 samples with their labels (data/ewt.in,
// data/ewt.label, data/sst2.in, data/sst2.classes).
#include <cmath>
#include <fstream>
#include <iterator>

#include "fuzz_support.hpp"
#include "sweep/job_file.hpp"
#include "sweep/sweep_plan.hpp"
#include "sweep/time_estimate.hpp"

using namespace conceptlens;

namespace {

std::string first_lines(const std::filesystem::path& path, std::size_t count) {
  std::ifstream in(path);
  std::string text, line;
  while (count-- > 0 && std::getline(in, line)) text += line + "\n";
  return text;
}

/// The files a job may name, made once.
void make_fixture() {
  static bool made = false;
  if (made) return;
  made = true;
  const std::filesystem::path jobs = std::filesystem::path(CONCEPTLENS_SOURCE_DIR) / "jobs";
  fuzz::write_file("models/base/config.json", first_lines(jobs / "models/tiny-bert/config.json", 1000));
  fuzz::write_file("models/ft/config.json", first_lines(jobs / "models/tiny-bert-sst2/config.json", 1000));
  fuzz::write_file("data/ewt.in", first_lines(jobs / "data/ewt/en_ewt-dev-600.in", 12));
  fuzz::write_file("data/ewt.label", first_lines(jobs / "data/ewt/en_ewt-dev-600.xpos.label", 12));
  fuzz::write_file("data/sst2.in", first_lines(jobs / "data/sst2/sst2-dev.in", 12));
  fuzz::write_file("data/sst2.classes", first_lines(jobs / "data/sst2/sst2-dev.classes", 12));
}

void check(const sweep::Job& job) {
  if (job.ks.empty() || job.ks.front() < 1 || !std::is_sorted(job.ks.begin(), job.ks.end())) fuzz::fail("bad k");
  for (const double value : {job.threshold, job.max_unk}) {
    if (!(value >= 0 && value <= 1)) fuzz::fail("threshold or max_unk outside [0, 1]");
  }
  if (!(job.checkpoint_every >= 0) || !std::isfinite(job.checkpoint_every)) fuzz::fail("checkpoint_every not >= 0");
  if (job.batch_tokens < 1) fuzz::fail("batch_tokens < 1");
  if (job.models.empty() || job.corpora.empty()) fuzz::fail("a job without models or corpora");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  make_fixture();
  const std::filesystem::path path = fuzz::write_file("job.toml", fuzz::text_of(data, size));
  fuzz::accepted([&] {
    const sweep::Job job = sweep::read_job_file(path);
    check(job);
    sweep::SweepPlan plan = sweep::plan_sweep(job, fuzz::scratch() / "out");
    sweep::compute_keys(plan);
    sweep::describe_plan(plan, 3);
    sweep::EstimateSetting setting;
    setting.ranks = 3;
    setting.available_per_rank = std::uint64_t{4} << 30;
    setting.rates = {50e9, 40e9, 10e9, 8e9, 1};
    const sweep::StudyEstimate estimate = sweep::estimate_study(plan, setting);
    if (estimate.stages.size() != plan.stages.size() || !(estimate.wall_seconds > 0) ||
        !std::isfinite(estimate.wall_seconds)) {
      fuzz::fail("an estimate that is not a positive time for every stage");
    }
    sweep::describe_estimate(plan, setting, estimate);
  });
  return 0;
}
