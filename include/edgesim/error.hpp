#pragma once
// Error types shared by every layer of edgesim. An InputError is the user's fault
// (bad file, bad key, bad value) and maps to exit code 1; a RuntimeError is ours or the
// environment's and maps to exit code 3.
#include <stdexcept>
#include <string>
#include <utility>

namespace edgesim {

class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A key a table does not take (ConfigView::require_only); `key` is its full dotted path.
class UnknownKeyError : public InputError {
public:
  UnknownKeyError(const std::string& message, std::string key) : InputError(message), key_(std::move(key)) {}
  [[nodiscard]] const std::string& key() const { return key_; }

private:
  std::string key_;
};

class RuntimeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace edgesim
