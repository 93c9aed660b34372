// The SentencePiece shim: libsentencepiece behind the C interface of spm_shim.h.
#include "spm_shim.h"

#include <sentencepiece_processor.h>

#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

struct conceptlens_spm {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

void set_error(char* error, std::size_t error_size, const std::string& message) {
  if (error == nullptr || error_size == 0) return;
  const std::size_t n = message.size() < error_size - 1 ? message.size() : error_size - 1;
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

}  // namespace

extern "C" {

int conceptlens_spm_version(void) { return CONCEPTLENS_SPM_SHIM_VERSION; }

conceptlens_spm* conceptlens_spm_load(const char* path, char* error, size_t error_size) {
  try {
    auto* model = new conceptlens_spm;
    const sentencepiece::util::Status status = model->processor.Load(path);
    if (!status.ok()) {
      set_error(error, error_size, status.ToString());
      delete model;
      return nullptr;
    }
    return model;
  } catch (const std::exception& e) {
    set_error(error, error_size, e.what());
  } catch (...) {
    set_error(error, error_size, "unknown error");
  }
  return nullptr;
}

void conceptlens_spm_free(conceptlens_spm* model) { delete model; }

int conceptlens_spm_encode(const conceptlens_spm* model, const char* text, size_t length,
                           conceptlens_spm_piece_fn fn, void* user, char* error, size_t error_size) {
  try {
    std::vector<std::string> pieces;
    const sentencepiece::util::Status status =
        model->processor.Encode(std::string_view(text, length), &pieces);
    if (!status.ok()) {
      set_error(error, error_size, status.ToString());
      return -1;
    }
    for (const std::string& piece : pieces) fn(user, piece.data(), piece.size());
    return 0;
  } catch (const std::exception& e) {
    set_error(error, error_size, e.what());
  } catch (...) {
    set_error(error, error_size, "unknown error");
  }
  return -1;
}

int conceptlens_spm_piece_size(const conceptlens_spm* model) { return model->processor.GetPieceSize(); }

int conceptlens_spm_piece_to_id(const conceptlens_spm* model, const char* piece, size_t length) {
  return model->processor.PieceToId(std::string_view(piece, length));
}

const char* conceptlens_spm_id_to_piece(const conceptlens_spm* model, int id, size_t* length) {
  const std::string& piece = model->processor.IdToPiece(id);
  *length = piece.size();
  return piece.data();
}

int conceptlens_spm_is_control(const conceptlens_spm* model, int id) {
  return model->processor.IsControl(id) ? 1 : 0;
}

int conceptlens_spm_is_unknown(const conceptlens_spm* model, int id) {
  return model->processor.IsUnknown(id) ? 1 : 0;
}

}  // extern "C"
