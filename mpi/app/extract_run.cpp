#include "app/extract_run.hpp"

#include <cblas.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include "comm/communicator.hpp"
#include "comm/node_share.hpp"
#include "extract/parallel_output.hpp"
#include "model/encoder.hpp"
#include "model/memory_estimate.hpp"
#include "store/activations_file.hpp"
#include "store/atomic_output.hpp"

namespace conceptlens::mpi {
namespace {

/// Collective. --threads, or this rank's share of its node (NodeShare::threads_per_rank: the
/// cores it may run on, a rank bound to one core gets one, at most the node's cores divided by
/// its ranks).
int torch_threads(MPI_Comm comm, int requested) {
  const int share = node_share(comm).threads_per_rank;
  return requested > 0 ? requested : share;
}

/// The rows (per requested layer) and logits one batch gives.
struct BatchResult {
  std::vector<std::vector<float>> layer_rows;  ///< per requested layer: its sentences' rows in order
  std::vector<float> logits;                   ///< [sentences of the batch, classes]
};

BatchResult run_batch(const model::Encoder& encoder, const app::ExtractionPlan& plan, const extract::Batch& batch,
                      bool predictions) {
  const std::int64_t count = static_cast<std::int64_t>(batch.sentences.size());
  const std::int64_t length = batch.length;
  std::vector<std::int64_t> ids(static_cast<std::size_t>(count * length), plan.config.padding_id());
  std::vector<std::int64_t> lengths;
  std::int64_t rows = 0;
  for (std::int64_t b = 0; b < count; ++b) {
    const auto s = static_cast<std::size_t>(batch.sentences[static_cast<std::size_t>(b)]);
    const std::vector<std::int64_t>& sentence = plan.encodings[s].input_ids;
    std::copy(sentence.begin(), sentence.end(), ids.begin() + b * length);
    lengths.push_back(static_cast<std::int64_t>(sentence.size()));
    rows += plan.encodings[s].num_words_out;
  }
  const auto hidden = static_cast<std::size_t>(plan.hidden());
  BatchResult result;
  result.layer_rows.reserve(plan.layers.size());
  if (predictions) result.logits.resize(static_cast<std::size_t>(count) * plan.config.id2label.size());
  const model::PaddedBatch padded{ids, lengths, count, length};
  encoder.forward(
      padded, plan.layers,
      [&](std::int64_t /*layer*/, std::span<const float> states) {
        std::vector<float>& out = result.layer_rows.emplace_back(static_cast<std::size_t>(rows) * hidden);
        std::size_t row = 0;
        for (std::int64_t b = 0; b < count; ++b) {
          const auto& encoding = plan.encodings[static_cast<std::size_t>(batch.sentences[static_cast<std::size_t>(b)])];
          const auto words = static_cast<std::size_t>(encoding.num_words_out);
          extract::word_vectors(encoding, plan.aggregation,
                                states.subspan(static_cast<std::size_t>(b * length) * hidden,
                                               static_cast<std::size_t>(length) * hidden),
                                plan.config.hidden_size, std::span(out).subspan(row * hidden, words * hidden));
          row += words;
        }
      },
      result.logits);
  return result;
}

/// Writes one batch's rows: ACT.h5 collectively per layer (every rank calls, `batch` null when
/// this rank has none this round), NeuroX's layout per sentence.
void write_batch(ParallelOutput& output, const app::ExtractionPlan& plan, const extract::Batch* batch,
                 const BatchResult& result) {
  const auto hidden = static_cast<std::size_t>(plan.hidden());
  if (plan.format == app::OutputFormat::conceptlens) {
    std::vector<RowSpan> spans;
    if (batch != nullptr) {
      for (const std::int64_t s : batch->sentences) {
        const RowSpan span{plan.row_offsets[static_cast<std::size_t>(s)],
                           plan.row_offsets[static_cast<std::size_t>(s) + 1]};
        if (span.first == span.last) continue;
        if (!spans.empty() && spans.back().last == span.first) {
          spans.back().last = span.last;
        } else {
          spans.push_back(span);
        }
      }
    }
    for (std::size_t l = 0; l < plan.layers.size(); ++l) {
      const std::span<const float> values = batch != nullptr ? std::span<const float>(result.layer_rows[l])
                                                             : std::span<const float>();
      output.write_rows(store::act::layer_path(plan.layers[l]), spans, plan.hidden(), values);
    }
    return;
  }
  if (batch == nullptr) return;
  std::size_t row = 0;
  std::vector<float> block;
  for (const std::int64_t s : batch->sentences) {
    const auto words = static_cast<std::size_t>(plan.encodings[static_cast<std::size_t>(s)].num_words_out);
    block.resize(plan.layers.size() * words * hidden);
    for (std::size_t l = 0; l < plan.layers.size(); ++l) {
      std::copy_n(result.layer_rows[l].begin() + static_cast<std::ptrdiff_t>(row * hidden), words * hidden,
                  block.begin() + static_cast<std::ptrdiff_t>(l * words * hidden));
    }
    output.write_whole(std::string("/").append(std::to_string(s)), block);
    row += words;
  }
}

/// Rank 0's progress lines: at most one every `interval`, and the last.
class Progress {
 public:
  explicit Progress(std::int64_t total) : total_(total), start_(std::chrono::steady_clock::now()), last_(start_) {}

