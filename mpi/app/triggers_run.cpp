#include "app/triggers_run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include "app/model_threads.hpp"
#include "comm/communicator.hpp"
#include "extract/batch_input.hpp"
#include "model/encoder.hpp"
#include "store/atomic_output.hpp"

namespace conceptlens::mpi {
namespace {

/// Inputs per block: the unit dealt to the ranks, and within which batches are planned.
constexpr std::int64_t kBlockInputs = 256;

using Encode = std::function<tokenize::SentenceEncoding(std::int64_t)>;

/// The classes the model predicts for inputs [first, last): their batches by length.
std::vector<std::int32_t> classify_block(const model::Encoder& encoder, const app::TriggerPlan& plan,
                                         std::int64_t first, std::int64_t last, std::int64_t batch_tokens,
                                         const Encode& encode) {
  std::vector<tokenize::SentenceEncoding> encodings;
  std::vector<std::int64_t> lengths;
  for (std::int64_t i = first; i < last; ++i) {
    encodings.push_back(encode(i));
    lengths.push_back(static_cast<std::int64_t>(encodings.back().input_ids.size()));
  }
  const auto classes = static_cast<std::int64_t>(plan.config.id2label.size());
  std::vector<std::int32_t> predicted(encodings.size(), -1);
  for (const extract::Batch& batch : extract::plan_batches(lengths, batch_tokens)) {
    const extract::PaddedInput input = extract::pad_batch(encodings, batch, plan.config.padding_id());
    std::vector<float> logits(static_cast<std::size_t>(input.batch * classes));
    encoder.forward(input.view(), {}, [](std::int64_t, std::span<const float>) {}, logits);
    const std::vector<std::int32_t> rows = extract::predicted_classes(logits, classes);
    for (std::size_t b = 0; b < rows.size(); ++b) predicted[static_cast<std::size_t>(batch.sentences[b])] = rows[b];
  }
  return predicted;
}

/// Collective. The class the model predicts for each of `count` inputs, on every rank: blocks of
/// kBlockInputs consecutive inputs dealt round-robin, one round at a time (an error in any block
/// fails every rank), the predictions combined with MPI_Allreduce.
Outcome classify(MPI_Comm comm, const model::Encoder& encoder, const app::TriggerPlan& plan, std::int64_t count,
                 std::int64_t batch_tokens, const Encode& encode, std::vector<std::int32_t>& classes) {
  const std::int64_t ranks = size(comm);
  const std::int64_t blocks = (count + kBlockInputs - 1) / kBlockInputs;
  classes.assign(static_cast<std::size_t>(count), -1);
  for (std::int64_t round = 0; round * ranks < blocks; ++round) {
    const std::int64_t block = round * ranks + rank(comm);
    const Outcome outcome = agree(comm, capture([&] {
      if (block >= blocks) return;
      const std::int64_t first = block * kBlockInputs;
      const std::int64_t last = std::min(count, first + kBlockInputs);
      const std::vector<std::int32_t> mine = classify_block(encoder, plan, first, last, batch_tokens, encode);
      std::copy(mine.begin(), mine.end(), classes.begin() + first);
    }));
    if (!outcome.ok()) return outcome;
  }
  MPI_Allreduce(MPI_IN_PLACE, classes.data(), static_cast<int>(count), MPI_INT32_T, MPI_MAX, comm);
  return {};
}

}  // namespace

Outcome run_triggers(MPI_Comm parent, const app::TriggersOptions& options) {
  const Communicator communicator(parent);
  const MPI_Comm comm = communicator.get();
  const bool root = rank(comm) == 0;
  app::TriggerPlan plan;
  Outcome outcome = agree(comm, capture([&] { plan = app::plan_triggers(options); }));
  if (!outcome.ok()) return outcome;
  // an unwritable output fails before the model runs
  outcome = run_on_root(comm, 0, [&] { const store::AtomicOutput check(options.out); });
  if (!outcome.ok()) return outcome;
  use_model_threads(comm, options.threads);
  std::optional<model::Encoder> encoder;
  outcome = agree(comm, capture([&] { encoder.emplace(options.model, true); }));
  if (!outcome.ok()) return outcome;

  triggers::TriggerReport& report = plan.report;
  std::vector<std::int32_t> base;
  outcome = classify(comm, *encoder, plan, report.sentences, options.batch_tokens,
                     [&](std::int64_t s) { return app::encode_input(plan, s, nullptr); }, base);
  if (!outcome.ok()) return outcome;
  if (root) {
    spdlog::info("triggers: {} polarity concepts of {} at K = {}; the model classified the {} sentences",
                 report.concepts.size(), options.clusters.string(), report.k, report.sentences);
  }

  for (std::size_t c = 0; c < report.concepts.size(); ++c) {
    triggers::ConceptFlips& flips = report.concepts[c];
    const std::int32_t target = plan.concept_class[c];
    std::vector<std::int64_t> tried;
    for (std::int64_t s = 0; s < report.sentences; ++s) {
      if (base[static_cast<std::size_t>(s)] != target) tried.push_back(s);
    }
    // input i: trigger i / tried (0: the concept's, then the random ones) on sentence tried[i % tried]
    std::vector<const std::vector<std::string>*> trigger_list{&flips.polarity.trigger};
    for (const auto& random : flips.baseline) trigger_list.push_back(&random);
    const auto n = static_cast<std::int64_t>(tried.size());
    std::vector<std::int32_t> predicted;
    outcome = classify(comm, *encoder, plan, n * static_cast<std::int64_t>(trigger_list.size()), options.batch_tokens,
                       [&](std::int64_t i) {
                         return app::encode_input(plan, tried[static_cast<std::size_t>(i % n)],
                                                     trigger_list[static_cast<std::size_t>(i / n)]);
                       },
                       predicted);
    if (!outcome.ok()) return outcome;
    flips.tried = n;
    for (std::size_t i = 0; i < predicted.size(); ++i) {
      if (predicted[i] != target) continue;
      (static_cast<std::int64_t>(i) < n ? flips.flipped : flips.baseline_flipped) += 1;
    }
    if (root) {
      spdlog::info("triggers: concept {} ({}, '{}'): {} of {} sentences flipped ({:.1f}%), random triggers {:.1f}%",
                   flips.polarity.cluster, flips.polarity.label_class, triggers::join_words(flips.polarity.trigger),
                   flips.flipped, flips.tried, 100.0 * flips.flip_rate(), 100.0 * flips.baseline_flip_rate());
    }
  }
  return run_on_root(comm, 0, [&] {
    triggers::write_triggers(report, options.out);
    spdlog::info("triggers: wrote {}", options.out.string());
  });
}

}  // namespace conceptlens::mpi
