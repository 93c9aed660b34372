#include "tokenize/sentencepiece_library.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <system_error>
#include <utility>

#include "tokenize/spm_shim/spm_shim.h"
#include "util/error.hpp"

#ifndef CONCEPTLENS_SPM_SHIM_NAME
#define CONCEPTLENS_SPM_SHIM_NAME "libconceptlens_spm_shim.so"
#endif

namespace conceptlens::tokenize {
namespace {

/// The shim's functions (spm_shim.h).
struct ShimApi {
  decltype(&conceptlens_spm_load) load = nullptr;
  decltype(&conceptlens_spm_free) free = nullptr;
  decltype(&conceptlens_spm_encode) encode = nullptr;
  decltype(&conceptlens_spm_piece_size) piece_size = nullptr;
  decltype(&conceptlens_spm_piece_to_id) piece_to_id = nullptr;
  decltype(&conceptlens_spm_id_to_piece) id_to_piece = nullptr;
  decltype(&conceptlens_spm_is_control) is_control = nullptr;
  decltype(&conceptlens_spm_is_unknown) is_unknown = nullptr;
};

/// The candidate paths of the shim, in search order, with where each comes from.
std::vector<std::pair<std::filesystem::path, std::string>> shim_candidates() {
  std::vector<std::pair<std::filesystem::path, std::string>> candidates;
  if (const char* path = std::getenv("CONCEPTLENS_SPM_SHIM"); path != nullptr && *path != '\0') {
    candidates.emplace_back(path, "$CONCEPTLENS_SPM_SHIM");
    return candidates;  // an explicit choice: no fallback to another build
  }
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) candidates.emplace_back(exe.parent_path() / CONCEPTLENS_SPM_SHIM_NAME, "next to the executable");
#ifdef CONCEPTLENS_SPM_SHIM_INSTALLED
  if (!error) {
    candidates.emplace_back(exe.parent_path() / CONCEPTLENS_SPM_SHIM_INSTALLED / CONCEPTLENS_SPM_SHIM_NAME,
                            "where cmake --install puts it, relative to the executable");
  }
#endif
#ifdef CONCEPTLENS_SPM_SHIM_BUILD_PATH
  candidates.emplace_back(CONCEPTLENS_SPM_SHIM_BUILD_PATH, "the build tree");
#endif
  return candidates;
}

// AddressSanitizer refuses RTLD_DEEPBIND; GCC says it is on with __SANITIZE_ADDRESS__, clang 14
// with __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONCEPTLENS_ADDRESS_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CONCEPTLENS_ADDRESS_SANITIZER 1
#endif

int dlopen_flags() {
#if defined(CONCEPTLENS_ADDRESS_SANITIZER)
  return RTLD_NOW | RTLD_LOCAL;
#else
  return RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif
}

/// Finds and loads the shim; InputError listing where it looked.
ShimApi load_shim() {
  std::string looked;
  for (const auto& [path, origin] : shim_candidates()) {
    looked += "\n  " + path.string() + " (" + origin + ")";
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
      looked += ": not found";
      continue;
    }
    void* handle = ::dlopen(path.c_str(), dlopen_flags());
    if (handle == nullptr) {
      const char* why = ::dlerror();
      throw InputError("cannot load the SentencePiece shim " + path.string() + " (" + origin +
                       "): " + (why != nullptr ? why : "dlopen failed"));
    }
    const auto symbol = [&, &shim = path](const char* name) {  // clang 14 cannot capture a structured binding
      void* address = ::dlsym(handle, name);
      if (address == nullptr) {
        throw InputError("the SentencePiece shim " + shim.string() + " lacks " + name +
                         " (a stale build? rebuild conceptlens_spm_shim)");
      }
      return address;
    };
    const auto version = reinterpret_cast<decltype(&conceptlens_spm_version)>(symbol("conceptlens_spm_version"));
    if (version() != CONCEPTLENS_SPM_SHIM_VERSION) {
      throw InputError("the SentencePiece shim " + path.string() + " has interface version " +
                       std::to_string(version()) + ", expected " + std::to_string(CONCEPTLENS_SPM_SHIM_VERSION) +
                       " (a stale build? rebuild conceptlens_spm_shim)");
    }
    ShimApi api;
    api.load = reinterpret_cast<decltype(api.load)>(symbol("conceptlens_spm_load"));
    api.free = reinterpret_cast<decltype(api.free)>(symbol("conceptlens_spm_free"));
    api.encode = reinterpret_cast<decltype(api.encode)>(symbol("conceptlens_spm_encode"));
    api.piece_size = reinterpret_cast<decltype(api.piece_size)>(symbol("conceptlens_spm_piece_size"));
    api.piece_to_id = reinterpret_cast<decltype(api.piece_to_id)>(symbol("conceptlens_spm_piece_to_id"));
    api.id_to_piece = reinterpret_cast<decltype(api.id_to_piece)>(symbol("conceptlens_spm_id_to_piece"));
    api.is_control = reinterpret_cast<decltype(api.is_control)>(symbol("conceptlens_spm_is_control"));
    api.is_unknown = reinterpret_cast<decltype(api.is_unknown)>(symbol("conceptlens_spm_is_unknown"));
    return api;  // the handle stays open for the life of the process
  }
  throw InputError("the SentencePiece shim " CONCEPTLENS_SPM_SHIM_NAME
                   " (needed for ALBERT and XLM-R tokenizers) was not found; looked at:" + looked +
                   "\nset CONCEPTLENS_SPM_SHIM to its path");
}