  void report(std::int64_t done) {
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::seconds(10)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
    spdlog::info("extract: {}/{} words ({:.1f}%), {:.0f} words/s, ETA {:.0f} s", done, total_,
                 total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0, rate, eta);
  }

  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::int64_t total_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

Outcome run_extract(MPI_Comm parent, const app::ExtractOptions& options) {
  const Communicator communicator(parent);
  const MPI_Comm comm = communicator.get();
  const int ranks = size(comm);
  const bool root = rank(comm) == 0;

  app::ExtractionPlan plan;
  Outcome outcome = agree(comm, capture([&] { plan = app::plan_extraction(options); }));
  if (!outcome.ok()) return outcome;
  if (options.dry_run) {
    if (root) std::fputs(app::describe(options, plan, ranks).c_str(), stdout);
    return outcome;
  }
  const int threads = torch_threads(comm, options.threads);
  // The matrix products (OpenBLAS) get the threads; LibTorch's own OpenMP pool stays at one:
  // its workers spin after every element-wise operation and took the cores from the BLAS
  // threads (BERT-base, 400 sentences, 2 threads: 21.0 s with both pools at 2, 12.3 s so).
  model::set_torch_threads(1);
  openblas_set_num_threads(threads);

  std::optional<model::Encoder> encoder;
  outcome = agree(comm, capture([&] { encoder.emplace(options.model, options.predictions, plan.compute_dtype); }));
  if (!outcome.ok()) return outcome;

  const std::vector<std::vector<std::size_t>> dealt = extract::deal_batches(plan.batches, ranks);
  const std::vector<std::size_t>& mine = dealt[static_cast<std::size_t>(rank(comm))];
  std::size_t rounds = 0;
  for (const auto& batches : dealt) rounds = std::max(rounds, batches.size());
  if (root) {
    std::int64_t tokens = 0;
    std::int64_t padded = 0;
    for (const auto& encoding : plan.encodings) tokens += static_cast<std::int64_t>(encoding.input_ids.size());
    for (const auto& batch : plan.batches) padded += batch.padded_tokens();
    spdlog::info("extract: {} sentences, {} words, {} tokens ({:.1f}% padding), {} layers of {} in {} batches on {} "
                 "ranks ({} threads each); {} ({}): {}",
                 plan.corpus.sentences(), plan.rows(), tokens,
                 100.0 * static_cast<double>(padded - tokens) / static_cast<double>(padded), plan.layers.size(),
                 options.model.string(), plan.batches.size(), ranks, threads, plan.config.family(),
                 plan.config.model_type,
                 model::describe_memory(plan.weight_bytes, plan.activation_bytes, plan.compute_dtype));
    if (plan.truncated_sentences > 0) {
      spdlog::warn("{} sentences are longer than model_max_length = {} tokens: truncated as NeuroX does, {} words "
                   "dropped (attributes truncated_sentences, truncated_words)",
                   plan.truncated_sentences, plan.model_max_length, plan.truncated_words);
    }
    if (plan.empty_words > 0) {
      spdlog::warn("{} words have no subwords (the tokenizer drops them): zero vectors, as in NeuroX", plan.empty_words);
    }
  }

  // rank 0 claims the output and creates its skeleton; every rank writes into the temporary
  std::optional<store::AtomicOutput> output;
  std::string temp;
  outcome = agree(comm, capture([&] {
    if (!root) return;
    output.emplace(options.out);
    app::write_output_skeleton(output->temp_path(), options, plan);
    temp = output->temp_path().string();
  }));
  if (!outcome.ok()) return outcome;
  int temp_size = static_cast<int>(temp.size());
  MPI_Bcast(&temp_size, 1, MPI_INT, 0, comm);
  temp.resize(static_cast<std::size_t>(temp_size));
  MPI_Bcast(temp.data(), temp_size, MPI_CHAR, 0, comm);

  std::vector<float> logits(options.predictions ? plan.encodings.size() * plan.config.id2label.size() : 0, 0.0F);
  Progress progress(plan.rows());
  {
    ParallelOutput file(comm, temp);
    long long done = 0;
    for (std::size_t round = 0; round < rounds; ++round) {
      const extract::Batch* batch = round < mine.size() ? &plan.batches[mine[round]] : nullptr;
      BatchResult result;
      outcome = agree(comm, capture([&] {
        if (batch != nullptr) result = run_batch(*encoder, plan, *batch, options.predictions);
      }));
      if (!outcome.ok()) return outcome;
      outcome = agree(comm, capture([&] { write_batch(file, plan, batch, result); }));
      if (!outcome.ok()) return outcome;
      long long rows = 0;
      if (batch != nullptr) {
        const std::size_t classes = plan.config.id2label.size();
        for (std::size_t b = 0; b < batch->sentences.size(); ++b) {
          const auto s = static_cast<std::size_t>(batch->sentences[b]);
          rows += plan.encodings[s].num_words_out;
          if (options.predictions) {
            std::copy_n(result.logits.begin() + static_cast<std::ptrdiff_t>(b * classes), classes,
                        logits.begin() + static_cast<std::ptrdiff_t>(s * classes));
          }
        }
      }
      long long all = 0;
      MPI_Allreduce(&rows, &all, 1, MPI_LONG_LONG, MPI_SUM, comm);
      done += all;
      if (root) progress.report(done);
    }
    outcome = agree(comm, capture([&] { file.close(); }));
    if (!outcome.ok()) return outcome;
  }
  if (options.predictions) {
    // each sentence's logits come from one rank, zeros from the others: the sum is exact
    std::vector<float> summed(root ? logits.size() : 0);
    MPI_Reduce(logits.data(), summed.data(), static_cast<int>(logits.size()), MPI_FLOAT, MPI_SUM, 0, comm);
    logits.swap(summed);
  }
  return run_on_root(comm, 0, [&] {
    if (options.predictions) app::write_predictions(output->temp_path(), plan, logits);
    output->commit();
    spdlog::info("extract: wrote {} ({} words, {:.1f} s, {:.0f} words/s)", options.out.string(), plan.rows(),
                 progress.seconds(), static_cast<double>(plan.rows()) / std::max(progress.seconds(), 1e-9));
  });
}

}  // namespace conceptlens::mpi
