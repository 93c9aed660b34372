#include "app/extract_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <unordered_set>

#include "app/layer_list.hpp"
#include "model/memory_estimate.hpp"
#include "store/hdf5.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace conceptlens::app {

namespace h5 = store::h5;

void setup_extract_command(CLI::App& command, ExtractOptions& options) {
  command.description(
      "Every word's vector at every layer of a Hugging Face checkpoint (BERT, RoBERTa/XLM-R, ALBERT,\n"
      "DistilBERT, GPT-2, Llama),\n"
      "as NeuroX's transformers_extractor computes it; ranks split the corpus and write one HDF5 file");
  command.add_option("--model", options.model, "Hugging Face checkpoint folder (config.json, weights, tokenizer)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command.add_option("--corpus", options.corpus, "one sentence per line, words separated by single spaces")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--out", options.out, "the activation file (ACT.h5)")->required();
  command.add_option("--layers", options.layers, "'all' or layers, e.g. 0,6,12 (0 = embedding output)");
  command.add_option("--aggregation", options.aggregation, "a word's vector from its subwords' (NeuroX)")
      ->check(CLI::IsMember({"last", "first", "average"}));
  command.add_option("--batch-tokens", options.batch_tokens, "padded tokens per batch of sentences")
      ->check(CLI::PositiveNumber);
  command.add_option("--dtype", options.dtype, "how the vectors are stored")
      ->check(CLI::IsMember({"float32", "float16"}));
  command.add_option("--compute-dtype", options.compute_dtype,
                     "how the model computes: float32 (as transformers' from_pretrained, whatever the checkpoint "
                     "stores) or bfloat16 (half the memory)")
      ->check(CLI::IsMember({"float32", "bfloat16"}));
  command.add_option("--format", options.format,
                     "conceptlens: ACT.h5; neurox: NeuroX's HDF5 layout (a dataset per sentence, sentence_to_index)")
      ->check(CLI::IsMember({"conceptlens", "neurox"}));
  command.add_flag("--predictions", options.predictions,
                   "also store the classification head's class (and logits) per sentence");
  command.add_option("--threads", options.threads,
                     "threads per rank for the matrix products (0: the node's cores / its ranks)")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--max-word-chars", options.max_word_chars,
                     "corpus check: the longest word accepted, in characters")
      ->check(CLI::PositiveNumber);
  command.add_flag("--dry-run", options.dry_run,
                   "print the model, the batches and the memory per rank; load no weights, write nothing");
}

namespace {

std::vector<std::int64_t> checked_layers(const ExtractOptions& options, const model::ModelConfig& config) {
  std::vector<std::int64_t> all(static_cast<std::size_t>(config.num_hidden_layers + 1));
  std::iota(all.begin(), all.end(), 0);
  std::vector<std::int64_t> layers = parse_layer_list(options.layers, all);
  for (const std::int64_t layer : layers) {
    if (layer > config.num_hidden_layers) {
      throw InputError("--layers '" + options.layers + "': layer " + std::to_string(layer) + " does not exist: " +
                       (options.model / "config.json").string() + " has " +
                       std::to_string(config.num_hidden_layers) + " layers, so 0.." +
                       std::to_string(config.num_hidden_layers) + " (0 = embedding output)");
    }
  }
  return layers;
}

}  // namespace

