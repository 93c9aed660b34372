#include "tokenize/hf_config.hpp"

#include <cmath>

#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::tokenize::hf {
namespace {

std::string setting(const std::string& key) { return "\"" + key + "\""; }

/// An AddedToken object's content and flags, false if `item` is not one.
bool read_added_token(const Json& item, SpecialToken& token) {
  if (!item.is_object() || !item.contains("content") || !item["content"].is_string()) return false;
  token.content = item["content"].get<std::string>();
  token.added_token = true;
  const auto flag = [&](const char* name) {
    const auto it = item.find(name);
    return it != item.end() && it->is_boolean() && it->get<bool>();
  };
  token.lstrip = flag("lstrip");
  token.rstrip = flag("rstrip");
  return true;
}

}  // namespace

void file_error(const std::filesystem::path& path, const std::string& what) {
  throw InputError(path.string() + ": " + what);
}

Json read_json_object(const std::filesystem::path& path) {
  const std::string bytes = read_whole_file(path);
  Json json;
  try {
    json = Json::parse(bytes);
  } catch (const Json::exception& error) {  // parse_error, or out_of_range for a number like 1e999
    file_error(path, std::string("not valid JSON: ") + error.what());
  }
  if (!json.is_object()) file_error(path, std::string("expected a JSON object, found ") + json.type_name());
  return json;
}

void read_bool(const Json& json, const std::string& key, const std::filesystem::path& path, bool& value) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  if (it->is_null()) {
    value = false;
  } else if (it->is_boolean()) {
    value = it->get<bool>();
  } else {
    file_error(path, setting(key) + " must be true, false or null, found " + it->dump());
  }
}

void read_max_length(const Json& json, const std::filesystem::path& path, std::int64_t no_limit,
                     std::int64_t& value) {
  const auto it = json.find("model_max_length");
  if (it == json.end() || it->is_null()) return;
  // transformers writes "no limit" as int(1e30), which JSON readers may give as a float
  constexpr double kLimit = 9.2e18;
  if (it->is_number_integer() &&
      !(it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
    value = it->get<std::int64_t>();
  } else if (it->is_number()) {
    const double number = it->get<double>();
    if (number >= kLimit) {
      value = no_limit;
    } else if (std::floor(number) == number && number > -kLimit) {
      value = static_cast<std::int64_t>(number);
    } else {
      file_error(path, "\"model_max_length\" must be an integer, found " + it->dump());
    }
  } else {
    file_error(path, "\"model_max_length\" must be an integer or null, found " + it->dump());
  }
  if (value < 1) file_error(path, "\"model_max_length\" must be positive, found " + it->dump());
}

void read_token(const Json& json, const std::string& key, const std::filesystem::path& path, SpecialToken& value) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  SpecialToken token;
  if (it->is_string()) {
    token.content = it->get<std::string>();
  } else if (!it->is_null() && !read_added_token(*it, token)) {
    file_error(path, setting(key) + " must be a string, an object with a \"content\" string or null, found " +
                         it->dump());
  }
  value = token;
}

void read_token_list(const Json& json, const std::string& key, const std::filesystem::path& path,
                     std::vector<SpecialToken>& values) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  values.clear();
  if (it->is_null()) return;
  if (!it->is_array()) file_error(path, setting(key) + " must be a list or null, found " + it->dump());
  for (const Json& item : *it) {
    SpecialToken token;
    if (item.is_string()) {
      token.content = item.get<std::string>();
    } else if (!read_added_token(item, token)) {
      file_error(path, setting(key) + " must list strings, found " + item.dump());
    }
    values.push_back(std::move(token));
  }
}

void SpecialTokenAttributes::read(const Json& json, const std::filesystem::path& path) {
  read_token(json, "bos_token", path, bos_token);
  read_token(json, "eos_token", path, eos_token);
  read_token(json, "unk_token", path, unk_token);
  read_token(json, "sep_token", path, sep_token);
  read_token(json, "pad_token", path, pad_token);
  read_token(json, "cls_token", path, cls_token);
  read_token(json, "mask_token", path, mask_token);
  read_token_list(json, "additional_special_tokens", path, additional_special_tokens);
}

std::vector<const SpecialToken*> SpecialTokenAttributes::extended() const {
  std::vector<const SpecialToken*> out = {&bos_token, &eos_token, &unk_token, &sep_token,
                                          &pad_token, &cls_token, &mask_token};
  for (const SpecialToken& token : additional_special_tokens) out.push_back(&token);
  return out;
}

void read_string_list(const Json& json, const std::string& key, const std::filesystem::path& path,
                      std::vector<std::string>& values) {
  std::vector<SpecialToken> tokens;
  read_token_list(json, key, path, tokens);
  if (json.find(key) == json.end()) return;
  values.clear();
  for (SpecialToken& token : tokens) values.push_back(std::move(token.content));
}

}  // namespace conceptlens::tokenize::hf