/// The shim, loaded on first use (a load that throws is tried again on the next use).
const ShimApi& shim() {
  static const ShimApi api = load_shim();
  return api;
}

constexpr std::size_t kErrorSize = 1024;

}  // namespace

SentencePieceModel::SentencePieceModel(const std::filesystem::path& path) : path_(path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw InputError(path.string() + ": file not found");
  if (std::filesystem::is_directory(path, error)) throw InputError(path.string() + ": is a directory, expected a file");
  char message[kErrorSize] = {};
  model_ = shim().load(path.c_str(), message, sizeof message);
  if (model_ == nullptr) {
    throw InputError(path.string() + ": not a SentencePiece model (" + message + ")");
  }
}

SentencePieceModel::~SentencePieceModel() {
  if (model_ != nullptr) shim().free(model_);
}

SentencePieceModel::SentencePieceModel(SentencePieceModel&& other) noexcept
    : path_(std::move(other.path_)), model_(std::exchange(other.model_, nullptr)) {}

SentencePieceModel& SentencePieceModel::operator=(SentencePieceModel&& other) noexcept {
  if (this != &other) {
    if (model_ != nullptr) shim().free(model_);
    path_ = std::move(other.path_);
    model_ = std::exchange(other.model_, nullptr);
  }
  return *this;
}

std::vector<std::string> SentencePieceModel::encode(std::string_view text) const {
  std::vector<std::string> pieces;
  char message[kErrorSize] = {};
  const auto append = [](void* user, const char* piece, std::size_t length) {
    static_cast<std::vector<std::string>*>(user)->emplace_back(piece, length);
  };
  if (shim().encode(model_, text.data(), text.size(), append, &pieces, message, sizeof message) != 0) {
    throw InputError(path_.string() + ": SentencePiece cannot encode the text: " + message);
  }
  return pieces;
}

int SentencePieceModel::piece_size() const { return shim().piece_size(model_); }

int SentencePieceModel::piece_to_id(std::string_view piece) const {
  return shim().piece_to_id(model_, piece.data(), piece.size());
}

std::string SentencePieceModel::id_to_piece(int id) const {
  if (id < 0 || id >= piece_size()) {
    throw InputError("piece id " + std::to_string(id) + " is outside " + path_.string() + " [0, " +
                     std::to_string(piece_size()) + ")");
  }
  std::size_t length = 0;
  const char* piece = shim().id_to_piece(model_, id, &length);
  return std::string(piece, length);
}

bool SentencePieceModel::is_control(int id) const { return shim().is_control(model_, id) != 0; }

bool SentencePieceModel::is_unknown(int id) const { return shim().is_unknown(model_, id) != 0; }

}  // namespace conceptlens::tokenize
