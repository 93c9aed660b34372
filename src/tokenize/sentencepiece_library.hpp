#pragma once
// A SentencePiece model (sentencepiece::SentencePieceProcessor) used through the shim library
// libconceptlens_spm_shim.so (src/tokenize/spm_shim/), which is the only code that links
// libsentencepiece: Debian's libsentencepiece and LibTorch crash at start-up in one
// executable, so the shim is loaded at run time with dlopen(RTLD_NOW | RTLD_LOCAL |
// RTLD_DEEPBIND) and keeps its own symbols.
//
// The shim is looked for, in order: the path in $CONCEPTLENS_SPM_SHIM (when set, the only
// place looked at: an explicit choice does not fall back to another build); next to the running
// executable (/proc/self/exe), where CMake puts it beside `conceptlens`; the path it was built
// at (for the test binaries in the build tree). It is loaded once per process, on first use.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

struct conceptlens_spm;

namespace conceptlens::tokenize {

class SentencePieceModel {
 public:
  /// Loads the model file (spiece.model, sentencepiece.bpe.model). InputError naming the file
  /// when it is missing or not a SentencePiece model, or saying where the shim was looked for
  /// when it cannot be found or loaded.
  explicit SentencePieceModel(const std::filesystem::path& path);
  ~SentencePieceModel();
  SentencePieceModel(SentencePieceModel&& other) noexcept;
  SentencePieceModel& operator=(SentencePieceModel&& other) noexcept;
  SentencePieceModel(const SentencePieceModel&) = delete;
  SentencePieceModel& operator=(const SentencePieceModel&) = delete;

  /// Python's sp.encode(text, out_type=str): the pieces of UTF-8 `text` (an unknown piece is
  /// its surface text).
  std::vector<std::string> encode(std::string_view text) const;
  /// Number of pieces (Python's len(sp)).
  int piece_size() const;
  /// PieceToId: the unknown piece's id for a piece not in the model.
  int piece_to_id(std::string_view piece) const;
  /// IdToPiece; InputError if `id` is not in [0, piece_size()).
  std::string id_to_piece(int id) const;
  bool is_control(int id) const;
  bool is_unknown(int id) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  conceptlens_spm* model_ = nullptr;
};

}  // namespace conceptlens::tokenize