ExtractionPlan plan_extraction(const ExtractOptions& options) {
  ExtractionPlan plan;
  plan.config = model::read_model_config(options.model / "config.json");
  plan.layers = checked_layers(options, plan.config);
  plan.aggregation = extract::parse_aggregation(options.aggregation);
  plan.dtype = options.dtype == "float16" ? store::ActivationDtype::float16 : store::ActivationDtype::float32;
  plan.compute_dtype = model::parse_compute_dtype(options.compute_dtype);
  plan.format = options.format == "neurox" ? OutputFormat::neurox : OutputFormat::conceptlens;
  if (options.predictions) {
    if (plan.format == OutputFormat::neurox) {
      throw InputError("--predictions: NeuroX's layout has no place for classes; use --format conceptlens");
    }
    if (!plan.config.has_sequence_classification_head() || plan.config.id2label.empty()) {
      throw InputError("--predictions: " + (options.model / "config.json").string() +
                       " describes no sequence-classification model (architectures: " +
                       (plan.config.architectures.empty() ? std::string("none") : plan.config.architectures[0]) +
                       ")");
    }
  }

  const std::unique_ptr<tokenize::Tokenizer> tokenizer = tokenize::load_tokenizer(options.model);
  if (tokenizer->vocab_size() > plan.config.vocab_size) {
    throw InputError(options.model.string() + ": the tokenizer has " + std::to_string(tokenizer->vocab_size()) +
                     " ids but config.json's vocab_size is " + std::to_string(plan.config.vocab_size));
  }
  plan.model_max_length =
      tokenizer->model_max_length() == tokenize::Tokenizer::kNoMaxLength ? 0 : tokenizer->model_max_length();

  plan.corpus = corpus::read_corpus(options.corpus, corpus::CorpusRules{options.max_word_chars});
  plan.encodings.reserve(plan.corpus.lines.size());
  plan.row_offsets.assign(1, 0);
  for (std::size_t s = 0; s < plan.corpus.lines.size(); ++s) {
    const std::string where = options.corpus.string() + ":" + std::to_string(s + 1) + ": ";
    tokenize::SentenceEncoding encoding;
    try {
      encoding = tokenizer->encode_sentence(plan.corpus.lines[s]);
    } catch (const InputError& e) {
      throw InputError(where + e.what());
    }
    const auto tokens = static_cast<std::int64_t>(encoding.input_ids.size());
    if (tokens > plan.config.max_tokens()) {
      throw InputError(where + std::to_string(tokens) + " tokens do not fit the " +
                       std::to_string(plan.config.max_tokens()) +
                       " positions of the model (max_position_embeddings in config.json), and the tokenizer has " +
                       (plan.model_max_length == 0 ? std::string("no model_max_length")
                                                   : "model_max_length " + std::to_string(plan.model_max_length)) +
                       " to truncate at (tokenizer_config.json)");
    }
    if (encoding.truncated) {
      ++plan.truncated_sentences;
      plan.truncated_words += static_cast<std::int64_t>(encoding.word_token_counts.size()) - encoding.num_words_out;
    }
    for (std::int32_t w = 0; w < encoding.num_words_out; ++w) {
      plan.empty_words += encoding.word_token_counts[static_cast<std::size_t>(w)] == 0 ? 1 : 0;
    }
    plan.row_offsets.push_back(plan.row_offsets.back() + encoding.num_words_out);
    plan.encodings.push_back(std::move(encoding));
  }

  std::vector<std::int64_t> lengths;
  lengths.reserve(plan.encodings.size());
  for (const auto& encoding : plan.encodings) lengths.push_back(static_cast<std::int64_t>(encoding.input_ids.size()));
  plan.batches = extract::plan_batches(lengths, options.batch_tokens);
  plan.weight_bytes = model::weight_bytes(plan.config, options.predictions, plan.compute_dtype);
  for (const extract::Batch& batch : plan.batches) {
    plan.activation_bytes = std::max(
        plan.activation_bytes,
        model::activation_bytes(plan.config, plan.compute_dtype, static_cast<std::int64_t>(batch.sentences.size()),
                                batch.length, static_cast<std::int64_t>(plan.layers.size())));
  }
  return plan;
}

std::string describe(const ExtractOptions& options, const ExtractionPlan& plan, int ranks) {
  std::int64_t tokens = 0;
  std::int64_t padded = 0;
  for (const auto& encoding : plan.encodings) tokens += static_cast<std::int64_t>(encoding.input_ids.size());
  for (const auto& batch : plan.batches) padded += batch.padded_tokens();
  char padding[32];
  std::snprintf(padding, sizeof padding, "%.1f%%",
                padded > 0 ? 100.0 * static_cast<double>(padded - tokens) / static_cast<double>(padded) : 0.0);
  return "model " + options.model.string() + ": " + plan.config.family() + " (" + plan.config.model_type + "), " +
         std::to_string(plan.config.num_hidden_layers) + " layers, hidden " + std::to_string(plan.hidden()) +
         ", computed in " + model::compute_dtype_name(plan.compute_dtype) + "\n" + "corpus " +
         options.corpus.string() + ": " + std::to_string(plan.corpus.sentences()) + " sentences, " +
         std::to_string(plan.rows()) + " words, " + std::to_string(tokens) + " tokens in " +
         std::to_string(plan.batches.size()) + " batches of at most " + std::to_string(options.batch_tokens) +
         " padded tokens (" + padding + " padding), " + std::to_string(plan.layers.size()) + " layers kept\n" +
         "memory: " + model::describe_memory(plan.weight_bytes, plan.activation_bytes, plan.compute_dtype) + " on " +
         std::to_string(ranks) + " rank(s)\n" + "would write " + options.out.string() + "\n";
}

