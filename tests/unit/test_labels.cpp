// Label readers (.label, .classes, CoNLL-U, CoNLL-2000) checked against their corpus, on small
// hand-made files and on the bundled UD English EWT sample (tests/data/ewt).
#include "corpus/labels.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::corpus {
namespace {

using Labels = std::vector<std::vector<std::string>>;
using conceptlens::testing::expect_error;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;

/// A two-sentence corpus and a label file beside it.
struct Files {
  ScratchDir dir;
  Corpus corpus;

  Files() {
    write_file(dir / "C.in", "The cat sat\nDogs bark\n");
    corpus = read_corpus(dir / "C.in");
  }
  std::string corpus_name() const { return (dir / "C.in").string(); }
  std::filesystem::path with(const std::string& name, const std::string& bytes) const {
    write_file(dir / name, bytes);
    return dir / name;
  }
};

void expect_labels_error(const Files& files, const std::string& name, const std::string& bytes, LabelFormat format,
                         const std::string& message, std::string_view column = {}) {
  const auto path = files.with(name, bytes);
  expect_error<InputError>([&] { read_labels(path, format, files.corpus, column); }, message, {});
}

// ---- formats ---------------------------------------------------------------------------------

TEST(LabelFormats, FromTheFileNameOrByName) {
  EXPECT_EQ(label_format_of("a/en.upos.label"), LabelFormat::label);
  EXPECT_EQ(label_format_of("sst2-dev.classes"), LabelFormat::classes);
  EXPECT_EQ(label_format_of("en_ewt-ud-dev.conllu"), LabelFormat::conllu);
  expect_error<InputError>([] { label_format_of("train.txt"); }, "train.txt: cannot tell the label format",
                           {".label, .classes or .conllu"});
  EXPECT_EQ(parse_label_format("conll2000"), LabelFormat::conll2000);
  EXPECT_EQ(parse_label_format("label"), LabelFormat::label);
  expect_error<InputError>([] { parse_label_format("csv"); }, "unknown label format 'csv'", {"conll2000"});
}

TEST(LabelFormats, SplitLabelLikePython) {
  EXPECT_EQ(split_label("NN"), (std::vector<std::string_view>{"NN"}));
  EXPECT_EQ(split_label("NN|||VB"), (std::vector<std::string_view>{"NN", "VB"}));
  EXPECT_EQ(split_label("A||||B"), (std::vector<std::string_view>{"A", "|B"}));  // "A||||B".split("|||")
}

// ---- .label ----------------------------------------------------------------------------------

TEST(LabelFile, ReadsOneLabelPerWordWithMultiLabels) {
  Files files;
  const auto path = files.with("L.label", "DT NN|||N VBD\r\nNNS VBP\n");
  const WordLabels labels = read_labels(path, LabelFormat::label, files.corpus);
  EXPECT_EQ(labels.path, path);
  EXPECT_EQ(labels.labels, (Labels{{"DT", "NN|||N", "VBD"}, {"NNS", "VBP"}}));
}

TEST(LabelFile, LineCountsDifferNamesBothFiles) {
  Files files;
  const std::string label = (files.dir / "L.label").string();
  expect_labels_error(files, "L.label", "DT NN VBD\nNNS VBP\nX\n", LabelFormat::label,
                      label + " has 3 lines, " + files.corpus_name() + " has 2: a label file for another corpus?");
  expect_labels_error(files, "L.label", "DT NN VBD\n", LabelFormat::label,
                      label + " has 1 lines, " + files.corpus_name() + " has 2: a label file for another corpus?");
}

TEST(LabelFile, WordCountsDifferNamesBothFilesLineAndCounts) {
  Files files;
  const std::string label = (files.dir / "L.label").string();
  expect_labels_error(files, "L.label", "DT NN VBD\nNNS VBP X\n", LabelFormat::label,
                      label + ":2: 3 labels, but " + files.corpus_name() + ":2 has 2 words");
}

TEST(LabelFile, EmptyLabelsAndLinesAreErrors) {
  Files files;
  const std::string label = (files.dir / "L.label").string();
  expect_labels_error(files, "L.label", "DT  VBD\nNNS VBP\n", LabelFormat::label,
                      label + ":1: label 2 is empty (two spaces in a row?)");
  expect_labels_error(files, "L.label", "DT NN||| VBD\nNNS VBP\n", LabelFormat::label,
                      label + ":1: label 2 'NN|||' has an empty part");
  expect_labels_error(files, "L.label", "DT NN VBD\n\nNNS VBP\n", LabelFormat::label, label + ":2: empty line");
  expect_labels_error(files, "L.label", "DT NN VBD\nNNS VBP\n", LabelFormat::label,
                      label + ": a column ('upos') is only chosen in CoNLL-U and CoNLL-2000 files", "upos");
}

// ---- .classes --------------------------------------------------------------------------------

TEST(ClassFile, EveryWordTakesItsSentencesClass) {
  Files files;
  const auto path = files.with("C.classes", "positive\nnegative\n");
  EXPECT_EQ(read_labels(path, LabelFormat::classes, files.corpus).labels,
            (Labels{{"positive", "positive", "positive"}, {"negative", "negative"}}));
}

TEST(ClassFile, OneClassPerLineAndOneLinePerSentence) {
  Files files;
  const std::string classes = (files.dir / "C.classes").string();
  expect_labels_error(files, "C.classes", "positive\n", LabelFormat::classes,
                      classes + " has 1 lines, " + files.corpus_name() + " has 2: a label file for another corpus?");
  expect_labels_error(files, "C.classes", "positive\nvery negative\n", LabelFormat::classes,
                      classes + ":2: 'very negative' holds blanks; a class file has one class per line");
}

// ---- CoNLL-U ---------------------------------------------------------------------------------

/// Sentence 1 has a multiword range and an empty node, both skipped.
const char* const kConllu =
    "# sent_id = 1\n"
    "# text = The cat sat\n"
    "1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n"
    "2-3\tcatsat\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tcat\tcat\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n"
    "2.1\tate\teat\tVERB\tVBD\t_\t_\t_\t2:conj\t_\n"
    "3\tsat\tsit\tVERB\tVBD\t_\t0\troot\t_\t_\n"
    "\n"
    "# sent_id = 2\n"
    "1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n"
    "2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n"
    "\n";

TEST(Conllu, ReadsTheChosenColumnSkippingRangesAndEmptyNodes) {
  Files files;
  const auto path = files.with("T.conllu", kConllu);
  EXPECT_EQ(read_labels(path, LabelFormat::conllu, files.corpus).labels,
            (Labels{{"DET", "NOUN", "VERB"}, {"NOUN", "VERB"}}));
  EXPECT_EQ(read_labels(path, LabelFormat::conllu, files.corpus, "upos").labels,
            (Labels{{"DET", "NOUN", "VERB"}, {"NOUN", "VERB"}}));
  EXPECT_EQ(read_labels(path, LabelFormat::conllu, files.corpus, "xpos").labels,
            (Labels{{"DT", "NN", "VBD"}, {"NNS", "VBP"}}));
  EXPECT_EQ(read_labels(path, LabelFormat::conllu, files.corpus, "deprel").labels,
            (Labels{{"det", "nsubj", "root"}, {"nsubj", "root"}}));
  // no blank line at the end of the file
  const auto unterminated = files.with("U.conllu", std::string(kConllu).substr(0, std::string(kConllu).size() - 1));
  EXPECT_EQ(read_labels(unterminated, LabelFormat::conllu, files.corpus).labels.size(), 2u);
}

TEST(Conllu, MismatchesNameBothFiles) {
  Files files;
  const std::string conllu = (files.dir / "T.conllu").string();
  std::string text = kConllu;
  expect_labels_error(files, "T.conllu", text + "1\tMore\tmore\tADJ\tJJR\t_\t0\troot\t_\t_\n", LabelFormat::conllu,
                      conllu + " has 3 sentences, " + files.corpus_name() +
                          " has 2: a label file for another corpus?");
  std::string missing_word = text;
  missing_word.erase(missing_word.find("2\tbark"), std::string("2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n").size());
  expect_labels_error(files, "T.conllu", missing_word, LabelFormat::conllu,
                      conllu + ":10: sentence 2 has 1 words, but " + files.corpus_name() + ":2 has 2 words");
  std::string other_word = text;
  other_word.replace(other_word.find("\tbark\t"), 6, "\tbarks\t");
  expect_labels_error(files, "T.conllu", other_word, LabelFormat::conllu,
                      conllu + ":11: word 2 of sentence 2 is 'barks', but " + files.corpus_name() + ":2 has 'bark'");
  expect_labels_error(files, "T.conllu", "1\tThe\tthe\tDET\n", LabelFormat::conllu,
                      conllu + ":1: 4 fields: a CoNLL-U word line has 10 tab-separated fields");
  expect_labels_error(files, "T.conllu", text, LabelFormat::conllu, "unknown CoNLL-U column 'pos'", "pos");
}

// ---- CoNLL-2000 ------------------------------------------------------------------------------

TEST(Conll2000, ReadsPosOrChunk) {
  Files files;
  const auto path = files.with("T.txt", "The DT B-NP\ncat NN I-NP\nsat VBD B-VP\n\nDogs NNS B-NP\nbark VBP B-VP\n\n");
  EXPECT_EQ(read_labels(path, LabelFormat::conll2000, files.corpus).labels,
            (Labels{{"DT", "NN", "VBD"}, {"NNS", "VBP"}}));
  EXPECT_EQ(read_labels(path, LabelFormat::conll2000, files.corpus, "chunk").labels,
            (Labels{{"B-NP", "I-NP", "B-VP"}, {"B-NP", "B-VP"}}));
}

TEST(Conll2000, MismatchesNameBothFiles) {
  Files files;
  const std::string conll = (files.dir / "T.txt").string();
  expect_labels_error(files, "T.txt", "The DT B-NP\ncat NN I-NP\nsit VBD B-VP\n\nDogs NNS B-NP\nbark VBP B-VP\n",
                      LabelFormat::conll2000,
                      conll + ":3: word 3 of sentence 1 is 'sit', but " + files.corpus_name() + ":1 has 'sat'");
  expect_labels_error(files, "T.txt", "The DT\n", LabelFormat::conll2000,
                      conll + ":1: 2 fields: a CoNLL-2000 line has 3: word POS chunk");
  expect_labels_error(files, "T.txt", "The DT B-NP\n\nDogs NNS B-NP\nbark VBP B-VP\n", LabelFormat::conll2000,
                      conll + ":1: sentence 1 has 1 words, but " + files.corpus_name() + ":1 has 3 words");
  expect_labels_error(files, "T.txt", "The DT B-NP\n", LabelFormat::conll2000,
                      conll + " has 1 sentences, " + files.corpus_name() + " has 2: a label file for another corpus?");
}

// ---- real data: UD English EWT, first 600 dev sentences (tests/data/ewt/README.md) -------------

TEST(EwtSample, ConlluColumnsEqualTheAlignedLabelFiles) {
  const auto dir = test_data_dir() / "ewt";
  const auto aligned = test_data_dir().parent_path().parent_path() / "jobs" / "data" / "ewt";
  const Corpus corpus = read_corpus(aligned / "en_ewt-dev-600.in");
  ASSERT_EQ(corpus.sentences(), 600);
  const auto conllu = dir / "en_ewt-ud-dev-600.conllu";
  for (const std::string column : {"upos", "xpos"}) {
    const auto label_file = aligned / ("en_ewt-dev-600." + column + ".label");
    const WordLabels from_label = read_labels(label_file, label_format_of(label_file), corpus);
    const WordLabels from_conllu = read_labels(conllu, label_format_of(conllu), corpus, column);
    EXPECT_EQ(from_label.labels, from_conllu.labels) << column;
  }
}

}  // namespace
}  // namespace conceptlens::corpus
