#pragma once
// The JSON files of a Hugging Face tokenizer folder (tokenizer_config.json,
// special_tokens_map.json), read as transformers 4.31's from_pretrained reads them, for every
// tokenizer family. Errors are InputErrors that name the file and the setting.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace conceptlens::tokenize::hf {

using Json = nlohmann::json;

/// Throws InputError("<path>: <what>").
[[noreturn]] void file_error(const std::filesystem::path& path, const std::string& what);

/// The file as a JSON object; InputError naming it when missing, unreadable or not an object.
Json read_json_object(const std::filesystem::path& path);

/// A boolean setting: absent keeps `value`; null is Python's None, which is false.
void read_bool(const Json& json, const std::string& key, const std::filesystem::path& path, bool& value);

/// model_max_length: absent or null keeps `value`; transformers' "no limit" (int(1e30), which
/// may come as a float) gives `no_limit`. InputError unless a positive integer.
void read_max_length(const Json& json, const std::filesystem::path& path, std::int64_t no_limit,
                     std::int64_t& value);

/// A special token as the files write it: a string, an AddedToken object, or null.
struct SpecialToken {
  std::string content;        ///< empty: none (null)
  bool added_token = false;   ///< written as an object (AddedToken); a string is a plain str
  bool lstrip = false;        ///< the AddedToken's flags (false when not given)
  bool rstrip = false;
};

/// A special token setting: absent keeps `value`. InputError unless a string, an object with a
/// "content" string, or null.
void read_token(const Json& json, const std::string& key, const std::filesystem::path& path, SpecialToken& value);
/// The same for a list (additional_special_tokens); absent keeps `values`, null clears it.
void read_token_list(const Json& json, const std::string& key, const std::filesystem::path& path,
                     std::vector<SpecialToken>& values);
/// The special-token attributes of a tokenizer class (transformers' SPECIAL_TOKENS_ATTRIBUTES),
/// as tokenizer_config.json and special_tokens_map.json set them.
struct SpecialTokenAttributes {
  SpecialToken bos_token, eos_token, unk_token, sep_token, pad_token, cls_token, mask_token;
  std::vector<SpecialToken> additional_special_tokens;

  /// Sets the attributes `json` has (read_token, read_token_list); InputError naming `path`.
  void read(const Json& json, const std::filesystem::path& path);
  /// all_special_tokens_extended's order: bos, eos, unk, sep, pad, cls, mask, the additional ones.
  std::vector<const SpecialToken*> extended() const;
};

/// A list of strings (or AddedToken objects, their content); absent keeps `values`, null clears it.
void read_string_list(const Json& json, const std::string& key, const std::filesystem::path& path,
                      std::vector<std::string>& values);

}  // namespace conceptlens::tokenize::hf