namespace {

/// The words NeuroX emitted for each sentence.
std::vector<std::vector<std::string>> emitted_words(const ExtractionPlan& plan) {
  std::vector<std::vector<std::string>> sentences;
  sentences.reserve(plan.corpus.lines.size());
  for (std::size_t s = 0; s < plan.corpus.lines.size(); ++s) {
    const std::vector<std::string_view> words = corpus::split_words(plan.corpus.lines[s]);
    const auto kept = static_cast<std::size_t>(plan.encodings[s].num_words_out);
    sentences.emplace_back(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(kept));
  }
  return sentences;
}

/// Python's json.dumps of a str (ensure_ascii: non-ASCII as \uXXXX, surrogate pairs beyond
/// the BMP), for NeuroX's sentence_to_index.
std::string python_json_string(const std::string& text) {
  std::string out = "\"";
  std::u32string code_points;
  decode_utf8(text, code_points);  // the corpus reader checked it is UTF-8
  char escape[16];
  for (const char32_t c : code_points) {
    if (c == U'"') {
      out += "\\\"";
    } else if (c == U'\\') {
      out += "\\\\";
    } else if (c == U'\n') {
      out += "\\n";
    } else if (c == U'\r') {
      out += "\\r";
    } else if (c == U'\t') {
      out += "\\t";
    } else if (c == 0x08) {
      out += "\\b";
    } else if (c == 0x0c) {
      out += "\\f";
    } else if (c < 0x20 || (c >= 0x7f && c < 0x10000)) {
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
      out += escape;
    } else if (c >= 0x10000) {
      const char32_t v = c - 0x10000;
      std::snprintf(escape, sizeof escape, "\\u%04x\\u%04x", static_cast<unsigned>(0xd800 + (v >> 10)),
                    static_cast<unsigned>(0xdc00 + (v & 0x3ff)));
      out += escape;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// NeuroX's sentence_to_index: json.dumps({sentence: "index"}), a repeated sentence keyed as
/// "<sentence> (Occurrence k)".
std::string sentence_to_index(const std::vector<std::string>& lines) {
  std::unordered_set<std::string> keys;
  std::string json = "{";
  for (std::size_t s = 0; s < lines.size(); ++s) {
    std::string key = lines[s];
    for (int occurrence = 2; keys.count(key) != 0; ++occurrence) {
      key = lines[s] + " (Occurrence " + std::to_string(occurrence) + ")";
    }
    keys.insert(key);
    if (s > 0) json += ", ";
    json += python_json_string(key) + ": \"" + std::to_string(s) + "\"";
  }
  return json + "}";
}

}  // namespace

void write_output_skeleton(const std::filesystem::path& path, const ExtractOptions& options,
                           const ExtractionPlan& plan) {
  const bool half = plan.dtype == store::ActivationDtype::float16;
  if (plan.format == OutputFormat::neurox) {
    h5::File file = h5::File::create(path);
    const auto layers = static_cast<std::uint64_t>(plan.layers.size());
    for (std::size_t s = 0; s < plan.encodings.size(); ++s) {
      const auto words = static_cast<std::uint64_t>(plan.encodings[s].num_words_out);
      file.reserve_float_dataset("/" + std::to_string(s), half, {layers, words, static_cast<std::uint64_t>(plan.hidden())});
    }
    file.write_strings_dataset("/sentence_to_index", {sentence_to_index(plan.corpus.lines)});
    file.close();
    return;
  }
  store::ActivationsContent content;
  content.hidden = plan.hidden();
  content.reserved_layers = plan.layers;
  content.dtype = plan.dtype;
  content.sentences = emitted_words(plan);
  content.lines = plan.corpus.lines;
  content.model = options.model.string();
  content.architecture = plan.config.model_type;
  content.num_layers = plan.config.num_hidden_layers;
  content.aggregation = extract::aggregation_name(plan.aggregation);
  content.compute_dtype = model::compute_dtype_name(plan.compute_dtype);
  content.counts = {{"model_max_length", plan.model_max_length},
                    {"truncated_sentences", plan.truncated_sentences},
                    {"truncated_words", plan.truncated_words},
                    {"empty_words", plan.empty_words}};
  store::write_activations_file(path, content);
}

void write_predictions(const std::filesystem::path& path, const ExtractionPlan& plan, const std::vector<float>& logits) {
  const auto sentences = static_cast<std::uint64_t>(plan.encodings.size());
  const auto classes = static_cast<std::uint64_t>(plan.config.id2label.size());
  CONCEPTLENS_CHECK(logits.size() == sentences * classes);
  std::vector<std::int32_t> predicted(sentences);
  for (std::uint64_t s = 0; s < sentences; ++s) {
    const auto row = logits.begin() + static_cast<std::ptrdiff_t>(s * classes);
    // argmax, the first of equal maxima (as torch.argmax)
    predicted[s] = static_cast<std::int32_t>(std::max_element(row, row + static_cast<std::ptrdiff_t>(classes)) - row);
  }
  h5::File file = h5::File::open_read_write(path);
  file.write_dataset("/predictions/class", predicted, {sentences});
  file.write_dataset("/predictions/logits", logits, {sentences, classes});
  file.write_strings_dataset("/predictions/labels", plan.config.id2label);
  file.close();
}

}  // namespace conceptlens::app
